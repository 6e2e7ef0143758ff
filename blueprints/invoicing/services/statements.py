"""The customer statement: invoices, credit notes and payments over a period."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from blueprints.customers.models import Customer
from blueprints.invoicing.models import Invoice, InvoiceKind, InvoiceStatus, Payment
from blueprints.invoicing.services.drafts import _period


@dataclass(frozen=True)
class InvoiceRef:
    """What a statement row shows of its invoice: the number and the link."""

    id: int
    number_text: str | None


@dataclass(frozen=True)
class StatementRow:
    on: date
    kind: str  # "factuur", "creditnota", "betaling"
    invoice: InvoiceRef
    description: str
    amount_cents: int  # signed: what the customer owes more (+) or less (-)
    balance_cents: int


@dataclass(frozen=True)
class Statement:
    customer: Customer
    start: date
    end: date
    opening_cents: int
    rows: list[StatementRow]
    closing_cents: int


def customer_statement(session: Session, customer: Customer, start: date,
                       end: date) -> Statement:
    """Invoices, credit notes and payments of a customer in date order with the running
    balance, from the balance before `start` (three queries)."""
    start, end = _period(start, end)
    sign = case((Invoice.kind == InvoiceKind.CREDIT_NOTE, -Invoice.total_incl_cents),
                else_=Invoice.total_incl_cents)
    sent = and_(Invoice.customer_id == customer.id, Invoice.status != InvoiceStatus.DRAFT)
    invoiced_before = (select(func.coalesce(func.sum(sign), 0)).select_from(Invoice)
                       .where(sent, Invoice.issue_date < start).scalar_subquery())
    # the customer's invoices first (an index), then their payments by invoice (an index):
    # not every payment of the tenant before `start`
    of_customer = Payment.invoice_id.in_(select(Invoice.id).where(
        Invoice.customer_id == customer.id))
    paid_before = (select(func.coalesce(func.sum(Payment.amount_cents), 0))
                   .where(of_customer, Payment.paid_on < start).scalar_subquery())
    invoiced, paid = session.execute(select(invoiced_before, paid_before)).one()
    opening = int(invoiced or 0) - int(paid or 0)
    # Columns, not objects: a period of a busy customer has hundreds of rows, and an Invoice
    # object decodes its two JSON snapshots, which the statement never shows.
    items = []
    for on, kind, invoice_id, number, total in session.execute(
            select(Invoice.issue_date, Invoice.kind, Invoice.id, Invoice.number_text,
                   Invoice.total_incl_cents)
            .where(sent, Invoice.issue_date >= start, Invoice.issue_date <= end)):
        credit = kind == InvoiceKind.CREDIT_NOTE
        items.append((on, 1 if credit else 0, invoice_id,
                      "creditnota" if credit else "factuur", InvoiceRef(invoice_id, number),
                      -total if credit else total))
    for on, payment_id, amount, reference, invoice_id, number in session.execute(
            select(Payment.paid_on, Payment.id, Payment.amount_cents, Payment.reference,
                   Invoice.id, Invoice.number_text)
            .join(Invoice, and_(Invoice.tenant_id == Payment.tenant_id,
                                Invoice.id == Payment.invoice_id))
            .where(of_customer, Payment.paid_on >= start, Payment.paid_on <= end)):
        items.append((on, 2, payment_id, "betaling", InvoiceRef(invoice_id, number), -amount,
                      reference))
    items.sort(key=lambda item: item[:3])
    balance = opening
    rows = []
    for item in items:
        on, _order, _id, kind, invoice, amount = item[:6]
        balance += amount
        if kind == "betaling":
            reference = item[6]
            text = f"Betaling {invoice.number_text}" + (f" ({reference})" if reference else "")
        elif kind == "creditnota":
            text = f"Creditnota {invoice.number_text}"
        else:
            text = f"Factuur {invoice.number_text}"
        rows.append(StatementRow(on, kind, invoice, text, amount, balance))
    return Statement(customer, start, end, opening, rows, balance)
