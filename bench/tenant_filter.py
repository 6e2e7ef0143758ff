"""Micro-benchmark: what the ORM tenant filter (tenants/tenancy.py) costs per statement.

    .venv/bin/python bench/tenant_filter.py            # ms per statement, filter on and off
    .venv/bin/python bench/tenant_filter.py --profile  # cProfile of the filtered run

SQLite in memory, the app's models, tenant a with 25 participants (a trajectory each, half
of them in a neighbourhood), tenant b with none: both runs return the same rows. Each statement
shape is built and run N times through a Session with the tenancy listeners, once with the
tenant filter and once with `all_tenants` (no filter, same listeners): the difference is the
filter's cost. Figures: the least of five blocks (a shared machine only adds time), and the
Python function calls per statement (deterministic).
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select  # noqa: E402
from sqlalchemy.orm import Session, aliased  # noqa: E402

from tests import tenant_rows  # noqa: E402,F401  (imports every model)
from tenants.db import Base  # noqa: E402
from tenants.models import Tenant, TenantKind  # noqa: E402
from tenants.tenancy import install, set_tenant  # noqa: E402
from blueprints.participants.models import Neighbourhood, Participant  # noqa: E402
from blueprints.trajectories.models import Funding, Trajectory, TrajectoryKind  # noqa: E402


class BenchSession(Session):
    pass


install(BenchSession)


def build():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    session = BenchSession(engine)
    tenants = []
    for name in ("a", "b"):
        tenant = Tenant(name=f"Coöperatie {name}", slug=f"bench-{name}",
                        kind=TenantKind.BEWONERSINITIATIEF)
        session.add(tenant)
        session.flush()
        tenants.append(tenant.id)
        set_tenant(session, tenant.id)
        wijk = Neighbourhood(name="Centrum")
        session.add(wijk)
        session.flush()
        for i in range(25 if name == "a" else 0):
            p = Participant(first_name=f"P{i}", last_name=f"Achternaam {i}",
                            neighbourhood_id=wijk.id if i % 2 else None)
            session.add(p)
            session.flush()
            session.add(Trajectory(participant_id=p.id, kind=TrajectoryKind.VOLUNTEER,
                                   starts_on=date(2026, 1, 1), hours_per_week=16,
                                   funding=Funding.OWN))
        session.flush()
    session.commit()
    return session, tenants


def shapes():
    t = aliased(Trajectory)
    return {
        "select 25 rows": lambda: select(Participant).order_by(Participant.sort_name),
        "outer join": lambda: (select(Participant, Neighbourhood.name)
                               .outerjoin(Neighbourhood,
                                          Neighbourhood.id == Participant.neighbourhood_id)
                               .order_by(Participant.sort_name)),
        "subquery + alias": lambda: (select(Participant.id, Participant.first_name)
                                     .where(Participant.id.in_(select(t.participant_id)))),
        "count": lambda: select(func.count()).select_from(Participant),
        "by id": lambda: select(Participant).where(Participant.id == 1),
    }


def run(session, build_stmt, n, all_tenants):
    # a new statement per execution, as a page builds them (a reused one keeps its cache key)
    options = {"all_tenants": True} if all_tenants else {}
    for _ in range(n):
        session.execute(build_stmt(), execution_options=options).all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=400)
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    session, tenants = build()
    set_tenant(session, tenants[1])  # the filter works: tenant b sees none of a's rows
    for label, build_stmt in shapes().items():
        rows = session.execute(build_stmt()).all()
        assert rows == [(0,)] if label == "count" else not rows, (label, rows)
    set_tenant(session, tenants[0])
    assert len(session.execute(select(Participant)).all()) == 25
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for build_stmt in shapes().values():
            run(session, build_stmt, args.n, False)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)
        return
    print("| statement | unfiltered ms | filtered ms | filter ms | calls unfiltered | "
          "calls filtered |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    totals = [0.0, 0.0, 0, 0]
    for label, build_stmt in shapes().items():
        figures = []
        for all_tenants in (True, False):
            run(session, build_stmt, 20, all_tenants)  # warm the compiled cache
            best = min(_timed(session, build_stmt, args.n, all_tenants)
                       for _ in range(args.blocks))
            profile = cProfile.Profile()
            profile.enable()
            run(session, build_stmt, 50, all_tenants)
            profile.disable()
            figures.append((best * 1000 / args.n, pstats.Stats(profile).total_calls / 50))
        (off, calls_off), (on, calls_on) = figures
        totals = [totals[0] + off, totals[1] + on, totals[2] + calls_off,
                  totals[3] + calls_on]
        print(f"| {label} | {off:.3f} | {on:.3f} | {on - off:.3f} | {calls_off:,.0f} | "
              f"{calls_on:,.0f} |")
    k = len(shapes())
    print(f"| mean | {totals[0] / k:.3f} | {totals[1] / k:.3f} | {(totals[1] - totals[0]) / k:.3f}"
          f" | {totals[2] / k:,.0f} | {totals[3] / k:,.0f} |")


def _timed(session, build_stmt, n, all_tenants) -> float:
    start = time.process_time()
    run(session, build_stmt, n, all_tenants)
    return time.process_time() - start


if __name__ == "__main__":
    main()
