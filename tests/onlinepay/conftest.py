"""Fixtures for online payment: a local Stripe, a cooperative whose Stripe account is ready
and a sent invoice for a participant's hours, and signed webhook deliveries."""
from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from datetime import date

import pytest
import stripe
from sqlalchemy import func, select

from blueprints.budgets.lists import participant_balances
from blueprints.invoicing import services as invoicing
from blueprints.invoicing.models import FinanceSettings, Invoice, Payment
from blueprints.onlinepay.links import make_token
from blueprints.onlinepay.models import StripeEvent
from tests.invoicing.invoice_world import coop, hours, job  # noqa: F401  (fixture)
from tests.onlinepay.stripe_fake import serve

WHSEC = "whsec_test_local"
ACCOUNT = "acct_coop_vaart"
CONFIG_KEYS = ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE", "BASE_URL")
_events = itertools.count(1)


@pytest.fixture
def stripe_server(app):
    """Online payment switched on, against the local Stripe (restored afterwards)."""
    fake, server = serve()
    saved = {k: app.config.get(k) for k in CONFIG_KEYS}
    saved_globals = (stripe.api_base, stripe.api_key)
    app.config.update(STRIPE_SECRET_KEY="sk_test_local", STRIPE_WEBHOOK_SECRET=WHSEC,
                      STRIPE_API_BASE=fake.url)
    # Anything that would use the library's globals goes to the local server too.
    stripe.api_base, stripe.api_key = fake.url, "sk_test_local"
    try:
        yield fake
    finally:
        app.config.update(saved)
        stripe.api_base, stripe.api_key = saved_globals
        server.shutdown()
        server.server_close()


@dataclass
class Shop:
    coop: object
    invoice: Invoice
    tenant_id: int
    slug: str

    @property
    def session(self):
        return self.coop.session

    def token(self, app) -> str:
        return make_token(app.config["SECRET_KEY"], self.tenant_id, self.invoice.id)

    def pay_path(self, app) -> str:
        return f"/{self.slug}/betalen/{self.token(app)}"

    def fresh(self) -> Invoice:
        return self.session.scalar(select(Invoice).where(Invoice.id == self.invoice.id)
                                   .execution_options(populate_existing=True))

    def payments(self) -> list[Payment]:
        return list(self.session.scalars(select(Payment).where(
            Payment.invoice_id == self.invoice.id).execution_options(populate_existing=True)))

    def events(self) -> int:
        return self.session.scalar(select(func.count()).select_from(StripeEvent))

    def balance(self) -> int:
        participant_id = self.coop.participant.id
        return participant_balances(self.session, [participant_id])[participant_id]

    def settings(self) -> FinanceSettings:
        return self.session.scalar(select(FinanceSettings)
                                   .execution_options(populate_existing=True))


def sent_invoice(c, minutes=120, price=2000, issue=None):
    s = c.session
    today = date.today()
    e = hours(s, c.participant, c.trajectory, date(2026, 11, 10), minutes,
              job(s, c.customer, price=price))
    draft = invoicing.create_draft(s, c.actor, c.customer, date(2026, 11, 1),
                                   date(2026, 11, 30))
    invoicing.add_hours(s, c.actor, draft, [e.id])
    return invoicing.finalise(s, c.actor, draft, issue or today, today=today)


@pytest.fixture
def shop(coop):  # noqa: F811
    """A cooperative with a ready Stripe account and a sent invoice of € 48,40 (2 hours at
    € 20,00 plus 21% VAT) for Sandra Verhoeven's work."""
    invoice = sent_invoice(coop)
    coop.settings.stripe_account_id = ACCOUNT
    coop.settings.stripe_charges_enabled = True
    coop.session.commit()
    return Shop(coop, invoice, coop.tenant.id, coop.tenant.slug)


# --- webhook deliveries ----------------------------------------------------------------------

def event(type_: str, obj: dict, account: str | None = ACCOUNT, event_id: str | None = None,
          created: int | None = None) -> dict:
    return {"id": event_id or f"evt_test_{next(_events)}_{int(time.time())}", "object": "event",
            "api_version": "2025-10-29", "type": type_, "account": account,
            "created": created or int(time.time()), "livemode": False,
            "data": {"object": obj}}


def checkout_session(shop: Shop, session_id="cs_test_a1", amount=None, status="paid",
                     intent="pi_test_a1", **metadata) -> dict:
    meta = {"tenant_id": str(shop.tenant_id), "invoice_id": str(shop.invoice.id),
            "number": shop.invoice.number_text}
    meta.update(metadata)
    return {"id": session_id, "object": "checkout.session", "mode": "payment",
            "amount_total": invoicing.open_cents(shop.invoice) if amount is None else amount,
            "currency": "eur", "payment_status": status, "payment_intent": intent,
            "client_reference_id": f"{shop.tenant_id}-{shop.invoice.id}", "metadata": meta}


def deliver(client, data: dict | str, secret: str = WHSEC, signature: str | None = None):
    payload = data if isinstance(data, str) else json.dumps(data)
    if signature is None:
        signature = stripe.WebhookSignature.generate_signature_header(payload, secret)
    return client.post("/stripe/webhook", data=payload.encode(),
                       headers={"Stripe-Signature": signature,
                                "Content-Type": "application/json"})
