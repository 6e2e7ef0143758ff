"""Reviewing hours (approve, return, correct), changing and withdrawing an entry, the hour statement's period and the tenant's hour settings."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.hours.checks import entry_warnings
from blueprints.hours.formats import (
    format_minutes,
    parse_minutes,
    parse_rate_cents,
)
from blueprints.hours.models import EntryStatus, TimeEntry
from blueprints.hours.services.entries import (
    MAX_REASON,
    ConcurrentChange,
    EntryContext,
    EntryData,
    EntryLocked,
    Saved,
    _clean_note,
    check_entry,
    flush_or_conflict,
    send_if_approved,
    set_open_status,
)
from blueprints.participants.models import Participant
from tenants import audit, events
from tenants.actor import Actor
from tenants.bsn import BSN_MESSAGE, contains_bsn
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.formatting import format_date
from tenants.mail import send_mail
from tenants.models import Role, Tenant, User

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


def _open_entry(session: Session, actor: Actor, role: Role, entry_id: int,
                expected_version: int | None) -> TimeEntry:
    """The entry, locked, for a change by its owner or staff: still the version the user saw,
    and not approved (approved hours are only corrected)."""
    entries = _lock(session, [entry_id])
    if not entries:
        raise NotFound(_l("Deze uren bestaan niet."))
    entry = entries[0]
    _own_or_staff(session, actor, role, entry)
    _check_version(entry, expected_version)
    if entry.status == EntryStatus.APPROVED:
        raise EntryLocked()
    return entry


def update_entry(session: Session, actor: Actor, tenant: Tenant, role: Role, entry_id: int,
                 data: EntryData, expected_version: int | None = None,
                 today: date | None = None) -> Saved:
    """Change an entry that is not approved (a returned one goes back for approval).
    Approved entries and corrections are refused; the participant cannot change."""
    today = today or date.today()
    entry = _open_entry(session, actor, role, entry_id, expected_version)
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
    send_if_approved(session, actor, [entry])
    return Saved(entry, entry_warnings(session, tenant, [entry]).get(entry.id, []))


def withdraw_entry(session: Session, actor: Actor, role: Role, entry_id: int,
                   expected_version: int | None = None) -> None:
    """Remove an entry that is not approved (logged by mistake). Approved hours stay."""
    entry = _open_entry(session, actor, role, entry_id, expected_version)
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
