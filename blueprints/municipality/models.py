"""The ground on which a cooperative shares one participant's progress with the municipality
that pays for them (Participatiewet art. 65: a legal duty or written consent)."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import Base, TenantScoped, new_id, tenant_fk, utcnow
from tenants.models import MunicipalRole, _enum


class Ground(str, enum.Enum):
    #: the municipality's re-integration assignment (opdracht tot re-integratie)
    ASSIGNMENT = "opdracht"
    #: the participant's written consent
    CONSENT = "toestemming"


class ProgressShare(TenantScoped, Base):
    """One recorded ground for sharing a participant's progress with one municipality: from
    `starts_on` to `ends_on`, for the parts in `scope`; ended early by the cooperative, or by
    the participant when it is their consent (`ended_on`, never deleted)."""

    __tablename__ = "progress_shares"
    __table_args__ = (
        tenant_fk("participant_id", "participants.id", ondelete="CASCADE"),
        Index("ix_progress_shares_tenant_participant", "tenant_id", "participant_id"),
        Index("ix_progress_shares_tenant_municipality", "tenant_id", "municipality_id"),
    )

    participant_id: Mapped[int]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    ground: Mapped[Ground] = mapped_column(_enum(Ground, "progress_ground"))
    #: the municipality's case or assignment reference, or where the signed form is kept
    reference: Mapped[str | None] = mapped_column(String(60))
    #: the parts shared: keys of services.PARTS
    scope: Mapped[list] = mapped_column(JSON, default=list)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    #: who ended it: "organisatie" or "deelnemer"
    ended_by: Mapped[str | None] = mapped_column(String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def active_on(self, day: date) -> bool:
        return (self.ended_on is None and self.starts_on <= day <= self.ends_on)


class MunicipalApiToken(Base):
    """A named bearer token of a municipality for the read-only municipal API
    (/api/v1/gemeente/<cbs_code>/…): it reads what the portal shows, nothing more. A platform
    table like the municipality's invitations (municipalities are no tenants); only the
    SHA-256 of the token is stored. It carries the role of the officer who made it; it works
    while that officer is still an officer of the municipality, until it expires (when it has
    an expiry) or is revoked."""

    __tablename__ = "municipal_api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[MunicipalRole] = mapped_column(_enum(MunicipalRole, "municipal_role"))
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    #: None: no expiry (until revoked)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
