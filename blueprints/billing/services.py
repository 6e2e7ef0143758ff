"""Subscription rules: starting Checkout or invoice billing, the portal, and applying Stripe's
Billing webhooks once and never backwards.

- The tenant is found by its Stripe customer (`Tenant.stripe_customer_id`, made by us with the
  tenant id in its metadata). An event for an unknown customer changes nothing; one whose
  metadata names another tenant than its customer's goes to the security log.
- Each event is stored once (`BillingEvent`, UNIQUE event id) in the transaction that applies
  it, then the tenant's row is locked: parallel deliveries of one event change state once,
  different events about one tenant apply one after the other.
- State moves forward only: an event older (Stripe's `created`) than the one the state came
  from is recorded and ignored. The reconciliation job reads each subscription from Stripe
  and applies it as of now, so a missed webhook heals.
- A failed payment never locks anyone out: past_due keeps everything working (admins see a
  banner with Stripe's "betaal nu" page). Only when Stripe gives up (unpaid, or canceled after
  failed payments) the tenant becomes read-only, until it pays. Nothing is deleted. A tenant
  that cancels itself goes to the free plan: its data stays, only new additions are limited.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import stripe
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blueprints.billing.models import BillingEvent
from tenants import audit, plans
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.mail import send_mail
from tenants.models import Membership, Role, Tenant, TenantStatus, User
from tenants.tenancy import tenant_context

log = logging.getLogger(__name__)
ACTOR = Actor.system("stripe-billing")

STATUSES = ("incomplete", "incomplete_expired", "trialing", "active", "past_due", "unpaid",
            "canceled", "paused")
#: statuses in which everything works
WORKING = ("active", "trialing", "past_due")
#: a subscription that no longer bills: a new one may be chosen
ENDED = (None, "canceled", "incomplete_expired")
HANDLED = ("checkout.session.completed", "customer.subscription.created",
           "customer.subscription.updated", "customer.subscription.deleted", "invoice.paid",
           "invoice.payment_failed")
PAYMENT_TERM_DAYS = 30


class BadEvent(ValueError):
    """A signed event without the shape Stripe documents (answered 400)."""


def _field(obj, name):
    data = obj.to_dict(recursive=False) if hasattr(obj, "to_dict") else obj
    return data.get(name) if isinstance(data, dict) else None


def _plain(obj):
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


def _unreachable() -> DomainError:
    return DomainError(_l("Stripe is op dit moment niet bereikbaar. Probeer het over een paar "
                          "minuten opnieuw."))


def _id(value, prefix: str) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, str) and value.startswith(prefix) and len(value) <= 40:
        return value
    return None


# --- what the page shows ---------------------------------------------------------------------

@dataclass(frozen=True)
class Overview:
    tenant: Tenant
    plan: plans.Plan
    effective: plans.Plan
    #: a running subscription: changes go through Stripe's portal
    subscribed: bool
    choices: list[plans.Plan]


def overview(tenant: Tenant, config) -> Overview:
    subscribed = tenant.subscription_status not in ENDED
    choices = [plans.PLANS[k] for k in plans.PAID if plans.price_id(config, k)]
    return Overview(tenant, plans.plan(tenant.plan), plans.effective_plan(tenant), subscribed,
                    choices)


def _paid_plan(config, key: str) -> str:
    if key not in plans.PAID or not plans.price_id(config, key):
        raise DomainError(_l("Kies een van de abonnementen op deze pagina."))
    return key


def _locked(session: Session, tenant_id: int) -> Tenant:
    return session.scalar(select(Tenant).where(Tenant.id == tenant_id).with_for_update(of=Tenant)
                          .execution_options(populate_existing=True))


def _not_yet_subscribed(tenant: Tenant) -> None:
    if tenant.subscription_status not in ENDED:
        raise DomainError(_l("Deze organisatie heeft al een abonnement. Een ander abonnement "
                             "kiest u via ‘Betaalgegevens, facturen en opzeggen’."))


def ensure_customer(session: Session, client: stripe.StripeClient, tenant_id: int,
                    email: str | None = None) -> Tenant:
    """The tenant's Stripe customer, created once (tenant id in its metadata)."""
    tenant = _locked(session, tenant_id)
    if tenant.stripe_customer_id:
        return tenant
    params = {"name": tenant.name, "preferred_locales": ["nl"],
              "metadata": {"tenant_id": str(tenant.id)}}
    if email:
        params["email"] = email
    try:
        customer = client.v1.customers.create(
            params=params, options={"idempotency_key": f"billing-customer:{tenant.id}"})
    except stripe.StripeError as exc:
        log.warning("Stripe customer for tenant %s not created: %s", tenant.id,
                    type(exc).__name__)
        raise _unreachable() from None
    customer_id = _id(_field(customer, "id"), "cus_")
    if customer_id is None:
        raise _unreachable()
    tenant.stripe_customer_id = customer_id
    return tenant


def start_checkout(session: Session, actor: Actor, client: stripe.StripeClient, config,
                   tenant_id: int, plan_key: str, success_url: str, cancel_url: str,
                   today: str) -> str:
    """A Checkout Session in subscription mode for `plan_key` (iDEAL, whose first payment
    becomes a SEPA Direct Debit mandate for the renewals, or card); returns its URL."""
    plan_key = _paid_plan(config, plan_key)
    tenant = ensure_customer(session, client, tenant_id)
    _not_yet_subscribed(tenant)
    metadata = {"tenant_id": str(tenant.id), "plan": plan_key}
    params = {
        "mode": "subscription",
        "customer": tenant.stripe_customer_id,
        "payment_method_types": ["ideal", "card"],
        "line_items": [{"price": plans.price_id(config, plan_key), "quantity": 1}],
        "client_reference_id": str(tenant.id),
        "metadata": metadata,
        "subscription_data": {"metadata": metadata},
        "locale": "nl",
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    if tenant.stripe_coupon:
        params["discounts"] = [{"coupon": tenant.stripe_coupon}]
    try:
        checkout = client.v1.checkout.sessions.create(params=params, options={
            "idempotency_key": f"billing-checkout:{tenant.id}:{plan_key}:{today}"})
    except stripe.StripeError as exc:
        log.warning("Subscription checkout for tenant %s not started: %s", tenant.id,
                    type(exc).__name__)
        raise _unreachable() from None
    url = _field(checkout, "url")
    if not isinstance(url, str) or not url.startswith("https://"):
        raise _unreachable()
    _audit(session, actor, tenant, "billing.checkout_started", plan=plan_key)
    return url


def subscribe_on_invoice(session: Session, actor: Actor, client: stripe.StripeClient, config,
                         tenant_id: int, plan_key: str, purchase_order: str,
                         email: str) -> Tenant:
    """A subscription paid on invoice (Stripe mails the invoice, payment term 30 days) with the
    purchase-order number on every invoice."""
    plan_key = _paid_plan(config, plan_key)
    purchase_order = " ".join(purchase_order.split())
    tenant = ensure_customer(session, client, tenant_id, email)
    _not_yet_subscribed(tenant)
    metadata = {"tenant_id": str(tenant.id), "plan": plan_key}
    try:
        client.v1.customers.update(tenant.stripe_customer_id, params={
            "email": email,
            "invoice_settings": {"custom_fields": [
                {"name": "Inkoopordernummer", "value": purchase_order}]}})
        params = {"customer": tenant.stripe_customer_id,
                  "items": [{"price": plans.price_id(config, plan_key), "quantity": 1}],
                  "collection_method": "send_invoice", "days_until_due": PAYMENT_TERM_DAYS,
                  "metadata": metadata}
        if tenant.stripe_coupon:
            params["discounts"] = [{"coupon": tenant.stripe_coupon}]
        subscription = client.v1.subscriptions.create(params=params, options={
            "idempotency_key": f"billing-invoice:{tenant.id}:{plan_key}:{purchase_order}"})
    except stripe.StripeError as exc:
        log.warning("Invoice subscription for tenant %s not created: %s", tenant.id,
                    type(exc).__name__)
        raise _unreachable() from None
    tenant.purchase_order = purchase_order
    apply_subscription(session, config, tenant, _plain(subscription), int(time.time()))
    _audit(session, actor, tenant, "billing.invoice_subscription", plan=plan_key,
           purchase_order=purchase_order)
    return tenant


def portal_url(client: stripe.StripeClient, tenant: Tenant, return_url: str) -> str:
    """Stripe's customer portal: payment details, invoices, another plan, cancellation."""
    if not tenant.stripe_customer_id:
        raise DomainError(_l("Deze organisatie heeft nog geen abonnement bij Stripe."))
    try:
        portal = client.v1.billing_portal.sessions.create(params={
            "customer": tenant.stripe_customer_id, "return_url": return_url, "locale": "nl"})
    except stripe.StripeError as exc:
        log.warning("Billing portal for tenant %s not opened: %s", tenant.id,
                    type(exc).__name__)
        raise _unreachable() from None
    url = _field(portal, "url")
    if not isinstance(url, str) or not url.startswith("https://"):
        raise _unreachable()
    return url


# --- applying a subscription's state ---------------------------------------------------------

def _when(value) -> datetime | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, timezone.utc)
    return None


def _first_item(sub: dict) -> dict:
    items = sub.get("items")
    data = items.get("data") if isinstance(items, dict) else None
    return data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}


def _monthly_cents(price: dict, quantity) -> int:
    amount = price.get("unit_amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        return 0
    quantity = quantity if isinstance(quantity, int) and quantity > 0 else 1
    recurring = price.get("recurring") if isinstance(price.get("recurring"), dict) else {}
    per_year = recurring.get("interval") == "year"
    return amount * quantity // 12 if per_year else amount * quantity


def _audit(session: Session, actor: Actor, tenant: Tenant, action: str, **details) -> None:
    """An entry in the tenant's own audit log (a webhook or job has no tenant set)."""
    with tenant_context(session, tenant.id):
        audit.record(session, actor, action, object_type="Tenant", object_id=tenant.id,
                     **details)


def _set_status(session: Session, tenant: Tenant, status: TenantStatus) -> None:
    if tenant.status == status:
        return
    tenant.status = status
    _audit(session, ACTOR, tenant, "billing.read_only" if status == TenantStatus.READ_ONLY
           else "billing.writable")
    if status == TenantStatus.READ_ONLY:
        _mail_admins(session, tenant, "read_only")


def apply_subscription(session: Session, config, tenant: Tenant, sub: dict, at: int) -> str:
    """Apply a subscription object as Stripe saw it at `at` (epoch seconds): forward only."""
    if tenant.subscription_event_at and at < tenant.subscription_event_at:
        return "stale"
    sub_id = _id(sub.get("id"), "sub_")
    status = sub.get("status")
    if sub_id is None or status not in STATUSES:
        raise BadEvent("subscription")
    if (tenant.stripe_subscription_id and sub_id != tenant.stripe_subscription_id
            and status in ("canceled", "incomplete_expired")
            and tenant.subscription_status not in ENDED):
        return "stale"  # an earlier subscription ending; the current one stands
    item = _first_item(sub)
    price = item.get("price") if isinstance(item.get("price"), dict) else {}
    metadata = sub.get("metadata") if isinstance(sub.get("metadata"), dict) else {}
    plan_key = plans.plan_for_price(config, price.get("id")) or (
        metadata.get("plan") if metadata.get("plan") in plans.PAID else None)
    tenant.stripe_subscription_id = sub_id
    tenant.subscription_status = status
    tenant.subscription_event_at = at
    tenant.subscription_renews_at = _when(item.get("current_period_end")) or _when(
        sub.get("current_period_end"))
    if status in WORKING:
        if plan_key:
            tenant.plan = plan_key
        tenant.subscription_monthly_cents = _monthly_cents(price, item.get("quantity"))
        if status != "past_due":
            tenant.failed_payments = 0
            tenant.open_invoice_url = None
        _set_status(session, tenant, TenantStatus.ACTIVE)
    elif status == "unpaid" or (status == "canceled" and _gave_up(sub, tenant)):
        tenant.subscription_monthly_cents = 0
        _set_status(session, tenant, TenantStatus.READ_ONLY)
    elif status == "canceled":
        # Cancelled by the tenant: the free plan; data stays, new additions are limited.
        tenant.plan = "gratis"
        tenant.subscription_monthly_cents = 0
        tenant.open_invoice_url = None
        tenant.subscription_renews_at = None
        _set_status(session, tenant, TenantStatus.ACTIVE)
    return "applied"


def _gave_up(sub: dict, tenant: Tenant) -> bool:
    details = sub.get("cancellation_details")
    reason = details.get("reason") if isinstance(details, dict) else None
    if reason:
        return reason in ("payment_failed", "payment_disputed")
    return tenant.failed_payments > 0


def _mail_admins(session: Session, tenant: Tenant, kind: str) -> None:
    """Queue the Dutch dunning mail to the tenant's admins (sent after commit, by the queue)."""
    from tenants.urls import absolute_url

    with tenant_context(session, tenant.id):
        emails = list(session.scalars(
            select(User.email).join(Membership, Membership.user_id == User.id)
            .where(Membership.role == Role.ADMIN, User.deactivated_at.is_(None))
            .order_by(User.email)))
    subject = (_l("Betaling van het Wijkwerk-abonnement mislukt") if kind == "failed"
               else _l("Wijkwerk staat op alleen lezen: het abonnement is niet betaald"))
    link = absolute_url("billing.index", tenant_slug=tenant.slug)
    for email in emails:
        send_mail(email, subject, "billing_payment", after_commit=session, kind=kind,
                  tenant_name=tenant.name, pay_url=tenant.open_invoice_url, link=link,
                  attempts=tenant.failed_payments)


# --- webhook events --------------------------------------------------------------------------

@dataclass(frozen=True)
class Event:
    id: str
    type: str
    created: int
    object: dict


def parse_event(data: dict) -> Event:
    event_id, type_, created = data.get("id"), data.get("type"), data.get("created")
    body = data.get("data")
    if not isinstance(event_id, str) or not event_id or len(event_id) > 80:
        raise BadEvent("id")
    if not isinstance(type_, str) or not type_ or len(type_) > 80:
        raise BadEvent("type")
    if not isinstance(created, int) or isinstance(created, bool) or created <= 0:
        raise BadEvent("created")
    if not isinstance(body, dict) or not isinstance(body.get("object"), dict):
        raise BadEvent("data.object")
    return Event(event_id, type_, created, body["object"])


class _AlreadyApplied(Exception):
    pass


def _record(session: Session, event: Event, customer: str) -> bool:
    if session.scalar(select(BillingEvent.id).where(BillingEvent.event_id == event.id)):
        return False
    session.add(BillingEvent(event_id=event.id, type=event.type, customer=customer))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise _AlreadyApplied() from None
    return True


def apply_event(session: Session, data: dict, config) -> str:
    """Apply one verified Billing event; a word for the log ("applied", "duplicate",
    "ignored", "refused", "stale"). The caller commits. Raises BadEvent for a malformed one."""
    event = parse_event(data)
    if event.type not in HANDLED:
        return "ignored"
    obj = event.object
    if event.type == "checkout.session.completed" and obj.get("mode") != "subscription":
        return "ignored"
    customer = _id(obj.get("customer"), "cus_")
    if customer is None:
        return "ignored"
    tenant_id = session.scalar(select(Tenant.id).where(Tenant.stripe_customer_id == customer))
    if tenant_id is None:
        log.info("Billing event %s for unknown customer %s ignored", event.id, customer)
        return "ignored"
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    named = metadata.get("tenant_id")
    if named is not None and named != str(tenant_id):
        audit.record_security(session, "stripe.event_refused", event_id=event.id,
                              type=event.type, customer=customer, tenant_id=tenant_id,
                              reason="metadata names another tenant than the customer's")
        return "refused"
    try:
        if not _record(session, event, customer):
            return "duplicate"
    except _AlreadyApplied:
        return "duplicate"
    tenant = _locked(session, tenant_id)
    if event.type.startswith("customer.subscription."):
        return apply_subscription(session, config, tenant, obj, event.created)
    if event.type == "checkout.session.completed":
        return _checkout_completed(session, config, tenant, obj, event.created)
    if event.type == "invoice.payment_failed":
        return _payment_failed(session, tenant, obj, event.created)
    return _invoice_paid(session, tenant, obj, event.created)


def _checkout_completed(session, config, tenant: Tenant, obj: dict, at: int) -> str:
    sub_id = _id(obj.get("subscription"), "sub_")
    if sub_id is None:
        raise BadEvent("subscription")
    if tenant.subscription_event_at and at < tenant.subscription_event_at:
        return "stale"
    if tenant.stripe_subscription_id != sub_id and tenant.subscription_status in ENDED:
        tenant.stripe_subscription_id = sub_id
        metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        if metadata.get("plan") in plans.PAID:
            tenant.plan = metadata["plan"]
        if obj.get("payment_status") == "paid":
            tenant.subscription_status = "active"
            tenant.subscription_event_at = at
            tenant.failed_payments = 0
            _set_status(session, tenant, TenantStatus.ACTIVE)
    _audit(session, ACTOR, tenant, "billing.subscribed",
                 plan=tenant.plan)
    return "applied"


def _ours(tenant: Tenant, obj: dict) -> bool:
    sub = _id(obj.get("subscription"), "sub_")
    parent = obj.get("parent") if isinstance(obj.get("parent"), dict) else {}
    details = parent.get("subscription_details") if isinstance(
        parent.get("subscription_details"), dict) else {}
    sub = sub or _id(details.get("subscription"), "sub_")
    return sub is not None and sub == tenant.stripe_subscription_id


def _payment_failed(session, tenant: Tenant, obj: dict, at: int) -> str:
    if not _ours(tenant, obj):
        return "ignored"
    url = obj.get("hosted_invoice_url")
    tenant.failed_payments += 1
    if isinstance(url, str) and url.startswith("https://") and len(url) <= 500:
        tenant.open_invoice_url = url
    if tenant.subscription_status == "active" and not (
            tenant.subscription_event_at and at < tenant.subscription_event_at):
        tenant.subscription_status = "past_due"
        tenant.subscription_event_at = at
    _audit(session, ACTOR, tenant, "billing.payment_failed", attempts=tenant.failed_payments)
    _mail_admins(session, tenant, "failed")
    return "applied"


def _invoice_paid(session, tenant: Tenant, obj: dict, at: int) -> str:
    if not _ours(tenant, obj):
        return "ignored"
    if tenant.subscription_event_at and at < tenant.subscription_event_at:
        return "stale"
    tenant.failed_payments = 0
    tenant.open_invoice_url = None
    if tenant.subscription_status in ("past_due", "unpaid"):
        tenant.subscription_status = "active"
        tenant.subscription_event_at = at
        _set_status(session, tenant, TenantStatus.ACTIVE)
    _audit(session, ACTOR, tenant, "billing.invoice_paid")
    return "applied"


# --- reconciliation --------------------------------------------------------------------------

def reconcile(session: Session, config, client: stripe.StripeClient) -> int:
    """Read every tenant's subscription from Stripe and apply it as of now (one commit per
    tenant); a missed or lost webhook heals. Returns how many changed."""
    rows = session.execute(select(Tenant.id, Tenant.stripe_subscription_id)
                           .where(Tenant.stripe_subscription_id.is_not(None))
                           .order_by(Tenant.id)).all()
    session.rollback()
    changed = 0
    for tenant_id, sub_id in rows:
        try:
            sub = _plain(client.v1.subscriptions.retrieve(sub_id))
        except stripe.StripeError as exc:
            log.warning("Reconciliation: subscription %s not read: %s", sub_id,
                        type(exc).__name__)
            continue
        tenant = _locked(session, tenant_id)
        before = (tenant.subscription_status, tenant.status, tenant.plan)
        try:
            apply_subscription(session, config, tenant, sub, int(time.time()))
        except BadEvent:
            session.rollback()
            continue
        if (tenant.subscription_status, tenant.status, tenant.plan) != before:
            changed += 1
            _audit(session, ACTOR, tenant, "billing.reconciled", status=tenant.subscription_status)
        session.commit()
    return changed
