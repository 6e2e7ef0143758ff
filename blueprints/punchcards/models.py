"""Prepaid punch cards (strippenkaarten) of customers and the minutes taken from them.

The tables kept their names when the models moved here from customers (no migration).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import Base, TenantScoped, tenant_fk, utcnow


class PunchCard(TenantScoped, Base):
    """A prepaid punch card (strippenkaart): N hours bought by a customer, used by help requests.

    The balance is derived: minutes bought minus the minutes of its uses.
    """

    __tablename__ = "punch_cards"
    __table_args__ = (
        tenant_fk("customer_id", "customers.id"),
        tenant_fk("invoice_id", "invoices.id"),
    )

    customer_id: Mapped[int]
    minutes_bought: Mapped[int]
    price_cents: Mapped[int]
    bought_on: Mapped[date] = mapped_column(Date)
    #: the invoice that sold the card (None: sold outside Wijkwerk)
    invoice_id: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PunchCardUse(TenantScoped, Base):
    """Minutes taken from a punch card by a help request (never edited; a correction is a
    negative use)."""

    __tablename__ = "punch_card_uses"
    __table_args__ = (
        tenant_fk("punch_card_id", "punch_cards.id"),
        tenant_fk("help_request_id", "help_requests.id"),
    )

    punch_card_id: Mapped[int]
    help_request_id: Mapped[int | None]
    minutes: Mapped[int]
    used_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
