"""Help requests and the participants planned on them."""
from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import Base, TenantScoped, tenant_fk, utcnow
from tenants.jobkinds import JobKind  # noqa: F401  (re-exported: the kinds live in the kernel)
from tenants.models import _enum


class RequestStatus(str, enum.Enum):
    #: nieuw (intake)
    NEW = "nieuw"
    #: ingepland
    PLANNED = "ingepland"
    #: uitgevoerd
    DONE = "uitgevoerd"
    #: gefactureerd
    INVOICED = "gefactureerd"
    #: afgewezen (with a reason the resident is told)
    DECLINED = "afgewezen"


class Source(str, enum.Enum):
    #: the public page
    WEBSITE = "website"
    #: by phone
    PHONE = "telefoon"
    #: at the counter
    COUNTER = "balie"
    #: from a partner (housing corporation, municipality)
    PARTNER = "partner"


class Payer(str, enum.Enum):
    #: de bewoner
    RESIDENT = "bewoner"
    #: de woningcorporatie
    HOUSING = "woningcorporatie"
    #: de gemeente
    MUNICIPALITY = "gemeente"
    #: niemand
    NOBODY = "niemand"


class PriceAgreement(str, enum.Enum):
    #: gratis
    FREE = "gratis"
    #: vaste prijs
    FIXED = "vaste_prijs"
    #: uurtarief
    HOURLY = "uurtarief"
    #: strippenkaart (prepaid punch card of a customer)
    PUNCH_CARD = "strippenkaart"


class HelpRequest(TenantScoped, Base):
    """A resident's small job."""

    __tablename__ = "help_requests"
    __table_args__ = (
        UniqueConstraint("tenant_id", "reference"),
        tenant_fk("neighbourhood_id", "neighbourhoods.id"),
        tenant_fk("customer_id", "customers.id"),
        Index("ix_help_requests_tenant_status", "tenant_id", "status"),
        Index("ix_help_requests_tenant_planned", "tenant_id", "planned_on"),
        # the staff list, newest first: a page is read in index order, not sorted
        Index("ix_help_requests_tenant_created", "tenant_id", "created_at", "id"),
        # The public form sent twice (a retry after a timeout) stores one request: see
        # tenants.idempotency.
        UniqueConstraint("tenant_id", "idempotency_key"),
    )

    reference: Mapped[str] = mapped_column(String(20))
    requester_name: Mapped[str] = mapped_column(String(120))
    street: Mapped[str | None] = mapped_column(String(150))
    postcode: Mapped[str | None] = mapped_column(String(7))
    city: Mapped[str | None] = mapped_column(String(80))
    neighbourhood_id: Mapped[int | None]
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    kind: Mapped[JobKind] = mapped_column(_enum(JobKind, "job_kind"))
    description: Mapped[str] = mapped_column(Text)
    preferred_dates: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[Source] = mapped_column(_enum(Source, "request_source"))
    partner_name: Mapped[str | None] = mapped_column(String(150))
    payer: Mapped[Payer] = mapped_column(_enum(Payer, "payer"), default=Payer.NOBODY)
    price_agreement: Mapped[PriceAgreement] = mapped_column(
        _enum(PriceAgreement, "price_agreement"), default=PriceAgreement.FREE)
    price_cents: Mapped[int | None]
    #: who is invoiced (blueprints.customers): set at intake or when invoicing
    customer_id: Mapped[int | None]
    needs_vog: Mapped[bool] = mapped_column(default=False)
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus, "request_status"),
                                                  default=RequestStatus.NEW)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    planned_on: Mapped[date | None] = mapped_column(Date)
    #: the time of day the job starts and how long it takes, set when planning (both optional)
    planned_at: Mapped[time | None] = mapped_column(Time)
    duration_minutes: Mapped[int | None] = mapped_column()
    planned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the key of the public form that made it (None for requests staff enter)
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    #: not stored: True on the request `receive_request` returns for a form sent again
    repeated = False


class Assignment(TenantScoped, Base):
    """A participant planned on a help request."""

    __tablename__ = "help_request_assignments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "help_request_id", "participant_id"),
        tenant_fk("help_request_id", "help_requests.id", ondelete="CASCADE"),
        tenant_fk("participant_id", "participants.id"),
    )

    help_request_id: Mapped[int]
    participant_id: Mapped[int]
    reason: Mapped[str | None] = mapped_column(String(300))  # why the planner chose them
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
