"""What an invoice document shows, read once for the PDF (pdf.py) and the e-invoice (ubl.py).

A sent invoice or credit note is shown from what was frozen when it was sent: the supplier and
customer snapshots (snapshots.py), its lines and its number. A draft is shown with the live
settings and customer, so the admin sees what sending it would produce. Totals are computed
from the lines by money.totals(), the one place where amounts are calculated; the lines of a
sent invoice never change, so these are the totals it was sent with.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from blueprints.customers.models import Customer
from blueprints.helprequests.models import HelpRequest
from blueprints.hours.models import TimeEntry
from blueprints.invoicing import money
from blueprints.invoicing.models import (
    Invoice,
    InvoiceHour,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineUnit,
)
from blueprints.invoicing.snapshots import customer_snapshot, supplier_snapshot
from blueprints.participants.models import Participant
from tenants.errors import NotFound


@dataclass(frozen=True)
class LineView:
    position: int
    description: str
    quantity: Decimal
    unit: LineUnit
    unit_price_cents: int
    vat_rate: money.VatRate
    net_cents: int
    supply_date: date | None
    #: hours lines: the first day worked (the line covers period_start – supply_date)
    period_start: date | None = None
    #: the line's discount (line allowance) and why
    allowance_cents: int = 0
    allowance_reason: str | None = None

    @property
    def gross_cents(self) -> int:
        """Quantity × price before the discount."""
        return self.net_cents + self.allowance_cents


@dataclass(frozen=True)
class HourView:
    """One billed entry in the hours specification: who, which day, on which job, how long."""

    participant: str  #: first name and the initial of the last name
    work_date: date
    job: str  #: "hulpvraag 2026-0012", or "traject" for work without a job
    minutes: int


@dataclass(frozen=True)
class InvoiceDocument:
    """Everything an invoice document shows, as plain values (amounts positive, in cents)."""

    invoice_id: int
    kind: InvoiceKind
    draft: bool
    number_text: str | None
    issue_date: date | None
    due_date: date | None
    period_start: date | None
    period_end: date | None
    buyer_reference: str | None
    order_reference: str | None
    note: str | None
    supplier: dict
    customer: dict
    lines: tuple[LineView, ...]
    totals: money.Totals
    #: credit notes: the invoice credited
    credited_number: str | None
    credited_issue_date: date | None
    #: the logo's stored key (tenants.storage), if the supplier had one
    logo_file: str | None
    #: the hours specification: the billed entries per participant, per date, per job
    hours: tuple[HourView, ...] = ()
    #: the discount on the whole invoice (amount in totals.allowance_cents), why, at which rate
    allowance_reason: str | None = None
    allowance_rate: money.VatRate | None = None

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def kor(self) -> bool:
        return self.supplier.get("vat_regime") == "kor"

    @property
    def supply_dates(self) -> tuple[date, ...]:
        return tuple(sorted({line.supply_date for line in self.lines if line.supply_date}))

    @property
    def payment_term_days(self) -> int | None:
        if self.issue_date and self.due_date:
            return (self.due_date - self.issue_date).days
        return None


def _live_customer(session: Session, invoice: Invoice) -> dict:
    customer = session.scalar(select(Customer).where(Customer.id == invoice.customer_id))
    if customer is None:
        raise NotFound()
    return customer_snapshot(customer)


def _live_supplier(session: Session) -> dict:
    from blueprints.invoicing.settings import current_settings

    return supplier_snapshot(current_settings(session))


def by_job(rows):
    """Lines grouped by job in the order the jobs first appear, lines without a job last — the
    order the invoice page shows them in."""
    first: dict = {}
    for index, row in enumerate(rows):
        first.setdefault(row.help_request_id, index)
    return sorted(rows, key=lambda row: (row.help_request_id is None,
                                         first[row.help_request_id], row.position, row.id))


def invoice_document(session: Session, invoice: Invoice) -> InvoiceDocument:
    """Read what `invoice` shows (four or five scoped queries; the tenant must be set)."""
    draft = invoice.status == InvoiceStatus.DRAFT
    supplier = (None if draft else invoice.supplier_snapshot) or _live_supplier(session)
    customer = (None if draft else invoice.customer_snapshot) or _live_customer(session, invoice)
    rows = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                           .order_by(InvoiceLine.position, InvoiceLine.id)).all()
    rows = by_job(rows)
    lines = tuple(LineView(
        position=index, description=row.description, quantity=money.quantity(row.quantity),
        unit=LineUnit(row.unit), unit_price_cents=int(row.unit_price_cents),
        vat_rate=money.VatRate(row.vat_rate), net_cents=int(row.net_cents),
        supply_date=row.supply_date, period_start=row.period_start,
        allowance_cents=int(row.allowance_cents or 0),
        allowance_reason=row.allowance_reason) for index, row in enumerate(rows, start=1))
    credited_number = credited_date = None
    buyer_reference, order_reference = invoice.buyer_reference, invoice.order_reference
    if invoice.kind == InvoiceKind.CREDIT_NOTE and invoice.credits_invoice_id is not None:
        original = session.scalar(select(Invoice).where(Invoice.id == invoice.credits_invoice_id))
        if original is not None:
            credited_number, credited_date = original.number_text, original.issue_date
            # The buyer routes a credit note by the reference of the invoice it corrects.
            buyer_reference = buyer_reference or original.buyer_reference
            order_reference = order_reference or original.order_reference
    return InvoiceDocument(
        invoice_id=invoice.id, kind=InvoiceKind(invoice.kind), draft=draft,
        number_text=None if draft else invoice.number_text,
        issue_date=invoice.issue_date, due_date=invoice.due_date,
        period_start=invoice.period_start, period_end=invoice.period_end,
        buyer_reference=buyer_reference, order_reference=order_reference, note=invoice.note,
        supplier=dict(supplier), customer=dict(customer), lines=lines,
        totals=money.totals(((line.net_cents, line.vat_rate) for line in lines),
                            money.invoice_allowances(invoice)),
        credited_number=credited_number, credited_issue_date=credited_date,
        logo_file=supplier.get("logo_file"), hours=hours_specification(session, invoice),
        allowance_reason=invoice.allowance_reason,
        allowance_rate=money.VatRate(invoice.allowance_vat_rate)
        if invoice.allowance_cents and invoice.allowance_vat_rate else None)



def _short_name(first: str, last: str) -> str:
    """"Jan A." for Jan Amrani: enough for the customer to tell who worked, no more."""
    words = [w for w in (last or "").split() if w[:1].isupper()] or (last or "").split()
    initial = f" {words[-1][0]}." if words else ""
    return f"{first}{initial}".strip()


def hours_specification(session: Session, invoice: Invoice) -> tuple[HourView, ...]:
    """The entries billed on `invoice`, per participant, per date, per job (one query). The
    entries are approved, so they never change: a sent invoice shows what it billed."""
    rows = session.execute(
        select(Participant.first_name, Participant.last_name, TimeEntry.work_date,
               HelpRequest.reference, InvoiceHour.minutes)
        .select_from(InvoiceHour)
        .join(TimeEntry, and_(TimeEntry.tenant_id == InvoiceHour.tenant_id,
                              TimeEntry.id == InvoiceHour.time_entry_id))
        .join(Participant, and_(Participant.tenant_id == TimeEntry.tenant_id,
                                Participant.id == TimeEntry.participant_id))
        .outerjoin(HelpRequest, and_(HelpRequest.tenant_id == TimeEntry.tenant_id,
                                     HelpRequest.id == TimeEntry.help_request_id))
        .where(InvoiceHour.invoice_id == invoice.id)
        .order_by(Participant.sort_name, Participant.first_name, Participant.id,
                  TimeEntry.work_date, HelpRequest.reference, TimeEntry.id)).all()
    return tuple(HourView(participant=_short_name(first, last), work_date=day,
                          job=f"hulpvraag {reference}" if reference else "traject",
                          minutes=int(minutes))
                 for first, last, day, reference, minutes in rows)


def read_logo(session: Session, doc: InvoiceDocument, storage_root: Path | None) -> bytes | None:
    """The logo the document shows, or None (no logo, or its file is gone)."""
    if not doc.logo_file or storage_root is None:
        return None
    from blueprints.invoicing.settings import logo_bytes

    try:
        return logo_bytes(session, storage_root, doc.logo_file)
    except NotFound:
        return None
