"""Stripe delivers the same event several times at once (its retries overlap, or two webhook
endpoints): exactly one payment, on PostgreSQL with the app's role and row-level security.
Each delivery is a real request through the webhook, in its own thread and transaction."""
from __future__ import annotations

import threading

import pytest

from blueprints.invoicing.models import InvoiceStatus
from tests.onlinepay.conftest import checkout_session, deliver, event

pytestmark = pytest.mark.postgres


def _deliver_together(app, payloads: list[dict]) -> list[tuple[int, str]]:
    """(status, outcome) of each delivery, all sent at once."""
    barrier = threading.Barrier(len(payloads))
    statuses: list = [None] * len(payloads)

    def worker(i, data):
        client = app.test_client()
        barrier.wait(timeout=10)
        response = deliver(client, data)
        statuses[i] = (response.status_code, (response.get_json() or {}).get("outcome"))

    threads = [threading.Thread(target=worker, args=(i, d)) for i, d in enumerate(payloads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a delivery hung (deadlock?)"
    return statuses


def test_the_same_event_from_five_threads_registers_one_payment(app, shop, stripe_server):
    completed = event("checkout.session.completed", checkout_session(shop))
    answers = _deliver_together(app, [completed] * 5)
    assert sorted(answers) == [(200, "applied")] + [(200, "duplicate")] * 4
    assert len(shop.payments()) == 1 and shop.events() == 1
    invoice = shop.fresh()
    assert (invoice.status, invoice.paid_cents) == (InvoiceStatus.PAID, 4840)
    assert shop.balance() == 4000


def test_five_events_about_one_checkout_session_register_one_payment(app, shop,
                                                                     stripe_server):
    obj = checkout_session(shop)
    events = [event("checkout.session.completed", obj) for _ in range(3)] + \
        [event("checkout.session.async_payment_succeeded", obj) for _ in range(2)]
    assert _deliver_together(app, events) == [(200, "applied")] * 5
    assert len(shop.payments()) == 1 and shop.events() == 5
    assert shop.fresh().paid_cents == 4840 and shop.balance() == 4000


def test_parallel_deliveries_of_one_refund_change_state_once(app, shop, stripe_server):
    """One refund event delivered three times at once (and a second event saying the same),
    each applied through the service in its own session and transaction: the payment is
    reversed once, the budget credit taken back once."""
    from blueprints.onlinepay import services
    from tests.concurrency import run_together

    account = f"acct_refund{shop.tenant_id}"  # the shared database holds many shops
    shop.coop.settings.stripe_account_id = account
    shop.session.commit()
    completed = event("checkout.session.completed", checkout_session(shop), account=account)
    assert _deliver_together(app, [completed]) == [(200, "applied")]
    assert shop.balance() == 4000
    refund = {"id": "ch_test_a1", "object": "charge", "amount": 4840, "amount_refunded": 4840,
              "currency": "eur", "payment_intent": "pi_test_a1", "refunded": True,
              "metadata": {}}
    refunded = event("charge.refunded", refund, account=account)
    same_news = event("charge.refunded", refund, account=account)

    def apply(data):
        return lambda session: services.apply_event(session, data, read_account=None)

    results = run_together(app, shop.tenant_id, apply(refunded), apply(refunded),
                           apply(refunded), apply(same_news))
    outcomes = sorted(value for _status, value in results)
    assert outcomes == ["applied", "duplicate", "duplicate", "unchanged"], outcomes
    invoice = shop.fresh()
    assert (invoice.status, invoice.paid_cents) == (InvoiceStatus.SENT, 0)
    assert [p.refunded_cents for p in shop.payments()] == [4840]
    assert shop.balance() == 0
    assert shop.events() == 3  # the completion, the refund, the same news under its own id
