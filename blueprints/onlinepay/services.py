"""Online payment rules: connecting the cooperative's Stripe account, the pay page, Checkout,
and applying Stripe's webhook events exactly once.

- Each cooperative is its own (Standard) connected account; residents and customers pay it by
  a direct charge: the Checkout Session is created *on* that account (`stripe_account`), so
  the money never passes through the platform. The legal invoice number is ours; Stripe only
  gets it as a description and in the metadata.
- Calls to Stripe carry fixed idempotency keys (`account:{tenant}`,
  `checkout:{tenant}:{invoice}:{open cents}`): a double click or a retry gives the same
  account or Checkout Session, not a second one.
- Webhook events arrive late, twice, in parallel and out of order. An event is applied in
  one transaction with a `StripeEvent` row UNIQUE per event id, so a second delivery fails on
  the key and changes nothing. Two different events about the same Checkout Session
  (completed, async_payment_succeeded) register one payment: its idempotency key is
  `stripe:{checkout session id}` (invoicing.services.register_payment). `account.updated`
  re-reads the account from Stripe, so an old event never undoes a newer state.
- An event is trusted for a tenant only when it comes from that tenant's own account
  (`event.account` = FinanceSettings.stripe_account_id); anything else goes to the security
  log and changes nothing.
- Money Stripe took that cannot be registered (the invoice was paid by transfer meanwhile, or
  credited) is never lost silently: the audit log says "invoice.online_payment_unmatched"
  with the amount, for the administrator to refund or settle.

Plain functions on the session; the Stripe client and the URLs come from the caller.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import stripe
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blueprints.customers.identifiers import format_iban
from blueprints.invoicing import services as invoicing
from blueprints.invoicing import settings as finance_settings
from blueprints.invoicing.models import (
    FinanceSettings,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)
from blueprints.invoicing.snapshots import supplier_snapshot
from blueprints.onlinepay.links import absolute_url, online_ready
from blueprints.onlinepay.models import StripeEvent
from tenants import audit
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError
from tenants.mail import send_mail
from tenants.models import AuditEvent, Membership, Role, Tenant, User
from tenants.stripe_accounts import tenant_of_account
from tenants.tenancy import current_tenant_id, tenant_context

log = logging.getLogger(__name__)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
#: Stripe's smallest charge in euros; below it the page offers the bank transfer only
MIN_CHARGE_CENTS = 50
ACTOR = Actor.system("stripe")

PAID = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
FAILED = "checkout.session.async_payment_failed"
ACCOUNT_UPDATED = "account.updated"
REFUNDED = "charge.refunded"
DISPUTE_CREATED = "charge.dispute.created"
DISPUTE_CLOSED = "charge.dispute.closed"
DEAUTHORIZED = "account.application.deauthorized"
#: Stripe's closed dispute statuses, as the invoice shows them
DISPUTE_CLOSED_STATUS = {"won": "gewonnen", "lost": "verloren", "warning_closed": "gesloten"}
DISPUTE_OPEN = "open"


class BadEvent(ValueError):
    """A signed event that does not have the shape Stripe documents (answered 400)."""


class RetryLater(Exception):
    """The event is about a payment of ours that is not registered yet (events come out of
    order): nothing is stored, the webhook answers 503 and Stripe delivers it again later."""


# --- connecting the cooperative's Stripe account ---------------------------------------------

def _locked_settings(session: Session) -> FinanceSettings:
    settings = finance_settings.get_settings(session)
    session.flush()
    return session.scalar(select(FinanceSettings).where(FinanceSettings.id == settings.id)
                          .with_for_update().execution_options(populate_existing=True))


def _set_charges(session: Session, actor: Actor, settings: FinanceSettings,
                 enabled: bool) -> None:
    if bool(settings.stripe_charges_enabled) == enabled:
        return
    settings.stripe_charges_enabled = enabled
    audit.record(session, actor, "onlinepay.charges_enabled" if enabled
                 else "onlinepay.charges_disabled", settings,
                 account=settings.stripe_account_id)


def _field(obj, name: str):
    """A top-level field of a Stripe object (not a dict in stripe-python 16) or a dict."""
    data = obj.to_dict(recursive=False) if hasattr(obj, "to_dict") else obj
    return data.get(name) if isinstance(data, dict) else None


def _unreachable() -> DomainError:
    return DomainError(_l("Stripe is op dit moment niet bereikbaar. Probeer het over een paar "
                          "minuten opnieuw."))


def connect_account(session: Session, actor: Actor, client: stripe.StripeClient,
                    email: str | None) -> FinanceSettings:
    """The cooperative's Stripe account: created once (a Standard account in the Netherlands,
    our tenant id in its metadata), its id stored in the finance settings. Calling again
    returns the same account."""
    settings = _locked_settings(session)
    if settings.stripe_account_id:
        return settings
    tenant_id = current_tenant_id(session)
    params = {"type": "standard", "country": "NL", "metadata": {"tenant_id": str(tenant_id)}}
    if email:
        params["email"] = email
    # After a disconnection (account.application.deauthorized) a new account is made: a new
    # key, or Stripe would replay the old account for 24 hours.
    disconnected = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "onlinepay.account_disconnected"))
    key = f"account:{tenant_id}" + (f":{disconnected}" if disconnected else "")
    try:
        account = client.v1.accounts.create(
            params=params, options={"idempotency_key": key})
    except stripe.StripeError as exc:
        log.warning("Stripe account for tenant %s not created: %s", tenant_id,
                    type(exc).__name__)
        raise _unreachable() from None
    account_id = _field(account, "id")
    if not isinstance(account_id, str) or not account_id.startswith("acct_") \
            or len(account_id) > 40:
        log.warning("Stripe answered an account without a usable id for tenant %s", tenant_id)
        raise _unreachable()
    settings.stripe_account_id = account_id
    settings.stripe_charges_enabled = bool(_field(account, "charges_enabled"))
    audit.record(session, actor, "onlinepay.account_connected", settings, account=account_id)
    return settings


def onboarding_url(client: stripe.StripeClient, settings: FinanceSettings, refresh_url: str,
                   return_url: str) -> str:
    """Where the administrator fills in the account at Stripe (a link valid for minutes)."""
    if not settings.stripe_account_id:
        raise DomainError(_l("Er is nog geen Stripe-account gekoppeld."))
    try:
        link = client.v1.account_links.create(params={
            "account": settings.stripe_account_id, "refresh_url": refresh_url,
            "return_url": return_url, "type": "account_onboarding"})
    except stripe.StripeError as exc:
        log.warning("Stripe account link not created: %s", type(exc).__name__)
        raise _unreachable() from None
    return _field(link, "url")


def refresh_account(session: Session, actor: Actor,
                    client: stripe.StripeClient) -> FinanceSettings:
    """Read the account from Stripe again and store whether it can take payments."""
    settings = finance_settings.find_settings(session)
    if settings is None or not settings.stripe_account_id:
        raise DomainError(_l("Er is nog geen Stripe-account gekoppeld."))
    try:
        account = client.v1.accounts.retrieve(settings.stripe_account_id)
    except stripe.StripeError as exc:
        log.warning("Stripe account not read: %s", type(exc).__name__)
        raise _unreachable() from None
    _set_charges(session, actor, settings, bool(_field(account, "charges_enabled")))
    return settings


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
    url = _field(checkout, "url")
    if not isinstance(url, str) or not url:
        raise DomainError(_l("De betaalpagina kon niet worden geopend. Probeer het over een "
                             "paar minuten opnieuw, of maak het bedrag over."))
    return url


# --- webhook events --------------------------------------------------------------------------

@dataclass(frozen=True)
class Event:
    """The parts of a Stripe event we use, checked."""

    id: str
    type: str
    account: str | None
    created: int
    object: dict


def _text(value, name: str, required: bool = True, limit: int = 255) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise BadEvent(name)
    return value


def parse_event(data: dict) -> Event:
    """Check the shape of a (signed) event. Raises BadEvent."""
    if not isinstance(data, dict):
        raise BadEvent("event")
    created = data.get("created")
    body = data.get("data")
    if not isinstance(created, int) or isinstance(created, bool) or created <= 0:
        raise BadEvent("created")
    if not isinstance(body, dict) or not isinstance(body.get("object"), dict):
        raise BadEvent("data.object")
    return Event(_text(data.get("id"), "id", limit=80), _text(data.get("type"), "type", limit=80),
                 _text(data.get("account"), "account", required=False), created, body["object"])


def _int_or_none(value) -> int | None:
    if isinstance(value, str) and value.isdigit() and len(value) <= 19:
        return int(value)
    return None


class _AlreadyApplied(Exception):
    """A parallel delivery of the same event committed its row first."""


def _recorded(session: Session, event: Event) -> bool:
    """This event was applied already (a read; `_record` is the one that counts)."""
    return session.scalar(select(StripeEvent.id).where(StripeEvent.event_id == event.id)) \
        is not None


def _record(session: Session, event: Event) -> bool:
    """Write the event's row as the transaction's first write; False when it is there
    already. A parallel delivery inserting the same id at the same moment waits on the unique
    key and then fails on it: the transaction is rolled back (it wrote nothing else yet) and
    _AlreadyApplied raised.
    (No savepoint here: on SQLite a savepoint that opens the transaction commits on release,
    and the row must stand or fall with the event's effect.)"""
    if session.scalar(select(StripeEvent.id).where(StripeEvent.event_id == event.id)):
        return False
    session.add(StripeEvent(event_id=event.id, type=event.type))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise _AlreadyApplied() from None
    return True


def _own_account(session: Session, event: Event, settings: FinanceSettings | None,
                 tenant_id: int) -> bool:
    """The event comes from this tenant's own Stripe account; else a security event."""
    if settings is not None and settings.stripe_account_id \
            and event.account == settings.stripe_account_id:
        return True
    audit.record_security(session, "stripe.event_refused", event_id=event.id, type=event.type,
                          account=event.account, tenant_id=tenant_id,
                          reason="account does not match the tenant")
    log.warning("Stripe event %s refused: account %s is not tenant %s's", event.id,
                event.account, tenant_id)
    return False


def _tenant_exists(session: Session, tenant_id: int | None) -> bool:
    return tenant_id is not None and session.scalar(
        select(Tenant.id).where(Tenant.id == tenant_id)) is not None


def _payment_key(checkout_id: str) -> str:
    key = f"stripe:{checkout_id}"
    if len(key) <= 80:
        return key
    return "stripe:sha256:" + hashlib.sha256(checkout_id.encode()).hexdigest()[:64]


def _day(timestamp: int) -> date:
    return datetime.fromtimestamp(timestamp, timezone.utc).astimezone(AMSTERDAM).date()


def _fee_cents(read_fee, account: str, intent: str) -> int | None:
    """Stripe's fee on the payment, from its balance transaction (integer cents; None when
    Stripe does not say). Raises stripe.StripeError when Stripe cannot be asked (the event is
    then delivered again)."""
    if read_fee is None:
        return None
    fee = read_fee(account, intent)
    if isinstance(fee, int) and not isinstance(fee, bool) and 0 <= fee < 10**12:
        return fee
    return None


def balance_fee(payment_intent) -> int | None:
    """The fee of a PaymentIntent retrieved with `expand=["latest_charge.balance_transaction"]`
    (a stripe object or a dict); None when not there."""
    charge = _field(payment_intent, "latest_charge")
    transaction = _field(charge, "balance_transaction") if charge is not None else None
    return _field(transaction, "fee") if transaction is not None else None


def _checkout_event(session: Session, event: Event, today: date, read_fee=None) -> str:
    obj = event.object
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    tenant_id = _int_or_none(metadata.get("tenant_id"))
    invoice_id = _int_or_none(metadata.get("invoice_id"))
    if tenant_id is None or invoice_id is None:
        return "ignored"  # a Checkout Session the cooperative made itself, not ours
    if not _tenant_exists(session, tenant_id):
        log.warning("Stripe event %s names unknown tenant %s", event.id, tenant_id)
        return "ignored"
    checkout_id = _text(obj.get("id"), "data.object.id")
    with tenant_context(session, tenant_id):
        if not _own_account(session, event, finance_settings.find_settings(session), tenant_id):
            return "refused"
        if _recorded(session, event):
            return "duplicate"
        intent = obj.get("payment_intent")
        if isinstance(intent, dict):
            intent = intent.get("id")
        fee = None
        if event.type in PAID and obj.get("payment_status") == "paid" \
                and isinstance(intent, str) and intent.startswith("pi_"):
            # before any write: a call to Stripe never runs while we hold a lock
            fee = _fee_cents(read_fee, event.account, intent)
        if not _record(session, event):
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
        paid_on = _day(event.created)
        try:
            with session.begin_nested():
                payment = invoicing.register_payment(
                    session, ACTOR, invoice, amount, paid_on, PaymentMethod.ONLINE,
                    reference=reference, idempotency_key=_payment_key(checkout_id),
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


def _account_event(session: Session, event: Event, read_account) -> str:
    obj = event.object
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    tenant_id = _int_or_none(metadata.get("tenant_id"))
    if not _tenant_exists(session, tenant_id):
        return "ignored"
    with tenant_context(session, tenant_id):
        settings = finance_settings.find_settings(session)
        if obj.get("id") != event.account or not _own_account(session, event, settings,
                                                              tenant_id):
            return "refused"
        if not _record(session, event):
            return "duplicate"
        # Re-read: account events may come in any order; Stripe's state now is the truth.
        account = read_account(settings.stripe_account_id)
        _set_charges(session, ACTOR, settings, bool(_field(account, "charges_enabled")))
        return "applied"


def apply_event(session: Session, data: dict, read_account, today: date | None = None,
                read_fee=None) -> str:
    """Apply one verified Stripe event; a word for the log ("applied", "unchanged",
    "duplicate", "ignored", "refused", "unmatched", "pending", "failed"). The caller commits.
    Raises BadEvent for a malformed event, stripe.StripeError when Stripe could not be asked
    and RetryLater for a refund of a payment not registered yet (both: Stripe retries).
    `read_account(account id)` reads a connected account, `read_fee(account id, payment
    intent id)` the fee of a payment (tests/onlinepay give the local Stripe)."""
    event = parse_event(data)
    today = today or datetime.now(AMSTERDAM).date()
    try:
        if event.type in PAID or event.type == FAILED:
            return _checkout_event(session, event, today, read_fee)
        if event.type == ACCOUNT_UPDATED:
            return _account_event(session, event, read_account)
        if event.type == REFUNDED:
            return _refund_event(session, event)
        if event.type in (DISPUTE_CREATED, DISPUTE_CLOSED):
            return _dispute_event(session, event)
        if event.type == DEAUTHORIZED:
            return _deauthorized_event(session, event)
    except _AlreadyApplied:
        return "duplicate"
    return "ignored"


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
    return _int_or_none(metadata.get("tenant_id")) == tenant_id \
        and _int_or_none(metadata.get("invoice_id")) is not None


def _refund_event(session: Session, event: Event) -> str:
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
        if not _record(session, event):
            return "duplicate"
        if obj.get("currency") != "eur":
            audit.record(session, ACTOR, "invoice.online_payment_unmatched",
                         object_type="Invoice", object_id=payment.invoice_id,
                         amount_cents=refunded, currency=obj.get("currency"),
                         reference=payment.reference, reason="refund currency")
            return "unmatched"
        reversed_now = invoicing.register_refund(session, ACTOR, payment, refunded,
                                                 reference=_text(obj.get("id"), "id",
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


def _dispute_event(session: Session, event: Event) -> str:
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
        if not _record(session, event):
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


def _deauthorized_event(session: Session, event: Event) -> str:
    """`account.application.deauthorized`: the cooperative disconnected its Stripe account from
    the platform. Online payment turns off for that tenant (the account is forgotten, so the
    administrator can connect again) and its administrators are told; pay links then show the
    bank transfer."""
    tenant_id = tenant_of_account(session, event.account)
    if tenant_id is None:
        return "ignored"  # not (or no longer) any tenant's account
    with tenant_context(session, tenant_id):
        if not _record(session, event):
            return "duplicate"
        settings = _locked_settings(session)
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
