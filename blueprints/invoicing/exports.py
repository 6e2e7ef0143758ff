"""Invoices and payments of a year for the bookkeeper, as CSV or XLSX.

- Invoices: every numbered invoice and credit note issued in the year (drafts are not
  invoices), with the base and VAT per rate as the VAT return needs them. A credit note's
  amounts are negative: it lowers the turnover of the period it is issued in.
- Payments: every payment received in the year, with the invoice it paid: gross, the payment
  service's fee (Stripe, online payments) and net, and what was refunded since.
- Written by the kernel's writer (tenants.exports): CSV the way Dutch bookkeeping software
  and Dutch Excel read it (UTF-8 with a BOM, `;`, 1234,56 without thousands separator, dates
  as 22-11-2026, text guarded against formulas); XLSX with amounts as numbers in euros with two
  decimals, dates as dates, text always text. Amounts are `Money`, never text, so a negative
  amount stays a number.

Two queries per export, whatever the number of rows (the lines are summed per rate in SQL).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from blueprints.customers.models import Customer
from blueprints.invoicing import money
from blueprints.invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)
from tenants import audit
from tenants.actor import Actor
from tenants.exports import Money, csv_file, xlsx_file

FORMATS = ("csv", "xlsx")
KINDS = ("invoices", "payments")
FILE_STEM = {"invoices": "facturen", "payments": "betalingen"}

STATUS_TEXT = {
    InvoiceStatus.DRAFT: "concept",
    InvoiceStatus.SENT: "openstaand",
    InvoiceStatus.PARTLY_PAID: "deels betaald",
    InvoiceStatus.PAID: "betaald",
    InvoiceStatus.CREDITED: "gecrediteerd",
}
METHOD_TEXT = {
    PaymentMethod.BANK_TRANSFER: "overboeking",
    PaymentMethod.CASH: "contant",
    PaymentMethod.CARD: "pin",
    PaymentMethod.ONLINE: "online",
}
KIND_TEXT = {InvoiceKind.INVOICE: "factuur", InvoiceKind.CREDIT_NOTE: "creditnota"}


INVOICE_HEADERS = [
    "Nummer", "Soort", "Factuurdatum", "Vervaldatum", "Klant", "Crediteert",
    "Excl. btw", "Omzet 21%", "Btw 21%", "Omzet 9%", "Btw 9%", "Omzet 0%",
    "Omzet vrijgesteld", "Omzet KOR", "Omzet btw verlegd", "Omzet ICL", "Btw totaal", "Incl. btw", "Betaald", "Status",
]
#: "Bedrag" is gross; "Kosten" what the payment service kept (Stripe's fee, from its balance
#: transaction), "Netto" what reached the bank (gross - fee); "Terugbetaald" paid back since
PAYMENT_HEADERS = ["Datum", "Factuurnummer", "Klant", "Bedrag", "Betaalwijze", "Kenmerk",
                   "Kosten", "Netto", "Terugbetaald"]


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _customer_join(stmt):
    return stmt.outerjoin(Customer, and_(Customer.tenant_id == Invoice.tenant_id,
                                         Customer.id == Invoice.customer_id))


def _customer_name(invoice: Invoice, live_name: str | None) -> str:
    snapshot = invoice.customer_snapshot or {}
    return snapshot.get("name") or live_name or ""


def invoice_records(session: Session, year: int, today: date | None = None) -> list[list]:
    """One row per invoice and credit note issued in `year` (two queries)."""
    today = today or date.today()
    first, last = _year_bounds(year)
    original = aliased(Invoice, name="credited")
    rows = session.execute(_customer_join(
        select(Invoice, Customer.name, original.number_text)
        .outerjoin(original, and_(original.tenant_id == Invoice.tenant_id,
                                  original.id == Invoice.credits_invoice_id)))
        .where(Invoice.status != InvoiceStatus.DRAFT, Invoice.issue_date >= first,
               Invoice.issue_date <= last)
        .order_by(Invoice.issue_date, Invoice.series, Invoice.number, Invoice.id)).all()
    ids = [invoice.id for invoice, _name, _original in rows]
    bases: dict[int, list[tuple[int, money.VatRate]]] = {}
    if ids:
        for invoice_id, rate, net in session.execute(
                select(InvoiceLine.invoice_id, InvoiceLine.vat_rate,
                       func.sum(InvoiceLine.net_cents))
                .join(Invoice, and_(Invoice.tenant_id == InvoiceLine.tenant_id,
                                    Invoice.id == InvoiceLine.invoice_id))
                .where(Invoice.status != InvoiceStatus.DRAFT, Invoice.issue_date >= first,
                       Invoice.issue_date <= last)
                .group_by(InvoiceLine.invoice_id, InvoiceLine.vat_rate)):
            bases.setdefault(invoice_id, []).append((int(net or 0), money.VatRate(rate)))
    records = []
    for invoice, live_name, credited in rows:
        sign = -1 if invoice.kind == InvoiceKind.CREDIT_NOTE else 1
        totals = money.totals(bases.get(invoice.id, []), money.invoice_allowances(invoice))
        per = {t.rate: t for t in totals.per_rate}

        def base(rate, per=per, sign=sign):
            return Money(per[rate].base_cents * sign) if rate in per else Money(0)

        def vat(rate, per=per, sign=sign):
            return Money(per[rate].vat_cents * sign) if rate in per else Money(0)

        status = STATUS_TEXT.get(invoice.status, str(invoice.status))
        if (invoice.kind == InvoiceKind.INVOICE and invoice.due_date and invoice.due_date < today
                and invoice.status in (InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID)):
            status += ", vervallen"
        records.append([
            invoice.number_text or "", KIND_TEXT[invoice.kind], invoice.issue_date,
            invoice.due_date, _customer_name(invoice, live_name), credited or "",
            Money(totals.excl_cents * sign),
            base(money.VatRate.HIGH), vat(money.VatRate.HIGH),
            base(money.VatRate.LOW), vat(money.VatRate.LOW),
            base(money.VatRate.ZERO), base(money.VatRate.EXEMPT), base(money.VatRate.KOR),
            base(money.VatRate.REVERSE_CHARGE), base(money.VatRate.INTRA_COMMUNITY),
            Money(totals.vat_cents * sign), Money(totals.incl_cents * sign),
            Money(invoice.paid_cents * sign), status,
        ])
    return records


def payment_records(session: Session, year: int) -> list[list]:
    """One row per payment received in `year` (one query)."""
    first, last = _year_bounds(year)
    rows = session.execute(_customer_join(
        select(Payment, Invoice, Customer.name)
        .join(Invoice, and_(Invoice.tenant_id == Payment.tenant_id,
                            Invoice.id == Payment.invoice_id)))
        .where(Payment.paid_on >= first, Payment.paid_on <= last)
        .order_by(Payment.paid_on, Payment.created_at, Payment.id)).all()
    return [[payment.paid_on, invoice.number_text or "", _customer_name(invoice, live_name),
             Money(payment.amount_cents), METHOD_TEXT.get(payment.method, str(payment.method)),
             payment.reference or "", Money(payment.fee_cents or 0),
             Money(payment.amount_cents - (payment.fee_cents or 0)),
             Money(payment.refunded_cents or 0)]
            for payment, invoice, live_name in rows]


def export(session: Session, actor: Actor, what: str, fmt: str, year: int,
           today: date | None = None) -> tuple[bytes, str]:
    """(file bytes, file name) of the invoices or payments of `year`; recorded in the audit
    log. `what` is "invoices" or "payments", `fmt` "csv" or "xlsx" (ValueError otherwise)."""
    if what not in KINDS or fmt not in FORMATS:
        raise ValueError(f"unknown export {what!r} / {fmt!r}")
    if what == "invoices":
        headers, records = INVOICE_HEADERS, invoice_records(session, year, today)
    else:
        headers, records = PAYMENT_HEADERS, payment_records(session, year)
    stem = f"{FILE_STEM[what]}-{year}"
    body, _count = (xlsx_file(headers, records, stem) if fmt == "xlsx"
                    else csv_file(headers, records))
    audit.record(session, actor, f"{what}.exported", object_type="Invoice", format=fmt,
                 year=year, count=len(records))
    return body, f"{stem}.{fmt}"
