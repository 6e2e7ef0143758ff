"""Stripe webhook events already applied, one row per event id and tenant."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import Base, TenantScoped, utcnow


class StripeEvent(TenantScoped, Base):
    """A Stripe event applied to this tenant. UNIQUE per event id: the row is written in the
    same transaction as the event's effect, so a second delivery of the same event (a retry,
    a parallel delivery) fails on the key and changes nothing."""

    __tablename__ = "stripe_events"
    __table_args__ = (UniqueConstraint("tenant_id", "event_id"),)

    event_id: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
