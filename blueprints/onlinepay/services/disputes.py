"""Refunds, disputes and a disconnected account, found through the kernel's narrow account lookup
(tenants.stripe_accounts) and applied in that tenant.
"""
from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.invoicing import services as invoicing
from blueprints.invoicing.models import (
    Invoice,
    Payment,
    PaymentMethod,
)
from blueprints.onlinepay.links import absolute_url
from blueprints.onlinepay.services.account import locked_settings
from blueprints.onlinepay.services.common import (
    ACTOR,
    DISPUTE_CLOSED_STATUS,
    DISPUTE_CREATED,
    DISPUTE_OPEN,
    BadEvent,
    RetryLater,
)
from blueprints.onlinepay.services.events import Event, event_text, int_or_none, record_event
from tenants import audit
from tenants.db import utcnow
from tenants.mail import send_mail
from tenants.models import Membership, Role, Tenant, User
from tenants.stripe_accounts import tenant_of_account
from tenants.tenancy import tenant_context

log = logging.getLogger(__name__)

# --- refunds, disputes, a disconnected account -----------------------------------------------
# These events carry no metadata of ours that we can rely on (a dispute or an application has
# none; a charge may). The tenant is the one whose finance settings hold the event's connected
# account (`event.account`, set by Stripe on every Connect event, covered by the signature):
# the kernel's narrow lookup tenants.stripe_accounts. Everything after runs in that tenant.

def _intent_id(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value.startswith("pi_") and len(value) <= 140 \
        else None


def _online_payment(session: Session, intent: str | None) -> Payment | None:
    if intent is None:
        return None
    return session.scalar(select(Payment).where(Payment.method == PaymentMethod.ONLINE,
                                                Payment.reference == intent)
                          .order_by(Payment.id).limit(1))


def _names_our_invoice(obj: dict, tenant_id: int) -> bool:
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return int_or_none(metadata.get("tenant_id")) == tenant_id \
        and int_or_none(metadata.get("invoice_id")) is not None


def refund_event(session: Session, event: Event) -> str:
    """`charge.refunded`: the charge's cumulative `amount_refunded` is what has been paid back
    of the payment; the registration moves forward to it once (invoicing.register_refund under
    the invoice's lock), so repeated, parallel and out-of-order events change state once and
    a partial refund reverses that amount only."""
    obj = event.object
    tenant_id = tenant_of_account(session, event.account)
    if tenant_id is None:
        return "ignored"
    with tenant_context(session, tenant_id):
        payment = _online_payment(session, _intent_id(obj.get("payment_intent")))
        if payment is None:
            if _names_our_invoice(obj, tenant_id):
                raise RetryLater()  # its payment's own event has not arrived yet
            return "ignored"  # a sale of the cooperative's own, not an invoice of ours
        refunded = obj.get("amount_refunded")
        if not isinstance(refunded, int) or isinstance(refunded, bool) or refunded < 0:
            raise BadEvent("amount_refunded")
        if not record_event(session, event):
            return "duplicate"
        if obj.get("currency") != "eur":
            audit.record(session, ACTOR, "invoice.online_payment_unmatched",
                         object_type="Invoice", object_id=payment.invoice_id,
                         amount_cents=refunded, currency=obj.get("currency"),
                         reference=payment.reference, reason="refund currency")
            return "unmatched"
        reversed_now = invoicing.register_refund(session, ACTOR, payment, refunded,
                                                 reference=event_text(obj.get("id"), "id",
                                                                 required=False))
        return "applied" if reversed_now else "unchanged"


def _admin_addresses(session: Session) -> list[str]:
    """The e-mail addresses of the tenant's active administrators."""
    return list(session.scalars(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.ADMIN, User.deactivated_at.is_(None))
        .order_by(User.email)))


def _tell_admins(session: Session, subject, lines: list[str], link: str | None) -> None:
    """A mail to each administrator, queued when the transaction commits (job queue)."""
    for address in _admin_addresses(session):
        send_mail(address, str(subject), "online_payment_notice", after_commit=session,
                  lines=[str(line) for line in lines], link=link)


def dispute_event(session: Session, event: Event) -> str:
    """`charge.dispute.created` / `.closed`: the invoice of the disputed payment is flagged
    ("open", then "gewonnen", "verloren" or "gesloten"; a closed dispute never reopens from a
    late event) and its administrators are told by mail."""
    obj = event.object
    tenant_id = tenant_of_account(session, event.account)
    if tenant_id is None:
        return "ignored"
    with tenant_context(session, tenant_id):
        payment = _online_payment(session, _intent_id(obj.get("payment_intent")))
        if payment is None:
            log.warning("Stripe dispute event %s: no payment of ours", event.id)
            return "ignored"
        if not record_event(session, event):
            return "duplicate"
        invoice = session.scalar(select(Invoice).where(Invoice.id == payment.invoice_id)
                                 .with_for_update().execution_options(populate_existing=True))
        if event.type == DISPUTE_CREATED:
            status = DISPUTE_OPEN
            if invoice.dispute_status not in (None, DISPUTE_OPEN):
                return "unchanged"  # closed already: the late "created" changes nothing
        else:
            status = DISPUTE_CLOSED_STATUS.get(obj.get("status"), "gesloten")
        if invoice.dispute_status == status:
            return "unchanged"
        invoice.dispute_status = status
        invoice.disputed_at = invoice.disputed_at or utcnow()
        amount = obj.get("amount") if isinstance(obj.get("amount"), int) else None
        audit.record(session, ACTOR, "invoice.dispute_" + ("opened" if status == DISPUTE_OPEN
                                                           else "closed"),
                     invoice, status=status, amount_cents=amount, payment_id=payment.id,
                     reason=str(obj.get("reason") or "")[:60])
        session.flush()
        number = invoice.number_text or str(invoice.id)
        if status == DISPUTE_OPEN:
            subject = _l("Betaling van factuur %(number)s betwist", number=number)
            lines = [_l("De betaler van factuur %(number)s heeft de online betaling bij de bank "
                        "betwist (chargeback). Stripe houdt het bedrag vast tot de zaak is "
                        "afgehandeld.", number=number),
                     _l("Reageer binnen de termijn in uw Stripe-dashboard met uw bewijs "
                        "(de factuur, de gewerkte uren).")]
        else:
            subject = _l("Betwisting van factuur %(number)s afgesloten: %(status)s",
                         number=number, status=status)
            lines = [_l("Stripe heeft de betwisting van de betaling van factuur %(number)s "
                        "afgesloten. Uitkomst: %(status)s.", number=number, status=status)]
        _tell_admins(session, subject, lines,
                     absolute_url("invoicing.show", tenant_slug=_slug(session, tenant_id),
                                  invoice_id=invoice.id))
        return "applied"


def _slug(session: Session, tenant_id: int) -> str:
    return session.scalar(select(Tenant.slug).where(Tenant.id == tenant_id))


def deauthorized_event(session: Session, event: Event) -> str:
    """`account.application.deauthorized`: the cooperative disconnected its Stripe account from
    the platform. Online payment turns off for that tenant (the account is forgotten, so the
    administrator can connect again) and its administrators are told; pay links then show the
    bank transfer."""
    tenant_id = tenant_of_account(session, event.account)
    if tenant_id is None:
        return "ignored"  # not (or no longer) any tenant's account
    with tenant_context(session, tenant_id):
        if not record_event(session, event):
            return "duplicate"
        settings = locked_settings(session)
        if settings.stripe_account_id != event.account:
            return "unchanged"
        settings.stripe_account_id = None
        settings.stripe_charges_enabled = False
        audit.record(session, ACTOR, "onlinepay.account_disconnected", settings,
                     account=event.account)
        session.flush()
        _tell_admins(session, _l("Online betalen staat uit"), [
            _l("Het Stripe-account van uw organisatie is losgekoppeld van Wijkwerk. Klanten "
               "kunnen facturen nu niet meer online betalen; de betaallink op facturen toont "
               "hun het rekeningnummer om het bedrag over te maken."),
            _l("Wilt u weer online betalingen ontvangen? Koppel het Stripe-account opnieuw.")],
            absolute_url("onlinepay.index", tenant_slug=_slug(session, tenant_id)))
        return "applied"
