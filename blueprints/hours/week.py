"""The week grid: staff type a team's paper time sheets for one ISO week at once.

Rows are the trajectories running in that week (active, or ended during it), one per
participant and trajectory, optionally only those of one begeleider; columns are Monday to
Sunday. Saving writes every non-empty cell as a submitted entry (approved when staff approve
them at once) in one transaction: all cells pass the same rules as a single entry, or nothing
is saved and each cell says what is wrong.

Two people typing the same paper sheet must not count it twice: every row carries a snapshot
of the entries it showed; saving locks the participants it writes for and refuses a row whose
entries changed since the page was made. Reading and saving take a fixed number of queries
whatever the size of the team. The grid shows one page of rows at a time (PAGE_SIZE): a big
team's week is typed page by page, and saving a page writes only the cells on it.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from blueprints.hours.checks import entry_warnings
from blueprints.hours.models import HourType, TimeEntry
from blueprints.hours.services import (
    EntryContext,
    EntryData,
    NeedsReason,
    check_entry,
    check_may_approve,
    flush_or_conflict,
    send_if_approved,
    set_open_status,
)
from blueprints.participants.models import Participant, ParticipantStatus
from blueprints.trajectories.models import Trajectory, TrajectoryKind, TrajectoryStatus
from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.formatting import format_date
from tenants.models import Role, Tenant

#: Rows per page: at 25 rows a page stays far under 150 KB of HTML (about 3 KB a row).
PAGE_SIZE = 25


@dataclass(frozen=True)
class GridPerson:
    """What a row shows of its participant."""
    id: int
    full_name: str


@dataclass(frozen=True)
class GridTrajectory:
    """What a row shows of its trajectory."""
    id: int
    kind: TrajectoryKind
    hours_per_week: Decimal


@dataclass(frozen=True)
class GridRow:
    participant: GridPerson
    trajectory: GridTrajectory
    #: per day the entries already written: rows with id, version, status and minutes
    entries: dict[date, list]
    snapshot: str


@dataclass(frozen=True)
class Grid:
    monday: date
    rows: list[GridRow]
    #: rows of the whole week (all pages), this page (from 1) and the number of pages
    total: int = 0
    page: int = 1
    pages: int = 1

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]


def snapshot(entries) -> str:
    """A short fingerprint of a row's entries (ids and versions): it changes when anyone adds,
    changes, reviews or removes hours in that row."""
    text = ",".join(f"{e_id}:{version}" for e_id, version in sorted(entries))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def _grid_statements(by_supervisor: bool):
    """The count, page and entries statements of the grid, built once per process (like
    lists._rows): the week, the begeleider and the page are bound parameters, the tenant's
    criteria are added when they run. Rows are the trajectories running in the week (active,
    or ended during it) with their participant; the page loads only the columns a row shows,
    not the participant's and trajectory's whole records."""
    monday, sunday = bindparam("monday"), bindparam("sunday")
    running = (
        select(Trajectory.id, Trajectory.kind, Trajectory.hours_per_week, Participant.id,
               Participant.first_name, Participant.last_name)
        .select_from(Trajectory)
        .join(Participant, and_(Participant.tenant_id == Trajectory.tenant_id,
                                Participant.id == Trajectory.participant_id))
        .where(Participant.status != ParticipantStatus.ANONYMISED,
               Trajectory.starts_on <= sunday,
               # a trajectory whose planned end passed before this week has ended: hours on
               # it need a reason, written with the single entry form, not in the grid
               or_(and_(Trajectory.status == TrajectoryStatus.ACTIVE,
                        or_(Trajectory.planned_end_on.is_(None),
                            Trajectory.planned_end_on >= monday)),
                   and_(Trajectory.status == TrajectoryStatus.ENDED,
                        Trajectory.outcome_on >= monday)))
    )
    if by_supervisor:
        supervisor = bindparam("supervisor_id")
        running = running.where(or_(Participant.supervisor_id == supervisor,
                                    Trajectory.job_coach_id == supervisor))
    count = select(func.count()).select_from(
        running.with_only_columns(Trajectory.id).subquery())
    page = (running.order_by(Participant.sort_name, Participant.first_name,
                             Trajectory.starts_on, Trajectory.id)
            .limit(bindparam("limit")).offset(bindparam("offset")))
    entries = (select(TimeEntry.trajectory_id, TimeEntry.work_date, TimeEntry.id,
                      TimeEntry.version, TimeEntry.status, TimeEntry.minutes)
               .where(TimeEntry.trajectory_id.in_(bindparam("trajectory_ids", expanding=True)),
                      TimeEntry.work_date >= monday, TimeEntry.work_date <= sunday)
               .order_by(TimeEntry.work_date, TimeEntry.id))
    return count, page, entries


def week_grid(session: Session, monday: date, supervisor_id: int | None = None, *,
              page: int = 1, per_page: int = PAGE_SIZE) -> Grid:
    """One page of the grid's rows with the hours already written in them (three queries:
    the number of rows, the page's rows, their entries). A page past the last shows the last."""
    count, page_rows, entries = _grid_statements(supervisor_id is not None)
    week = {"monday": monday, "sunday": monday + timedelta(days=6)}
    if supervisor_id is not None:
        week["supervisor_id"] = supervisor_id
    total = session.scalar(count, week) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    found = session.execute(page_rows, {**week, "limit": per_page,
                                        "offset": (page - 1) * per_page}).all()
    by_trajectory: dict[int, dict[date, list]] = {row[0]: defaultdict(list) for row in found}
    if found:
        for e in session.execute(entries, {**week, "trajectory_ids": list(by_trajectory)}):
            by_trajectory[e.trajectory_id][e.work_date].append(e)
    rows = []
    for tid, kind, hours_per_week, pid, first_name, last_name in found:
        cells = by_trajectory[tid]
        rows.append(GridRow(
            GridPerson(pid, f"{first_name} {last_name}".strip()),  # as Participant.full_name
            GridTrajectory(tid, kind, hours_per_week), dict(cells),
            snapshot((e.id, e.version) for day_entries in cells.values() for e in day_entries)))
    return Grid(monday, rows, total, page, pages)


@dataclass(frozen=True)
class GridCell:
    trajectory_id: int
    day: date
    hours: str


@dataclass
class WeekResult:
    saved: list[TimeEntry] = field(default_factory=list)
    #: (trajectory id, day) -> message
    errors: dict[tuple[int, date], str] = field(default_factory=dict)
    #: trajectory id -> message about the whole row
    row_errors: dict[int, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.row_errors


def log_week(session: Session, actor: Actor, tenant: Tenant, role: Role, monday: date,
             cells: list[GridCell], *, types: dict[int, HourType | None] | None = None,
             snapshots: dict[int, str] | None = None, approve: bool = False,
             today: date | None = None) -> WeekResult:
    """Save the filled cells of a week grid, all or nothing. `types` gives a row's hour type
    (None: what fits the trajectory); `snapshots` the fingerprint each row had on the page.
    Returns the saved entries, or per-cell and per-row errors (and then saves nothing)."""
    today = today or date.today()
    if role.rank < Role.SUPERVISOR.rank:
        raise PermissionDenied(_l("Alleen een begeleider vult een weekstaat in."))
    check_may_approve(role, approve)
    if not cells:
        raise DomainError(_l("Vul bij ten minste één deelnemer uren in."))
    types, snapshots = types or {}, snapshots or {}
    result = WeekResult()
    tids = sorted({c.trajectory_id for c in cells})
    owners = dict(session.execute(select(Trajectory.id, Trajectory.participant_id)
                                  .where(Trajectory.id.in_(tids))).all())
    ctx = EntryContext.load(session, owners.values())
    values = []
    for cell in cells:
        key = (cell.trajectory_id, cell.day)
        if not monday <= cell.day <= monday + timedelta(days=6) or cell.trajectory_id not in owners:
            result.errors[key] = _("Deze cel hoort niet bij deze week.")
            continue
        data = EntryData(participant_id=owners[cell.trajectory_id],
                         trajectory_id=cell.trajectory_id, work_date=cell.day, hours=cell.hours,
                         hour_type=types.get(cell.trajectory_id))
        try:
            values.append(check_entry(ctx, actor, role, data, today))
        except NotFound:
            result.errors[key] = _("Dit traject bestaat niet.")
        except NeedsReason as exc:
            result.errors[key] = _("Dit traject is afgelopen op %(end)s. Schrijf deze uren met "
                                   "een reden bij de uren van de deelnemer.",
                                   end=format_date(exc.ended_on))
        except DomainError as exc:
            result.errors[key] = exc.message
    if result.errors:
        return result

    # Lock the participants written for, then compare each row with what the page showed.
    session.execute(select(Participant.id).where(Participant.id.in_(sorted(set(owners.values()))))
                    .order_by(Participant.id).with_for_update())
    now: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for tid, e_id, version in session.execute(
            select(TimeEntry.trajectory_id, TimeEntry.id, TimeEntry.version)
            .where(TimeEntry.trajectory_id.in_(tids), TimeEntry.work_date >= monday,
                   TimeEntry.work_date <= monday + timedelta(days=6))):
        now[tid].append((e_id, version))
    for tid in tids:
        if tid in snapshots and snapshots[tid] != snapshot(now[tid]):
            result.row_errors[tid] = _(
                "Iemand anders heeft intussen uren in deze week geschreven voor deze deelnemer. "
                "Er is niets opgeslagen; controleer de uren en sla opnieuw op.")
    if result.row_errors:
        return result

    for value in values:
        entry = TimeEntry(**value)
        set_open_status(entry, tenant, actor, role, approve)
        result.saved.append(entry)
    session.add_all(result.saved)
    flush_or_conflict(session)
    for entry in result.saved:
        audit.record(session, actor, "hours.logged", entry, participant_id=entry.participant_id,
                     minutes=entry.minutes, status=entry.status.value, via="week")
    send_if_approved(session, actor, result.saved)
    names = {p.id: p.full_name for p in ctx.participants.values()}
    seen: set[str] = set()
    warnings = entry_warnings(session, tenant, result.saved)
    for entry in result.saved:
        for message in warnings.get(entry.id, []):
            line = f"{names.get(entry.participant_id, '')}: {message}"
            if line not in seen:
                seen.add(line)
                result.warnings.append(line)
    return result
