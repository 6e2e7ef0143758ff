"""Drafts: create, change and delete an invoice that has no number yet."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete
from sqlalchemy.orm import Session

from blueprints.customers.models import Customer
from blueprints.invoicing.models import (
    Invoice,
    InvoiceHour,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)
from blueprints.invoicing.services.rules import _draft, _text
from tenants import audit, events
from tenants.actor import Actor
from tenants.errors import DomainError


def _period(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    if start and end and end < start:
        raise DomainError(_l("Het einde van de periode ligt vóór het begin. Controleer de data."))
    return start, end


def create_draft(session: Session, actor: Actor, customer: Customer,
                 period_start: date | None = None, period_end: date | None = None,
                 note: str | None = None, buyer_reference: str | None = None,
                 order_reference: str | None = None) -> Invoice:
    """A new draft for `customer` (no number yet). The buyer reference defaults to the
    customer's (public customers require one on every invoice)."""
    if customer is None or getattr(customer, "archived_at", None) is not None:
        raise DomainError(_l("Deze klant is gearchiveerd: maak geen nieuwe facturen voor deze "
                             "klant."))
    period_start, period_end = _period(period_start, period_end)
    invoice = Invoice(
        kind=InvoiceKind.INVOICE, status=InvoiceStatus.DRAFT, customer_id=customer.id,
        period_start=period_start, period_end=period_end,
        note=_text(note, 2000),
        buyer_reference=_text(buyer_reference, 100) or customer.buyer_reference,
        order_reference=_text(order_reference, 100),
        created_by_id=actor.user_id)
    session.add(invoice)
    session.flush()
    audit.record(session, actor, "invoice.draft_created", invoice, customer_id=customer.id)
    return invoice


def update_draft(session: Session, actor: Actor, invoice: Invoice,
                 period_start: date | None, period_end: date | None, note: str | None,
                 buyer_reference: str | None, order_reference: str | None) -> Invoice:
    """Change a draft's period, references and note."""
    invoice = _draft(session, invoice)
    period_start, period_end = _period(period_start, period_end)
    values = {"period_start": period_start, "period_end": period_end,
              "note": _text(note, 2000), "buyer_reference": _text(buyer_reference, 100),
              "order_reference": _text(order_reference, 100)}
    changed = sorted(k for k, v in values.items() if getattr(invoice, k) != v)
    for key, value in values.items():
        setattr(invoice, key, value)
    audit.record(session, actor, "invoice.draft_updated", invoice, fields=changed)
    return invoice


def delete_draft(session: Session, actor: Actor, invoice: Invoice) -> None:
    """Delete a draft; its hours become uninvoiced again. A sent invoice is never deleted."""
    invoice = _draft(session, invoice)
    released = session.execute(delete(InvoiceHour).where(InvoiceHour.invoice_id == invoice.id)
                               .execution_options(synchronize_session=False)).rowcount
    # What refers to the draft lets go of it before it goes (a punch card sold on this draft
    # stays sold; it is just no longer on an invoice).
    events.draft_deleting.send(invoice, session=session, actor=actor)
    session.execute(delete(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                    .execution_options(synchronize_session=False))
    audit.record(session, actor, "invoice.draft_deleted", invoice,
                 customer_id=invoice.customer_id, hours_released=released)
    session.delete(invoice)
    session.flush()
