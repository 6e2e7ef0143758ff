"""The pay page and Checkout: what a resident or customer can pay online, and the Checkout Session
made on the cooperative's account with a fixed idempotency key.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import stripe
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.customers.identifiers import format_iban
from blueprints.invoicing import services as invoicing
from blueprints.invoicing import settings as finance_settings
from blueprints.invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
)
from blueprints.invoicing.snapshots import supplier_snapshot
from blueprints.onlinepay.links import online_ready
from blueprints.onlinepay.services.account import stripe_field
from blueprints.onlinepay.services.common import MIN_CHARGE_CENTS
from tenants.errors import DomainError

log = logging.getLogger(__name__)

# --- the pay page and Checkout ---------------------------------------------------------------

@dataclass(frozen=True)
class PayPage:
    """What the public pay page shows."""

    invoice: Invoice
    open_cents: int
    #: "open", "paid" (betaald), "credited" (gecrediteerd) or "closed" (nothing open)
    state: str
    #: the online button is offered
    online: bool
    supplier_name: str
    iban: str | None
    bic: str | None


def pay_page(session: Session, invoice: Invoice, online_configured: bool) -> PayPage:
    """The invoice as the pay page shows it; `online_configured`: Stripe is set up on this
    installation and the cooperative may take payments (not read-only)."""
    settings = finance_settings.current_settings(session)
    supplier = invoice.supplier_snapshot or supplier_snapshot(settings)
    left = invoicing.open_cents(invoice)
    if left > 0:
        state = "open"
    elif invoice.status == InvoiceStatus.PAID:
        state = "paid"
    elif invoice.status == InvoiceStatus.CREDITED:
        state = "credited"
    else:
        state = "closed"
    online = (state == "open" and online_configured and online_ready(settings)
              and left >= MIN_CHARGE_CENTS)
    iban = supplier.get("iban") or settings.iban
    return PayPage(invoice, left, state, online, supplier.get("legal_name") or settings.legal_name,
                   format_iban(iban) if iban else None, supplier.get("bic"))


def payable_invoice(session: Session, invoice_id: int) -> Invoice | None:
    """A sent invoice of the current tenant (drafts and credit notes have no pay page)."""
    invoice = session.scalar(select(Invoice).where(Invoice.id == invoice_id))
    if invoice is None or invoice.kind != InvoiceKind.INVOICE \
            or invoice.status == InvoiceStatus.DRAFT:
        return None
    return invoice


def start_checkout(session: Session, client: stripe.StripeClient, invoice: Invoice,
                   success_url: str, cancel_url: str) -> str:
    """A Stripe Checkout Session on the cooperative's own account for what is open on the
    invoice (iDEAL or card); returns its URL. The same invoice with the same open amount gives
    the same session (idempotency key), so a double click opens one payment."""
    settings = finance_settings.find_settings(session)
    left = invoicing.open_cents(invoice)
    if left <= 0:
        raise DomainError(_l("Op deze factuur staat niets meer open."))
    if not online_ready(settings) or left < MIN_CHARGE_CENTS:
        raise DomainError(_l("Online betalen is voor deze factuur niet mogelijk. U kunt het "
                             "bedrag overmaken."))
    tenant_id, number = invoice.tenant_id, invoice.number_text or ""
    metadata = {"tenant_id": str(tenant_id), "invoice_id": str(invoice.id), "number": number}
    params = {
        "mode": "payment",
        "payment_method_types": ["ideal", "card"],
        "line_items": [{"price_data": {"currency": "eur", "unit_amount": left,
                                       "product_data": {"name": f"Factuur {number}"}},
                        "quantity": 1}],
        "client_reference_id": f"{tenant_id}-{invoice.id}",
        "metadata": metadata,
        "payment_intent_data": {"description": f"Factuur {number}", "metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    try:
        checkout = client.v1.checkout.sessions.create(params=params, options={
            "stripe_account": settings.stripe_account_id,
            "idempotency_key": f"checkout:{tenant_id}:{invoice.id}:{left}"})
    except stripe.StripeError as exc:
        log.warning("Checkout for invoice %s of tenant %s not started: %s", invoice.id,
                    tenant_id, type(exc).__name__)
        raise DomainError(_l("De betaalpagina kon niet worden geopend. Probeer het over een "
                             "paar minuten opnieuw, of maak het bedrag over.")) from None
    url = stripe_field(checkout, "url")
    if not isinstance(url, str) or not url:
        raise DomainError(_l("De betaalpagina kon niet worden geopend. Probeer het over een "
                             "paar minuten opnieuw, of maak het bedrag over."))
    return url
