"""Customers and their rates (punch cards: blueprints.punchcards)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import Base, TenantScoped, tenant_fk, utcnow
from tenants.models import _enum


class CustomerKind(str, enum.Enum):
    #: bewoner (a resident)
    RESIDENT = "bewoner"
    #: woningcorporatie
    HOUSING = "woningcorporatie"
    #: gemeente (public body: UBL e-invoice, OIN or KvK and a buyer reference)
    MUNICIPALITY = "gemeente"
    #: school
    SCHOOL = "school"
    #: winkel / ondernemer
    SHOP = "winkel"
    #: anders
    OTHER = "anders"


class EinvoiceProfile(str, enum.Enum):
    """The e-invoice profile a customer receives (one file cannot be both: their
    CustomizationIDs differ, and each validator rejects the other's)."""

    #: SI-UBL 2.0 (NLCIUS): Dutch public bodies
    NLCIUS = "si-ubl"
    #: Peppol BIS Billing 3.0: other receivers on the Peppol network
    PEPPOL = "peppol"

    @classmethod
    def default_for(cls, kind) -> "EinvoiceProfile":
        """A municipality (a Dutch public body) gets SI-UBL 2.0, everyone else Peppol."""
        return cls.NLCIUS if kind in (CustomerKind.MUNICIPALITY, CustomerKind.MUNICIPALITY.value) \
            else cls.PEPPOL


def _default_profile(context) -> str:
    """The profile of a customer inserted without one: by its kind."""
    return EinvoiceProfile.default_for(context.get_current_parameters().get("kind")).value


class Customer(TenantScoped, Base):
    """A debtor of the cooperative.

    Public customers (municipalities) are identified by OIN (scheme 0190) or KvK (0106) and
    usually require a buyer reference (inkoopordernummer) on every invoice (BR-NL-2, BR-NL-10).
    """

    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_tenant_name", "tenant_id", "name"),
    )

    kind: Mapped[CustomerKind] = mapped_column(_enum(CustomerKind, "customer_kind"))
    name: Mapped[str] = mapped_column(String(150))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    street: Mapped[str | None] = mapped_column(String(150))
    postcode: Mapped[str | None] = mapped_column(String(7))
    city: Mapped[str | None] = mapped_column(String(80))
    country_code: Mapped[str] = mapped_column(String(2), default="NL")
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    oin: Mapped[str | None] = mapped_column(String(20))
    vat_id: Mapped[str | None] = mapped_column(String(20))
    #: the reference a public buyer requires on each invoice (BuyerReference, BT-10)
    buyer_reference: Mapped[str | None] = mapped_column(String(100))
    #: default hourly rate in cents (None: the tenant's default applies)
    hourly_rate_cents: Mapped[int | None]
    #: default VAT rate code for this customer's lines (see tenants.vat.VatRate)
    default_vat_rate: Mapped[str | None] = mapped_column(String(12))
    #: payment term in days (None: the tenant's term)
    payment_term_days: Mapped[int | None]
    #: send invoices as UBL e-invoice too (public customers)
    wants_ubl: Mapped[bool] = mapped_column(default=False)
    #: EinvoiceProfile value: which profile the UBL follows
    einvoice_profile: Mapped[str] = mapped_column(String(10), default=_default_profile,
                                                  server_default=EinvoiceProfile.PEPPOL.value)
    notes: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerRate(TenantScoped, Base):
    """A per-customer price: per hour for a kind of job (help request kind), or a named item."""

    __tablename__ = "customer_rates"
    __table_args__ = (
        tenant_fk("customer_id", "customers.id", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "customer_id", "description"),
    )

    customer_id: Mapped[int]
    #: what the rate is for, e.g. "tuin" (a JobKind value) or "Schoonmaak portiek"
    description: Mapped[str] = mapped_column(String(150))
    unit: Mapped[str] = mapped_column(String(20), default="uur")
    price_cents: Mapped[int]
    vat_rate: Mapped[str | None] = mapped_column(String(12))
