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

from tenants.db import Base, TenantScoped, new_id, tenant_fk, utcnow


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


class HoursPlaceDaily(TenantScoped, Base):
    """Approved minutes and entries per work date, hour type and place: the wijk (the help
    request's when the hours were for one, otherwise where the participant lives) and the host
    organisation of the trajectory, each as it is NOW — 0 for none (a unique key treats NULLs as
    distinct). The report's hours per wijk and host organisation and the hours drill-down's
    total and count read it. When a place changes (a participant moves, a help request's wijk
    or a trajectory's host organisation is changed) the minutes behind it move along in the same
    flush (blueprints.reports.subscribers: the session's flush events), so a place is always
    the current one, as the raw rows would say (summaries.counted)."""

    __tablename__ = "report_hours_places_daily"
    __table_args__ = (
        UniqueConstraint("tenant_id", "day", "hour_type", "wijk_id", "host_id",
                         name="uq_report_hours_places_daily"),  # the convention's is too long
    )

    day: Mapped[date] = mapped_column(Date)
    hour_type: Mapped[str] = mapped_column(String(30))
    #: the neighbourhood's id, 0 for none (no foreign key: 0 is no row)
    wijk_id: Mapped[int] = mapped_column(BigInteger, default=0)
    #: the host organisation's id, 0 for none (the cooperative itself)
    host_id: Mapped[int] = mapped_column(BigInteger, default=0)
    minutes: Mapped[int] = mapped_column(default=0)
    #: the number of approved entries (corrections included): the drill-down's count
    entries: Mapped[int] = mapped_column(default=0)


SUMMARIES = (HoursDaily, OutflowDaily, MoneyDaily, HoursMonthly, HoursPlaceDaily)


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
    #: the report template of the PDF (blueprints.reports.report_templates.TEMPLATES)
    template: Mapped[str] = mapped_column(String(20), default="standaard",
                                          server_default="standaard")
    last_start: Mapped[date | None] = mapped_column(Date)
    last_end: Mapped[date | None] = mapped_column(Date)
    last_sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def addresses(self) -> list[str]:
        return [line for line in self.recipients.splitlines() if line]


class OutflowFollowUp(TenantScoped, Base):
    """A follow-up of an outflow to work (a trajectory ended with paid employment or an own
    business): at +1, +6 or +12 months the coordinator records whether the person is still out
    of benefit and how that is known. One row per trajectory and checkpoint; a later answer for
    the same checkpoint replaces the earlier one (audited). The cooperative's registration,
    never a CBS figure (DOMAIN.md, reports)."""

    __tablename__ = "report_outflow_followups"
    __table_args__ = (
        tenant_fk("trajectory_id", "trajectories.id"),
        UniqueConstraint("tenant_id", "trajectory_id", "months"),
    )

    trajectory_id: Mapped[int]
    #: the checkpoint: 1, 6 or 12 months after the outflow date
    months: Mapped[int]
    checked_on: Mapped[date] = mapped_column(Date)
    still_off_benefit: Mapped[bool]
    #: how it is known: "gemeente" (the municipality's confirmation), "contract", "deelnemer"
    source: Mapped[str] = mapped_column(String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BenefitNorm(Base):
    """A bijstand norm (net a month incl. holiday pay) for one norm category, valid from a date
    until the next row of the same category. Platform data, the same for every tenant: norms
    are law (Pw art. 21-22a, the ministry's Normenbrief) and change on 1 January and 1 July,
    so they are rows with their source, never constants in code (DOMAIN.md)."""

    __tablename__ = "benefit_norms"
    __table_args__ = (UniqueConstraint("category", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    #: "gehuwden", "alleenstaand", "kostendeler_2", "jongere_18_20" (blueprints.reports.value)
    category: Mapped[str] = mapped_column(String(30))
    valid_from: Mapped[date] = mapped_column(Date)
    monthly_cents: Mapped[int]
    source: Mapped[str] = mapped_column(String(300))


class ValueAssumption(TenantScoped, Base):
    """A tenant's own value for one assumption of the value estimate (deadweight, hourly value
    of volunteer work, ...), within the platform's bounds (blueprints.reports.value.ASSUMPTIONS).
    Without a row the platform default applies. Every change is in the audit log."""

    __tablename__ = "report_value_assumptions"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    key: Mapped[str] = mapped_column(String(40))
    value: Mapped[int]
    #: why the cooperative chose this value (its source)
    source: Mapped[str] = mapped_column(String(300))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
