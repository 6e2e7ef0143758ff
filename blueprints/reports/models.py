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

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import Base, TenantScoped, tenant_fk, utcnow


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


class HoursMonthly(TenantScoped, Base):
    """Approved minutes per month (its first day), hour type and participant: the number of
    distinct people behind an hours figure, which a municipality's protected tables need (a
    cell of hours worked by fewer than 5 people is suppressed). A month is the grain of the
    tables a municipality sees (tenants/aggregates.py); this table is read only by it."""

    __tablename__ = "report_hours_monthly"
    __table_args__ = (
        UniqueConstraint("tenant_id", "month", "hour_type", "participant_id"),
        tenant_fk("participant_id", "participants.id"),
    )

    month: Mapped[date] = mapped_column(Date)
    hour_type: Mapped[str] = mapped_column(String(30))
    participant_id: Mapped[int] = mapped_column(BigInteger)
    minutes: Mapped[int] = mapped_column(default=0)


SUMMARIES = (HoursDaily, OutflowDaily, MoneyDaily, HoursMonthly)


#: what a cooperative can share with its municipality: protected tables (tenants/aggregates.py)
SHARE_TEMPLATES = ("uren", "uitstroom")


class ReportShare(TenantScoped, Base):
    """A grant: the cooperative lets its municipality see one report template from a month on,
    until revoked. Rows are kept after revocation (both sides see the history); a new grant
    after a revocation is a new row. Read across tenants only through tenants/aggregates.py."""

    __tablename__ = "report_shares"

    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    template: Mapped[str] = mapped_column(String(30))
    #: the first day of the first month the municipality may see
    from_month: Mapped[date] = mapped_column(Date)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReportSchedule(TenantScoped, Base):
    """The scheduled report of a tenant (at most one): every month or quarter the PDF of the
    last complete period is mailed to the recipients, once per period. The last period sent is
    recorded here, in the same transaction that queues the mails (blueprints.reports.schedule).
    """

    __tablename__ = "report_schedules"
    __table_args__ = (UniqueConstraint("tenant_id"),)  # one schedule per tenant

    #: "maand" or "kwartaal" (blueprints.reports.periods.KINDS)
    frequency: Mapped[str] = mapped_column(String(20))
    #: the addresses, one a line, checked by tenants.emails
    recipients: Mapped[str] = mapped_column(Text)
    last_start: Mapped[date | None] = mapped_column(Date)
    last_end: Mapped[date | None] = mapped_column(Date)
    last_sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def addresses(self) -> list[str]:
        return [line for line in self.recipients.splitlines() if line]
