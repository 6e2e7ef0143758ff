"""Finance settings, invoices and credit notes, their lines and hours, payments, reminders."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import Base, TenantScoped, tenant_fk, utcnow
from tenants.models import _enum


class Recognition(str, enum.Enum):
    #: SBB erkend leerbedrijf (with an SBB number)
    SBB = "sbb"
    #: a quality mark such as Blik op Werk
    QUALITY_MARK = "keurmerk"
    #: a municipal contract
    MUNICIPAL_CONTRACT = "gemeentelijk_contract"
    #: none
    NONE = "geen"


class VatRegime(str, enum.Enum):
    #: normal: VAT per line (21 / 9 / 0 / vrijgesteld)
    NORMAL = "normaal"
    #: kleineondernemersregeling: no VAT charged, the KOR mention printed
    KOR = "kor"


class FinanceSettings(TenantScoped, Base):
    """What a tenant's invoices say about the supplier (one row per tenant)."""

    __tablename__ = "finance_settings"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_finance_settings_tenant"),)

    legal_name: Mapped[str] = mapped_column(String(150))
    street: Mapped[str | None] = mapped_column(String(150))
    postcode: Mapped[str | None] = mapped_column(String(7))
    city: Mapped[str | None] = mapped_column(String(80))
    country_code: Mapped[str] = mapped_column(String(2), default="NL")
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    vat_id: Mapped[str | None] = mapped_column(String(20))
    #: omzetbelastingnummer: the tax registration an e-invoice carries when there is no VAT id
    #: (KOR), EN 16931 BT-32
    tax_number: Mapped[str | None] = mapped_column(String(20))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    recognition: Mapped[Recognition] = mapped_column(_enum(Recognition, "recognition"),
                                                     default=Recognition.NONE)
    recognition_reference: Mapped[str | None] = mapped_column(String(100))
    vat_regime: Mapped[VatRegime] = mapped_column(_enum(VatRegime, "vat_regime"),
                                                  default=VatRegime.NORMAL)
    #: the VAT rate code new lines get (invoicing.money.VatRate)
    default_vat_rate: Mapped[str] = mapped_column(String(12), default="21")
    #: default hourly rate in cents for hours and help requests
    hourly_rate_cents: Mapped[int] = mapped_column(default=2500)
    #: number series: prefix of invoice numbers and of credit-note numbers (own series)
    invoice_prefix: Mapped[str] = mapped_column(String(10), default="F")
    credit_prefix: Mapped[str] = mapped_column(String(10), default="C")
    payment_term_days: Mapped[int] = mapped_column(default=30)
    #: stored file name of the logo (tenants.storage), PNG or JPEG
    logo_file: Mapped[str | None] = mapped_column(String(200))
    footer_text: Mapped[str | None] = mapped_column(String(300))
    #: the cooperative's own Stripe account (Connect, Standard; blueprints.onlinepay) and
    #: whether Stripe lets it take payments yet
    stripe_account_id: Mapped[str | None] = mapped_column(String(40))
    stripe_charges_enabled: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class InvoiceKind(str, enum.Enum):
    #: factuur (UBL type code 380)
    INVOICE = "factuur"
    #: creditnota (UBL CreditNote, type code 381)
    CREDIT_NOTE = "creditnota"


class InvoiceStatus(str, enum.Enum):
    #: concept: editable, no number yet
    DRAFT = "concept"
    #: definitief ("Definitief"; stored as "verzonden"): numbered, never changed again;
    #: whether it was e-mailed is `Invoice.delivery_status`
    SENT = "verzonden"
    #: deels betaald
    PARTLY_PAID = "deels_betaald"
    #: betaald (or settled by credit notes)
    PAID = "betaald"
    #: volledig gecrediteerd
    CREDITED = "gecrediteerd"


class DeliveryStatus(str, enum.Enum):
    """How a finalised invoice reached the customer by e-mail (None: handed over otherwise)."""

    #: in de wachtrij: the mail is queued, SMTP has not answered yet
    QUEUED = "wachtrij"
    #: verzonden: the mail server accepted the mail
    SENT = "verzonden"
    #: mislukt: given up after the last retry
    FAILED = "mislukt"


class Invoice(TenantScoped, Base):
    """An invoice or credit note. From `sent` on, only payments and credit notes follow.

    The number is drawn at finalisation from a per-tenant counter per series and year
    (tenants.counters) in the same transaction: consecutive, no gaps, unique.
    Customer and supplier details are copied at finalisation (`*_snapshot`), so a later
    address change does not change a sent invoice.
    """

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "series", "year", "number"),
        tenant_fk("customer_id", "customers.id"),
        tenant_fk("credits_invoice_id", "invoices.id"),
        # the invoice list: its order and sums read from this index alone (and by status)
        Index("ix_invoices_tenant_list", "tenant_id", "status", "issue_date", "id", "kind",
              "total_incl_cents", "credited_cents", "paid_cents"),
        # a customer's invoices by date: the statement's opening balance and its period
        Index("ix_invoices_tenant_customer_date", "tenant_id", "customer_id", "issue_date", "id",
              "kind", "status", "total_incl_cents"),
        Index("ix_invoices_tenant_issue_date", "tenant_id", "issue_date"),
        Index("ix_invoices_tenant_credits", "tenant_id", "credits_invoice_id"),
    )

    kind: Mapped[InvoiceKind] = mapped_column(_enum(InvoiceKind, "invoice_kind"),
                                              default=InvoiceKind.INVOICE)
    status: Mapped[InvoiceStatus] = mapped_column(_enum(InvoiceStatus, "invoice_status"),
                                                  default=InvoiceStatus.DRAFT)
    customer_id: Mapped[int]
    #: series prefix (FinanceSettings.invoice_prefix / credit_prefix) and year of the number
    series: Mapped[str | None] = mapped_column(String(10))
    year: Mapped[int | None]
    number: Mapped[int | None]
    #: the printed number, e.g. "F2026-00042"
    number_text: Mapped[str | None] = mapped_column(String(30))
    issue_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    buyer_reference: Mapped[str | None] = mapped_column(String(100))
    order_reference: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    #: credit notes: the invoice credited (BR-NL-9 / BG-3)
    credits_invoice_id: Mapped[int | None]
    #: totals, kept up to date for drafts and frozen at finalisation
    total_excl_cents: Mapped[int] = mapped_column(default=0)
    total_vat_cents: Mapped[int] = mapped_column(default=0)
    total_incl_cents: Mapped[int] = mapped_column(default=0)
    #: sum of registered payments (cents), kept with each payment under a row lock
    paid_cents: Mapped[int] = mapped_column(default=0)
    #: sum of credit notes on this invoice (cents incl. VAT)
    credited_cents: Mapped[int] = mapped_column(default=0)
    #: a discount on the whole invoice (document-level allowance, BG-20), in cents, at one VAT
    #: rate (allowance_vat_rate, a VatRate value); total_excl_cents is after it
    allowance_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    allowance_reason: Mapped[str | None] = mapped_column(String(100))
    allowance_vat_rate: Mapped[str | None] = mapped_column(String(12))
    customer_snapshot: Mapped[dict | None] = mapped_column(JSON)
    supplier_snapshot: Mapped[dict | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None]
    #: the e-mail to the customer (None: made final without sending, handed over otherwise)
    delivery_status: Mapped[DeliveryStatus | None] = mapped_column(
        _enum(DeliveryStatus, "delivery_status"))
    #: the address of the last mail queued, and when the mail server accepted it
    delivered_to: Mapped[str | None] = mapped_column(String(254))
    delivered_at: Mapped[datetime | None]
    #: why the last mail was given up (the mail server's answer)
    delivery_error: Mapped[str | None] = mapped_column(String(300))
    #: a customer disputed an online payment of this invoice with their bank (Stripe):
    #: "open" while it runs, "gewonnen" or "verloren" when Stripe closed it; None: never
    dispute_status: Mapped[str | None] = mapped_column(String(20))
    disputed_at: Mapped[datetime | None]


class LineUnit(str, enum.Enum):
    #: uur
    HOUR = "uur"
    #: stuk
    PIECE = "stuk"
    #: maand
    MONTH = "maand"
    #: plaatsing
    PLACEMENT = "plaatsing"
    #: traject (e.g. an outcome fee)
    TRAJECTORY = "traject"
    #: strippenkaart
    PUNCH_CARD = "strippenkaart"

    @property
    def ubl_code(self) -> str:
        """UN/ECE Recommendation 20 unit code."""
        return {"uur": "HUR", "maand": "MON"}.get(self.value, "C62")


class LineSource(str, enum.Enum):
    #: approved hours
    HOURS = "uren"
    #: a done help request at a fixed price
    HELP_REQUEST = "hulpvraag"
    #: a fixed item typed by hand
    FIXED = "vast"
    #: a trajectory fee for a municipality (per participant per month, placement, outcome)
    TRAJECTORY_FEE = "trajectvergoeding"
    #: a punch card sold
    PUNCH_CARD = "strippenkaart"
    #: a line of a credit note
    CREDIT = "credit"


class InvoiceLine(TenantScoped, Base):
    """One line: quantity × unit price at a VAT rate. Amounts in cents."""

    __tablename__ = "invoice_lines"
    __table_args__ = (
        tenant_fk("invoice_id", "invoices.id", ondelete="CASCADE"),
        tenant_fk("help_request_id", "help_requests.id"),
        tenant_fk("participant_id", "participants.id"),
        tenant_fk("trajectory_id", "trajectories.id"),
        tenant_fk("credits_line_id", "invoice_lines.id"),
        Index("ix_invoice_lines_tenant_invoice", "tenant_id", "invoice_id"),
    )

    invoice_id: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)
    source: Mapped[LineSource] = mapped_column(_enum(LineSource, "line_source"),
                                               default=LineSource.FIXED)
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    unit: Mapped[LineUnit] = mapped_column(_enum(LineUnit, "line_unit"), default=LineUnit.PIECE)
    unit_price_cents: Mapped[int]
    #: invoicing.money.VatRate value
    vat_rate: Mapped[str] = mapped_column(String(12))
    #: a discount on this line (line allowance, BG-27), in cents
    allowance_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    allowance_reason: Mapped[str | None] = mapped_column(String(100))
    #: quantity × unit price, rounded, minus the allowance (invoicing.money.line_total_cents)
    net_cents: Mapped[int]
    #: the last day of the supply (for hours: the last day worked)
    supply_date: Mapped[date | None] = mapped_column(Date)
    #: for hours: the first day worked (the line shows the period period_start – supply_date)
    period_start: Mapped[date | None] = mapped_column(Date)
    help_request_id: Mapped[int | None]
    #: whose work this line is: the training-budget allocation follows it
    participant_id: Mapped[int | None]
    trajectory_id: Mapped[int | None]
    #: minutes of approved hours behind this line (allocation per hour)
    minutes: Mapped[int | None]
    #: credit-note lines: the line credited
    credits_line_id: Mapped[int | None]


class InvoiceHour(TenantScoped, Base):
    """An approved time entry billed on a line. UNIQUE per entry: hours are invoiced once."""

    __tablename__ = "invoice_hours"
    __table_args__ = (
        UniqueConstraint("tenant_id", "time_entry_id"),
        tenant_fk("invoice_id", "invoices.id", ondelete="CASCADE"),
        tenant_fk("line_id", "invoice_lines.id", ondelete="CASCADE"),
        tenant_fk("time_entry_id", "time_entries.id"),
    )

    invoice_id: Mapped[int]
    line_id: Mapped[int]
    time_entry_id: Mapped[int]
    minutes: Mapped[int]


class PaymentMethod(str, enum.Enum):
    #: bankoverschrijving
    BANK_TRANSFER = "overboeking"
    #: contant
    CASH = "contant"
    #: pin
    CARD = "pin"
    #: online (Stripe)
    ONLINE = "online"


class Payment(TenantScoped, Base):
    """Money received on an invoice. Registered once per idempotency key (a replayed form or
    import line credits once)."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        tenant_fk("invoice_id", "invoices.id"),
        Index("ix_payments_tenant_paid_on", "tenant_id", "paid_on"),
        # an invoice's payments; with the date and amount, a customer's payments before a
        # date are summed from this index alone (the customer statement's opening balance)
        Index("ix_payments_tenant_invoice_date", "tenant_id", "invoice_id", "paid_on",
              "amount_cents"),
    )

    invoice_id: Mapped[int]
    paid_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int]
    method: Mapped[PaymentMethod] = mapped_column(_enum(PaymentMethod, "payment_method"))
    reference: Mapped[str | None] = mapped_column(String(140))
    idempotency_key: Mapped[str] = mapped_column(String(80))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: paid back to the payer so far (a refund through Stripe), at most amount_cents; the
    #: invoice's paid_cents already excludes it
    refunded_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    #: what the payment service kept (Stripe's fee from the balance transaction); None: unknown
    #: or no fee (a bank transfer)
    fee_cents: Mapped[int | None]


class Reminder(TenantScoped, Base):
    """A payment reminder sent for an overdue invoice."""

    __tablename__ = "invoice_reminders"
    __table_args__ = (
        tenant_fk("invoice_id", "invoices.id"),
        Index("ix_invoice_reminders_tenant_invoice", "tenant_id", "invoice_id"),
    )

    invoice_id: Mapped[int]
    level: Mapped[int] = mapped_column(default=1)
    sent_to: Mapped[str | None] = mapped_column(String(254))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
