"""Checkout and account events: a paid Checkout Session registers one payment (with Stripe's fee);
account.updated re-reads the account.
"""
from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.invoicing import services as invoicing
from blueprints.invoicing import settings as finance_settings
from blueprints.invoicing.models import (
    Invoice,
    PaymentMethod,
)
from blueprints.onlinepay.services.account import set_charges, stripe_field
from blueprints.onlinepay.services.common import ACTOR, FAILED, PAID, BadEvent
from blueprints.onlinepay.services.events import (
    Event,
    amsterdam_day,
    event_text,
    int_or_none,
    is_recorded,
    own_account,
    payment_key,
    record_event,
    stripe_fee_cents,
    tenant_exists,
)
from tenants import audit
from tenants.errors import DomainError
from tenants.tenancy import tenant_context

log = logging.getLogger(__name__)


def checkout_event(session: Session, event: Event, today: date, read_fee=None) -> str:
    obj = event.object
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    tenant_id = int_or_none(metadata.get("tenant_id"))
    invoice_id = int_or_none(metadata.get("invoice_id"))
    if tenant_id is None or invoice_id is None:
        return "ignored"  # a Checkout Session the cooperative made itself, not ours
    if not tenant_exists(session, tenant_id):
        log.warning("Stripe event %s names unknown tenant %s", event.id, tenant_id)
        return "ignored"
    checkout_id = event_text(obj.get("id"), "data.object.id")
    with tenant_context(session, tenant_id):
        if not own_account(session, event, finance_settings.find_settings(session), tenant_id):
            return "refused"
        if is_recorded(session, event):
            return "duplicate"
        intent = obj.get("payment_intent")
        if isinstance(intent, dict):
            intent = intent.get("id")
        fee = None
        if event.type in PAID and obj.get("payment_status") == "paid" \
                and isinstance(intent, str) and intent.startswith("pi_"):
            # before any write: a call to Stripe never runs while we hold a lock
            fee = stripe_fee_cents(read_fee, event.account, intent)
        if not record_event(session, event):
            return "duplicate"
        invoice = session.scalar(select(Invoice).where(Invoice.id == invoice_id))
        if invoice is None:
            log.warning("Stripe event %s: invoice %s not found", event.id, invoice_id)
            audit.record(session, ACTOR, "invoice.online_payment_unmatched",
                         object_type="Invoice", object_id=invoice_id, checkout=checkout_id,
                         amount_cents=obj.get("amount_total"), reason="invoice not found")
            return "unmatched"
        if event.type == FAILED:
            audit.record(session, ACTOR, "invoice.online_payment_failed", invoice,
                         checkout=checkout_id)
            return "failed"
        if obj.get("payment_status") != "paid":
            return "pending"  # iDEAL or a card that confirms later: the next event pays
        amount = obj.get("amount_total")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise BadEvent("amount_total")
        reference = intent if isinstance(intent, str) else checkout_id
        if obj.get("currency") != "eur":
            audit.record(session, ACTOR, "invoice.online_payment_unmatched", invoice,
                         amount_cents=amount, currency=obj.get("currency"),
                         checkout=checkout_id, reference=reference, reason="currency")
            return "unmatched"
        paid_on = amsterdam_day(event.created)
        try:
            with session.begin_nested():
                payment = invoicing.register_payment(
                    session, ACTOR, invoice, amount, paid_on, PaymentMethod.ONLINE,
                    reference=reference, idempotency_key=payment_key(checkout_id),
                    today=max(today, paid_on))
                if fee is not None and payment.fee_cents is None:
                    payment.fee_cents = min(fee, payment.amount_cents)
                    session.flush()
        except DomainError as exc:
            # Stripe took the money; we cannot book it on this invoice (paid by transfer or
            # credited meanwhile). Recorded for the administrator, and Stripe is told "done".
            audit.record(session, ACTOR, "invoice.online_payment_unmatched", invoice,
                         amount_cents=amount, checkout=checkout_id, reference=reference,
                         reason=exc.message)
            log.warning("Stripe payment %s on invoice %s not registered: %s", reference,
                        invoice.id, exc.message)
            return "unmatched"
        return "applied"


def account_event(session: Session, event: Event, read_account) -> str:
    obj = event.object
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    tenant_id = int_or_none(metadata.get("tenant_id"))
    if not tenant_exists(session, tenant_id):
        return "ignored"
    with tenant_context(session, tenant_id):
        settings = finance_settings.find_settings(session)
        if obj.get("id") != event.account or not own_account(session, event, settings,
                                                              tenant_id):
            return "refused"
        if not record_event(session, event):
            return "duplicate"
        # Re-read: account events may come in any order; Stripe's state now is the truth.
        account = read_account(settings.stripe_account_id)
        set_charges(session, ACTOR, settings, bool(stripe_field(account, "charges_enabled")))
        return "applied"
