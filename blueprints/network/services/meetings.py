"""Meetings and their sessions: creating, publishing, and the counts of places, registrations and
the waiting list.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from blueprints.network.models import (
    Meeting,
    MeetingSession,
    Registration,
    RegistrationStatus,
)
from blueprints.network.services.members import require_admin
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound
from tenants.identity import normalize_email
from tenants.models import NetworkMembership, User

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
