"""Places, handed out under the meeting's row lock: registering, the waiting list, offers that
lapse, cancelling, capacity, check-in and reminders.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from blueprints.network.models import (
    ACTIVE_STATUSES,
    Meeting,
    Registration,
    RegistrationStatus,
)
from blueprints.network.models import RegistrationStatus as S
from blueprints.network.services.mails import mail_registration
from blueprints.network.services.meetings import get_meeting
from blueprints.network.services.members import require_admin
from tenants.db import utcnow
from tenants.emails import is_email
from tenants.errors import DomainError, NotFound
from tenants.identity import normalize_email
from tenants.models import NetworkMembership, User

# --- places, under the meeting's row lock ------------------------------------------------------

def _locked(session: Session, meeting_id: int) -> Meeting:
    """The meeting with its row locked until the transaction ends (FOR UPDATE on PostgreSQL;
    SQLite serialises writers itself). Everything that hands out places comes through here."""
    meeting = session.scalar(select(Meeting).where(Meeting.id == meeting_id)
                             .with_for_update().execution_options(populate_existing=True))
    if meeting is None:
        raise NotFound()
    return meeting


def _locked_registration(session: Session, registration_id: int) -> tuple[Meeting, Registration]:
    registration = session.get(Registration, registration_id)
    if registration is None:
        raise NotFound()
    meeting = _locked(session, registration.meeting_id)
    session.refresh(registration)  # read again now that the meeting is ours
    return meeting, registration


def _status_count(session: Session, meeting: Meeting, *statuses: RegistrationStatus) -> int:
    return session.scalar(select(func.count()).select_from(Registration).where(
        Registration.meeting_id == meeting.id, Registration.status.in_(statuses))) or 0


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    organisation: str | None = None
    dietary: str | None = None
    accessibility: str | None = None


def _clean(value: str | None, limit: int) -> str | None:
    value = " ".join((value or "").split())
    return value[:limit] or None


def register(session: Session, member: NetworkMembership, user: User, meeting_id: int,
             people: list[Person], *, today: date | None = None,
             now: datetime | None = None) -> list[Registration]:
    """Register `people` (the member and/or colleagues), each a place while one is free and
    nobody waits, else a place at the end of the waiting list, in the order given."""
    now = now or utcnow()
    today = today or date.today()
    if not people:
        raise DomainError(_l("Meld minstens één persoon aan."))
    emails = [normalize_email(p.email) for p in people]
    for person, email in zip(people, emails):
        if not (person.name or "").strip():
            raise DomainError(_l("Geef de naam van iedereen die u aanmeldt."))
        if not is_email(email):
            raise DomainError(_l("%(email)s is geen geldig e-mailadres.", email=person.email))
    if len(set(emails)) != len(emails):
        raise DomainError(_l("Iemand staat twee keer in de aanmelding."))
    get_meeting(session, member, meeting_id)  # published, or 404
    meeting = _locked(session, meeting_id)
    if meeting.published_at is None:
        raise NotFound()
    if today > meeting.registration_deadline:
        raise DomainError(_l("De aanmelding is gesloten."))
    taken = set(session.scalars(select(Registration.email).where(
        Registration.meeting_id == meeting.id, Registration.email.in_(emails),
        Registration.status.in_(ACTIVE_STATUSES))))
    if taken:
        raise DomainError(_l("%(email)s is al aangemeld.", email=sorted(taken)[0]))
    places = meeting.capacity - _status_count(session, meeting, S.CONFIRMED, S.OFFERED)
    waiting = _status_count(session, meeting, S.WAITING)
    position = session.scalar(select(func.max(Registration.position)).where(
        Registration.meeting_id == meeting.id)) or 0
    made = []
    for person, email in zip(people, emails):
        position += 1
        gets_place = places > 0 and waiting == 0
        registration = Registration(
            meeting_id=meeting.id, registered_by_id=user.id, name=_clean(person.name, 120),
            email=email, organisation=_clean(person.organisation, 150),
            dietary=_clean(person.dietary, 300), accessibility=_clean(person.accessibility, 300),
            status=S.CONFIRMED if gets_place else S.WAITING, position=position,
            confirmed_at=now if gets_place else None, created_at=now)
        session.add(registration)
        if gets_place:
            places -= 1
        else:
            waiting += 1
        made.append(registration)
    session.flush()
    for registration in made:
        if registration.status == S.CONFIRMED:
            mail_registration(session, meeting, registration, "confirmed", now)
        else:
            mail_registration(session, meeting, registration, "waiting", now)
    return made


def _fill(session: Session, meeting: Meeting, now: datetime) -> list[Registration]:
    """Offer each free place to the next person waiting (the meeting is locked)."""
    free = meeting.capacity - _status_count(session, meeting, S.CONFIRMED, S.OFFERED)
    if free <= 0:
        return []
    nextup = list(session.scalars(
        select(Registration).where(Registration.meeting_id == meeting.id,
                                   Registration.status == S.WAITING)
        .order_by(Registration.position).limit(free)
        .execution_options(populate_existing=True)))
    for registration in nextup:
        registration.status = S.OFFERED
        registration.offer_expires_at = now + timedelta(hours=meeting.offer_hours)
    session.flush()
    for registration in nextup:
        mail_registration(session, meeting, registration, "offer", now)
    return nextup


def cancel(session: Session, registration_id: int, *, now: datetime | None = None
           ) -> Registration:
    """Cancel a registration (a place, an offer or a place on the waiting list); a freed
    place is offered on at once."""
    now = now or utcnow()
    meeting, registration = _locked_registration(session, registration_id)
    if registration.status not in ACTIVE_STATUSES:
        raise DomainError(_l("Deze aanmelding is al geannuleerd."))
    held_place = registration.status in (S.CONFIRMED, S.OFFERED)
    registration.status = S.CANCELLED
    registration.cancelled_at = now
    registration.offer_expires_at = None
    session.flush()
    if held_place:
        _fill(session, meeting, now)
    return registration


def cancel_own(session: Session, user: User, registration_id: int,
               *, now: datetime | None = None) -> Registration:
    """A member cancels what they registered (themselves or a colleague)."""
    registration = session.get(Registration, registration_id)
    if registration is None or (registration.registered_by_id != user.id
                                and registration.email != normalize_email(user.email)):
        raise NotFound()
    return cancel(session, registration_id, now=now)


def accept_offer(session: Session, registration_id: int, *, now: datetime | None = None
                 ) -> Registration:
    now = now or utcnow()
    meeting, registration = _locked_registration(session, registration_id)
    if registration.status == S.CONFIRMED:
        return registration
    if registration.status != S.OFFERED or registration.offer_expires_at <= now:
        raise DomainError(_l("Dit aanbod is verlopen; de plaats is aan de volgende op de "
                             "wachtlijst aangeboden."))
    registration.status = S.CONFIRMED
    registration.confirmed_at = now
    registration.offer_expires_at = None
    session.flush()
    mail_registration(session, meeting, registration, "confirmed", now)
    return registration


def accept_own_offer(session: Session, user: User, registration_id: int,
                     *, now: datetime | None = None) -> Registration:
    registration = session.get(Registration, registration_id)
    if registration is None or (registration.registered_by_id != user.id
                                and registration.email != normalize_email(user.email)):
        raise NotFound()
    return accept_offer(session, registration_id, now=now)


def lapse_offers(session: Session, *, now: datetime | None = None) -> int:
    """Offers not taken in time lapse and pass on to the next person waiting. Each meeting is
    locked while its offers are read again and passed on, so a second run (or a second worker)
    finds nothing left to do: an offer passes on once. Returns how many lapsed."""
    now = now or utcnow()
    meeting_ids = list(session.scalars(
        select(Registration.meeting_id).where(Registration.status == S.OFFERED,
                                              Registration.offer_expires_at <= now).distinct()))
    lapsed = 0
    for meeting_id in meeting_ids:
        meeting = _locked(session, meeting_id)
        expired = list(session.scalars(
            select(Registration).where(Registration.meeting_id == meeting.id,
                                       Registration.status == S.OFFERED,
                                       Registration.offer_expires_at <= now)
            .execution_options(populate_existing=True)))
        for registration in expired:
            registration.status = S.LAPSED
            registration.cancelled_at = now
        session.flush()
        lapsed += len(expired)
        _fill(session, meeting, now)
    return lapsed


def set_capacity(session: Session, admin: NetworkMembership, meeting_id: int, capacity: int,
                 *, now: datetime | None = None) -> list[Registration]:
    """Change the number of places; new places are offered to the waiting list at once.
    Returns the registrations that got an offer."""
    require_admin(admin)
    now = now or utcnow()
    meeting = _locked(session, meeting_id)
    taken = _status_count(session, meeting, S.CONFIRMED, S.OFFERED)
    if capacity < taken:
        raise DomainError(_l("Er zijn al %(n)s plaatsen vergeven; minder kan niet.", n=taken))
    if capacity > 10_000:
        raise DomainError(_l("Het aantal plaatsen is 1 tot 10.000."))
    meeting.capacity = capacity
    session.flush()
    return _fill(session, meeting, now)


def move_waiting(session: Session, admin: NetworkMembership, registration_id: int, up: bool
                 ) -> None:
    """Move someone one place up or down the waiting list (swaps with the neighbour)."""
    require_admin(admin)
    meeting, registration = _locked_registration(session, registration_id)
    if registration.status != S.WAITING:
        raise DomainError(_l("Alleen wie op de wachtlijst staat, kan verplaatst worden."))
    order = Registration.position.desc() if up else Registration.position
    compare = (Registration.position < registration.position if up
               else Registration.position > registration.position)
    neighbour = session.scalar(select(Registration).where(
        Registration.meeting_id == meeting.id, Registration.status == S.WAITING, compare)
        .order_by(order).limit(1))
    if neighbour is None:
        return
    mine, theirs = registration.position, neighbour.position
    registration.position = -1  # no unique key, but keep the swap obviously clean
    session.flush()
    registration.position, neighbour.position = theirs, mine
    session.flush()


def check_in(session: Session, admin: NetworkMembership, registration_id: int, present: bool,
             *, now: datetime | None = None) -> Registration:
    require_admin(admin)
    registration = session.get(Registration, registration_id)
    if registration is None:
        raise NotFound()
    if registration.status != S.CONFIRMED:
        raise DomainError(_l("Alleen wie een plaats heeft, kan zich melden."))
    registration.checked_in_at = (now or utcnow()) if present else None
    return registration


def send_reminders(session: Session, *, today: date | None = None,
                   now: datetime | None = None, days_ahead: int = 2) -> int:
    """Remind everyone with a place of a meeting within `days_ahead` days, once."""
    now = now or utcnow()
    today = today or date.today()
    meeting_ids = list(session.scalars(select(Meeting.id).where(
        Meeting.published_at.is_not(None), Meeting.day >= today,
        Meeting.day <= today + timedelta(days=days_ahead))))
    sent = 0
    for meeting_id in meeting_ids:
        meeting = _locked(session, meeting_id)
        for registration in session.scalars(select(Registration).where(
                Registration.meeting_id == meeting.id, Registration.status == S.CONFIRMED,
                Registration.reminded_at.is_(None))
                .execution_options(populate_existing=True)):
            registration.reminded_at = now
            mail_registration(session, meeting, registration, "reminder", now)
            sent += 1
    session.flush()
    return sent
