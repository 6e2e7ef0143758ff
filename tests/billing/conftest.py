"""Fixtures for the platform subscription: billing switched on against the local Stripe, a
tenant with an admin and a Stripe customer, and signed Billing webhook deliveries in Stripe's
shapes."""
from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass

import pytest
import stripe
from sqlalchemy import func, select

from blueprints.billing.models import BillingEvent
from tenants.models import Role, Tenant
from tests.onlinepay.stripe_fake import serve, subscription_object

WHSEC = "whsec_billing_local"
PRICES = {"STRIPE_PRICE_BASIS": "price_basis_test", "STRIPE_PRICE_PLUS": "price_plus_test",
          "STRIPE_PRICE_GROOT": "price_groot_test"}
KEYS = ("STRIPE_SECRET_KEY", "STRIPE_BILLING_WEBHOOK_SECRET", "STRIPE_API_BASE", *PRICES)
_seq = itertools.count(1)


@pytest.fixture
def billing(app):
    """Billing switched on against the local Stripe (restored afterwards)."""
    fake, server = serve()
    saved = {k: app.config.get(k) for k in KEYS}
    saved_globals = (stripe.api_base, stripe.api_key)
    app.config.update(STRIPE_SECRET_KEY="sk_test_local", STRIPE_BILLING_WEBHOOK_SECRET=WHSEC,
                      STRIPE_API_BASE=fake.url, **PRICES)
    stripe.api_base, stripe.api_key = fake.url, "sk_test_local"
    try:
        yield fake
    finally:
        app.config.update(saved)
        stripe.api_base, stripe.api_key = saved_globals
        server.shutdown()
        server.server_close()


@dataclass
class Coop:
    tenant_id: int
    slug: str
    customer: str
    admin: object
    participant: object
    session: object

    def tenant(self) -> Tenant:
        return self.session.scalar(select(Tenant).where(Tenant.id == self.tenant_id)
                                   .execution_options(populate_existing=True))

    def events(self) -> int:
        return self.session.scalar(select(func.count()).select_from(BillingEvent)
                                   .where(BillingEvent.customer == self.customer))


def _coop(make, session, fake=None) -> Coop:
    tenant = make.tenant(name="Buurtkracht Kanaleneiland")
    admin = make.member(tenant, Role.ADMIN, totp=True)
    participant = make.member(tenant, Role.PARTICIPANT)
    customer = f"cus_test{next(_seq)}_{int(time.time())}"
    row = session.get(Tenant, tenant.id)
    row.stripe_customer_id = customer
    session.commit()
    if fake is not None:
        fake.customers[customer] = {"id": customer, "object": "customer",
                                    "metadata": {"tenant_id": str(tenant.id)}}
    return Coop(tenant.id, tenant.slug, customer, admin, participant, session)


@pytest.fixture
def coop(make, session, billing):
    return _coop(make, session, billing)


@pytest.fixture
def other(make, session, billing):
    return _coop(make, session, billing)


# --- events in Stripe's shapes ---------------------------------------------------------------

def event(type_: str, obj: dict, created: int | None = None, event_id: str | None = None) -> dict:
    return {"id": event_id or f"evt_bill_{next(_seq)}_{int(time.time())}", "object": "event",
            "api_version": "2025-10-29", "type": type_, "livemode": False,
            "created": created or int(time.time()), "data": {"object": obj}}


def subscription(coop: Coop, status: str = "active", sub_id: str | None = None,
                 price: str = "price_basis_test", **options) -> dict:
    return subscription_object(sub_id or f"sub_{coop.customer}", coop.customer, price, status,
                               metadata={"tenant_id": str(coop.tenant_id)}, **options)


def invoice(coop: Coop, status: str = "open", sub_id: str | None = None,
            url: str = "https://invoice.stripe.com/i/acct_test/test_inv1") -> dict:
    """An invoice in the 2025 shape: the subscription under parent.subscription_details."""
    return {"id": f"in_{next(_seq)}", "object": "invoice", "customer": coop.customer,
            "status": status, "amount_due": 4900, "currency": "eur",
            "hosted_invoice_url": url, "attempt_count": 1,
            "parent": {"type": "subscription_details", "subscription_details": {
                "subscription": sub_id or f"sub_{coop.customer}", "metadata": {}}}}


def checkout_completed(coop: Coop, plan: str = "basis", sub_id: str | None = None) -> dict:
    return {"id": f"cs_test_{next(_seq)}", "object": "checkout.session", "mode": "subscription",
            "customer": coop.customer, "subscription": sub_id or f"sub_{coop.customer}",
            "payment_status": "paid", "status": "complete",
            "client_reference_id": str(coop.tenant_id),
            "metadata": {"tenant_id": str(coop.tenant_id), "plan": plan}}


def deliver(client, data: dict | str, secret: str = WHSEC, signature: str | None = None):
    payload = data if isinstance(data, str) else json.dumps(data)
    if signature is None:
        signature = stripe.WebhookSignature.generate_signature_header(payload, secret)
    return client.post("/stripe/billing-webhook", data=payload.encode(),
                       headers={"Stripe-Signature": signature,
                                "Content-Type": "application/json"})


def outcome(response) -> str | None:
    return (response.get_json() or {}).get("outcome")
