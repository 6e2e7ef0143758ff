"""Stripe Billing events already applied: one row per event id (a platform table, like
`tenants`: the subscription is the platform's business with the tenant, not the tenant's data)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import Base, new_id, utcnow


class BillingEvent(Base):
    """A Stripe event of the platform account about a subscription. UNIQUE per event id and
    written in the same transaction as the event's effect: a second or parallel delivery
    fails on the key and changes nothing."""

    __tablename__ = "billing_events"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    event_id: Mapped[str] = mapped_column(String(80), unique=True)
    type: Mapped[str] = mapped_column(String(80))
    #: the Stripe customer it was about (the tenant is found by it)
    customer: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
