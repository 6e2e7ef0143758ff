"""Keeping the summary tables exact: `add` for the event receivers, `counted` and `rebuild` for
the recount from raw rows (the CLI `flask reports rebuild`, the demo, the property test).

Definitions (the same in `add` and in `counted`, or the property test fails):
- hours: every APPROVED time entry, corrections included (signed minutes), on its work date
  and hour type; and per month, hour type and participant (HoursMonthly: the people behind
  an hours figure, for the municipality's protected tables); and per work date, hour type,
  wijk and host organisation as they are now (HoursPlaceDaily, with the number of entries;
  `places` says where an entry counts);
- outflow: every ENDED trajectory on its outcome date, by kind and outcome;
- money: invoices by issue date (total excl. VAT), credit notes likewise as "credited", and
  payments by payment date (amount received).
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blueprints.helprequests.models import HelpRequest
from blueprints.hours.models import EntryStatus, TimeEntry
from blueprints.invoicing.models import Invoice, InvoiceKind, Payment
from blueprints.participants.models import Participant
from blueprints.reports.models import (
    SUMMARIES,
    HoursDaily,
    HoursMonthly,
    HoursPlaceDaily,
    MoneyDaily,
    OutflowDaily,
)
from blueprints.trajectories.models import Trajectory, TrajectoryStatus
from tenants.db import new_id
from tenants.tenancy import current_tenant_id

#: each table's key columns and total columns
SHAPES = {
    HoursDaily: (("day", "hour_type"), ("minutes",)),
    OutflowDaily: (("day", "kind", "outcome"), ("trajectories",)),
    MoneyDaily: (("day",), ("invoiced_cents", "credited_cents", "paid_cents")),
    HoursMonthly: (("month", "hour_type", "participant_id"), ("minutes",)),
    HoursPlaceDaily: (("day", "hour_type", "wijk_id", "host_id"), ("minutes", "entries")),
}


def wijk_of_entry():
    """The wijk of an hour: the help request's wijk when the hours were for one, otherwise the
    participant's wijk (where they live) as it is now."""
    return func.coalesce(HelpRequest.neighbourhood_id, Participant.neighbourhood_id)


def with_places(statement, entry=TimeEntry):
    """Join a statement over time entries to what places an hour: participant, help request,
    trajectory (its host organisation)."""
    return (statement
            .join(Participant, (Participant.tenant_id == entry.tenant_id)
                  & (Participant.id == entry.participant_id))
            .outerjoin(HelpRequest, (HelpRequest.tenant_id == entry.tenant_id)
                       & (HelpRequest.id == entry.help_request_id))
            .outerjoin(Trajectory, (Trajectory.tenant_id == entry.tenant_id)
                       & (Trajectory.id == entry.trajectory_id)))


def places(session: Session, *where) -> dict:
    """{(day, hour type, wijk id, host id): [minutes, entries]} of the approved entries that
    match `where`, each at its place as the database has it now (0: none)."""
    result: dict = defaultdict(lambda: [0, 0])
    statement = with_places(
        select(TimeEntry.work_date, TimeEntry.hour_type, wijk_of_entry(),
               Trajectory.host_organisation_id, func.sum(TimeEntry.minutes), func.count())
        .select_from(TimeEntry)).where(TimeEntry.status == EntryStatus.APPROVED, *where)
    for day, hour_type, wijk, host, minutes, n in session.execute(
            statement.group_by(TimeEntry.work_date, TimeEntry.hour_type, wijk_of_entry(),
                               Trajectory.host_organisation_id)):
        cell = result[(day, _value(hour_type), wijk or 0, host or 0)]
        cell[0] += int(minutes or 0)
        cell[1] += n
    return result


def add(session: Session, model, keys: dict, **deltas: int) -> None:
    """Add `deltas` to the row of `model` at `keys` (made when missing), in this transaction.

    One UPDATE ... SET total = total + delta: two transactions adding to the same cell queue on
    its row lock and both count. When the row is missing, it is inserted in a savepoint; if a
    concurrent transaction inserted it first (unique violation), the UPDATE is tried again."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    where = [getattr(model, k) == v for k, v in keys.items()]
    values = {k: getattr(model, k) + v for k, v in deltas.items()}
    statement = (update(model).where(*where).values(**values)
                 .execution_options(synchronize_session=False))
    if session.execute(statement).rowcount:
        return
    try:
        with session.begin_nested():
            session.add(model(**keys, **deltas))
            session.flush()
    except IntegrityError:
        session.execute(statement)


def add_in_flush(session: Session, model, keys: dict, **deltas: int) -> None:
    """`add` for a receiver that runs inside a flush (which may not flush again, so neither
    the ORM insert nor its savepoint): one INSERT … ON CONFLICT DO UPDATE SET total = total +
    delta on the table's unique key (SQLite and PostgreSQL alike), just as exact under races."""
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    connection = session.connection()
    table = model.__table__
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(tenant_id=current_tenant_id(session), id=new_id(),
                                     **keys, **{k: deltas.get(k, 0) for k in _totals(model)})
    statement = statement.on_conflict_do_update(
        index_elements=["tenant_id", *keys],
        set_={k: table.c[k] + statement.excluded[k] for k in deltas})
    connection.execute(statement)


def _totals(model) -> tuple[str, ...]:
    return SHAPES[model][1]


# --- the recount from raw rows ---------------------------------------------------------------

def _value(v):
    return v.value if hasattr(v, "value") else v


def counted(session: Session) -> dict:
    """The current tenant's summaries as the raw rows say they should be:
    {model: {key tuple: totals tuple}}, without all-zero cells."""
    result: dict = {model: defaultdict(lambda n=len(SHAPES[model][1]): [0] * n)
                    for model in SUMMARIES}
    for day, hour_type, minutes in session.execute(
            select(TimeEntry.work_date, TimeEntry.hour_type, func.sum(TimeEntry.minutes))
            .where(TimeEntry.status == EntryStatus.APPROVED)
            .group_by(TimeEntry.work_date, TimeEntry.hour_type)):
        result[HoursDaily][(day, _value(hour_type))][0] += int(minutes or 0)
    for day, hour_type, participant_id, minutes in session.execute(
            select(TimeEntry.work_date, TimeEntry.hour_type, TimeEntry.participant_id,
                   func.sum(TimeEntry.minutes))
            .where(TimeEntry.status == EntryStatus.APPROVED)
            .group_by(TimeEntry.work_date, TimeEntry.hour_type, TimeEntry.participant_id)):
        key = (day.replace(day=1), _value(hour_type), participant_id)
        result[HoursMonthly][key][0] += int(minutes or 0)
    for key, (minutes, n) in places(session).items():
        result[HoursPlaceDaily][key][0] += minutes
        result[HoursPlaceDaily][key][1] += n
    for day, kind, outcome, n in session.execute(
            select(Trajectory.outcome_on, Trajectory.kind, Trajectory.outcome, func.count())
            .where(Trajectory.status == TrajectoryStatus.ENDED)
            .group_by(Trajectory.outcome_on, Trajectory.kind, Trajectory.outcome)):
        result[OutflowDaily][(day, _value(kind), _value(outcome))][0] += n
    for day, kind, cents in session.execute(
            select(Invoice.issue_date, Invoice.kind, func.sum(Invoice.total_excl_cents))
            .where(Invoice.number.is_not(None))
            .group_by(Invoice.issue_date, Invoice.kind)):
        slot = 0 if kind == InvoiceKind.INVOICE else 1
        result[MoneyDaily][(day,)][slot] += int(cents or 0)
    for day, cents in session.execute(
            select(Payment.paid_on, func.sum(Payment.amount_cents)).group_by(Payment.paid_on)):
        result[MoneyDaily][(day,)][2] += int(cents or 0)
    return {model: {k: tuple(v) for k, v in rows.items() if any(v)}
            for model, rows in result.items()}


def stored(session: Session) -> dict:
    """The current tenant's summary rows in the shape of `counted`."""
    result = {}
    for model, (keys, totals) in SHAPES.items():
        rows = {}
        for row in session.scalars(select(model)):
            values = tuple(getattr(row, t) for t in totals)
            if any(values):
                rows[tuple(getattr(row, k) for k in keys)] = values
        result[model] = rows
    return result


def rebuild(session: Session) -> dict[str, int]:
    """Replace the current tenant's summaries by a recount from the raw rows (flushes, does
    not commit). Returns the number of rows written per table."""
    fresh = counted(session)
    written = {}
    for model, (keys, totals) in SHAPES.items():
        session.execute(delete(model).execution_options(synchronize_session=False))
        session.add_all(model(**dict(zip(keys, key)), **dict(zip(totals, values)))
                        for key, values in fresh[model].items())
        written[model.__tablename__] = len(fresh[model])
    session.flush()
    return written

