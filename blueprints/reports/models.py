"""Per-tenant, per-day summary tables for the reports.

Each row is one cell of a figure (a day and its dimensions) with its running total. They are
kept exact by the kernel's events inside the sender's transaction (blueprints.reports.
subscribers), never by a nightly batch; `blueprints.reports.summaries.recount` rebuilds them
from the raw rows, and the property test checks both always agree.

A day is the grain: any period (month, quarter, year, custom dates) is a range of days, and a
tenant has at most a few thousand rows per table for three years, so a report reads a small,
indexed range whatever the number of hours, trajectories or invoices behind it. Dimensions are
stored as the enum's value text: a summary outlives a renamed label.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import Base, TenantScoped


class HoursDaily(TenantScoped, Base):
    """Approved minutes per work date and hour type (corrections included, signed)."""

    __tablename__ = "report_hours_daily"
    __table_args__ = (UniqueConstraint("tenant_id", "day", "hour_type"),)

    day: Mapped[date] = mapped_column(Date)
    hour_type: Mapped[str] = mapped_column(String(30))
    minutes: Mapped[int] = mapped_column(default=0)


class OutflowDaily(TenantScoped, Base):
    """Trajectories ended per outcome date, trajectory kind and outcome (uitstroom)."""

    __tablename__ = "report_outflow_daily"
    __table_args__ = (UniqueConstraint("tenant_id", "day", "kind", "outcome"),)

    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(40))
    trajectories: Mapped[int] = mapped_column(default=0)


class MoneyDaily(TenantScoped, Base):
    """Per day: invoiced and credited (excl. VAT, by issue date) and received (by payment
    date, incl. VAT, as the money arrived)."""

    __tablename__ = "report_money_daily"
    __table_args__ = (UniqueConstraint("tenant_id", "day"),)

    day: Mapped[date] = mapped_column(Date)
    invoiced_cents: Mapped[int] = mapped_column(default=0)
    credited_cents: Mapped[int] = mapped_column(default=0)
    paid_cents: Mapped[int] = mapped_column(default=0)


SUMMARIES = (HoursDaily, OutflowDaily, MoneyDaily)
