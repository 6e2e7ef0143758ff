"""The administrator connects the cooperative's Stripe account; the pay link then appears on
the invoice page, on the PDF and in the reminder e-mail."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from blueprints.invoicing import services as invoicing
from blueprints.invoicing.pdf import render_invoice_pdf
from blueprints.onlinepay.links import pay_url
from tenants.models import AuditEvent
from tests.helpers import csrf_token, login
from tests.invoicing.doc_builders import pdf_text
from tests.onlinepay.conftest import sent_invoice


def _connect(client, slug):
    return client.post(f"/{slug}/online-betalen/koppelen",
                       data={"csrf_token": csrf_token(client, f"/{slug}/online-betalen/")})


def test_connecting_creates_the_account_once_and_sends_the_admin_to_stripe(
        app, client, coop, stripe_server):
    slug, tenant_id = coop.tenant.slug, coop.tenant.id
    login(client, coop.admin)
    settings_page = client.get(f"/{slug}/facturen/instellingen").get_data(as_text=True)
    assert "Stripe-account koppelen" in settings_page
    page = client.get(f"/{slug}/online-betalen/")
    assert page.status_code == 200
    assert "form-action 'self' https://connect.stripe.com" in \
        page.headers["Content-Security-Policy"]

    response = _connect(client, slug)
    assert response.status_code == 303
    [create] = stripe_server.calls_to("POST", "/v1/accounts")
    assert create.idempotency_key == f"account:{tenant_id}"
    assert (create.params["type"], create.params["country"], create.params["email"],
            create.params["metadata[tenant_id]"]) == ("standard", "NL", coop.admin.email,
                                                       str(tenant_id))
    [link] = stripe_server.calls_to("POST", "/v1/account_links")
    account_id = create_id = link.params["account"]
    assert response.headers["Location"] == \
        f"https://connect.stripe.com/setup/s/{account_id}/2"
    assert link.params["type"] == "account_onboarding"
    assert link.params["return_url"].endswith(f"/{slug}/online-betalen/terug")
    assert link.params["refresh_url"].endswith(f"/{slug}/online-betalen/vernieuwen")
    s = coop.session
    s.refresh(coop.settings)
    assert (coop.settings.stripe_account_id, coop.settings.stripe_charges_enabled) == \
        (create_id, False)
    assert s.scalar(select(AuditEvent).where(AuditEvent.action == "onlinepay.account_connected"))

    # Again (the link expired, or the admin comes back later): the same account, a new link.
    assert _connect(client, slug).status_code == 303
    assert len(stripe_server.calls_to("POST", "/v1/accounts")) == 1
    assert len(stripe_server.calls_to("POST", "/v1/account_links")) == 2
    assert client.get(f"/{slug}/online-betalen/vernieuwen").status_code == 303
    assert len(stripe_server.calls_to("POST", "/v1/account_links")) == 3

    # Back from Stripe before the account is ready, then after.
    back = client.get(f"/{slug}/online-betalen/terug", follow_redirects=True)
    assert "nog niet vrijgegeven" in back.get_data(as_text=True)
    stripe_server.accounts[account_id]["charges_enabled"] = True
    back = client.get(f"/{slug}/online-betalen/terug", follow_redirects=True)
    assert "Online betalen staat aan" in back.get_data(as_text=True)
    s.refresh(coop.settings)
    assert coop.settings.stripe_charges_enabled is True
    assert "Online betalen staat aan" in \
        client.get(f"/{slug}/facturen/instellingen").get_data(as_text=True)
    assert "sk_test_local" not in back.get_data(as_text=True)


def test_when_stripe_is_down_connecting_says_so_and_stores_nothing(client, coop,
                                                                   stripe_server):
    stripe_server.fail = 400
    login(client, coop.admin)
    response = _connect(client, coop.tenant.slug)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Stripe is op dit moment niet bereikbaar" in page
    coop.session.refresh(coop.settings)
    assert coop.settings.stripe_account_id is None


def test_the_sent_invoice_page_shows_the_pay_link_to_copy(app, client, shop, stripe_server):
    login(client, shop.coop.admin)
    html = client.get(f"/{shop.slug}/facturen/{shop.invoice.id}").get_data(as_text=True)
    assert "Betaallink voor de klant" in html
    assert f'value="http://localhost{shop.pay_path(app)}"' in html
    draft = invoicing.create_draft(shop.session, shop.coop.actor, shop.coop.customer)
    shop.session.commit()
    assert "Betaallink" not in \
        client.get(f"/{shop.slug}/facturen/{draft.id}").get_data(as_text=True)


def test_the_pdf_carries_the_pay_link(app, shop, stripe_server):
    with app.test_request_context():
        pdf = render_invoice_pdf(shop.session, shop.invoice, compress=False)
    assert "Betaal online met iDEAL of kaart" in pdf_text(pdf)
    assert f"(http://localhost{shop.pay_path(app)})".encode() in pdf  # the link annotation
    # Outside a request, BASE_URL makes the link; without it the PDF has none.
    app.config["BASE_URL"] = "https://wijkwerk.example.org"
    with app.app_context():
        link = pay_url(shop.session, shop.invoice)
        pdf = render_invoice_pdf(shop.session, shop.invoice, compress=False)
    assert link == f"https://wijkwerk.example.org{shop.pay_path(app)}"
    assert f"({link})".encode() in pdf
    app.config["BASE_URL"] = None
    with app.app_context():
        assert pay_url(shop.session, shop.invoice) is None
        text = pdf_text(render_invoice_pdf(shop.session, shop.invoice, compress=False))
    assert "Betaal online" not in text


def test_no_pay_link_when_paid_or_not_ready_or_off(app, shop, stripe_server):
    with app.test_request_context():
        assert pay_url(shop.session, shop.invoice)
        shop.coop.settings.stripe_charges_enabled = False
        assert pay_url(shop.session, shop.invoice) is None
        shop.coop.settings.stripe_charges_enabled = True
        invoicing.register_payment(shop.session, shop.coop.actor, shop.invoice, 4840,
                                   date.today(), "overboeking", idempotency_key="bank")
        assert pay_url(shop.session, shop.invoice) is None
        text = pdf_text(render_invoice_pdf(shop.session, shop.invoice, compress=False))
    assert "Betaal online" not in text
    shop.session.rollback()


def test_the_reminder_email_carries_the_pay_link(app, client, coop, stripe_server):
    late = sent_invoice(coop, issue=date.today() - timedelta(days=60))
    coop.settings.stripe_account_id = "acct_coop_vaart"
    coop.settings.stripe_charges_enabled = True
    coop.session.commit()
    mailman = app.extensions["mailman"]
    before = len(getattr(mailman, "outbox", None) or [])
    login(client, coop.admin)
    client.post(f"/{coop.tenant.slug}/facturen/{late.id}/herinnering",
                data={"csrf_token": csrf_token(client, "/account")})
    [mail] = mailman.outbox[before:]
    assert "U kunt direct online betalen met iDEAL of kaart: http://localhost/" in mail.body
    assert "/betalen/" in mail.body


def test_the_printed_reminder_letter_carries_the_pay_link(app, client, coop, stripe_server):
    late = sent_invoice(coop, issue=date.today() - timedelta(days=60))
    coop.settings.stripe_account_id = "acct_coop_vaart"
    coop.settings.stripe_charges_enabled = True
    coop.session.commit()
    login(client, coop.admin)
    letter = client.get(f"/{coop.tenant.slug}/facturen/{late.id}/herinneringsbrief")
    page = letter.get_data(as_text=True)
    assert letter.status_code == 200
    assert "U kunt direct online betalen met iDEAL of kaart: http://localhost/" in page
    assert "/betalen/" in page
