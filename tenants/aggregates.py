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
- `periods`: whole calendar months, quarters or years, as (first day, last day);
- `rows`: the row keys in order (hour type or outcome values): the shape of a table never
  depends on the data;
- `threshold`: the smallest group shown (tenants.suppression.threshold_for).

It returns, per period, a `tenants.suppression.Table` with a column per tenant and the total,
already protected (primary, period and secondary suppression); nothing unprotected leaves this
module. Each call appends one `AggregateRead` (who, what, which period and tenants).

`grants(session, municipality_id)` lists the report shares of a municipality (its tenants'
grants, revoked ones included): the municipality cannot read them otherwise.

On PostgreSQL the tables are tenant tables under FORCE'd row-level security: the app role sees
one tenant's rows, and nothing without a tenant. The reads here go through SECURITY DEFINER
functions (migration df8305dfc654) owned by the owner role, which alone has a SELECT policy on
the tables they read; the app role may EXECUTE them and nothing more, and they return
aggregates (sums and counts of people per tenant and row), never a row of a person. On SQLite
the same queries run as plain SQL. This is the only module that reads across tenants
(tests/kernel/test_architecture.py checks it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping, Sequence

from sqlalchemy import BigInteger, Date, String, bindparam, text
from sqlalchemy.orm import Session

from tenants.db import UTCDateTime
from tenants.models import AggregateRead
from tenants.suppression import TOTAL, Table, build, period_forced, protect

__all__ = ["Grant", "Protected", "Requester", "TABLES", "aggregate", "grants", "months_of"]

TABLES = ("uren", "uitstroom")


@dataclass(frozen=True)
class Requester:
    #: "gemeente", "netwerk" or "platform"
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
      WITH person AS (
        SELECT tenant_id, hour_type, participant_id, SUM(minutes) AS minutes
          FROM report_hours_monthly
         WHERE tenant_id IN :ids AND month BETWEEN :first AND :last
         GROUP BY tenant_id, hour_type, participant_id),
      everyone AS (
        SELECT tenant_id, participant_id, SUM(minutes) AS minutes
          FROM person GROUP BY tenant_id, participant_id)
      SELECT tenant_id, hour_type, SUM(CASE WHEN minutes > 0 THEN 1 ELSE 0 END), SUM(minutes)
        FROM person GROUP BY tenant_id, hour_type
      UNION ALL
      SELECT tenant_id, NULL, SUM(CASE WHEN minutes > 0 THEN 1 ELSE 0 END), SUM(minutes)
        FROM everyone GROUP BY tenant_id""",
    "uitstroom": """
      SELECT tenant_id, outcome, SUM(trajectories), SUM(trajectories)
        FROM report_outflow_daily
       WHERE tenant_id IN :ids AND day BETWEEN :first AND :last
       GROUP BY tenant_id, outcome""",
}

_POSTGRES = {
    "uren": "SELECT tenant_id, hour_type, people, minutes "
            "FROM wijkwerk_aggregate_hours(CAST(:ids AS bigint[]), :first, :last)",
    "uitstroom": "SELECT tenant_id, outcome, trajectories, trajectories "
                 "FROM wijkwerk_aggregate_outflow(CAST(:ids AS bigint[]), :first, :last)",
}


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _raw(session: Session, table: str, tenant_ids: list[int], first: date, last: date):
    """({(row, tenant): (value, people)}, {(TOTAL, tenant): people}) for the period."""
    if not tenant_ids:
        return {}, {}
    if _postgres(session):
        result = session.execute(text(_POSTGRES[table]),
                                 {"ids": list(tenant_ids), "first": first, "last": last})
    else:
        statement = text(_SQLITE[table]).bindparams(bindparam("ids", expanding=True))
        result = session.execute(statement, {"ids": list(tenant_ids),
                                             "first": first.isoformat(),
                                             "last": last.isoformat()})
    cells, totals = {}, {}
    for tenant_id, key, people, value in result:
        if key is None:
            totals[(TOTAL, int(tenant_id))] = int(people or 0)
        else:
            cells[(key, int(tenant_id))] = (int(value or 0), int(people or 0))
    return cells, totals


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


def _table(session, table, rows, shares, first, last, threshold, forced_from=None) -> Table:
    ids = [t for t, since in shares.items() if since <= first]
    cells, totals = _raw(session, table, ids, first, last)
    hours = table == "uren"
    result = build(rows, ids, cells, totals if hours else None, rows_disjoint=not hours)
    forced = period_forced(result, forced_from) if forced_from else ()
    return protect(result, threshold, forced=forced)


def aggregate(session: Session, requester: Requester, table: str, shares: Mapping[int, date],
              periods: Sequence[tuple[date, date]], rows: Sequence[str], threshold: int
              ) -> list[Protected]:
    """Protected tables of `table` for each period (see the module's docstring); appends one
    AggregateRead to the session (the caller commits)."""
    if table not in TABLES:
        raise ValueError(f"unknown aggregate table {table!r}")
    result = []
    for start, end in periods:
        months = months_of(start, end)
        month_tables = None
        if len(months) > 1:
            month_tables = [_table(session, table, rows, shares, m, _month_end(m), threshold)
                            for m in months]
        result.append(Protected(table, start, end, _table(
            session, table, rows, shares, start, end, threshold, month_tables)))
    session.add(AggregateRead(
        requester_kind=requester.kind, requester_id=requester.id, user_id=requester.user_id,
        table_name=table, first_day=min((s for s, _e in periods), default=date.today()),
        last_day=max((e for _s, e in periods), default=date.today()),
        tenant_ids=sorted(shares), threshold=threshold))
    session.flush()
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
