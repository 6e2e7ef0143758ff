"""The one way to read across tenants: protected aggregate tables, with an audit record per call.

Three readers cross tenants (DESIGN.md, "Reading across tenants"): a municipality (what the
cooperatives in it share), the network (benchmarks of members that opt in) and the platform
operator. They all call `aggregate()`:

    aggregate(session, requester, table, shares, periods, rows, threshold) -> list[Protected]

- `requester`: who asks (`Requester("gemeente", municipality.id, user.id)`);
- `table`: "uren" (approved hours per hour type) or "uitstroom" (ended trajectories per
  outcome), read from the report summaries (report_hours_monthly, report_outflow_daily);
- `shares`: {tenant id: first month it may be read}; a period includes a tenant whose first
  month is on or before the period's start (the caller decides who shares: active grants);
- `periods`: whole calendar months, quarters or years, as (first day, last day); one statement
  each, its months included;
- `rows`: the row keys in order (hour type or outcome values): the shape of a table never
  depends on the data;
- `threshold`: the smallest group shown (tenants.suppression.threshold_for).

It returns, per period, a `tenants.suppression.Table` with a column per tenant and the total,
already protected (primary, period and secondary suppression, each cooperative's column on its
own and a total across cooperatives only from published cells: `protect_period`, so
that tables of different periods and different sets of sharing cooperatives stay consistent
with each other); nothing unprotected leaves this module. Each call appends one `AggregateRead`
(who, what, which period and tenants).

`benchmark(session, requester, tenant_ids, first, last)` gives the network's benchmark: each
cooperative's yearly figures (participants, hours per participant per week, revenue per
approved hour, training spent per participant, outflow per destination) computed here and
returned only as a distribution (members, quartiles, median; nothing from fewer than 5), with
the requesting cooperative's own value (the session's tenant) for its position.

`grants(session, municipality_id)` lists the report shares of a municipality (its tenants'
grants, revoked ones included): the municipality cannot read them otherwise.

On PostgreSQL the tables are tenant tables under FORCE'd row-level security: the app role sees
one tenant's rows, and nothing without a tenant. The reads here go through SECURITY DEFINER
functions (migrations df8305dfc654, 9c4e1a7b2d05) owned by the owner role, which alone has a
SELECT policy on the tables they read; the app role may EXECUTE them and nothing more, and they
return aggregates (sums and counts of people per tenant and row), never a row of a person. A
period's aggregates come with those of each of its months in one statement (the period
suppression needs the months' tables). On SQLite the same queries run as plain SQL. This is
the only module that reads across tenants (tests/kernel/test_architecture.py checks it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping, Sequence

from sqlalchemy import BigInteger, Date, String, bindparam, text
from sqlalchemy.orm import Session

from tenants.db import UTCDateTime
from tenants.models import AggregateRead
from tenants.suppression import PLATFORM_THRESHOLD, TOTAL, Table, build, protect_period
from tenants.tenancy import current_tenant_id

__all__ = ["BENCHMARK_FIGURES", "Distribution", "Grant", "Protected", "Requester", "TABLES",
           "aggregate", "benchmark", "grants", "months_of", "quartiles"]

TABLES = ("uren", "uitstroom")


@dataclass(frozen=True)
class Requester:
    #: "gemeente", "netwerk", "platform", or "cooperatie" (a cooperative reading its own
    #: position in the network's benchmark)
    kind: str
    id: int | None
    user_id: int | None = None


@dataclass(frozen=True)
class Protected:
    table_name: str
    start: date
    end: date
    table: Table


@dataclass(frozen=True)
class Grant:
    tenant_id: int
    id: int
    template: str
    from_month: date
    granted_at: object
    revoked_at: object | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


# --- the queries: a SECURITY DEFINER function on PostgreSQL, plain SQL on SQLite -----------

_SQLITE = {
    "uren": """
      WITH hours AS (
        SELECT tenant_id, month, hour_type, participant_id, minutes
          FROM report_hours_monthly
         WHERE tenant_id IN :ids AND month BETWEEN :first AND :last),
      person AS (
        SELECT tenant_id, month, hour_type, participant_id, SUM(minutes) AS minutes
          FROM hours GROUP BY tenant_id, month, hour_type, participant_id
        UNION ALL
        SELECT tenant_id, month, NULL, participant_id, SUM(minutes)
          FROM hours GROUP BY tenant_id, month, participant_id
        UNION ALL
        SELECT tenant_id, NULL, hour_type, participant_id, SUM(minutes)
          FROM hours GROUP BY tenant_id, hour_type, participant_id
        UNION ALL
        SELECT tenant_id, NULL, NULL, participant_id, SUM(minutes)
          FROM hours GROUP BY tenant_id, participant_id)
      SELECT month, tenant_id, hour_type, SUM(CASE WHEN minutes > 0 THEN 1 ELSE 0 END),
             SUM(minutes)
        FROM person GROUP BY month, tenant_id, hour_type""",
    "uitstroom": """
      WITH days AS (
        SELECT tenant_id, substr(day, 1, 7) || '-01' AS month, outcome, trajectories
          FROM report_outflow_daily
         WHERE tenant_id IN :ids AND day BETWEEN :first AND :last)
      SELECT month, tenant_id, outcome, SUM(trajectories), SUM(trajectories)
        FROM days GROUP BY month, tenant_id, outcome
      UNION ALL
      SELECT NULL, tenant_id, outcome, SUM(trajectories), SUM(trajectories)
        FROM days GROUP BY tenant_id, outcome""",
}

_POSTGRES = {
    "uren": "SELECT month, tenant_id, hour_type, people, minutes "
            "FROM wijkwerk_aggregate_hours_months(CAST(:ids AS bigint[]), :first, :last)",
    "uitstroom": "SELECT month, tenant_id, outcome, trajectories, trajectories "
                 "FROM wijkwerk_aggregate_outflow_months(CAST(:ids AS bigint[]), :first, :last)",
}

#: the figures of one period or month: ({(row, tenant): (value, people)},
#: {(TOTAL, tenant): people})
Figures = tuple[dict, dict]


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _raw(session: Session, table: str, tenant_ids: list[int], first: date, last: date
         ) -> dict[date | None, Figures]:
    """The figures of the period (key None) and of each of its months (key: the month's first
    day), in one statement (on PostgreSQL one SECURITY DEFINER function, migration
    9c4e1a7b2d05)."""
    if not tenant_ids:
        return {}
    if _postgres(session):
        result = session.execute(text(_POSTGRES[table]),
                                 {"ids": list(tenant_ids), "first": first, "last": last})
    else:
        statement = text(_SQLITE[table]).bindparams(bindparam("ids", expanding=True))
        result = session.execute(statement, {"ids": list(tenant_ids),
                                             "first": first.isoformat(),
                                             "last": last.isoformat()})
    figures: dict[date | None, Figures] = {}
    for month, tenant_id, key, people, value in result:
        if isinstance(month, str):  # SQLite: ISO text
            month = date.fromisoformat(month)
        cells, totals = figures.get(month) or figures.setdefault(month, ({}, {}))
        if key is None:
            totals[(TOTAL, int(tenant_id))] = int(people or 0)
        else:
            cells[(key, int(tenant_id))] = (int(value or 0), int(people or 0))
    return figures


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def months_of(start: date, end: date) -> list[date]:
    """The first days of the calendar months from `start` to `end` (whole months only)."""
    if start.day != 1 or _month_end(end.replace(day=1)) != end or end < start:
        raise ValueError("an aggregate period is made of whole calendar months")
    months, month = [], start
    while month <= end:
        months.append(month)
        month = _month_end(month) + timedelta(days=1)
    return months


def _period_table(session, table, rows, shares, first, last, threshold) -> Table:
    """The protected table of one period: a column per tenant sharing since its first month.
    A quarter or year hides what one of its months hides (`protect_period`); those months'
    tables come from the same statement. A month's table protects each tenant's column on its
    own, so the months need only the period's tenants (a tenant that starts sharing within
    the period is no column of it, and its months hide nothing in it)."""
    months = months_of(first, last)
    ids = [t for t, since in shares.items() if since <= first]
    figures = _raw(session, table, ids, first, last)
    hours = table == "uren"

    def built(key) -> Table:
        cells, totals = figures.get(key, ({}, {}))
        return build(rows, ids, cells, totals if hours else None, rows_disjoint=not hours)

    month_tables = ([protect_period(built(m), threshold) for m in months]
                    if len(months) > 1 else None)
    return protect_period(built(None), threshold, month_tables)


def aggregate(session: Session, requester: Requester, table: str, shares: Mapping[int, date],
              periods: Sequence[tuple[date, date]], rows: Sequence[str], threshold: int
              ) -> list[Protected]:
    """Protected tables of `table` for each period (see the module's docstring), one
    statement per period; appends one AggregateRead to the session (the caller commits; it is
    written with the session's next flush)."""
    if table not in TABLES:
        raise ValueError(f"unknown aggregate table {table!r}")
    result = [Protected(table, start, end, _period_table(
        session, table, rows, shares, start, end, threshold)) for start, end in periods]
    session.add(AggregateRead(
        requester_kind=requester.kind, requester_id=requester.id, user_id=requester.user_id,
        table_name=table, first_day=min((s for s, _e in periods), default=date.today()),
        last_day=max((e for _s, e in periods), default=date.today()),
        tenant_ids=sorted(shares), threshold=threshold))
    return result


_GRANTS_SQLITE = """
  SELECT tenant_id, id, template, from_month, granted_at, revoked_at FROM report_shares
   WHERE municipality_id = :municipality ORDER BY granted_at, id"""
_GRANTS_POSTGRES = """
  SELECT tenant_id, id, template, from_month, granted_at, revoked_at
    FROM wijkwerk_report_shares(:municipality)"""


def grants(session: Session, municipality_id: int) -> list[Grant]:
    """Every report share granted to the municipality, revoked ones included, oldest first."""
    sql = _GRANTS_POSTGRES if _postgres(session) else _GRANTS_SQLITE
    statement = text(sql).columns(tenant_id=BigInteger(), id=BigInteger(), template=String(),
                                  from_month=Date(), granted_at=UTCDateTime(),
                                  revoked_at=UTCDateTime())
    rows = session.execute(statement, {"municipality": municipality_id})
    return [Grant(int(t), int(i), template, since, granted, revoked)
            for t, i, template, since, granted, revoked in rows]


# --- the benchmark: yearly figures per cooperative, returned as a distribution only -----------

#: the benchmark's figures, in the order a page shows them (definitions: blueprints/network)
BENCHMARK_FIGURES = (
    "deelnemers", "uren_per_week", "omzet_per_uur", "opleiding_per_deelnemer",
    "uitstroom_werk", "uitstroom_opleiding", "uitstroom_vrijwilligerswerk", "uitstroom_overig",
)

#: outflow destinations: the outcomes (trajectories' `outcome` values) each one adds up
DESTINATIONS = {
    "uitstroom_werk": ("betaald_werk", "zelfstandig"),
    "uitstroom_opleiding": ("opleiding",),
    "uitstroom_vrijwilligerswerk": ("vast_vrijwilligerswerk",),
}


@dataclass(frozen=True)
class Distribution:
    """One figure across the cooperatives that take part: how many have a value (`members`),
    and, when they are at least the threshold, the quartiles and median, and the requesting
    cooperative's own value (only its own: the tenant of the session)."""
    figure: str
    members: int
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    own: float | None = None

    @property
    def shown(self) -> bool:
        return self.median is not None


_BENCHMARK_POSTGRES = """
  SELECT figure, members, q1, median, q3, own_value
    FROM wijkwerk_aggregate_benchmark(CAST(:ids AS bigint[]), :first, :last,
                                      CAST(:weeks AS numeric), :minimum)"""

_BENCHMARK_SQLITE = {
    "trajectories": """
      SELECT tenant_id, COUNT(DISTINCT participant_id), COUNT(*) FROM trajectories
       WHERE tenant_id IN :ids AND starts_on <= :last
         AND (outcome_on IS NULL OR outcome_on >= :first)
       GROUP BY tenant_id""",
    "hours": """
      WITH person AS (
        SELECT tenant_id, participant_id, SUM(minutes) AS minutes FROM report_hours_monthly
         WHERE tenant_id IN :ids AND month BETWEEN :first AND :last
         GROUP BY tenant_id, participant_id)
      SELECT tenant_id, SUM(CASE WHEN minutes > 0 THEN 1 ELSE 0 END), SUM(minutes)
        FROM person GROUP BY tenant_id""",
    "money": """
      SELECT tenant_id, SUM(invoiced_cents - credited_cents) FROM report_money_daily
       WHERE tenant_id IN :ids AND day BETWEEN :first AND :last GROUP BY tenant_id""",
    "training": """
      SELECT tenant_id, SUM(cost_cents) FROM course_enrolments
       WHERE tenant_id IN :ids AND status = 'goedgekeurd'
         AND decided_at >= :first AND decided_at < :after
       GROUP BY tenant_id""",
    "outflow": """
      SELECT tenant_id, outcome, SUM(trajectories) FROM report_outflow_daily
       WHERE tenant_id IN :ids AND day BETWEEN :first AND :last GROUP BY tenant_id, outcome""",
}


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """Q1, median and Q3 by linear interpolation between the closest ranks: the same as
    PostgreSQL's percentile_cont (and the spreadsheet's KWARTIEL.INC)."""
    ordered = sorted(values)

    def at(p: float) -> float:
        position = (len(ordered) - 1) * p
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return at(0.25), at(0.5), at(0.75)


def _benchmark_values(session: Session, ids: list[int], first: date, last: date,
                      weeks: float) -> dict[str, dict[int, float]]:
    """SQLite: each tenant's figures, computed as the PostgreSQL function does. They never
    leave this module."""
    params = {"ids": ids, "first": first.isoformat(), "last": last.isoformat(),
              "after": (last + timedelta(days=1)).isoformat()}

    def rows(name):
        statement = text(_BENCHMARK_SQLITE[name]).bindparams(bindparam("ids", expanding=True))
        return session.execute(statement, params).all()

    people, trajectories = {}, {}
    for tenant_id, persons, count in rows("trajectories"):
        people[int(tenant_id)], trajectories[int(tenant_id)] = int(persons), int(count)
    workers, minutes = {}, {}
    for tenant_id, persons, total in rows("hours"):
        workers[int(tenant_id)], minutes[int(tenant_id)] = int(persons or 0), int(total or 0)
    revenue = {int(t): int(v or 0) for t, v in rows("money")}
    training = {int(t): int(v or 0) for t, v in rows("training")}
    outflow: dict[int, dict[str, int]] = {}
    for tenant_id, outcome, count in rows("outflow"):
        outflow.setdefault(int(tenant_id), {})[outcome] = int(count or 0)

    values: dict[str, dict[int, float]] = {f: {} for f in BENCHMARK_FIGURES}
    for t, n in people.items():
        if n > 0:
            values["deelnemers"][t] = float(n)
            values["opleiding_per_deelnemer"][t] = training.get(t, 0) / n
    for t, n in workers.items():
        if n > 0:
            values["uren_per_week"][t] = minutes[t] / 60 / n / weeks
    for t, total in minutes.items():
        if total > 0:
            values["omzet_per_uur"][t] = revenue.get(t, 0) / (total / 60)
    named = {o for outcomes in DESTINATIONS.values() for o in outcomes}
    for t, n in trajectories.items():
        if n <= 0:
            continue
        ended = outflow.get(t, {})
        for figure, outcomes in DESTINATIONS.items():
            values[figure][t] = 100 * sum(ended.get(o, 0) for o in outcomes) / n
        values["uitstroom_overig"][t] = 100 * sum(
            v for o, v in ended.items() if o not in named) / n
    return values


def benchmark(session: Session, requester: Requester, tenant_ids: Sequence[int], first: date,
              last: date, threshold: int = PLATFORM_THRESHOLD, *, today: date | None = None
              ) -> dict[str, Distribution]:
    """Each benchmark figure of the period (a calendar year, or its part so far) across
    `tenant_ids`, as a distribution: how many cooperatives have a value, and only when they
    are at least `threshold` (never below the platform's 5) the quartiles and median, plus
    the value of the session's own tenant when it is one of them. No single other tenant's
    figure leaves this module (on PostgreSQL: the SECURITY DEFINER function computes the
    statistics; the own value is the tenant of the transaction's `app.tenant_id`).
    Appends one AggregateRead."""
    minimum = max(int(threshold), PLATFORM_THRESHOLD)
    ids = sorted({int(t) for t in tenant_ids})
    today = today or date.today()
    counted_to = max(first, min(last, today))
    weeks = ((counted_to - first).days + 1) / 7
    found: dict[str, Distribution] = {}
    if ids and _postgres(session):
        result = session.execute(text(_BENCHMARK_POSTGRES), {
            "ids": ids, "first": first, "last": last, "weeks": weeks, "minimum": minimum})
        for figure, members, q1, median, q3, own in result:
            found[figure] = Distribution(
                figure, int(members or 0), *(None if v is None else float(v)
                                             for v in (q1, median, q3, own)))
    elif ids:
        own_id = current_tenant_id(session)
        for figure, per_tenant in _benchmark_values(session, ids, first, last, weeks).items():
            if len(per_tenant) < minimum:
                found[figure] = Distribution(figure, len(per_tenant))
                continue
            q1, median, q3 = quartiles(list(per_tenant.values()))
            found[figure] = Distribution(figure, len(per_tenant), q1, median, q3,
                                         per_tenant.get(own_id) if own_id in ids else None)
    session.add(AggregateRead(
        requester_kind=requester.kind, requester_id=requester.id, user_id=requester.user_id,
        table_name="benchmark", first_day=first, last_day=last, tenant_ids=ids,
        threshold=minimum))
    session.flush()
    return {f: found.get(f, Distribution(f, 0)) for f in BENCHMARK_FIGURES}
