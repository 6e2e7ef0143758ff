"""Rules for hours (uren): logging, approval, corrections, returned-hours mail, settings.

- Minutes are integers. Hours are typed with a Dutch comma ("2,5") or as a clock ("2:30");
  an entry holds more than 0 and at most 24 hours, on a date not in the future and not before
  the participant's first trajectory.
- A participant logs only for themselves (the participant record linked to their login), only
  on their own trajectories, and only on help requests they are planned on. Staff log for
  anyone in the tenant. Self-logged entries are approved at once when the tenant says its
  participants' hours need no approval (`Tenant.hours_need_approval`).
- A trajectory that has ended (closed, or past its planned end on the day worked) takes no
  more hours from its participant (a clear message, nothing stored); staff may still record
  hours on it, with the reason in the note.
- Status flow: ingediend -> goedgekeurd, or ingediend -> teruggestuurd (with a reason) ->
  ingediend again after the participant fixed it. Approved entries never change: a correction
  is a new entry pointing at the approved one (`corrects_id`) with signed minutes, and needs
  approval itself. One open correction per entry at a time, so that two corrections can never
  both subtract the same hours.
- Concurrency: review and correction lock the rows they decide on (`SELECT … FOR UPDATE` on
  PostgreSQL; SQLite serialises writers) and the `version` column is an optimistic lock on top
  (a stale page or a lost race raises `ConcurrentChange`, never a 500). The week grid locks the
  participants it writes for and compares each row's snapshot with the one the page showed.
- Warnings are messages, never silent failures: see `blueprints.hours.checks`. The week grid
  is in `blueprints.hours.week`, the lists in `blueprints.hours.lists`.
Services flush, never commit; the caller commits.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from blueprints.helprequests.models import Assignment, HelpRequest, RequestStatus
from blueprints.hours.checks import entry_warnings
from blueprints.hours.formats import (
    default_type,
    format_minutes,
    parse_minutes,
    parse_rate_cents,
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
from tenants.mail import send_mail
from tenants.models import Role, Tenant, User

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
    return Saved(entry, entry_warnings(session, tenant, [entry]).get(entry.id, []))


# --- review: approve, return, correct -------------------------------------------------------

def _lock(session: Session, ids: Iterable[int]) -> list[TimeEntry]:
    """The entries, locked for this transaction (in id order, so two reviewers never
    deadlock) and read fresh, not from the identity map."""
    ids = sorted(set(ids))
    if not ids:
        return []
    return list(session.scalars(
        select(TimeEntry).where(TimeEntry.id.in_(ids)).order_by(TimeEntry.id)
        .with_for_update().execution_options(populate_existing=True)))


def _check_version(entry: TimeEntry, expected: int | None) -> None:
    if expected is not None and entry.version != expected:
        raise ConcurrentChange()


def _refuse_unless_submitted(entry: TimeEntry) -> None:
    if entry.status == EntryStatus.APPROVED:
        raise EntryLocked(_l("Deze uren zijn al goedgekeurd en liggen vast."))
    if entry.status == EntryStatus.RETURNED:
        raise DomainError(_l("Deze uren zijn teruggestuurd; ze wachten op de deelnemer."))


def approve_entries(session: Session, actor: Actor, expected: Mapping[int, int | None]
                    ) -> list[TimeEntry]:
    """Approve submitted entries, all or none. `expected` maps entry id -> the version the
    reviewer saw (None: don't check). Raises NotFound for an unknown id, ConcurrentChange when
    an entry changed since, EntryLocked / DomainError when one is no longer waiting."""
    if not expected:
        raise DomainError(_l("Kies de uren die u wilt goedkeuren."))
    entries = _lock(session, expected)
    if len(entries) != len(set(expected)):
        raise NotFound(_l("Deze uren bestaan niet."))
    for entry in entries:
        _check_version(entry, expected[entry.id])
        _refuse_unless_submitted(entry)
    now = utcnow()
    for entry in entries:
        entry.status = EntryStatus.APPROVED
        entry.reviewed_by_id = actor.user_id
        entry.reviewed_at = now
    flush_or_conflict(session)
    for entry in entries:
        audit.record(session, actor, "hours.approved", entry, participant_id=entry.participant_id,
                     minutes=entry.minutes)
    events.hours_approved.send(None, session=session, actor=actor, entries=entries)
    return entries


def return_entry(session: Session, actor: Actor, entry_id: int, reason: str | None,
                 expected_version: int | None = None) -> TimeEntry:
    """Send a submitted entry back to the participant with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Schrijf waarom u de uren terugstuurt."))
    if len(reason) > MAX_REASON:
        raise DomainError(_l("De reden is te lang: hoogstens %(n)s tekens.", n=MAX_REASON))
    if contains_bsn(reason):
        raise DomainError(BSN_MESSAGE)
    entries = _lock(session, [entry_id])
    if not entries:
        raise NotFound(_l("Deze uren bestaan niet."))
    entry = entries[0]
    _check_version(entry, expected_version)
    _refuse_unless_submitted(entry)
    entry.status = EntryStatus.RETURNED
    entry.reviewed_by_id = actor.user_id
    entry.reviewed_at = utcnow()
    entry.return_reason = reason
    flush_or_conflict(session)
    audit.record(session, actor, "hours.returned", entry, participant_id=entry.participant_id)
    return entry


def corrections_of(session: Session, entry_ids: Iterable[int]) -> dict[int, list[TimeEntry]]:
    ids = sorted(set(entry_ids))
    found: dict[int, list[TimeEntry]] = defaultdict(list)
    if ids:
        for c in session.scalars(select(TimeEntry).where(TimeEntry.corrects_id.in_(ids))
                                 .order_by(TimeEntry.submitted_at, TimeEntry.id)):
            found[c.corrects_id].append(c)
    return found


def approved_minutes(original: TimeEntry, corrections: Sequence[TimeEntry]) -> int:
    """The approved hours of an entry with its approved corrections."""
    return original.minutes + sum(c.minutes for c in corrections
                                  if c.status == EntryStatus.APPROVED)


def correct_entry(session: Session, actor: Actor, role: Role, entry_id: int, hours: str,
                  reason: str | None) -> TimeEntry:
    """Correct approved hours: `hours` is what it should have been (0 allowed). Makes a new,
    submitted entry with the signed difference, pointing at the original. The original is
    locked while deciding, and a second open correction is refused, so that two reviewers
    correcting at once never subtract twice."""
    if role.rank < Role.SUPERVISOR.rank:
        raise PermissionDenied(_l("Alleen een begeleider corrigeert goedgekeurde uren."))
    target = parse_minutes(hours, allow_zero=True)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Schrijf waarom de uren worden gecorrigeerd."))
    reason = _clean_note(reason)
    entries = _lock(session, [entry_id])
    if not entries:
        raise NotFound(_l("Deze uren bestaan niet."))
    original = entries[0]
    if original.corrects_id is not None:  # correcting a correction corrects its original
        entries = _lock(session, [original.corrects_id])
        if not entries:  # pragma: no cover - the foreign key keeps the original
            raise NotFound(_l("Deze uren bestaan niet."))
        original = entries[0]
    if original.status != EntryStatus.APPROVED:
        raise DomainError(_l("Alleen goedgekeurde uren worden gecorrigeerd. Uren die nog "
                             "wachten, past u aan of stuurt u terug."))
    corrections = corrections_of(session, [original.id])[original.id]
    if any(c.status == EntryStatus.SUBMITTED for c in corrections):
        raise DomainError(_l("Er wacht al een correctie op deze uren (misschien net door "
                             "iemand anders gemaakt). Keur die eerst goed of stuur die terug."))
    delta = target - approved_minutes(original, corrections)
    if delta == 0:
        raise DomainError(_l("Er staat al %(hours)s uur goedgekeurd; er valt niets te "
                             "corrigeren.", hours=format_minutes(target)))
    correction = TimeEntry(
        participant_id=original.participant_id, trajectory_id=original.trajectory_id,
        help_request_id=original.help_request_id, work_date=original.work_date, minutes=delta,
        hour_type=original.hour_type, note=reason, corrects_id=original.id,
        status=EntryStatus.SUBMITTED, submitted_by_id=actor.user_id, submitted_at=utcnow())
    session.add(correction)
    flush_or_conflict(session)
    audit.record(session, actor, "hours.corrected", correction, corrects_id=original.id,
                 participant_id=original.participant_id, minutes=delta)
    return correction


def _own_or_staff(session: Session, actor: Actor, role: Role, entry: TimeEntry) -> None:
    """A participant may only touch their own entries; to them another's does not exist."""
    if role.rank >= Role.SUPERVISOR.rank:
        return
    owner = session.scalar(select(Participant.user_id).where(
        Participant.id == entry.participant_id))
    if owner is None or owner != actor.user_id:
        raise NotFound(_l("Deze uren bestaan niet."))


def get_entry(session: Session, actor: Actor, role: Role, entry_id: int) -> TimeEntry:
    """An entry the actor may see: any in the tenant for staff, their own for a participant."""
    entry = session.scalar(select(TimeEntry).where(TimeEntry.id == entry_id))
    if entry is None:
        raise NotFound(_l("Deze uren bestaan niet."))
    _own_or_staff(session, actor, role, entry)
    return entry


def update_entry(session: Session, actor: Actor, tenant: Tenant, role: Role, entry_id: int,
                 data: EntryData, expected_version: int | None = None,
                 today: date | None = None) -> Saved:
    """Change an entry that is not approved (a returned one goes back for approval).
    Approved entries and corrections are refused; the participant cannot change."""
    today = today or date.today()
    entries = _lock(session, [entry_id])
    if not entries:
        raise NotFound(_l("Deze uren bestaan niet."))
    entry = entries[0]
    _own_or_staff(session, actor, role, entry)
    _check_version(entry, expected_version)
    if entry.status == EntryStatus.APPROVED:
        raise EntryLocked()
    if entry.corrects_id is not None:
        raise DomainError(_l("Een correctie past u niet aan: trek haar in en maak een nieuwe."))
    if data.participant_id != entry.participant_id:
        raise DomainError(_l("Uren gaan niet over naar een andere deelnemer."))
    ctx = EntryContext.load(session, [entry.participant_id], [data.help_request_id])
    values = check_entry(ctx, actor, role, data, today)
    changed = sorted(k for k, v in values.items() if getattr(entry, k) != v)
    for key, value in values.items():
        setattr(entry, key, value)
    was = entry.status
    set_open_status(entry, tenant, actor, role, approve=False)
    flush_or_conflict(session)
    audit.record(session, actor, "hours.updated", entry, participant_id=entry.participant_id,
                 fields=changed, was=was.value, status=entry.status.value)
    return Saved(entry, entry_warnings(session, tenant, [entry]).get(entry.id, []))


def withdraw_entry(session: Session, actor: Actor, role: Role, entry_id: int,
                   expected_version: int | None = None) -> None:
    """Remove an entry that is not approved (logged by mistake). Approved hours stay."""
    entries = _lock(session, [entry_id])
    if not entries:
        raise NotFound(_l("Deze uren bestaan niet."))
    entry = entries[0]
    _own_or_staff(session, actor, role, entry)
    _check_version(entry, expected_version)
    if entry.status == EntryStatus.APPROVED:
        raise EntryLocked()
    audit.record(session, actor, "hours.withdrawn", entry, participant_id=entry.participant_id,
                 minutes=entry.minutes, work_date=entry.work_date.isoformat())
    session.delete(entry)
    flush_or_conflict(session)


def notify_returned(session: Session, entry: TimeEntry, link: str) -> bool:
    """E-mail the participant that their hours came back, if they have an account and want
    e-mail (User.notify_by_email). Call after the commit. Returns whether a mail went out."""
    row = session.execute(
        select(User, Participant).join(Participant, Participant.user_id == User.id)
        .where(Participant.id == entry.participant_id)).first()
    if row is None:
        return False
    user, participant = row
    if not user.notify_by_email or not user.is_active:
        return False
    reviewer = session.scalar(select(User.name).where(User.id == entry.reviewed_by_id)) \
        if entry.reviewed_by_id else None
    with force_locale(user.locale or "nl"):
        send_mail(user.email, _("Uw uren zijn teruggestuurd"), "hours_returned",
                  name=participant.first_name, reviewer=reviewer, day=format_date(entry.work_date),
                  hours=format_minutes(entry.minutes), reason=entry.return_reason, link=link)
    return True


# --- statement period and tenant settings ---------------------------------------------------

MAX_STATEMENT_DAYS = 3 * 366


def check_period(start: date | None, end: date | None) -> tuple[date, date]:
    """A statement period: both dates, in order, at most three years."""
    if start is None or end is None:
        raise DomainError(_l("Kies de periode van de urenverklaring (van en tot en met)."))
    if end < start:
        raise DomainError(_l("De einddatum ligt vóór de begindatum."))
    if (end - start).days > MAX_STATEMENT_DAYS:
        raise DomainError(_l("Een urenverklaring gaat over hoogstens drie jaar."))
    return start, end


def record_statement(session: Session, actor: Actor, participant: Participant, start: date,
                     end: date) -> None:
    """An hour statement shows a person's hours to someone outside: it is logged."""
    audit.record(session, actor, "hours.statement", participant, start=start.isoformat(),
                 end=end.isoformat())


def update_settings(session: Session, actor: Actor, tenant: Tenant, *, need_approval: bool,
                    rate: str | None) -> Tenant:
    """Whether participants' own hours need approval, and the volunteer allowance per hour."""
    cents = parse_rate_cents(rate)
    changed = {}
    if tenant.hours_need_approval != need_approval:
        changed["hours_need_approval"] = need_approval
    if tenant.volunteer_allowance_cents_per_hour != cents:
        changed["volunteer_allowance_cents_per_hour"] = cents
    tenant.hours_need_approval = need_approval
    tenant.volunteer_allowance_cents_per_hour = cents
    session.flush()
    audit.record(session, actor, "hours.settings_changed", object_type="Tenant",
                 object_id=tenant.id, **changed)
    return tenant
