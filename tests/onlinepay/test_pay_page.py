"""The public pay page: what a resident sees with the link, and the button that opens Stripe
Checkout on the cooperative's own account."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from blueprints.invoicing import services as invoicing
from blueprints.invoicing.models import InvoiceKind
from blueprints.onlinepay.links import make_token
from tenants.formatting import format_money
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helpers import csrf_token, login
from tests.onlinepay.conftest import ACCOUNT


def _pay(client, path):
    return client.post(path, data={"csrf_token": csrf_token(client, path)})


def test_the_pay_page_shows_the_cooperative_the_invoice_and_what_is_open(
        app, client, shop, stripe_server):
    response = client.get(shop.pay_path(app))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("Bewonerscoöperatie De Vaart", shop.invoice.number_text,
                 date.today().strftime("%d-%m-%Y"), format_money(4840),
                 "Betalen met iDEAL of kaart", "NL91 ABNA 0417 1643 00"):
        assert text in html, text
    assert "Mevrouw Peters" not in html  # nothing about the customer
    assert response.headers["Cache-Control"] == "no-store"
    # The form posts here and the answer redirects to Stripe: CSP form-action allows it.
    policy = response.headers["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com" in policy


def test_paying_opens_checkout_on_the_cooperatives_account(app, client, shop, stripe_server):
    response = _pay(client, shop.pay_path(app))
    assert response.status_code == 303
    [call] = stripe_server.calls_to("POST", "/v1/checkout/sessions")
    assert response.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_test_fake1"
    assert call.stripe_account == ACCOUNT  # a direct charge on the cooperative's account
    assert call.api_key == "sk_test_local"
    assert call.idempotency_key == f"checkout:{shop.tenant_id}:{shop.invoice.id}:4840"
    p = call.params
    assert (p["mode"], p["payment_method_types[0]"], p["payment_method_types[1]"]) == \
        ("payment", "ideal", "card")
    assert (p["line_items[0][price_data][currency]"],
            p["line_items[0][price_data][unit_amount]"], p["line_items[0][quantity]"]) == \
        ("eur", "4840", "1")
    assert p["line_items[0][price_data][product_data][name]"] == \
        f"Factuur {shop.invoice.number_text}"
    assert (p["metadata[tenant_id]"], p["metadata[invoice_id]"], p["metadata[number]"]) == \
        (str(shop.tenant_id), str(shop.invoice.id), shop.invoice.number_text)
    assert p["success_url"].endswith(shop.pay_path(app) + "?betaling=klaar")
    assert p["cancel_url"].endswith(shop.pay_path(app) + "?betaling=afgebroken")

    # A second click: the same key, so Stripe answers with the same Checkout Session.
    again = _pay(client, shop.pay_path(app))
    assert again.headers["Location"] == response.headers["Location"]
    assert {c.idempotency_key for c in stripe_server.calls_to("POST", "/v1/checkout/sessions")} \
        == {call.idempotency_key}


def test_a_partly_paid_invoice_is_paid_online_for_what_is_left(app, client, shop,
                                                               stripe_server):
    s = shop.session
    invoicing.register_payment(s, shop.coop.actor, shop.invoice, 840, date.today(),
                               "overboeking", idempotency_key="bank-1")
    s.commit()
    assert format_money(4000) in client.get(shop.pay_path(app)).get_data(as_text=True)
    _pay(client, shop.pay_path(app))
    [call] = stripe_server.calls_to("POST", "/v1/checkout/sessions")
    assert call.params["line_items[0][price_data][unit_amount]"] == "4000"
    assert call.idempotency_key.endswith(":4000")


def test_back_from_stripe_the_page_says_the_payment_is_on_its_way(app, client, shop,
                                                                  stripe_server):
    html = client.get(shop.pay_path(app) + "?betaling=klaar").get_data(as_text=True)
    assert "Uw betaling wordt verwerkt" in html
    html = client.get(shop.pay_path(app) + "?betaling=afgebroken").get_data(as_text=True)
    assert "U heeft het betalen afgebroken" in html


def test_a_paid_invoice_says_so_and_offers_no_button(app, client, shop, stripe_server):
    s = shop.session
    invoicing.register_payment(s, shop.coop.actor, shop.invoice, 4840, date.today(),
                               "overboeking", idempotency_key="bank-all")
    s.commit()
    response = client.get(shop.pay_path(app))
    html = response.get_data(as_text=True)
    assert "Deze factuur is betaald" in html
    assert "Betalen met iDEAL of kaart" not in html
    assert _pay(client, shop.pay_path(app)).status_code == 400
    assert not stripe_server.calls_to("POST", "/v1/checkout/sessions")


def test_a_credited_invoice_has_nothing_open(app, client, shop, stripe_server):
    s = shop.session
    invoicing.create_credit_note(s, shop.coop.actor, shop.invoice, {}, full=True,
                                 reason="Dubbel gefactureerd")
    s.commit()
    html = client.get(shop.pay_path(app)).get_data(as_text=True)
    assert "Op deze factuur staat niets meer open" in html
    assert "Betalen met iDEAL of kaart" not in html


def test_without_a_ready_stripe_account_the_page_offers_the_bank_transfer(
        app, client, shop, stripe_server):
    shop.coop.settings.stripe_charges_enabled = False
    shop.session.commit()
    html = client.get(shop.pay_path(app)).get_data(as_text=True)
    assert "Online betalen is voor deze factuur op dit moment niet mogelijk" in html
    assert "NL91 ABNA 0417 1643 00" in html and shop.invoice.number_text in html
    assert "Betalen met iDEAL of kaart" not in html
    assert _pay(client, shop.pay_path(app)).status_code == 400
    assert not stripe_server.calls_to("POST", "/v1/checkout/sessions")


def test_when_stripe_is_down_the_resident_gets_a_dutch_message(app, client, shop,
                                                               stripe_server):
    stripe_server.fail = 400
    response = _pay(client, shop.pay_path(app))
    assert response.status_code == 400
    assert "De betaalpagina kon niet worden geopend" in response.get_data(as_text=True)


def test_a_wrong_or_foreign_token_answers_404(app, client, make, shop, stripe_server):
    other = make.tenant(name="Coöperatie Elders")
    secret = app.config["SECRET_KEY"]
    # tenant B's own link under tenant A's address, and A's under B's
    assert client.get(f"/{other.slug}/betalen/{shop.token(app)}").status_code == 404
    b_token = make_token(secret, other.id, shop.invoice.id)
    assert client.get(f"/{shop.slug}/betalen/{b_token}").status_code == 404
    # garbage, a changed id, a token signed with another key, an unknown invoice
    assert client.get(f"/{shop.slug}/betalen/abc").status_code == 404
    assert client.get(f"/{shop.slug}/betalen/{shop.token(app)[:-2]}xx").status_code == 404
    forged = make_token("another-secret", shop.tenant_id, shop.invoice.id)
    assert client.get(f"/{shop.slug}/betalen/{forged}").status_code == 404
    unknown = make_token(secret, shop.tenant_id, 12345)
    assert client.get(f"/{shop.slug}/betalen/{unknown}").status_code == 404
    assert client.post(f"/{shop.slug}/betalen/abc").status_code in (400, 404)


def test_a_draft_or_a_credit_note_has_no_pay_page(app, client, shop, stripe_server):
    s = shop.session
    c = shop.coop
    draft = invoicing.create_draft(s, c.actor, c.customer)
    credit = invoicing.create_credit_note(s, c.actor, shop.invoice, {}, full=True, reason="x")
    s.commit()
    assert credit.kind == InvoiceKind.CREDIT_NOTE
    for invoice in (draft, credit):
        token = make_token(app.config["SECRET_KEY"], shop.tenant_id, invoice.id)
        assert client.get(f"/{shop.slug}/betalen/{token}").status_code == 404


def test_with_online_payment_off_the_page_shows_the_bank_transfer(app, client, shop):
    # no stripe_server: no STRIPE_SECRET_KEY, as on a fresh machine
    html = client.get(shop.pay_path(app)).get_data(as_text=True)
    assert "Betalen met iDEAL of kaart" not in html
    assert "NL91 ABNA 0417 1643 00" in html
    assert _pay(client, shop.pay_path(app)).status_code == 400


def test_with_online_payment_off_no_page_shows_a_link_or_a_section(app, client, shop):
    login(client, shop.coop.admin)
    settings_page = client.get(f"/{shop.slug}/facturen/instellingen").get_data(as_text=True)
    assert "Online betalen" not in settings_page
    invoice_page = client.get(f"/{shop.slug}/facturen/{shop.invoice.id}")
    assert invoice_page.status_code == 200
    assert "Betaallink" not in invoice_page.get_data(as_text=True)
    assert client.get(f"/{shop.slug}/online-betalen/").status_code == 404
    assert client.post(f"/{shop.slug}/online-betalen/koppelen", data={
        "csrf_token": csrf_token(client, "/account")}).status_code == 404
    assert client.post("/stripe/webhook", data=b"{}").status_code == 404


def test_a_lapsed_cooperative_takes_no_online_payments(app, client, shop, stripe_server,
                                                       session):
    from tenants.models import Tenant, TenantStatus

    with tenant_context(session, shop.tenant_id):
        tenant = session.scalar(select(Tenant).where(Tenant.id == shop.tenant_id))
        tenant.status = TenantStatus.READ_ONLY
        session.commit()
    html = client.get(shop.pay_path(app)).get_data(as_text=True)
    assert "Betalen met iDEAL of kaart" not in html
    assert "NL91 ABNA 0417 1643 00" in html


def test_the_participant_and_another_cooperative_cannot_connect(app, client, make, shop,
                                                                stripe_server):
    participant = make.member(shop.coop.tenant, Role.PARTICIPANT)
    login(client, participant)
    assert client.get(f"/{shop.slug}/online-betalen/").status_code == 403
    token = csrf_token(client, "/account")
    assert client.post(f"/{shop.slug}/online-betalen/koppelen",
                       data={"csrf_token": token}).status_code == 403
    stranger = make.member(make.tenant(), Role.ADMIN)
    client.post("/logout", data={"csrf_token": token})
    login(client, stranger)
    assert client.get(f"/{shop.slug}/online-betalen/").status_code == 404
    assert client.post(f"/{shop.slug}/online-betalen/koppelen", data={
        "csrf_token": csrf_token(client, "/account")}).status_code == 404
    assert not stripe_server.calls
    assert session_unchanged(shop)


def session_unchanged(shop) -> bool:
    return shop.settings().stripe_account_id == ACCOUNT

