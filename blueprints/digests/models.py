"""What a person chose to receive, and what the digest already told them.

Both tenant-owned (RLS): a person who works for two cooperatives chooses per cooperative, and
an item of one cooperative is never read in the other's digest."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import Base, TenantScoped, utcnow


class DigestChoice(TenantScoped, Base):
    """A person's choice for one kind of the digest; without a row the kind's default holds
    (on for staff kinds, off for the participant's own)."""

    __tablename__ = "digest_choices"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "kind"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DigestSentItem(TenantScoped, Base):
    """One item a person's digest mentioned: the unique key keeps it from a second mention
    (a late evaluation is another item than the same evaluation due: its key says which)."""

    __tablename__ = "digest_sent_items"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "kind", "item"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    item: Mapped[str] = mapped_column(String(80))
    sent_on: Mapped[date] = mapped_column(Date)
