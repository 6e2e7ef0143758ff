"""Lists of hours: the approval list, a participant's history, "my hours", totals, the count
on the start page. Each page of any length takes a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import and_, bindparam, func, null, or_, select
from sqlalchemy.orm import Session, aliased

from blueprints.helprequests.models import Assignment, HelpRequest
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.hours.services import CLOSED_REQUESTS
from blueprints.participants.models import Participant
from blueprints.trajectories.models import Trajectory, TrajectoryKind, TrajectoryStatus
from tenants.models import User

PAGE_SIZE = 50


@dataclass(frozen=True)
class EntryRow:
    entry: TimeEntry
    participant: Participant | None  # None in one participant's own list
    trajectory_kind: TrajectoryKind | None
    help_request: str | None
    submitted_by: str | None
    reviewed_by: str | None


@cache
def _rows(with_participant: bool = True):
    """Entries with what their rows show. One participant's list leaves the participant out
    (`row.participant` is None): loading the same person with every row cost a third of the
    query's CPU (three JSON columns decoded per row). Built once per process: a statement is
    immutable (each `.where()` makes a new one) and holds no tenant — the tenant's criteria are
    added when it runs (tenants/tenancy.py). Building it (two `aliased(User)`, four joins) cost
    1.7–2.2 ms of CPU per list page on the shared machine."""
    submitter, reviewer = aliased(User), aliased(User)
    stmt = select(TimeEntry, Participant if with_participant else null(), Trajectory.kind,
                  HelpRequest.reference, submitter.name, reviewer.name)
    if with_participant:
        stmt = stmt.join(Participant, and_(Participant.tenant_id == TimeEntry.tenant_id,
                                           Participant.id == TimeEntry.participant_id))
    return (
        stmt
        .outerjoin(Trajectory, and_(Trajectory.tenant_id == TimeEntry.tenant_id,
                                    Trajectory.id == TimeEntry.trajectory_id))
        .outerjoin(HelpRequest, and_(HelpRequest.tenant_id == TimeEntry.tenant_id,
                                     HelpRequest.id == TimeEntry.help_request_id))
        .outerjoin(submitter, submitter.id == TimeEntry.submitted_by_id)
        .outerjoin(reviewer, reviewer.id == TimeEntry.reviewed_by_id)
    )


@cache
def _count(with_participant: bool = True):
    """The count of a list's entries: its joins that a filter may need (the participant and
    the trajectory of the approval list's begeleider filter), not the help request and users
    that only the rows show (outer joins to one row: they change no count). A smaller statement
    than counting `_rows` in a subquery: its cache key and compilation cost less per page."""
    if not with_participant:
        return select(func.count(TimeEntry.id))
    return (select(func.count(TimeEntry.id)).select_from(TimeEntry)
            .join(Participant, and_(Participant.tenant_id == TimeEntry.tenant_id,
                                    Participant.id == TimeEntry.participant_id))
            .outerjoin(Trajectory, and_(Trajectory.tenant_id == TimeEntry.tenant_id,
                                        Trajectory.id == TimeEntry.trajectory_id)))


def _page(session: Session, with_participant: bool, where: list, order, page: int,
          per_page: int):
    """One page of `_rows(with_participant)` filtered by `where`, and the number of them all."""
    total = session.scalar(_count(with_participant).where(*where)) or 0
    page = max(1, page)
    rows = [EntryRow(*row) for row in session.execute(
        _rows(with_participant).where(*where).order_by(*order).limit(per_page)
        .offset((page - 1) * per_page))]
    return rows, total


def _followed_by(supervisor_id: int):
    """Entries of people this supervisor follows: as their begeleider or as job coach."""
    return or_(Participant.supervisor_id == supervisor_id,
               Trajectory.job_coach_id == supervisor_id)


@dataclass(frozen=True)
class ReviewFilter:
    status: EntryStatus | None = EntryStatus.SUBMITTED  # None: every status
    supervisor_id: int | None = None
    start: date | None = None
    end: date | None = None


def review_list(session: Session, f: ReviewFilter, page: int = 1, per_page: int = PAGE_SIZE):
    """Entries for review, per participant in date order; two queries."""
    where = []
    if f.status is not None:
        where.append(TimeEntry.status == f.status)
    if f.supervisor_id is not None:
        where.append(_followed_by(f.supervisor_id))
    if f.start:
        where.append(TimeEntry.work_date >= f.start)
    if f.end:
        where.append(TimeEntry.work_date <= f.end)
    return _page(session, True, where, (Participant.sort_name, Participant.first_name,
                                        Participant.id, TimeEntry.work_date, TimeEntry.id),
                 page, per_page)


def participant_entries(session: Session, participant_id: int, start: date | None = None,
                        end: date | None = None, page: int = 1, per_page: int = PAGE_SIZE):
    """A participant's entries, newest first (`row.participant` is None); two queries."""
    where = [TimeEntry.participant_id == participant_id]
    if start:
        where.append(TimeEntry.work_date >= start)
    if end:
        where.append(TimeEntry.work_date <= end)
    return _page(session, False, where, (TimeEntry.work_date.desc(),
                                         TimeEntry.submitted_at.desc(), TimeEntry.id.desc()),
                 page, per_page)


def returned_entries(session: Session, participant_id: int, limit: int = 20) -> list[EntryRow]:
    """What came back and still waits for the participant (shown on top of "my hours");
    `row.participant` is None."""
    stmt = _rows(with_participant=False).where(TimeEntry.participant_id == participant_id,
                         TimeEntry.status == EntryStatus.RETURNED)
    return [EntryRow(*row) for row in session.execute(
        stmt.order_by(TimeEntry.work_date.desc(), TimeEntry.id.desc()).limit(limit))]


def approved_totals(session: Session, participant_id: int, start: date | None,
                    end: date | None) -> dict[HourType, int]:
    """Approved minutes per hour type in a period (corrections included); one query."""
    stmt = (select(TimeEntry.hour_type, func.sum(TimeEntry.minutes))
            .where(TimeEntry.participant_id == participant_id,
                   TimeEntry.status == EntryStatus.APPROVED)
            .group_by(TimeEntry.hour_type))
    if start:
        stmt = stmt.where(TimeEntry.work_date >= start)
    if end:
        stmt = stmt.where(TimeEntry.work_date <= end)
    return {t: int(m or 0) for t, m in session.execute(stmt)}


def minutes_between(session: Session, participant_id: int, start: date, end: date) -> int:
    """Approved and submitted minutes in a period (e.g. this week); one query."""
    return int(session.scalar(select(func.coalesce(func.sum(TimeEntry.minutes), 0)).where(
        TimeEntry.participant_id == participant_id,
        TimeEntry.status.in_((EntryStatus.APPROVED, EntryStatus.SUBMITTED)),
        TimeEntry.work_date >= start, TimeEntry.work_date <= end)) or 0)


@cache
def _waiting_statement(mine: bool):
    """The statement of waiting_count, built once per process per variant (the start page asks
    for it on every request): the supervisor is a bound parameter, the tenant's criteria are
    added when it runs (tenants/tenancy.py). All of them: a count on the (tenant_id, status)
    index, no join (every entry has its participant: a composite foreign key)."""
    stmt = select(func.count()).select_from(TimeEntry).where(
        TimeEntry.status == EntryStatus.SUBMITTED)
    if not mine:
        return stmt
    return (stmt.join(Participant, and_(Participant.tenant_id == TimeEntry.tenant_id,
                                        Participant.id == TimeEntry.participant_id))
            .outerjoin(Trajectory, and_(Trajectory.tenant_id == TimeEntry.tenant_id,
                                        Trajectory.id == TimeEntry.trajectory_id))
            .where(_followed_by(bindparam("user_id", type_=Participant.supervisor_id.type))))


def waiting_count(session: Session, supervisor_id: int | None = None) -> int:
    """Entries waiting for approval: all of them, or of the people one supervisor follows.
    One query (the start page shows it)."""
    if supervisor_id is None:
        return int(session.scalar(_waiting_statement(False)) or 0)
    return int(session.scalar(_waiting_statement(True), {"user_id": supervisor_id}) or 0)


def trajectories_for_hours(session: Session, participant_id: int) -> list[Trajectory]:
    """The trajectories one can log hours on: all but those still in intake, running first."""
    rank = {TrajectoryStatus.ACTIVE: 0, TrajectoryStatus.PAUSED: 1, TrajectoryStatus.ENDED: 2}
    found = session.scalars(select(Trajectory).where(
        Trajectory.participant_id == participant_id,
        Trajectory.status != TrajectoryStatus.INTAKE))
    return sorted(found, key=lambda t: (rank.get(t.status, 3), -t.starts_on.toordinal()))


@cache
def _help_requests_for_hours():
    """The statement of help_requests_for_hours, built once per process (like `_rows`): the
    participant is a bound parameter, the tenant's criteria are added when it runs."""
    return (
        select(HelpRequest.id, HelpRequest.reference, HelpRequest.description)
        .join(Assignment, and_(Assignment.tenant_id == HelpRequest.tenant_id,
                               Assignment.help_request_id == HelpRequest.id))
        .where(Assignment.participant_id == bindparam("participant_id"),
               HelpRequest.status.not_in(CLOSED_REQUESTS))
        .order_by(HelpRequest.planned_on.desc(), HelpRequest.reference.desc()).limit(50))


def help_requests_for_hours(session: Session, participant_id: int):
    """Help requests this participant is planned on and that still take hours: their id,
    reference and description (what the entry form's choices show), not the whole request.
    Building the statement and loading whole requests was half of its 1.6 ms (30 requests)."""
    return session.execute(_help_requests_for_hours(),
                           {"participant_id": participant_id}).all()

