"""Overdue invoices and reminders (by e-mail or posted)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from blueprints.customers.identifiers import format_iban
from blueprints.customers.models import Customer
from blueprints.invoicing.models import Invoice, InvoiceKind, Reminder
from blueprints.invoicing.pdf import file_name as pdf_file_name
from blueprints.invoicing.pdf import render_invoice_pdf
from blueprints.invoicing.services.rules import (
    OPEN,
    _customer_of,
    _locked,
    current_settings,
    open_cents,
)
from blueprints.invoicing.snapshots import supplier_snapshot
from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.formatting import format_date, format_money
from tenants.mail import send_mail


#: Overdue invoices per page (each row is about 1.2 KB of HTML with its reminder buttons).
OVERDUE_PAGE_SIZE = 25


@dataclass(frozen=True)
class OverdueRow:
    invoice: Invoice
    customer_name: str
    customer_email: str | None
    days: int
    open_cents: int
    reminders: int
    last_reminder_at: object


@dataclass(frozen=True)
class OverdueList:
    """One page of overdue invoices with the count and the open sum of all of them."""

    rows: list[OverdueRow]
    total: int
    open_total_cents: int


def _overdue_where(today: date):
    return (Invoice.kind == InvoiceKind.INVOICE, Invoice.status.in_(OPEN),
            Invoice.due_date < today,
            Invoice.total_incl_cents - Invoice.credited_cents - Invoice.paid_cents > 0)


def _overdue_rows(session: Session, today: date, limit: int | None = None,
                  offset: int = 0) -> list[OverdueRow]:
    """Oldest due first, with the reminders sent so far (one query: the highest level and the
    last reminder are subqueries per invoice)."""
    sent = select(Reminder).select_from(Reminder).where(Reminder.invoice_id == Invoice.id) \
        .correlate(Invoice)
    level = sent.with_only_columns(func.max(Reminder.level)).scalar_subquery()
    last = sent.with_only_columns(func.max(Reminder.sent_at)).scalar_subquery()
    found = session.execute(
        select(Invoice, Customer.name, Customer.email, level, last)
        .join(Customer, and_(Customer.tenant_id == Invoice.tenant_id,
                             Customer.id == Invoice.customer_id))
        .where(*_overdue_where(today))
        .order_by(Invoice.due_date, Invoice.number_text, Invoice.id)
        .limit(limit).offset(offset)).all()
    return [OverdueRow(i, name, email, (today - i.due_date).days, open_cents(i),
                       level or 0, last_at)
            for i, name, email, level, last_at in found]


def overdue(session: Session, today: date | None = None) -> list[OverdueRow]:
    """Sent or partly paid invoices past their due date on which something is still open,
    oldest due first, with the days overdue, the open amount and the reminders sent so far.
    All of them (one query); a page shows `overdue_page`."""
    return _overdue_rows(session, today or date.today())


def overdue_page(session: Session, today: date | None = None, page: int = 1,
                 per_page: int = OVERDUE_PAGE_SIZE) -> OverdueList:
    """One page of `overdue`, with the number and open sum of all overdue invoices (two
    queries, however many are overdue). A page past the last shows the last."""
    today = today or date.today()
    count, open_total = session.execute(
        select(func.count(Invoice.id),
               func.coalesce(func.sum(Invoice.total_incl_cents - Invoice.credited_cents
                                      - Invoice.paid_cents), 0))
        .where(*_overdue_where(today))).one()
    pages = max(1, -(-int(count or 0) // per_page))
    page = min(max(1, page), pages)
    return OverdueList(_overdue_rows(session, today, per_page, (page - 1) * per_page),
                       int(count or 0), int(open_total or 0))


def reminder_level(session: Session, invoice: Invoice) -> int:
    return session.scalar(select(func.max(Reminder.level))
                          .where(Reminder.invoice_id == invoice.id)) or 0


def reminder_context(session: Session, invoice: Invoice, today: date | None = None) -> dict:
    """What a reminder (e-mail or letter) says: Dutch, from the frozen invoice details."""
    today = today or date.today()
    settings = current_settings(session)
    supplier = invoice.supplier_snapshot or supplier_snapshot(settings)
    customer = invoice.customer_snapshot or {}

    iban = supplier.get("iban") or settings.iban
    return {
        "invoice": invoice, "number": invoice.number_text,
        "issue_date": format_date(invoice.issue_date), "due_date": format_date(invoice.due_date),
        "open_amount": format_money(open_cents(invoice)),
        "days": (today - invoice.due_date).days if invoice.due_date else 0,
        "iban": format_iban(iban) if iban else "", "supplier": supplier, "customer": customer,
        "supplier_name": supplier.get("legal_name") or settings.legal_name,
        "customer_name": customer.get("name") or "", "contact_name": customer.get("contact_name"),
        "level": reminder_level(session, invoice) + 1, "today": format_date(today),
    }


def is_overdue(invoice: Invoice, today: date) -> bool:
    return invoice.kind == InvoiceKind.INVOICE and invoice.status in OPEN \
        and invoice.due_date is not None and invoice.due_date < today and open_cents(invoice) > 0


def _must_be_overdue(invoice: Invoice, today: date) -> None:
    if not is_overdue(invoice, today):
        raise DomainError(_l("Factuur %(number)s is niet achterstallig: een herinnering is niet "
                             "nodig.", number=invoice.number_text or ""))


def send_reminder(session: Session, actor: Actor, invoice: Invoice,
                  today: date | None = None) -> Reminder:
    """E-mail a payment reminder to the customer, the invoice's PDF attached, and record it
    (level = previous + 1); the mail is queued when the reminder is committed.
    Refused when the invoice is not overdue, or the customer has no e-mail address (then the
    printable reminder letter is the way)."""

    today = today or date.today()
    invoice = _locked(session, invoice)
    _must_be_overdue(invoice, today)
    customer = _customer_of(session, invoice)
    if not customer.email:
        raise DomainError(_l("%(name)s heeft geen e-mailadres. Druk de herinneringsbrief af en "
                             "stuur die per post.", name=customer.name))
    with force_locale("nl"):
        context = reminder_context(session, invoice, today)
        reminder = Reminder(invoice_id=invoice.id, level=context["level"], sent_to=customer.email,
                            sent_by_id=actor.user_id)
        session.add(reminder)
        session.flush()
        subject = str(_l("Herinnering: factuur %(number)s", number=invoice.number_text))
        try:
            pdf = (pdf_file_name(invoice), render_invoice_pdf(session, invoice),
                   "application/pdf")
            send_mail(customer.email, subject, "invoice_reminder", attachments=[pdf],
                      from_name=context["supplier_name"],
                      reply_to=context["supplier"].get("email") or None,
                      after_commit=session, **context)
        except Exception:  # noqa: BLE001 - any mail failure: nothing recorded, clear message
            raise DomainError(_l("De herinnering kon niet worden verstuurd. Probeer het later "
                                 "opnieuw of druk de herinneringsbrief af."))
    audit.record(session, actor, "invoice.reminder_sent", invoice, level=reminder.level)
    return reminder


def record_posted_reminder(session: Session, actor: Actor, invoice: Invoice,
                           today: date | None = None) -> Reminder:
    """Record that the printed reminder letter was sent by post (level = previous + 1)."""
    today = today or date.today()
    invoice = _locked(session, invoice)
    _must_be_overdue(invoice, today)
    reminder = Reminder(invoice_id=invoice.id, level=reminder_level(session, invoice) + 1,
                        sent_to=None, sent_by_id=actor.user_id)
    session.add(reminder)
    session.flush()
    audit.record(session, actor, "invoice.reminder_posted", invoice, level=reminder.level)
    return reminder
