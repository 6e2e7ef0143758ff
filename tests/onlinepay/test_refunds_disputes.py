"""What else Stripe sends about a cooperative's online payments: a refund takes the payment
(and the training-budget credit it caused) back once, a dispute flags the invoice and tells the
administrator, a disconnected account turns online payment off and the pay link falls back to
the bank transfer; Stripe's fee is recorded per payment for the bookkeeper."""
from __future__ import annotations

import itertools
import time

import pytest
from sqlalchemy import select

from blueprints.invoicing import exports
from blueprints.invoicing.models import InvoiceStatus
from blueprints.onlinepay.links import pay_url
from tenants.formatting import format_money
from tenants.models import AuditEvent
from tenants.stripe_accounts import tenant_of_account
from tests.helpers import csrf_token, login
from tests.onlinepay.conftest import checkout_session, deliver
from tests.onlinepay.conftest import event as stripe_event

COMPLETED = "checkout.session.completed"
_accounts = itertools.count(1)
#: the connected account of this test's shop (the shared test database holds many shops; an
#: account id belongs to one tenant, as at Stripe)
_current: dict = {}


@pytest.fixture(autouse=True)
def own_account(shop):
    account = f"acct_t{int(time.time())}x{next(_accounts)}"
    shop.coop.settings.stripe_account_id = account
    shop.session.commit()
    _current["account"] = account
    yield account
    _current.clear()


def event(type_: str, obj: dict, account: str | None = "own", **kwargs) -> dict:
    return stripe_event(type_, obj, account=_current["account"] if account == "own" else account,
                        **kwargs)


def charge(shop, refunded: int, intent="pi_test_a1", metadata=True) -> dict:
    meta = {"tenant_id": str(shop.tenant_id), "invoice_id": str(shop.invoice.id)} \
        if metadata else {}
    return {"id": "ch_test_a1", "object": "charge", "amount": 4840,
            "amount_refunded": refunded, "amount_captured": 4840, "currency": "eur",
            "payment_intent": intent, "refunded": refunded == 4840, "paid": True,
            "status": "succeeded", "metadata": meta}


def dispute(status="needs_response", intent="pi_test_a1") -> dict:
    return {"id": "dp_test_1", "object": "dispute", "amount": 4840, "charge": "ch_test_a1",
            "payment_intent": intent, "currency": "eur", "reason": "fraudulent",
            "status": status, "metadata": {}}


def paid(client, shop):
    response = deliver(client, event(COMPLETED, checkout_session(shop)))
    assert response.get_json()["outcome"] == "applied"
    assert shop.balance() == 4000


def outcome(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["outcome"]


def mails_to(app, address: str) -> list:
    outbox = getattr(app.extensions["mailman"], "outbox", None) or []
    return [m for m in outbox if address in m.to]


def _audit(shop, action) -> list[AuditEvent]:
    return list(shop.session.scalars(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.tenant_id == shop.tenant_id)
        .execution_options(populate_existing=True)))


# --- refunds -----------------------------------------------------------------------------------

def test_a_full_refund_reverses_the_payment_and_the_budget_credit(client, shop, stripe_server):
    paid(client, shop)
    assert outcome(deliver(client, event("charge.refunded", charge(shop, 4840)))) == "applied"
    invoice = shop.fresh()
    assert (invoice.status, invoice.paid_cents) == (InvoiceStatus.SENT, 0)
    [payment] = shop.payments()
    assert (payment.amount_cents, payment.refunded_cents) == (4840, 4840)
    assert shop.balance() == 0  # Sandra's € 40,00 taken back
    [refunded] = _audit(shop, "invoice.payment_refunded")
    assert refunded.details["amount_cents"] == 4840


def test_a_partial_refund_reverses_that_amount(client, shop, stripe_server):
    paid(client, shop)
    assert outcome(deliver(client, event("charge.refunded", charge(shop, 1000)))) == "applied"
    invoice = shop.fresh()
    assert (invoice.status, invoice.paid_cents) == (InvoiceStatus.PARTLY_PAID, 3840)
    # 1000 / 4840 of the € 40,00 credited: € 8,26 (half up)
    assert shop.balance() == 4000 - 826
    # later the rest: all of it back, exactly once
    deliver(client, event("charge.refunded", charge(shop, 4840)))
    assert shop.fresh().paid_cents == 0 and shop.balance() == 0


def test_the_same_refund_three_times_and_out_of_order_changes_state_once(client, shop,
                                                                         stripe_server):
    paid(client, shop)
    first = event("charge.refunded", charge(shop, 1000))
    full = event("charge.refunded", charge(shop, 4840))
    assert outcome(deliver(client, first)) == "applied"
    assert outcome(deliver(client, first)) == "duplicate"
    assert outcome(deliver(client, full)) == "applied"
    assert outcome(deliver(client, full)) == "duplicate"
    # an older event (the first refund) with a new id, arriving last: state stays
    late = event("charge.refunded", charge(shop, 1000))
    assert outcome(deliver(client, late)) == "unchanged"
    assert shop.fresh().paid_cents == 0 and shop.balance() == 0
    assert [p.refunded_cents for p in shop.payments()] == [4840]
    assert len(_audit(shop, "invoice.payment_refunded")) == 2


def test_a_refund_before_its_payment_waits_for_stripes_retry(client, shop, stripe_server):
    early = event("charge.refunded", charge(shop, 4840))
    response = deliver(client, early)
    assert response.status_code == 503 and shop.events() == 0
    paid(client, shop)
    assert outcome(deliver(client, early)) == "applied"
    assert shop.fresh().paid_cents == 0 and shop.balance() == 0


def test_refunds_that_are_not_ours_change_nothing(client, shop, stripe_server):
    paid(client, shop)
    # the cooperative's own sale (no payment of ours, no metadata of ours)
    own = charge(shop, 500, intent="pi_own_sale", metadata=False)
    assert outcome(deliver(client, event("charge.refunded", own))) == "ignored"
    # an account that is no tenant's, naming our payment
    assert outcome(deliver(client, event("charge.refunded", charge(shop, 4840),
                                         account="acct_stranger"))) == "ignored"
    # a platform event (no account)
    assert outcome(deliver(client, event("charge.refunded", charge(shop, 4840),
                                         account=None))) == "ignored"
    assert shop.fresh().paid_cents == 4840 and shop.balance() == 4000


def test_a_refund_without_an_amount_is_malformed(client, shop, stripe_server):
    paid(client, shop)
    bad = charge(shop, 0)
    bad["amount_refunded"] = "4840"
    assert deliver(client, event("charge.refunded", bad)).status_code == 400
    assert shop.fresh().paid_cents == 4840


# --- disputes ----------------------------------------------------------------------------------

def test_a_dispute_flags_the_invoice_and_tells_the_admin(app, client, shop, stripe_server):
    paid(client, shop)
    admin = shop.coop.admin
    assert outcome(deliver(client, event("charge.dispute.created", dispute()))) == "applied"
    invoice = shop.fresh()
    assert invoice.dispute_status == "open" and invoice.disputed_at is not None
    [mail] = mails_to(app, admin.email)
    assert shop.invoice.number_text in mail.subject and "betwist" in mail.subject
    assert f"/{shop.slug}/facturen/{shop.invoice.id}" in mail.body

    login(client, admin)
    page = client.get(f"/{shop.slug}/facturen/{shop.invoice.id}").get_data(as_text=True)
    assert "betwist" in page and 'id="betwisting"' in page
    listing = client.get(f"/{shop.slug}/facturen/").get_data(as_text=True)
    assert "betwist" in listing

    # the same news again: nothing more; closed (won): the flag says so, a mail again
    assert outcome(deliver(client, event("charge.dispute.created", dispute(),
                                         event_id="evt_dispute_again"))) == "unchanged"
    assert outcome(deliver(client, event("charge.dispute.created", dispute(),
                                         event_id="evt_dispute_again"))) == "duplicate"
    assert outcome(deliver(client, event("charge.dispute.closed", dispute("won")))) == \
        "applied"
    assert shop.fresh().dispute_status == "gewonnen"
    assert len(mails_to(app, admin.email)) == 2
    # a late "created" does not reopen it
    assert outcome(deliver(client, event("charge.dispute.created", dispute()))) == "unchanged"
    assert shop.fresh().dispute_status == "gewonnen"
    page = client.get(f"/{shop.slug}/facturen/{shop.invoice.id}").get_data(as_text=True)
    assert "betwisting: gewonnen" in page and 'id="betwisting"' not in page


def test_a_dispute_of_someone_elses_payment_changes_nothing(app, client, shop, stripe_server):
    paid(client, shop)
    assert outcome(deliver(client, event("charge.dispute.created",
                                         dispute(intent="pi_other")))) == "ignored"
    assert outcome(deliver(client, event("charge.dispute.created", dispute(),
                                         account="acct_stranger"))) == "ignored"
    assert shop.fresh().dispute_status is None
    assert mails_to(app, shop.coop.admin.email) == []


# --- a disconnected account --------------------------------------------------------------------

def test_deauthorisation_turns_online_payment_off_and_the_link_explains_the_transfer(
        app, client, shop, stripe_server):
    application = {"id": "ca_platform", "object": "application", "name": "Wijkwerk"}
    deauthorized = event("account.application.deauthorized", application)
    assert outcome(deliver(client, deauthorized)) == "applied"
    settings = shop.settings()
    assert (settings.stripe_account_id, settings.stripe_charges_enabled) == (None, False)
    [mail] = mails_to(app, shop.coop.admin.email)
    assert "Online betalen staat uit" in mail.subject
    assert f"/{shop.slug}/online-betalen/" in mail.body
    assert _audit(shop, "onlinepay.account_disconnected")

    # the same event again, and again from an account no tenant has any more
    assert outcome(deliver(client, deauthorized)) == "ignored"
    assert len(mails_to(app, shop.coop.admin.email)) == 1

    # the printed link keeps working: it explains how to pay by bank transfer
    html = client.get(shop.pay_path(app)).get_data(as_text=True)
    assert "Betalen met iDEAL of kaart" not in html
    assert 'id="niet-online"' in html
    assert "NL91 ABNA 0417 1643 00" in html and shop.invoice.number_text in html
    response = client.post(shop.pay_path(app),
                           data={"csrf_token": csrf_token(client, shop.pay_path(app))})
    assert response.status_code == 400 and "NL91 ABNA 0417 1643 00" in \
        response.get_data(as_text=True)
    assert not stripe_server.calls_to("POST", "/v1/checkout/sessions")
    with app.test_request_context():
        assert pay_url(shop.session, shop.fresh()) is None

    # the administrator may connect again: a new account (a new idempotency key)
    login(client, shop.coop.admin)
    page = client.get(f"/{shop.slug}/online-betalen/").get_data(as_text=True)
    assert "Stripe-account koppelen" in page
    assert client.post(f"/{shop.slug}/online-betalen/koppelen", data={
        "csrf_token": csrf_token(client, f"/{shop.slug}/online-betalen/")}).status_code == 303
    [create] = stripe_server.calls_to("POST", "/v1/accounts")
    assert create.idempotency_key == f"account:{shop.tenant_id}:1"
    assert shop.settings().stripe_account_id.startswith("acct_fake")


def test_deauthorisation_of_an_unknown_account_is_ignored(client, shop, stripe_server,
                                                          own_account):
    application = {"id": "ca_platform", "object": "application"}
    assert outcome(deliver(client, event("account.application.deauthorized", application,
                                         account="acct_nobody"))) == "ignored"
    assert shop.settings().stripe_account_id == own_account


def test_the_account_lookup_finds_one_tenant_by_exact_id(shop, make, session, own_account):
    assert tenant_of_account(session, own_account) == shop.tenant_id
    for nothing in (None, "", "acct_", "acct_coop", own_account + "x", "cus_1",
                    "acct_" + "9" * 40, own_account.upper()):
        assert tenant_of_account(session, nothing) is None, nothing
    # an id two tenants claim (never at Stripe): neither is answered
    other = make.tenant()
    from blueprints.invoicing.models import FinanceSettings
    from tenants.tenancy import tenant_context
    with tenant_context(session, other.id):
        session.add(FinanceSettings(legal_name="Ander", stripe_account_id=own_account))
        session.flush()
    assert tenant_of_account(session, own_account) is None
    session.rollback()


# --- the fee, and the button only while Stripe lets the account take charges -----------------

def test_stripes_fee_is_recorded_and_exported_gross_fee_net(client, shop, stripe_server):
    stripe_server.fees["pi_test_a1"] = 54
    paid(client, shop)
    [payment] = shop.payments()
    assert payment.fee_cents == 54
    [call] = stripe_server.calls_to("GET", "/v1/payment_intents/pi_test_a1")
    assert call.stripe_account == _current["account"]  # the direct charge lives on the cooperative's account
    assert call.params == {"expand[0]": "latest_charge.balance_transaction"}
    year = payment.paid_on.year
    body, _name = exports.export(shop.session, shop.coop.actor, "payments", "csv", year)
    rows = [line.split(";") for line in body.decode("utf-8-sig").splitlines()]
    row = dict(zip(rows[0], rows[-1]))
    assert (row["Bedrag"], row["Kosten"], row["Netto"], row["Terugbetaald"]) == \
        ("48,40", "0,54", "47,86", "0,00")


def test_the_invoice_page_shows_fee_and_refund(client, shop, stripe_server):
    paid(client, shop)
    deliver(client, event("charge.refunded", charge(shop, 1000)))
    login(client, shop.coop.admin)
    page = client.get(f"/{shop.slug}/facturen/{shop.invoice.id}").get_data(as_text=True)
    assert f"kosten {format_money(29)}, netto {format_money(4811)}" in page
    assert f"terugbetaald {format_money(1000)}" in page


def test_when_stripe_cannot_tell_the_fee_the_payment_waits_for_a_retry(client, shop,
                                                                       stripe_server):
    stripe_server.fail = 500
    completed = event(COMPLETED, checkout_session(shop))
    assert deliver(client, completed).status_code == 503
    assert shop.payments() == [] and shop.events() == 0
    stripe_server.fail = None
    assert outcome(deliver(client, completed)) == "applied"
    assert shop.payments()[0].fee_cents == 29


def test_the_pay_button_shows_only_while_the_account_can_take_charges(app, client, shop,
                                                                      stripe_server):
    assert "Betalen met iDEAL of kaart" in client.get(shop.pay_path(app)).get_data(as_text=True)
    shop.coop.settings.stripe_charges_enabled = False
    shop.session.commit()
    html = client.get(shop.pay_path(app)).get_data(as_text=True)
    assert "Betalen met iDEAL of kaart" not in html and 'id="niet-online"' in html
