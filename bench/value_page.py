"""Benchmark: the value page's CPU per request as the outflows to work grow (issue #13).

    .venv/bin/python bench/value_page.py                    # SQLite, 50 and 2,000 outflows
    .venv/bin/python bench/value_page.py --sizes 50,500,2000
    git archive <commit> | tar -x -C /tmp/base && ln -s $PWD/.venv /tmp/base/.venv
    .venv/bin/python bench/value_page.py --base /tmp/base   # before and after, interleaved
    BENCH_DATABASE_URL=postgresql://app:...@127.0.0.1/db \\
    BENCH_MIGRATIONS_DATABASE_URL=postgresql://owner:...@127.0.0.1/db \\
        .venv/bin/python bench/value_page.py                # PostgreSQL (everything in it dropped)

Builds a SQLite database (or empties the PostgreSQL one and builds it) with the migrations and
`seed-demo` (bench/pages.py `build`), then gives the demo cooperative ONS Breda outflows to work
in bulk — participants of every household type (some turning 18 or 21 in the year),
trajectories ended with paid work or an own business over two years, a third of them with
follow-ups at 1, 6 and 12 months, some back on benefit — up to each size in turn. At each size it serves the app (and, with `--base`, the other
checkout) and the floor (bench/floor.py) with one sync gunicorn worker each and reads the
workers' CPU clocks around blocks of requests of the value page (last year, page 1), the way
bench/pages.py does (its code, imported): CPU ms per request, the ratio to the floor measured
in the same rounds, SQL statements per request. Not part of the test suite; results go to
bench/RESULTS-reports.md by hand.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pages  # noqa: E402  (bench/pages.py: building, serving and measuring)


def add_outflows(url: str, n: int, first: int, rng: random.Random) -> None:
    """`n` more outflows to work for ONS Breda (participants `first` to `first + n - 1`)."""
    from sqlalchemy import insert, select

    from app import create_app
    from blueprints.participants.models import HouseholdType, Participant
    from blueprints.reports.models import OutflowFollowUp
    from blueprints.trajectories.models import (Funding, Outcome, Trajectory, TrajectoryKind,
                                                TrajectoryStatus)
    from tenants.config import load_config
    from tenants.db import new_id
    from tenants.extensions import db
    from tenants.models import Tenant, User
    from tenants.tenancy import tenant_context

    app = create_app(load_config("development", env=pages._env(url, None)))
    year = date.today().year - 1
    with app.app_context():
        s = db.session
        tenant = s.scalar(select(Tenant).where(Tenant.slug == pages.SLUG))
        coach = s.scalar(select(User).where(User.email == f"begeleider@{pages.SLUG}.example.org"))
        people, trajectories, followups = [], [], []
        for i in range(first, first + n):
            pid, tid = new_id(), new_id()
            outflow = date(year - 1, 1, 1) + timedelta(days=rng.randint(0, 2 * 365 - 1))
            born = (date(year - rng.choice((18, 21)), 1, 1) + timedelta(days=rng.randint(0, 364))
                    if i % 5 == 0 else date(1960, 1, 1) + timedelta(days=rng.randint(0, 12000)))
            people.append(dict(
                tenant_id=tenant.id, id=pid, first_name=f"Uitstroom{i}",
                last_name=f"Waarde{i:05d}", supervisor_id=coach.id, skills=[], languages=[],
                available_days=[], date_of_birth=born,
                household_type=rng.choice([*HouseholdType, None])))
            trajectories.append(dict(
                tenant_id=tenant.id, id=tid, participant_id=pid, kind=TrajectoryKind.SOCIAL_JOB,
                job_coach_id=coach.id, starts_on=outflow - timedelta(days=rng.randint(60, 600)),
                hours_per_week=16, build_up=[], funding=Funding.SUBSIDY,
                status=TrajectoryStatus.ENDED, outcome_on=outflow,
                outcome=Outcome.PAID_WORK if i % 4 else Outcome.SELF_EMPLOYED))
            if i % 3 == 0:
                for months in (1, 6, 12):
                    checked = outflow + timedelta(days=30 * months + rng.randint(0, 20))
                    if checked > date.today():
                        break
                    still_off = rng.random() < 0.85
                    followups.append(dict(tenant_id=tenant.id, id=new_id(), trajectory_id=tid,
                                          months=months, checked_on=checked,
                                          still_off_benefit=still_off, source="gemeente"))
                    if not still_off:
                        break
        with tenant_context(s, tenant.id):
            for model, rows in ((Participant, people), (Trajectory, trajectories),
                                (OutflowFollowUp, followups)):
                for start in range(0, len(rows), 2000):
                    s.execute(insert(model), rows[start:start + 2000])
        s.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50,2000", help="outflows to work, ascending")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--block", type=int, default=10, help="requests per measurement")
    parser.add_argument("--base", type=Path, help="another checkout of the app (e.g. an export "
                        "of the commit before) to measure interleaved with this one")
    args = parser.parse_args()
    url, migrations_url = (os.environ.get("BENCH_DATABASE_URL"),
                           os.environ.get("BENCH_MIGRATIONS_DATABASE_URL"))
    print(f"# bench/value_page.py — {datetime.now():%d-%m-%Y %H:%M}, {os.cpu_count()} cores, "
          f"{pages.platform_line()}, {'PostgreSQL' if url else 'SQLite'}, one sync gunicorn "
          "worker (the database server's CPU is not in the figures)")
    tmp = tempfile.mkdtemp()
    if url:
        pages.reset_postgres(url, migrations_url)
    else:
        url = f"sqlite:///{tmp}/bench.sqlite3"
    rng = random.Random(13)
    try:
        print("building the demo…")
        pages.build(url, migrations_url, "demo")
        path = (f"/{pages.SLUG}/rapportage/waarde?periode=jaar&jaar={date.today().year - 1}")
        rows, have = [], 0
        for size in (int(n) for n in args.sizes.split(",")):
            add_outflows(url, size - have, have, rng)
            have = size
            label = f"value page, {size:,} outflows"
            counts = pages.statements(url, [(label, path)])
            result = pages.measure(url, [(label, path)], args.rounds, args.block, args.base)
            floor, r = result["floor"], result[label]
            rows.append((size, counts[label], floor, r))
            print(f"  {label}: floor {floor:.2f} ms, CPU {r['cpu']:.1f} ms"
                  + (f", base {r['base']:.1f} ms" if r["base"] is not None else ""))
        print("\n| outflows to work | statements | floor CPU ms | "
              + ("base CPU ms | base × floor | " if args.base else "")
              + "CPU ms/request | × floor | HTML KB |")
        print("| ---: | ---: | ---: | " + ("---: | ---: | " if args.base else "")
              + "---: | ---: | ---: |")
        for size, statements, floor, r in rows:
            base = (f"{r['base']:.1f} | {r['base'] / floor:.1f} | " if args.base else "")
            print(f"| {size:,} | {statements} | {floor:.2f} | {base}{r['cpu']:.1f} | "
                  f"{r['cpu'] / floor:.1f} | {r['html'] / 1024:.0f} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
