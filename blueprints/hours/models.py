"""Time entries and the allowance rules they are checked against."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import Base, TenantScoped, new_id, tenant_fk, utcnow
from tenants.models import _enum


class HourType(str, enum.Enum):
    #: work in the trajectory (incl. work on a help request)
    TRAJECTORY = "traject"
    #: volunteer work (a volunteer allowance may apply)
    VOLUNTEER = "vrijwilligerswerk"
    #: tegenprestatie / maatschappelijke participatie: not volunteer work, no allowance
    COUNTER_PERFORMANCE = "tegenprestatie"
    #: training, learning hours
    TRAINING = "scholing"


class EntryStatus(str, enum.Enum):
    #: submitted, waiting for approval
    SUBMITTED = "ingediend"
    #: approved: locked; a correction is a new entry
    APPROVED = "goedgekeurd"
    #: returned with a reason
    RETURNED = "teruggestuurd"


class TimeEntry(TenantScoped, Base):
    """Hours a participant worked on a date. Approved entries are never changed."""

    __tablename__ = "time_entries"
    __table_args__ = (
        tenant_fk("participant_id", "participants.id"),
        tenant_fk("trajectory_id", "trajectories.id"),
        tenant_fk("help_request_id", "help_requests.id"),
        tenant_fk("corrects_id", "time_entries.id"),
        Index("ix_time_entries_tenant_participant_date", "tenant_id", "participant_id",
              "work_date"),
        Index("ix_time_entries_tenant_status", "tenant_id", "status"),
        # the week grid and the weekly totals per trajectory (blueprints.hours.checks)
        Index("ix_time_entries_tenant_trajectory_date", "tenant_id", "trajectory_id",
              "work_date"),
        # the corrections of an entry
        Index("ix_time_entries_tenant_corrects", "tenant_id", "corrects_id"),
        # approved hours in a period: the report's drill-down (blueprints.reports)
        Index("ix_time_entries_tenant_status_date", "tenant_id", "status", "work_date"),
        # A form submitted twice (a retry after a timeout) stores one entry: see
        # tenants.idempotency.
        UniqueConstraint("tenant_id", "idempotency_key"),
    )

    participant_id: Mapped[int]
    trajectory_id: Mapped[int | None]
    help_request_id: Mapped[int | None]
    work_date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int]  # signed: a correction may subtract
    hour_type: Mapped[HourType] = mapped_column(_enum(HourType, "hour_type"))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[EntryStatus] = mapped_column(_enum(EntryStatus, "entry_status"),
                                                default=EntryStatus.SUBMITTED)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    return_reason: Mapped[str | None] = mapped_column(Text)
    corrects_id: Mapped[int | None]
    version: Mapped[int] = mapped_column(default=1)  # optimistic lock for concurrent review
    #: the key of the form that made it (None for the week grid, imports, corrections)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))

    __mapper_args__ = {"version_id_col": version}


class AllowanceRule(Base):
    """A legal amount with a valid-from date (DOMAIN.md: amounts change twice a year).

    E.g. the volunteer allowance cap: 22000 cents a month, 220000 a year from 2026-01-01.
    Stored as data, never as constants in code.
    """

    __tablename__ = "allowance_rules"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(40))  # volunteer_allowance
    valid_from: Mapped[date] = mapped_column(Date)
    monthly_cap_cents: Mapped[int | None]
    yearly_cap_cents: Mapped[int | None]
    source: Mapped[str | None] = mapped_column(String(200))
