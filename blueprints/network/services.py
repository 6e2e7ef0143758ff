"""The network's rules: members and member organisations, meetings, registrations and the
waiting list.

Rules:
- only network members reach the network; only a network admin publishes meetings, invites and
  removes members; the network always keeps one admin;
- an invitation is for one e-mail, expires, is used once; inviting again replaces it;
- a cooperative joins and leaves by its own admin; a municipality is added by the network admin;
- registration is open to members of a published meeting until its deadline; one active
  registration per e-mail per meeting;
- every change to a meeting's places runs with the meeting's row locked, so places are handed
  out in arrival order and never twice: a person gets a place only when nobody waits and a
  place is free; otherwise they join the waiting list at the end;
- a freed place (a cancellation, a raised capacity, a lapsed offer) is offered to the first
  person waiting, for `offer_hours`; unanswered, the offer lapses and passes on (once);
- the organiser may reorder the waiting list; capacity may not drop below the places taken.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from blueprints.network.ics import event_file
from blueprints.network.models import (
    ACTIVE_STATUSES,
    Meeting,
    MeetingSession,
    NetworkInvitation,
    NetworkOrganisation,
    OrganisationKind,
    Registration,
    RegistrationStatus,
)
from tenants.db import utcnow
from tenants.emails import is_email
from tenants.errors import DomainError, InvalidToken, NotFound, PermissionDenied
from tenants.identity import normalize_email, sha256, user_by_email
from tenants.mail import send_mail
from tenants.models import Municipality, NetworkMembership, NetworkRole, Tenant, User
from tenants.urls import absolute_url

S = RegistrationStatus


# --- members -----------------------------------------------------------------------------------

def membership_of(session: Session, user_id: int) -> NetworkMembership | None:
    return session.scalar(select(NetworkMembership).where(NetworkMembership.user_id == user_id))


def require_admin(member: NetworkMembership | None) -> None:
    if member is None or not member.is_admin:
        raise PermissionDenied(_l("Alleen de netwerkbeheerder mag dit."))


def members(session: Session) -> list[NetworkMembership]:
    """The network's members with their users, admins first, then by name."""
    rows = session.scalars(
        select(NetworkMembership).join(User, User.id == NetworkMembership.user_id)
        .options(joinedload(NetworkMembership.user)).order_by(User.name)).all()
    return sorted(rows, key=lambda m: 0 if m.is_admin else 1)


def open_invitations(session: Session) -> list[NetworkInvitation]:
    return list(session.scalars(
        select(NetworkInvitation).where(
            NetworkInvitation.accepted_at.is_(None), NetworkInvitation.revoked_at.is_(None),
            NetworkInvitation.expires_at > utcnow())
        .order_by(NetworkInvitation.created_at.desc())))


def invite(session: Session, admin: NetworkMembership, email: str, role: NetworkRole,
           organisation: str | None, max_age: timedelta) -> tuple[NetworkInvitation, str]:
    """Invite `email` to the network; returns the invitation and its token."""
    require_admin(admin)
    email = normalize_email(email)
    if not is_email(email):
        raise DomainError(_l("Vul een geldig e-mailadres in, zoals naam@example.org."))
    user = user_by_email(session, email)
    if user is not None and membership_of(session, user.id) is not None:
        raise DomainError(_l("%(email)s is al lid van het netwerk.", email=email))
    for old in session.scalars(select(NetworkInvitation).where(
            NetworkInvitation.email == email, NetworkInvitation.accepted_at.is_(None),
            NetworkInvitation.revoked_at.is_(None))):
        old.revoked_at = utcnow()
    token = secrets.token_urlsafe(32)
    invitation = NetworkInvitation(
        email=email, role=role, organisation=(organisation or "").strip() or None,
        token_hash=sha256(token), invited_by_id=admin.user_id,
        expires_at=utcnow() + max_age)
    session.add(invitation)
    session.flush()
    return invitation, token


def revoke_invitation(session: Session, admin: NetworkMembership, invitation_id: int) -> None:
    require_admin(admin)
    invitation = session.get(NetworkInvitation, invitation_id)
    if invitation is None:
        raise NotFound()
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()


def open_invitation(session: Session, token: str) -> NetworkInvitation:
    invitation = session.scalar(select(NetworkInvitation).where(
        NetworkInvitation.token_hash == sha256(token or "")))
    if invitation is None or not invitation.is_open:
        raise InvalidToken(_l("Deze uitnodiging is ongeldig, verlopen of al gebruikt."))
    return invitation


def accept_invitation(session: Session, token: str, user: User) -> NetworkMembership:
    """`user` accepts: they become a network member with the invitation's role."""
    invitation = open_invitation(session, token)
    if normalize_email(user.email) != invitation.email:
        raise InvalidToken(_l(
            "Deze uitnodiging is voor een ander e-mailadres. Log uit en open de link opnieuw."))
    invitation.accepted_at = utcnow()
    existing = membership_of(session, user.id)
    if existing is not None:
        return existing
    member = NetworkMembership(user_id=user.id, role=invitation.role,
                               organisation=invitation.organisation)
    session.add(member)
    session.flush()
    return member


def remove_member(session: Session, admin: NetworkMembership, membership_id: int) -> None:
    """Remove a member; their access ends at once. The last admin stays."""
    require_admin(admin)
    member = session.get(NetworkMembership, membership_id)
    if member is None:
        raise NotFound()
    if member.is_admin:
        admins = session.scalar(select(func.count()).select_from(NetworkMembership).where(
            NetworkMembership.role == NetworkRole.ADMIN)) or 0
        if admins <= 1:
            raise DomainError(_l("Het netwerk houdt minstens één beheerder."))
    session.delete(member)
    session.flush()


# --- member organisations ----------------------------------------------------------------------

def organisations(session: Session) -> list[NetworkOrganisation]:
    """The current member organisations (names and kinds are public within the network)."""
    return list(session.scalars(
        select(NetworkOrganisation).where(NetworkOrganisation.left_at.is_(None))
        .order_by(NetworkOrganisation.kind, NetworkOrganisation.name)))


def cooperative_membership(session: Session, tenant_id: int) -> NetworkOrganisation | None:
    return session.scalar(select(NetworkOrganisation).where(
        NetworkOrganisation.cooperative_id == tenant_id))


def join_network(session: Session, tenant: Tenant) -> NetworkOrganisation:
    """The cooperative joins the network (its admin's choice; the route checks the role)."""
    row = cooperative_membership(session, tenant.id)
    if row is None:
        row = NetworkOrganisation(kind=OrganisationKind.COOPERATIVE, cooperative_id=tenant.id,
                                  name=tenant.name)
        session.add(row)
    elif row.left_at is None:
        raise DomainError(_l("%(name)s is al lid van het netwerk.", name=tenant.name))
    row.left_at, row.joined_at, row.name = None, utcnow(), tenant.name
    session.flush()
    return row


def leave_network(session: Session, tenant: Tenant) -> None:
    row = cooperative_membership(session, tenant.id)
    if row is None or row.left_at is not None:
        raise DomainError(_l("%(name)s is geen lid van het netwerk.", name=tenant.name))
    row.left_at = utcnow()
    row.benchmark_since = None  # leaving ends sharing in the benchmark; rejoining asks again
    session.flush()


def add_municipality(session: Session, admin: NetworkMembership, cbs_code: str
                     ) -> NetworkOrganisation:
    require_admin(admin)
    municipality = session.scalar(select(Municipality).where(
        Municipality.cbs_code == (cbs_code or "").strip()))
    if municipality is None:
        raise DomainError(_l("Onbekende gemeentecode %(code)s.", code=cbs_code))
    row = session.scalar(select(NetworkOrganisation).where(
        NetworkOrganisation.municipality_id == municipality.id))
    if row is None:
        row = NetworkOrganisation(kind=OrganisationKind.MUNICIPALITY,
                                  municipality_id=municipality.id,
                                  name=f"Gemeente {municipality.name}")
        session.add(row)
    elif row.left_at is None:
        raise DomainError(_l("%(name)s is al lid van het netwerk.", name=row.name))
    row.left_at = None
    session.flush()
    return row


def remove_organisation(session: Session, admin: NetworkMembership, organisation_id: int
                        ) -> None:
    require_admin(admin)
    row = session.get(NetworkOrganisation, organisation_id)
    if row is None or row.left_at is not None:
        raise NotFound()
    row.left_at = utcnow()
    row.benchmark_since = None


# --- meetings ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MeetingData:
    title: str
    day: date
    starts_at: time
    ends_at: time
    place: str
    description: str | None
    capacity: int
    registration_deadline: date
    offer_hours: int = 48


@dataclass(frozen=True)
class Counts:
    capacity: int
    confirmed: int
    offered: int
    waiting: int

    @property
    def taken(self) -> int:
        return self.confirmed + self.offered

    @property
    def full(self) -> bool:
        return self.taken >= self.capacity or self.waiting > 0


def _check_meeting(data: MeetingData) -> None:
    if not data.title.strip() or not data.place.strip():
        raise DomainError(_l("Geef een titel en een plaats."))
    if data.ends_at <= data.starts_at:
        raise DomainError(_l("De eindtijd ligt na de begintijd."))
    if data.registration_deadline > data.day:
        raise DomainError(_l("De aanmelddeadline ligt op of voor de dag van de bijeenkomst."))
    if not 1 <= data.capacity <= 10_000:
        raise DomainError(_l("Het aantal plaatsen is 1 tot 10.000."))
    if not 1 <= data.offer_hours <= 24 * 14:
        raise DomainError(_l("Een vrijgekomen plaats blijft 1 uur tot 14 dagen aangeboden."))


def create_meeting(session: Session, admin: NetworkMembership, data: MeetingData,
                   *, publish: bool = False) -> Meeting:
    require_admin(admin)
    _check_meeting(data)
    meeting = Meeting(
        title=data.title.strip(), day=data.day, starts_at=data.starts_at, ends_at=data.ends_at,
        place=data.place.strip(), description=(data.description or "").strip() or None,
        capacity=data.capacity, registration_deadline=data.registration_deadline,
        offer_hours=data.offer_hours, published_at=utcnow() if publish else None)
    session.add(meeting)
    session.flush()
    return meeting


def publish_meeting(session: Session, admin: NetworkMembership, meeting_id: int) -> Meeting:
    require_admin(admin)
    meeting = get_meeting(session, admin, meeting_id)
    if meeting.published_at is None:
        meeting.published_at = utcnow()
    return meeting


def add_session(session: Session, admin: NetworkMembership, meeting_id: int, starts_at: time,
                ends_at: time | None, title: str, room: str | None) -> MeetingSession:
    require_admin(admin)
    meeting = get_meeting(session, admin, meeting_id)
    if not (title or "").strip():
        raise DomainError(_l("Geef de titel van het programmaonderdeel."))
    if ends_at is not None and ends_at <= starts_at:
        raise DomainError(_l("De eindtijd ligt na de begintijd."))
    part = MeetingSession(meeting_id=meeting.id, starts_at=starts_at, ends_at=ends_at,
                          title=title.strip(), room=(room or "").strip() or None)
    session.add(part)
    session.flush()
    return part


def remove_session(session: Session, admin: NetworkMembership, session_id: int) -> None:
    require_admin(admin)
    part = session.get(MeetingSession, session_id)
    if part is None:
        raise NotFound()
    session.delete(part)


def meetings(session: Session, member: NetworkMembership) -> list[Meeting]:
    """Meetings a member sees: published ones (the admin also sees drafts), soonest first."""
    query = select(Meeting).order_by(Meeting.day.desc(), Meeting.id.desc())
    if not member.is_admin:
        query = query.where(Meeting.published_at.is_not(None))
    return list(session.scalars(query))


def get_meeting(session: Session, member: NetworkMembership, meeting_id: int) -> Meeting:
    meeting = session.scalar(select(Meeting).where(Meeting.id == meeting_id)
                             .options(selectinload(Meeting.sessions)))
    if meeting is None or (meeting.published_at is None and not member.is_admin):
        raise NotFound()
    return meeting


def counts(session: Session, meeting_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per meeting: how many registrations are in each status (one query)."""
    result: dict[int, dict[str, int]] = {mid: {} for mid in meeting_ids}
    if not meeting_ids:
        return result
    for meeting_id, status, n in session.execute(
            select(Registration.meeting_id, Registration.status, func.count())
            .where(Registration.meeting_id.in_(meeting_ids))
            .group_by(Registration.meeting_id, Registration.status)):
        result[meeting_id][RegistrationStatus(status).value] = n
    return result


def meeting_counts(session: Session, meeting: Meeting) -> Counts:
    c = counts(session, [meeting.id])[meeting.id]
    return Counts(meeting.capacity, c.get("confirmed", 0), c.get("offered", 0),
                  c.get("waiting", 0))


def registrations(session: Session, meeting: Meeting, *statuses: RegistrationStatus
                  ) -> list[Registration]:
    query = select(Registration).where(Registration.meeting_id == meeting.id)
    if statuses:
        query = query.where(Registration.status.in_(statuses))
    return list(session.scalars(query.order_by(Registration.position)))


def own_registrations(session: Session, meeting: Meeting, user: User) -> list[Registration]:
    """What this member registered (themselves and colleagues) and their own registration."""
    return list(session.scalars(
        select(Registration).where(
            Registration.meeting_id == meeting.id,
            (Registration.registered_by_id == user.id)
            | (Registration.email == normalize_email(user.email)))
        .order_by(Registration.position)))


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
            _mail(session, meeting, registration, "confirmed", now)
        else:
            _mail(session, meeting, registration, "waiting", now)
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
        _mail(session, meeting, registration, "offer", now)
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
    _mail(session, meeting, registration, "confirmed", now)
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
            _mail(session, meeting, registration, "reminder", now)
            sent += 1
    session.flush()
    return sent


# --- tokens and mails --------------------------------------------------------------------------

def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="network-registration")


def registration_token(registration: Registration) -> str:
    return _signer().dumps({"r": registration.id, "e": registration.email})


def registration_by_token(session: Session, token: str) -> Registration:
    """The registration a mailed link names. Raises InvalidToken for a forged or stale link."""
    try:
        data = _signer().loads(token)
    except BadSignature:
        raise InvalidToken(_l("Deze link is ongeldig.")) from None
    registration = session.get(Registration, data.get("r")) if isinstance(data, dict) else None
    if registration is None or registration.email != data.get("e"):
        raise InvalidToken(_l("Deze link is ongeldig."))
    return registration


def calendar_file(meeting: Meeting, registration: Registration, now: datetime) -> bytes:
    return event_file(
        uid=f"meeting-{meeting.id}-registration-{registration.id}@wijkwerk",
        title=meeting.title, day=meeting.day, starts_at=meeting.starts_at,
        ends_at=meeting.ends_at, place=meeting.place,
        description=meeting.description or meeting.title,
        url=absolute_url("network.meeting", meeting_id=meeting.id), now=now)


MAIL_SUBJECTS = {
    "confirmed": _l("Aanmelding bevestigd: %(title)s"),
    "waiting": _l("Op de wachtlijst: %(title)s"),
    "offer": _l("Er is een plaats vrij: %(title)s"),
    "reminder": _l("Herinnering: %(title)s"),
}


def _mail(session: Session, meeting: Meeting, registration: Registration, kind: str,
          now: datetime) -> None:
    token = registration_token(registration)
    attachments = None
    if kind in ("confirmed", "offer", "reminder"):
        attachments = [("bijeenkomst.ics", calendar_file(meeting, registration, now),
                        "text/calendar; charset=utf-8; method=PUBLISH")]
    send_mail(
        registration.email, MAIL_SUBJECTS[kind] % {"title": meeting.title},
        f"network_{kind}", attachments=attachments, after_commit=session,
        meeting=meeting, registration=registration,
        cancel_link=absolute_url("network_links.cancel", token=token),
        accept_link=absolute_url("network_links.accept", token=token))
