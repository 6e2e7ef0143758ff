"""Stripe's webhook: a signed event registers the payment once, whatever the number, order or
kind of deliveries; anything unsigned, malformed or from another account changes nothing."""
from __future__ import annotations

import json
import time
from datetime import date

import stripe
from sqlalchemy import func, select

from blueprints.invoicing import services as invoicing
from blueprints.invoicing.models import InvoiceStatus, PaymentMethod
from tenants.models import AuditEvent, SecurityEvent
from tests.onlinepay.conftest import ACCOUNT, checkout_session, deliver, event

COMPLETED = "checkout.session.completed"
SUCCEEDED = "checkout.session.async_payment_succeeded"


def _audit(shop, action) -> list[AuditEvent]:
    return list(shop.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                     .execution_options(populate_existing=True)))


def test_a_signed_completed_event_registers_the_payment_and_credits_the_budget(
        client, shop, stripe_server):
    assert shop.balance() == 0
    response = deliver(client, event(COMPLETED, checkout_session(shop)))
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "applied"
    invoice = shop.fresh()
    assert (invoice.status, invoice.paid_cents) == (InvoiceStatus.PAID, 4840)
    [payment] = shop.payments()
    assert (payment.amount_cents, payment.method, payment.reference, payment.idempotency_key,
            payment.paid_on) == (4840, PaymentMethod.ONLINE, "pi_test_a1", "stripe:cs_test_a1",
                                 date.today())
    assert shop.balance() == 4000  # two hours at € 20,00, excl. VAT, to Sandra's budget
    [registered] = _audit(shop, "invoice.payment_registered")
    assert registered.actor_email == "stripe" and registered.actor_user_id is None


def test_the_same_event_twice_registers_one_payment(client, shop, stripe_server):
    completed = event(COMPLETED, checkout_session(shop))
    assert deliver(client, completed).status_code == 200
    second = deliver(client, completed)
    assert second.status_code == 200 and second.get_json()["outcome"] == "duplicate"
    assert len(shop.payments()) == 1 and shop.events() == 1
    assert shop.balance() == 4000


def test_a_retry_with_a_new_event_id_registers_one_payment(client, shop, stripe_server):
    obj = checkout_session(shop)
    assert deliver(client, event(COMPLETED, obj)).status_code == 200
    again = deliver(client, event(COMPLETED, obj))  # another event about the same session
    assert again.status_code == 200
    assert len(shop.payments()) == 1 and shop.events() == 2
    assert shop.fresh().paid_cents == 4840


def test_events_out_of_order_register_one_payment(client, shop, stripe_server):
    # iDEAL confirmed late: "succeeded" overtakes "completed" (which still says unpaid)
    succeeded = event(SUCCEEDED, checkout_session(shop, status="paid"))
    completed = event(COMPLETED, checkout_session(shop, status="unpaid"),
                      created=int(time.time()) - 60)
    assert deliver(client, succeeded).get_json()["outcome"] == "applied"
    assert deliver(client, completed).get_json()["outcome"] == "pending"
    assert len(shop.payments()) == 1 and shop.fresh().status == InvoiceStatus.PAID


def test_completed_unpaid_then_succeeded_registers_the_payment_then(client, shop,
                                                                    stripe_server):
    assert deliver(client, event(COMPLETED, checkout_session(shop, status="unpaid"))) \
        .get_json()["outcome"] == "pending"
    assert shop.payments() == [] and shop.fresh().status == InvoiceStatus.SENT
    assert deliver(client, event(SUCCEEDED, checkout_session(shop))).get_json()["outcome"] \
        == "applied"
    assert len(shop.payments()) == 1


def test_a_failed_async_payment_is_only_recorded(client, shop, stripe_server):
    response = deliver(client, event("checkout.session.async_payment_failed",
                                     checkout_session(shop, status="unpaid")))
    assert response.status_code == 200
    assert shop.payments() == []
    [failed] = _audit(shop, "invoice.online_payment_failed")
    assert failed.object_id == str(shop.invoice.id)


def test_a_bad_signature_is_400_and_changes_nothing(client, shop, stripe_server):
    good = event(COMPLETED, checkout_session(shop))
    payload = json.dumps(good)
    assert deliver(client, good, secret="whsec_someone_else").status_code == 400
    assert deliver(client, good, signature="").status_code == 400
    assert deliver(client, good, signature="t=1,v1=abc").status_code == 400
    old = stripe.WebhookSignature.generate_signature_header(
        payload, "whsec_test_local", timestamp=int(time.time()) - 3600)
    assert deliver(client, good, signature=old).status_code == 400  # a replay, too late
    tampered = payload.replace('"amount_total": 4840', '"amount_total": 1')
    header = stripe.WebhookSignature.generate_signature_header(payload, "whsec_test_local")
    response = deliver(client, tampered, signature=header)
    assert response.status_code == 400
    assert "whsec" not in response.get_data(as_text=True)
    assert shop.payments() == [] and shop.events() == 0


def test_a_malformed_payload_is_400(client, shop, stripe_server):
    assert deliver(client, "not json").status_code == 400
    assert deliver(client, json.dumps([1, 2])).status_code == 400
    assert deliver(client, {"object": "event", "id": "evt_x"}).status_code == 400
    broken = event(COMPLETED, checkout_session(shop, amount="lots"))
    assert deliver(client, broken).status_code == 400
    no_created = event(COMPLETED, checkout_session(shop))
    no_created["created"] = "yesterday"
    assert deliver(client, no_created).status_code == 400
    assert shop.payments() == [] and shop.events() == 0


def test_an_event_from_another_account_changes_nothing(client, session, shop,
                                                       stripe_server):
    before = session.scalar(select(func.count()).select_from(SecurityEvent))
    # someone's own Stripe account, naming our tenant and invoice in its metadata
    response = deliver(client, event(COMPLETED, checkout_session(shop), account="acct_evil"))
    assert response.status_code == 200 and response.get_json()["outcome"] == "refused"
    # a platform event (no account) is not the cooperative's either
    assert deliver(client, event(COMPLETED, checkout_session(shop), account=None)) \
        .get_json()["outcome"] == "refused"
    assert shop.payments() == [] and shop.events() == 0
    assert shop.fresh().status == InvoiceStatus.SENT
    refused = session.scalars(select(SecurityEvent).where(
        SecurityEvent.action == "stripe.event_refused").order_by(SecurityEvent.id)).all()
    assert session.scalar(select(func.count()).select_from(SecurityEvent)) == before + 2
    assert refused[-2].details["account"] == "acct_evil"


def test_events_that_are_not_ours_are_acknowledged_and_ignored(client, shop, stripe_server):
    own_sale = checkout_session(shop)
    own_sale["metadata"] = {}  # the cooperative's own Checkout, not an invoice of ours
    assert deliver(client, event(COMPLETED, own_sale)).get_json()["outcome"] == "ignored"
    unknown_tenant = checkout_session(shop, tenant_id="999999999")
    assert deliver(client, event(COMPLETED, unknown_tenant)).get_json()["outcome"] == "ignored"
    assert deliver(client, event("charge.refunded", {"id": "ch_1", "object": "charge"})) \
        .get_json()["outcome"] == "ignored"
    assert shop.payments() == [] and shop.events() == 0


def test_money_that_cannot_be_booked_is_recorded_for_the_administrator(client, shop,
                                                                       stripe_server):
    # the customer paid by bank transfer too, before Stripe's event arrived
    invoicing.register_payment(shop.session, shop.coop.actor, shop.invoice, 4840, date.today(),
                               "overboeking", idempotency_key="bank-all")
    shop.session.commit()
    response = deliver(client, event(COMPLETED, checkout_session(shop, amount=4840)))
    assert response.status_code == 200 and response.get_json()["outcome"] == "unmatched"
    assert [p.method for p in shop.payments()] == [PaymentMethod.BANK_TRANSFER]
    [unmatched] = _audit(shop, "invoice.online_payment_unmatched")
    assert unmatched.details["amount_cents"] == 4840
    assert unmatched.details["reference"] == "pi_test_a1"
    assert shop.events() == 1  # Stripe does not retry it forever
    assert deliver(client, event(COMPLETED, checkout_session(shop, amount=4840))) \
        .status_code == 200
    assert len(_audit(shop, "invoice.online_payment_unmatched")) == 2


def test_a_payment_for_another_tenants_invoice_id_finds_nothing(client, make, shop,
                                                                stripe_server):
    obj = checkout_session(shop, invoice_id="123456789")
    response = deliver(client, event(COMPLETED, obj))
    assert response.status_code == 200 and response.get_json()["outcome"] == "unmatched"
    assert shop.payments() == []


def test_a_payment_after_midnight_is_booked_on_the_amsterdam_day(client, shop, stripe_server):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    amsterdam = datetime.now(ZoneInfo("Europe/Amsterdam"))
    created = int(amsterdam.replace(hour=0, minute=30, second=0, microsecond=0).timestamp())
    if created > time.time():
        return  # just before 00:30 in Amsterdam: nothing to prove right now
    deliver(client, event(COMPLETED, checkout_session(shop), created=created))
    [payment] = shop.payments()
    assert payment.paid_on == amsterdam.date()


def test_account_updated_stores_what_stripe_says_now(client, shop, stripe_server):
    stripe_server.accounts[ACCOUNT] = {"id": ACCOUNT, "object": "account",
                                       "charges_enabled": False,
                                       "metadata": {"tenant_id": str(shop.tenant_id)}}
    # The event says enabled, but it is old news: the account is read again.
    account = dict(stripe_server.accounts[ACCOUNT], charges_enabled=True)
    response = deliver(client, event("account.updated", account))
    assert response.status_code == 200
    assert shop.settings().stripe_charges_enabled is False
    [call] = stripe_server.calls_to("GET", f"/v1/accounts/{ACCOUNT}")
    assert call.stripe_account is None  # the platform reads its connected account
    stripe_server.accounts[ACCOUNT]["charges_enabled"] = True
    deliver(client, event("account.updated", account))
    assert shop.settings().stripe_charges_enabled is True


def test_account_updated_from_another_account_changes_nothing(client, shop, stripe_server):
    evil = {"id": "acct_evil", "object": "account", "charges_enabled": False,
            "metadata": {"tenant_id": str(shop.tenant_id)}}
    response = deliver(client, event("account.updated", evil, account="acct_evil"))
    assert response.get_json()["outcome"] == "refused"
    assert shop.settings().stripe_charges_enabled is True
    assert not stripe_server.calls


def test_when_stripe_cannot_be_asked_the_event_waits_for_a_retry(client, shop, stripe_server):
    stripe_server.fail = 400
    account = {"id": ACCOUNT, "object": "account", "charges_enabled": False,
               "metadata": {"tenant_id": str(shop.tenant_id)}}
    updated = event("account.updated", account)
    assert deliver(client, updated).status_code == 503
    assert shop.events() == 0  # not recorded: the retry applies it
    stripe_server.fail = None
    stripe_server.accounts[ACCOUNT] = account
    assert deliver(client, updated).status_code == 200
    assert shop.settings().stripe_charges_enabled is False and shop.events() == 1
