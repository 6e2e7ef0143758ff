"""The local Stripe refuses what Stripe refuses: seven malformed calls that Stripe's own mock
server answered with 400 are refused here too, through the real stripe library, while the
calls the app makes pass (the rest of tests/onlinepay makes them)."""
from __future__ import annotations

import pytest
import stripe

from tests.onlinepay.stripe_fake import serve

GOOD_CHECKOUT = {
    "mode": "payment", "payment_method_types": ["ideal", "card"],
    "line_items": [{"price_data": {"currency": "eur", "unit_amount": 5250,
                                   "product_data": {"name": "Factuur 2026-0001"}},
                    "quantity": 1}],
    "metadata": {"tenant_id": "1", "invoice_id": "2"},
    "payment_intent_data": {"description": "Factuur 2026-0001", "metadata": {"tenant_id": "1"}},
    "success_url": "https://wijkwerk.example/klaar", "cancel_url": "https://wijkwerk.example/af",
}
GOOD_LINK = {"account": "acct_1", "refresh_url": "https://wijkwerk.example/vernieuwen",
             "return_url": "https://wijkwerk.example/terug", "type": "account_onboarding"}


def _with(base: dict, **changes) -> dict:
    data = dict(base)
    data.update(changes)
    return data


def _line(unit_amount) -> list:
    return [{"price_data": {"currency": "eur", "unit_amount": unit_amount,
                            "product_data": {"name": "Factuur"}}, "quantity": 1}]


@pytest.fixture
def fake_client():
    fake, server = serve()
    client = stripe.StripeClient("sk_test_local", base_addresses={"api": fake.url},
                                 max_network_retries=0)
    try:
        yield fake, client
    finally:
        server.shutdown()
        server.server_close()


SEVEN = [
    ("a bogus payment method type", "checkout",
     _with(GOOD_CHECKOUT, payment_method_types=["ideal", "bitcoin_cash"]),
     "payment_method_types[1]", "parameter_invalid_string"),
    ("mode=pay", "checkout", _with(GOOD_CHECKOUT, mode="pay"), "mode",
     "parameter_invalid_string"),
    ("nested metadata", "checkout",
     _with(GOOD_CHECKOUT, metadata={"tenant": {"id": "1"}}), "metadata[tenant]",
     "parameter_invalid"),
    ("an unknown parameter", "checkout", _with(GOOD_CHECKOUT, invoice_number="2026-0001"),
     "invoice_number", "parameter_unknown"),
    ("a misspelt account type", "account", {"type": "standart", "country": "NL"}, "type",
     "parameter_invalid_string"),
    ("a misspelt account link type", "link", _with(GOOD_LINK, type="account_onbording"),
     "type", "parameter_invalid_string"),
    ('"52,50" as an amount', "checkout", _with(GOOD_CHECKOUT, line_items=_line("52,50")),
     "line_items[0][price_data][unit_amount]", "parameter_invalid_integer"),
]


def _call(client, kind: str, params: dict):
    if kind == "checkout":
        return client.v1.checkout.sessions.create(params=params,
                                                  options={"stripe_account": "acct_1"})
    if kind == "account":
        return client.v1.accounts.create(params=params)
    return client.v1.account_links.create(params=params)


@pytest.mark.parametrize("what, kind, params, param, code", SEVEN, ids=[s[0] for s in SEVEN])
def test_the_fake_refuses_what_stripe_refuses(fake_client, what, kind, params, param, code):
    fake, client = fake_client
    with pytest.raises(stripe.InvalidRequestError) as refused:
        _call(client, kind, params)
    assert refused.value.http_status == 400
    error = refused.value.json_body["error"]
    assert (error["type"], error["param"], error["code"]) == \
        ("invalid_request_error", param, code)
    assert len(fake.calls) == 1  # refused, not retried, nothing created
    assert not fake.accounts


def test_the_same_calls_done_right_are_accepted(fake_client):
    fake, client = fake_client
    checkout = _call(client, "checkout", GOOD_CHECKOUT)
    assert checkout["amount_total"] == 5250
    account = _call(client, "account", {"type": "standard", "country": "NL",
                                        "metadata": {"tenant_id": "1"}})
    assert account["id"].startswith("acct_")
    assert _call(client, "link", GOOD_LINK)["url"].startswith("https://connect.stripe.com/")
    assert client.v1.accounts.retrieve(account["id"], params={"expand": ["settings"]})["id"] \
        == account["id"]


def test_other_refusals_stripe_makes(fake_client):
    _fake, client = fake_client
    for params in (_with(GOOD_CHECKOUT, line_items=_line("52.5")),
                   _with(GOOD_CHECKOUT, success_url="not a url"),
                   _with(GOOD_CHECKOUT, metadata={"k" * 41: "v"}),
                   _with(GOOD_CHECKOUT, payment_intent_data={"descripton": "x"})):
        with pytest.raises(stripe.InvalidRequestError):
            _call(client, "checkout", params)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.accounts.retrieve("acct_1", params={"expandd": ["x"]})
