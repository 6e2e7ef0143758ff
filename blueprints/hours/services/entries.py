"""Logging hours: the checks an entry must pass, its opening status, idempotent saving."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from blueprints.helprequests.models import Assignment, HelpRequest, RequestStatus
from blueprints.hours.checks import entry_warnings
from blueprints.hours.formats import (
    default_type,
    parse_minutes,
    trajectory_end,
    type_label,
)
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.participants.models import Participant, ParticipantStatus
from blueprints.trajectories.models import Trajectory, TrajectoryKind, TrajectoryStatus
from tenants import audit, events
from tenants.actor import Actor
from tenants.bsn import BSN_MESSAGE, contains_bsn
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.formatting import format_date
from tenants.idempotency import clean_key
from tenants.models import Role, Tenant

MAX_NOTE = 1000
MAX_REASON = 500
#: Help requests that take no more hours: refused, or already invoiced.
CLOSED_REQUESTS = (RequestStatus.DECLINED, RequestStatus.INVOICED)


class ConcurrentChange(DomainError):
    """Someone else decided on the same hours first (a lost race, or a page that went stale)."""

    default_message = _l("Iemand anders heeft deze uren net verwerkt. Er is niets opgeslagen en "
                         "niets dubbel geteld; bekijk de uren opnieuw.")


class NeedsReason(DomainError):
    """Staff write hours after a trajectory's end only with a reason in the note."""

    def __init__(self, ended_on: date):
        super().__init__(_l("Dit traject is afgelopen op %(end)s. Schrijf in de notitie waarom "
                            "u er toch uren op schrijft.", end=format_date(ended_on)))
        self.ended_on = ended_on


class EntryLocked(DomainError):
    default_message = _l("Goedgekeurde uren liggen vast. Een wijziging gaat via een correctie "
                         "door de begeleider.")


# --- logging hours ----------------------------------------------------------------------------

@dataclass(frozen=True)
class EntryData:
    """One entry as typed: the hours as text, the type None for "what fits the trajectory"."""

    participant_id: int
    trajectory_id: int | None
    work_date: date | None
    hours: str
    hour_type: HourType | None = None
    help_request_id: int | None = None
    note: str | None = None
    #: the form's key (tenants.idempotency): a second submit returns the first entry
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Saved:
    entry: TimeEntry
    warnings: list[str]
    #: True when the same form was sent before: `entry` is the one stored then
    repeated: bool = False


@dataclass
class EntryContext:
    """What the entry rules need to know, loaded in a fixed number of queries for any batch."""

    participants: dict[int, Participant]
    trajectories: dict[int, Trajectory]
    first_start: dict[int, date]
    assignments: set[tuple[int, int]]

    @classmethod
    def load(cls, session: Session, participant_ids: Iterable[int],
             help_request_ids: Iterable[int] = ()) -> EntryContext:
        pids = sorted(set(participant_ids))
        hids = sorted({h for h in help_request_ids if h is not None})
        participants = {p.id: p for p in session.scalars(
            select(Participant).where(Participant.id.in_(pids)))} if pids else {}
        trajectories = {t.id: t for t in session.scalars(
            select(Trajectory).where(Trajectory.participant_id.in_(pids)))} if pids else {}
        first_start: dict[int, date] = {}
        for t in trajectories.values():
            if t.participant_id not in first_start or t.starts_on < first_start[t.participant_id]:
                first_start[t.participant_id] = t.starts_on
        assignments: set[tuple[int, int]] = set()
        if hids and pids:
            rows = session.execute(
                select(Assignment.participant_id, Assignment.help_request_id)
                .join(HelpRequest, and_(HelpRequest.tenant_id == Assignment.tenant_id,
                                        HelpRequest.id == Assignment.help_request_id))
                .where(Assignment.participant_id.in_(pids), Assignment.help_request_id.in_(hids),
                       HelpRequest.status.not_in(CLOSED_REQUESTS)))
            assignments = {(participant_id, help_request_id)
                           for participant_id, help_request_id in rows}
        return cls(participants, trajectories, first_start, assignments)


def _clean_note(note: str | None) -> str | None:
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise DomainError(_l("De notitie is te lang: hoogstens %(n)s tekens.", n=MAX_NOTE))
    if contains_bsn(note):
        raise DomainError(BSN_MESSAGE)
    return note


def check_entry(ctx: EntryContext, actor: Actor, role: Role, data: EntryData,
                today: date) -> dict:
    """Check one entry against the rules; return its column values or raise DomainError
    (NotFound for another's trajectory or an unknown participant, PermissionDenied when a
    participant logs for someone else)."""
    participant = ctx.participants.get(data.participant_id)
    if participant is None or participant.status == ParticipantStatus.ANONYMISED:
        raise NotFound(_l("Deze deelnemer bestaat niet."))
    own = role == Role.PARTICIPANT
    if own and (actor.user_id is None or participant.user_id != actor.user_id):
        raise PermissionDenied(_l("U kunt alleen uw eigen uren schrijven."))
    if data.trajectory_id is None:
        raise DomainError(_l("Kies het traject."))
    trajectory = ctx.trajectories.get(data.trajectory_id)
    if trajectory is None or trajectory.participant_id != participant.id:
        raise NotFound(_l("Dit traject bestaat niet."))
    day = data.work_date
    if day is None:
        raise DomainError(_l("Vul de datum in."))
    if day > today:
        raise DomainError(_l("Deze datum ligt in de toekomst. Schrijf uren op de dag zelf of "
                             "daarna."))
    first = ctx.first_start.get(participant.id)
    if first is None or day < first:
        raise DomainError(_l("Op %(date)s had %(name)s nog geen traject (het eerste begon op "
                             "%(first)s).", date=format_date(day), name=participant.full_name,
                             first=format_date(first)))
    note = _clean_note(data.note)
    ended_on = ended_before(trajectory, day)
    if ended_on is not None or (own and trajectory.status == TrajectoryStatus.ENDED):
        if own:
            raise DomainError(_l(
                "Dit traject is afgelopen op %(end)s: u kunt er geen uren meer op schrijven. Er "
                "is niets opgeslagen. Vraag uw begeleider om het traject te verlengen of de uren "
                "voor u te schrijven.", end=format_date(ended_on or trajectory_end(trajectory))))
        if note is None:
            raise NeedsReason(ended_on)
    minutes = parse_minutes(data.hours)
    hour_type = data.hour_type or default_type(trajectory, data.help_request_id)
    if data.help_request_id is not None:
        if (participant.id, data.help_request_id) not in ctx.assignments:
            raise DomainError(_l("Kies een hulpvraag waarop u bent ingepland.") if own else
                              _l("Kies een hulpvraag waarop deze deelnemer is ingepland."))
        if hour_type != HourType.TRAJECTORY:
            raise DomainError(_l("Uren voor een hulpvraag zijn werk aan die hulpvraag: kies "
                                 "als soort ‘%(type)s’.", type=type_label(HourType.TRAJECTORY)))
    if trajectory.kind == TrajectoryKind.COUNTER_PERFORMANCE and hour_type == HourType.VOLUNTEER:
        raise DomainError(_l("Een tegenprestatie is geen vrijwilligerswerk, en er hoort geen "
                             "vrijwilligersvergoeding bij. Kies ‘%(type)s’.",
                             type=type_label(HourType.COUNTER_PERFORMANCE, day)))
    return {"participant_id": participant.id, "trajectory_id": trajectory.id,
            "help_request_id": data.help_request_id, "work_date": day, "minutes": minutes,
            "hour_type": hour_type, "note": note}


def ended_before(trajectory: Trajectory, day: date) -> date | None:
    """The day the trajectory ended when that was before `day` (its outcome date once closed,
    otherwise its planned end), else None. Hours after it are refused to a participant and
    need a reason from staff."""
    end = trajectory_end(trajectory)
    return end if end is not None and day > end else None


def check_may_approve(role: Role, approve: bool) -> None:
    if approve and role.rank < Role.SUPERVISOR.rank:
        raise PermissionDenied(_l("Alleen een begeleider keurt uren goed."))


def set_open_status(entry: TimeEntry, tenant: Tenant, actor: Actor, role: Role,
                    approve: bool) -> None:
    """Set the status of a new or resubmitted entry: approved when staff approve it at once,
    or when the tenant needs no approval of participants' own hours; otherwise submitted."""
    now = utcnow()
    entry.submitted_at = now
    entry.submitted_by_id = actor.user_id
    if approve:
        entry.status, entry.reviewed_by_id, entry.reviewed_at = EntryStatus.APPROVED, \
            actor.user_id, now
    elif role == Role.PARTICIPANT and not tenant.hours_need_approval:
        entry.status, entry.reviewed_by_id, entry.reviewed_at = EntryStatus.APPROVED, None, now
    else:
        entry.status, entry.reviewed_by_id, entry.reviewed_at = EntryStatus.SUBMITTED, None, None


def send_if_approved(session: Session, actor: Actor, entries: Sequence[TimeEntry]) -> None:
    """Entries approved as they were stored (staff approving at once, or a tenant that needs
    no approval) count like approved ones: `hours_approved` for them, after the flush."""
    approved = [e for e in entries if e.status == EntryStatus.APPROVED]
    if approved:
        events.hours_approved.send(None, session=session, actor=actor, entries=approved)


def flush_or_conflict(session: Session) -> None:
    """Flush; a row someone else changed since we read it (the version column) is a clear
    message, not a 500."""
    try:
        session.flush()
    except StaleDataError:
        raise ConcurrentChange()


def _entry_with_key(session: Session, key: str) -> TimeEntry | None:
    return session.scalar(select(TimeEntry).where(TimeEntry.idempotency_key == key))


def _repeated(entry: TimeEntry, data: EntryData) -> Saved:
    """The answer to a form sent again: the entry it made the first time."""
    if entry.participant_id != data.participant_id:
        raise DomainError(_l("Dit formulier is al verstuurd. Laad de pagina opnieuw en vul het "
                             "nog eens in."))
    return Saved(entry, [], repeated=True)


def log_hours(session: Session, actor: Actor, tenant: Tenant, role: Role, data: EntryData,
              *, approve: bool = False, today: date | None = None) -> Saved:
    """Log one entry (see the module docstring for the rules). `role` is the actor's role in
    the tenant; `approve` (staff only) approves it at once. Returns the entry and its warnings.
    With an idempotency key that made an entry before, that entry is returned (`repeated`)
    and nothing new is stored."""
    today = today or date.today()
    check_may_approve(role, approve)
    key = clean_key(data.idempotency_key)
    if key is not None:
        earlier = _entry_with_key(session, key)
        if earlier is not None:
            return _repeated(earlier, data)
    ctx = EntryContext.load(session, [data.participant_id], [data.help_request_id])
    entry = TimeEntry(**check_entry(ctx, actor, role, data, today), idempotency_key=key)
    set_open_status(entry, tenant, actor, role, approve)
    try:
        with session.begin_nested():
            session.add(entry)
            flush_or_conflict(session)
    except IntegrityError:
        earlier = _entry_with_key(session, key) if key is not None else None
        if earlier is None:
            raise
        return _repeated(earlier, data)  # the same form, sent at the same moment, won
    audit.record(session, actor, "hours.logged", entry, participant_id=entry.participant_id,
                 minutes=entry.minutes, status=entry.status.value)
    send_if_approved(session, actor, [entry])
    return Saved(entry, entry_warnings(session, tenant, [entry]).get(entry.id, []))
