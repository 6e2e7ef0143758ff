"""The network's own tables: invitations, member organisations, meetings and registrations.

Platform tables without `tenant_id`, like `NetworkMembership`: the network is one national
association, above the cooperatives, and nothing here is owned by a tenant. Nothing here holds
a cooperative's participants, hours or invoices either.
"""
from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.db import Base, new_id, utcnow
from tenants.models import NetworkRole, Tenant


def _enum(e: type[enum.Enum], name: str) -> Enum:
    return Enum(
        e, name=name, native_enum=False, create_constraint=True, length=32,
        values_callable=lambda members: [m.value for m in members], validate_strings=True,
    )


class NetworkInvitation(Base):
    """An e-mailed invitation to become a network member; the token is stored hashed."""

    __tablename__ = "network_invitations"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254), index=True)
    organisation: Mapped[str | None] = mapped_column(String(150))
    role: Mapped[NetworkRole] = mapped_column(_enum(NetworkRole, "network_role"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()


class OrganisationKind(str, enum.Enum):
    #: a cooperative on Wijkwerk that joined by its own admin's choice
    COOPERATIVE = "cooperative"
    #: a municipality (its officials come to the meeting and ask questions too)
    MUNICIPALITY = "municipality"


class NetworkOrganisation(Base):
    """A member organisation of the network. A cooperative joins and leaves itself (its row
    keeps `left_at`); a municipality is added by the network admin."""

    __tablename__ = "network_organisations"
    __table_args__ = (UniqueConstraint("cooperative_id"), UniqueConstraint("municipality_id"))

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind, "network_org_kind"))
    #: the cooperative (a tenant); only its name and kind are shown to the network
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    name: Mapped[str] = mapped_column(String(150))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]
    #: since when a cooperative shares its yearly figures in the benchmark (its admin's
    #: explicit choice, apart from joining; cleared when it leaves); None: it does not
    benchmark_since: Mapped[datetime | None]

    cooperative: Mapped[Tenant | None] = relationship(lazy="raise")


class Meeting(Base):
    """A network meeting such as "Werk in de wijk"; visible to members once published."""

    __tablename__ = "network_meetings"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(150))
    day: Mapped[date]
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    place: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int]
    registration_deadline: Mapped[date]
    #: hours a freed place stays offered to the next person on the waiting list
    offer_hours: Mapped[int] = mapped_column(default=48)
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sessions: Mapped[list[MeetingSession]] = relationship(
        lazy="raise", order_by="MeetingSession.starts_at", cascade="all, delete-orphan")


class MeetingSession(Base):
    """One part of a meeting's programme."""

    __tablename__ = "network_meeting_sessions"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("network_meetings.id"), index=True)
    starts_at: Mapped[time]
    ends_at: Mapped[time | None]
    title: Mapped[str] = mapped_column(String(200))
    room: Mapped[str | None] = mapped_column(String(100))


class RegistrationStatus(str, enum.Enum):
    #: has a place
    CONFIRMED = "confirmed"
    #: on the waiting list, in `position` order
    WAITING = "waiting"
    #: a freed place is held for them until `offer_expires_at`
    OFFERED = "offered"
    #: the offer lapsed without an answer, or was declined
    LAPSED = "lapsed"
    #: cancelled (by the person, by link, or by the organiser)
    CANCELLED = "cancelled"


#: the statuses that hold (or wait for) a place: one of these per e-mail per meeting
ACTIVE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING,
                   RegistrationStatus.OFFERED)


class Registration(Base):
    """One person's registration for a meeting (a member, or a colleague they registered)."""

    __tablename__ = "network_registrations"
    __table_args__ = (
        Index("ix_network_registrations_meeting_status", "meeting_id", "status", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("network_meetings.id"))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str | None] = mapped_column(String(150))
    dietary: Mapped[str | None] = mapped_column(String(300))
    accessibility: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[RegistrationStatus] = mapped_column(
        _enum(RegistrationStatus, "registration_status"))
    #: arrival order, across the whole meeting (the waiting list reads it; reordering swaps it)
    position: Mapped[int]
    offer_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(lazy="raise")
