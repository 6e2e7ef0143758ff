"""The platform subscription through what users and Stripe do: an admin chooses a plan
(Checkout in subscription mode) or pays on invoice, Stripe's signed Billing webhooks set the
state (once, never backwards, only for the tenant whose customer it is), a failed payment keeps
everything working with a banner, Stripe giving up makes the tenant read-only (participants
still log hours) until it pays, and the nightly reconciliation heals a missed webhook."""
from __future__ import annotations

import time
from datetime import date, timedelta

from sqlalchemy import select

from blueprints.billing.jobs import reconcile_subscriptions
from tenants.models import AuditEvent, Role, Tenant, TenantStatus
from tenants.tenancy import tenant_context
from tests.billing.conftest import (
    checkout_completed,
    deliver,
    event,
    invoice,
    outcome,
    subscription,
)
from tests.helpers import csrf_token, login, post
from tests.onlinepay.stripe_fake import subscription_object


def outbox(app):
    return list(getattr(app.extensions["mailman"], "outbox", None) or [])


def _activate(client, coop, price="price_basis_test", created=None):
    response = deliver(client, event("customer.subscription.created",
                                     subscription(coop, price=price), created=created))
    assert (response.status_code, outcome(response)) == (200, "applied")


# --- subscribing ------------------------------------------------------------------------------

def test_an_admin_chooses_a_plan_through_checkout_and_the_webhooks_make_it_active(
        app, client, coop, billing):
    login(client, coop.admin)
    page = client.get(f"/{coop.slug}/abonnement/").get_data(as_text=True)
    assert "Plus kiezen en betalen" in page and "99,00" in page and "Inkoopordernummer" in page
    response = post(client, f"/{coop.slug}/abonnement/kiezen", {"plan": "plus"},
                    token_from=f"/{coop.slug}/abonnement/")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_sub")
    [call] = billing.calls_to("POST", "/v1/checkout/sessions")
    p = call.params
    assert (p["mode"], p["customer"], p["line_items[0][price]"]) == (
        "subscription", coop.customer, "price_plus_test")
    assert (p["payment_method_types[0]"], p["payment_method_types[1]"]) == ("ideal", "card")
    assert p["subscription_data[metadata][tenant_id]"] == str(coop.tenant_id)
    assert call.idempotency_key.startswith(f"billing-checkout:{coop.tenant_id}:plus:")
    assert p["success_url"].startswith("http://localhost/")

    sub = subscription(coop, price="price_plus_test", unit_amount=9900)
    assert outcome(deliver(client, event("checkout.session.completed",
                                         checkout_completed(coop, "plus")))) == "applied"
    assert outcome(deliver(client, event("customer.subscription.created", sub))) == "applied"
    t = coop.tenant()
    assert (t.plan, t.subscription_status, t.status) == ("plus", "active", TenantStatus.ACTIVE)
    assert t.subscription_monthly_cents == 9900 and t.subscription_renews_at is not None
    page = client.get(f"/{coop.slug}/abonnement/").get_data(as_text=True)
    assert "Volgende verlenging" in page and "kiezen en betalen" not in page
    assert "Betaalgegevens, facturen en opzeggen" in page


def test_an_unknown_plan_is_refused_in_dutch(client, coop):
    login(client, coop.admin)
    response = post(client, f"/{coop.slug}/abonnement/kiezen", {"plan": "gratis"},
                    token_from=f"/{coop.slug}/abonnement/")
    assert response.status_code == 302
    assert "Kies een van de abonnementen" in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_paying_on_invoice_with_a_purchase_order_number(client, coop, billing):
    login(client, coop.admin)
    response = post(client, f"/{coop.slug}/abonnement/op-factuur",
                    {"plan": "basis", "purchase_order": "PO-2026/0412"},
                    token_from=f"/{coop.slug}/abonnement/")
    assert response.status_code == 302
    assert "betaaltermijn is 30 dagen" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    [call] = billing.calls_to("POST", "/v1/subscriptions")
    assert (call.params["collection_method"], call.params["days_until_due"]) == (
        "send_invoice", "30")
    customer = billing.customers[coop.customer]
    assert customer["invoice_settings"]["custom_fields"] == [
        {"name": "Inkoopordernummer", "value": "PO-2026/0412"}]
    t = coop.tenant()
    assert (t.plan, t.subscription_status, t.purchase_order) == ("basis", "active",
                                                                 "PO-2026/0412")
    bad = post(client, f"/{coop.slug}/abonnement/op-factuur", {"plan": "basis",
               "purchase_order": "<script>"}, token_from=f"/{coop.slug}/abonnement/")
    assert "Gebruik letters, cijfers" in client.get(bad.headers["Location"]).get_data(
        as_text=True)


def test_the_customer_portal_opens_at_stripe(client, coop, billing):
    login(client, coop.admin)
    response = post(client, f"/{coop.slug}/abonnement/portaal", {},
                    token_from=f"/{coop.slug}/abonnement/")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://billing.stripe.com/p/session/")
    [call] = billing.calls_to("POST", "/v1/billing_portal/sessions")
    assert call.params["customer"] == coop.customer


def test_only_admins_see_the_subscription(client, coop, make):
    login(client, coop.participant)
    assert client.get(f"/{coop.slug}/abonnement/").status_code == 403


# --- a failed payment: everything works, admins see a banner ----------------------------------

def test_a_failed_payment_shows_a_banner_keeps_everything_writable_and_a_retry_heals(
        app, client, coop):
    _activate(client, coop)
    before = len(outbox(app))
    assert outcome(deliver(client, event("invoice.payment_failed", invoice(coop)))) == "applied"
    assert outcome(deliver(client, event("customer.subscription.updated",
                                         subscription(coop, "past_due")))) == "applied"
    t = coop.tenant()
    assert (t.subscription_status, t.status, t.failed_payments) == (
        "past_due", TenantStatus.ACTIVE, 1)
    [mail] = [m for m in outbox(app)[before:] if coop.admin.email in m.to]
    assert "niet gelukt" in mail.body and "https://invoice.stripe.com/i/" in mail.body

    login(client, coop.admin)
    page = client.get(f"/{coop.slug}/").get_data(as_text=True)
    assert "De laatste betaling van het abonnement is mislukt" in page
    assert 'href="https://invoice.stripe.com/i/acct_test/test_inv1"' in page and "Betaal nu" in page
    # still writable: an invitation goes out
    response = post(client, f"/{coop.slug}/team/uitnodigen",
                    {"email": "collega@example.org", "role": "supervisor"},
                    token_from=f"/{coop.slug}/team/")
    assert "Uitnodiging verstuurd" in client.get(response.headers["Location"]).get_data(
        as_text=True)

    assert outcome(deliver(client, event("invoice.paid", invoice(coop, "paid")))) == "applied"
    t = coop.tenant()
    assert (t.subscription_status, t.failed_payments, t.open_invoice_url) == ("active", 0, None)
    assert "is mislukt" not in client.get(f"/{coop.slug}/").get_data(as_text=True)


# --- Stripe gives up: read-only until it pays -------------------------------------------------

def test_when_stripe_gives_up_the_tenant_is_read_only_until_it_pays(app, client, coop):
    _activate(client, coop)
    deliver(client, event("invoice.payment_failed", invoice(coop)))
    before = len(outbox(app))
    assert outcome(deliver(client, event("customer.subscription.updated",
                                         subscription(coop, "unpaid")))) == "applied"
    t = coop.tenant()
    assert (t.status, t.subscription_status) == (TenantStatus.READ_ONLY, "unpaid")
    [mail] = [m for m in outbox(app)[before:] if coop.admin.email in m.to]
    assert "alleen lezen" in mail.body and "Er wordt niets verwijderd" in mail.body

    login(client, coop.admin)
    page = client.get(f"/{coop.slug}/team/").get_data(as_text=True)
    assert "u kunt alles inzien, maar niets wijzigen" in page and "Betaal nu" in page
    response = post(client, f"/{coop.slug}/team/uitnodigen",
                    {"email": "nieuw@example.org", "role": "supervisor"},
                    token_from=f"/{coop.slug}/team/")
    assert "niets wijzigen" in client.get(response.headers["Location"]).get_data(as_text=True)
    # downloads still work
    export = client.get(f"/{coop.slug}/team/auditlog/export.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    # paying is possible from a read-only tenant: the portal opens
    assert post(client, f"/{coop.slug}/abonnement/portaal", {},
                token_from=f"/{coop.slug}/abonnement/").status_code == 303

    assert outcome(deliver(client, event("invoice.paid", invoice(coop, "paid")))) == "applied"
    t = coop.tenant()
    assert (t.status, t.subscription_status) == (TenantStatus.ACTIVE, "active")
    response = post(client, f"/{coop.slug}/team/uitnodigen",
                    {"email": "nieuw@example.org", "role": "supervisor"},
                    token_from=f"/{coop.slug}/team/")
    assert "Uitnodiging verstuurd" in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_cancelled_after_failed_payments_is_read_only_cancelled_by_choice_is_free(
        client, coop, other):
    _activate(client, coop)
    deliver(client, event("customer.subscription.deleted", subscription(
        coop, "canceled", cancellation_reason="payment_failed")))
    assert coop.tenant().status == TenantStatus.READ_ONLY
    _activate(client, other)
    deliver(client, event("customer.subscription.deleted", subscription(
        other, "canceled", cancellation_reason="cancellation_requested")))
    t = other.tenant()
    assert (t.status, t.plan, t.subscription_status) == (TenantStatus.ACTIVE, "gratis",
                                                         "canceled")


# --- once, forward only, the right tenant -----------------------------------------------------

def test_the_same_event_three_times_applies_once(app, client, coop):
    failed = event("invoice.payment_failed", invoice(coop))
    _activate(client, coop)
    before = len(outbox(app))
    answers = [outcome(deliver(client, failed)) for _ in range(3)]
    assert answers == ["applied", "duplicate", "duplicate"]
    assert coop.tenant().failed_payments == 1
    assert len([m for m in outbox(app)[before:] if coop.admin.email in m.to]) == 1
    assert coop.events() == 2


def test_an_older_event_never_moves_the_state_back(client, coop):
    now = int(time.time())
    _activate(client, coop, created=now)
    assert outcome(deliver(client, event("customer.subscription.updated",
                                         subscription(coop, "unpaid"), created=now - 60))) \
        == "stale"
    t = coop.tenant()
    assert (t.subscription_status, t.status) == ("active", TenantStatus.ACTIVE)
    # and a newer one does
    deliver(client, event("customer.subscription.updated", subscription(coop, "past_due"),
                          created=now + 5))
    assert coop.tenant().subscription_status == "past_due"


def test_an_event_for_another_tenants_customer_changes_only_that_tenant(client, coop, other):
    _activate(client, coop)
    _activate(client, other)
    # the customer is coop's, the metadata names other: refused, nobody changes
    sneaky = subscription(coop, "unpaid")
    sneaky["metadata"] = {"tenant_id": str(other.tenant_id)}
    assert outcome(deliver(client, event("customer.subscription.updated", sneaky))) == "refused"
    assert coop.tenant().status == other.tenant().status == TenantStatus.ACTIVE
    # another tenant's subscription id on coop's customer: an invoice that is not coop's
    assert outcome(deliver(client, event("invoice.payment_failed", invoice(
        coop, sub_id=f"sub_{other.customer}")))) == "ignored"
    assert coop.tenant().failed_payments == 0
    # an unknown customer: ignored, 200, nothing stored
    stranger = subscription_object("sub_stranger", "cus_unknown", "price_basis_test", "unpaid")
    response = deliver(client, event("customer.subscription.updated", stranger))
    assert (response.status_code, outcome(response)) == (200, "ignored")


def test_bad_signatures_and_malformed_events_are_refused(app, client, coop):
    data = event("customer.subscription.updated", subscription(coop, "unpaid"))
    assert deliver(client, data, secret="whsec_wrong").status_code == 400
    assert deliver(client, data, signature="t=1,v1=00").status_code == 400
    assert deliver(client, "not json").status_code == 400
    broken = event("customer.subscription.updated", subscription(coop, "bogus-status"))
    assert deliver(client, broken).status_code == 400
    assert coop.tenant().status == TenantStatus.ACTIVE and coop.events() == 0


def test_without_a_key_billing_is_off(app, client, make, session):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    login(client, admin)
    page = client.get(f"/{tenant.slug}/abonnement/").get_data(as_text=True)
    assert "geregeld door de platformbeheerder" in page and "kiezen en betalen" not in page
    assert post(client, f"/{tenant.slug}/abonnement/kiezen", {"plan": "basis"},
                token_from=f"/{tenant.slug}/abonnement/").status_code == 404
    assert client.post("/stripe/billing-webhook", data=b"{}").status_code == 404


# --- reconciliation ---------------------------------------------------------------------------

def test_the_nightly_reconciliation_heals_a_missed_webhook(app, client, coop, billing):
    _activate(client, coop)
    sub_id = f"sub_{coop.customer}"
    billing.subscriptions[sub_id] = subscription(coop, "unpaid")  # the webhook never came
    with app.app_context():
        assert reconcile_subscriptions.call_local() >= 1
    assert coop.tenant().status == TenantStatus.READ_ONLY
    billing.subscriptions[sub_id] = subscription(coop, "active", price="price_plus_test")
    with app.app_context():
        reconcile_subscriptions.call_local()
    t = coop.tenant()
    assert (t.status, t.plan) == (TenantStatus.ACTIVE, "plus")
    with tenant_context(coop.session, coop.tenant_id):
        actions = set(coop.session.scalars(select(AuditEvent.action)))
    assert {"billing.read_only", "billing.writable", "billing.reconciled"} <= actions


# --- the operator -----------------------------------------------------------------------------

def test_the_operator_sees_plan_state_renewal_failures_and_revenue_and_assigns_a_pilot(
        app, client, coop, make, session):
    _activate(client, coop)
    deliver(client, event("invoice.payment_failed", invoice(coop)))
    deliver(client, event("customer.subscription.updated", subscription(coop, "past_due")))
    operator = make.user(operator=True, totp=True)
    login(client, operator)
    page = client.get("/beheer/").get_data(as_text=True)
    assert "Buurtkracht Kanaleneiland" in page
    assert "betaling mislukt, Stripe probeert opnieuw" in page and "49,00" in page
    assert "Lopende abonnementen samen" in page
    assert coop.admin.email not in page  # no personal data of a tenant
    until = date.today() + timedelta(days=60)
    response = post(client, f"/beheer/organisaties/{coop.tenant_id}/abonnement",
                    {"plan": "gratis", "pilot_until": until.isoformat(), "coupon": "GEMEENTE25"},
                    token_from="/beheer/")
    assert response.status_code == 302
    t = coop.tenant()
    assert (t.plan, t.pilot_until, t.stripe_coupon) == ("gratis", until, "GEMEENTE25")
    assert until.strftime("%d-%m-%Y") in client.get("/beheer/").get_data(as_text=True)
    assert client.post(f"/beheer/organisaties/{coop.tenant_id}/abonnement", data={
        "csrf_token": csrf_token(client, "/beheer/"), "plan": "platinum"}).status_code == 302
    assert coop.tenant().plan == "gratis"


def test_a_coupon_the_operator_gave_goes_into_checkout(client, coop, billing, session):
    row = session.get(Tenant, coop.tenant_id)
    row.stripe_coupon = "PILOT50"
    session.commit()
    login(client, coop.admin)
    post(client, f"/{coop.slug}/abonnement/kiezen", {"plan": "basis"},
         token_from=f"/{coop.slug}/abonnement/")
    [call] = billing.calls_to("POST", "/v1/checkout/sessions")
    assert call.params["discounts[0][coupon]"] == "PILOT50"
