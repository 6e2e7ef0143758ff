"""Sending an invoice to the customer by e-mail: the PDF (and the UBL e-invoice for public
customers) attached, from the platform's sender with the cooperative's name, Reply-To the
cooperative's own address, through the job queue (tenants.mail). The invoice records what
happened: `delivery_status` wachtrij → verzonden (with the time and the address) or mislukt
(with the mail server's answer, after the last retry). An invoice made final without sending
has no delivery status: it was handed over otherwise.

The attachments are made when the mail is queued, inside the transaction that finalises the
invoice: from then on the invoice never changes, so the PDF made then is the document issued,
and the job carries ready bytes (no database, no renderer, no tenant needed to deliver it). The
mail is queued only when that transaction commits (`after_commit`): a number that rolled back
is never mailed.
"""
from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.customers.identifiers import format_iban
from blueprints.customers.models import Customer
from blueprints.invoicing.models import DeliveryStatus, Invoice, InvoiceKind, InvoiceStatus
from blueprints.invoicing.pdf import file_name as pdf_file_name
from blueprints.invoicing.pdf import render_invoice_pdf
from blueprints.invoicing.services.rules import _customer_of, _locked, current_settings
from blueprints.invoicing.services.sending import finalise, is_public
from blueprints.invoicing.snapshots import supplier_snapshot
from blueprints.invoicing.ubl import render_ubl, ubl_available, ubl_file_name
from tenants import audit
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError
from tenants.extensions import db
from tenants.formatting import format_date, format_money
from tenants.mail import Attachment, on_outcome, send_mail

#: the outcome handler's name (tenants.mail.on_outcome)
OUTCOME = "invoice"


def invoice_address(customer: Customer) -> str | None:
    """Where the customer's invoices go: its e-mail address, or None."""
    return (customer.email or "").strip() or None


def no_address_message(customer: Customer):
    return _l("%(name)s heeft geen e-mailadres. Vul het in bij de klant, of maak de factuur "
              "definitief zonder versturen en bezorg hem op een andere manier.",
              name=customer.name)


def attachments(session: Session, invoice: Invoice, customer: Customer) -> list[Attachment]:
    """The PDF, and the UBL e-invoice for a customer who receives one when it can be valid
    (ubl_available: e.g. not before a KOR seller has its tax registration; the invoice page
    says why)."""
    files = [(pdf_file_name(invoice), render_invoice_pdf(session, invoice), "application/pdf")]
    if is_public(customer) and ubl_available(session, invoice):
        files.append((ubl_file_name(invoice), render_ubl(session, invoice), "application/xml"))
    return files


def sender_details(session: Session, invoice: Invoice) -> dict:
    """The cooperative as the mail shows it: display name and Reply-To (from the frozen
    supplier details, the live settings for what they lack)."""
    settings = current_settings(session)
    supplier = invoice.supplier_snapshot or supplier_snapshot(settings)
    return {"from_name": supplier.get("legal_name") or settings.legal_name,
            "reply_to": supplier.get("email") or settings.email or None}


def _mail_context(session: Session, invoice: Invoice) -> dict:
    settings = current_settings(session)
    supplier = invoice.supplier_snapshot or supplier_snapshot(settings)
    customer = invoice.customer_snapshot or {}
    iban = supplier.get("iban") or settings.iban
    return {
        "invoice": invoice, "number": invoice.number_text,
        "credit": invoice.kind == InvoiceKind.CREDIT_NOTE,
        "issue_date": format_date(invoice.issue_date), "due_date": format_date(invoice.due_date),
        "amount": format_money(invoice.total_incl_cents),
        "iban": format_iban(iban) if iban else "", "supplier": supplier,
        "supplier_name": supplier.get("legal_name") or settings.legal_name,
        "contact_name": customer.get("contact_name"),
        "ubl": False,
    }


def _queue(session: Session, actor: Actor, invoice: Invoice, customer: Customer,
           address: str) -> None:
    with force_locale("nl"):  # an invoice is a Dutch document, and so is its mail
        files = attachments(session, invoice, customer)
        context = _mail_context(session, invoice)
        context["ubl"] = len(files) > 1
        subject = (_l("Creditnota %(number)s van %(name)s", number=invoice.number_text,
                      name=context["supplier_name"])
                   if context["credit"] else
                   _l("Factuur %(number)s van %(name)s", number=invoice.number_text,
                      name=context["supplier_name"]))
        send_mail(address, str(subject), "invoice", attachments=files,
                  outcome=(OUTCOME, invoice.tenant_id, invoice.id), after_commit=session,
                  **sender_details(session, invoice), **context)
    invoice.delivery_status = DeliveryStatus.QUEUED
    invoice.delivered_to = address
    invoice.delivered_at = None
    invoice.delivery_error = None
    session.flush()
    audit.record(session, actor, "invoice.mail_queued", invoice, number=invoice.number_text,
                 to=address)


def send_invoice(session: Session, actor: Actor, invoice: Invoice,
                 issue_date: date | None = None, today: date | None = None) -> Invoice:
    """Make a draft final (`finalise`) and e-mail it to the customer, in one transaction.
    Refused, changing nothing, when the customer has no e-mail address."""
    customer = _customer_of(session, invoice)
    address = invoice_address(customer)
    if address is None:
        raise DomainError(no_address_message(customer))
    invoice = finalise(session, actor, invoice, issue_date, today)
    _queue(session, actor, invoice, customer, address)
    return invoice


def resend_invoice(session: Session, actor: Actor, invoice: Invoice) -> Invoice:
    """E-mail a final invoice (again): after a failed delivery, to a corrected address, or
    when the customer asks for it once more. The document is the one issued."""
    invoice = _locked(session, invoice)
    if invoice.status == InvoiceStatus.DRAFT:
        raise DomainError(_l("Een concept wordt nog niet verstuurd. Maak de factuur eerst "
                             "definitief."))
    customer = _customer_of(session, invoice)
    address = invoice_address(customer)
    if address is None:
        raise DomainError(no_address_message(customer))
    _queue(session, actor, invoice, customer, address)
    return invoice


@on_outcome(OUTCOME)
def record_delivery(invoice_id, ok: bool, to: str, error: str | None) -> None:
    """How the mail ended (run by the mail job in the invoice's tenant). A success always
    counts; a failure only while that mail is the one waiting (a late failure of an older mail
    never overwrites a newer success)."""
    invoice = db.session.scalar(select(Invoice).where(Invoice.id == int(invoice_id))
                                .with_for_update())
    if invoice is None:
        return
    if ok:
        invoice.delivery_status = DeliveryStatus.SENT
        invoice.delivered_to = to
        invoice.delivered_at = utcnow()
        invoice.delivery_error = None
    elif invoice.delivery_status == DeliveryStatus.QUEUED:
        invoice.delivery_status = DeliveryStatus.FAILED
        invoice.delivered_to = to
        invoice.delivery_error = (error or "")[:300] or None
    db.session.flush()
