"""In the browser: an admin chooses a plan (up to the redirect to Stripe Checkout, which the
test answers itself: nothing leaves the machine), an admin of a tenant whose payment failed
sees the banner with "Betaal nu", and a read-only tenant's pages say so; axe on each page,
on a desktop and on a phone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tenants.models import Role, Tenant, TenantStatus
from tests.billing.conftest import billing  # noqa: F401  (fixture)
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, log_in, nav_link, url_path

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_admin_chooses_a_plan_and_goes_to_stripe(request, make, billing, device):  # noqa: F811
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    tenant = make.tenant(name="Buurtkracht Kanaleneiland")
    admin = make.member(tenant, Role.ADMIN, name="Priya Ramdin")
    def fake_checkout(route):
        route.fulfill(status=200, content_type="text/html",
                      body="<!doctype html><html lang='nl'><title>Stripe</title><p>Stripe</p>")

    page.route("https://checkout.stripe.com/**", fake_checkout)
    log_in(page, admin)
    nav_link(page, "Abonnement").click()
    expect(page).to_have_url(url_path(f"/{tenant.slug}/abonnement/"))
    expect(page.get_by_role("heading", name="Een abonnement kiezen")).to_be_visible()
    check_accessibility(page, f"subscription page ({device})")
    assert_fits_the_screen(page, f"subscription page ({device})")
    with page.expect_request(lambda r: r.url.startswith("https://checkout.stripe.com/")) as sent:
        page.get_by_role("button", name="Plus kiezen en betalen").click()
    assert sent.value.url.startswith("https://checkout.stripe.com/c/pay/cs_test_sub")
    page.wait_for_load_state()
    [call] = billing.calls_to("POST", "/v1/checkout/sessions")
    assert call.params["line_items[0][price]"] == "price_plus_test"


def _tenant_in_state(make, session, state: str, status: TenantStatus):
    tenant = make.tenant(name="Repaircafé Hoogvliet")
    admin = make.member(tenant, Role.ADMIN, name="Bram Visser")
    row = session.get(Tenant, tenant.id)
    row.plan, row.subscription_status, row.status = "basis", state, status
    row.open_invoice_url = "https://invoice.stripe.com/i/acct_test/test_demo"
    session.commit()
    return tenant, admin


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_admin_sees_the_past_due_banner_with_pay_now(request, make, session, device):
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    tenant, admin = _tenant_in_state(make, session, "past_due", TenantStatus.ACTIVE)
    log_in(page, admin)
    page.goto(f"/{tenant.slug}/")
    page.wait_for_load_state()
    expect(page.get_by_text("De laatste betaling van het abonnement is mislukt")).to_be_visible()
    expect(page.get_by_role("link", name="Betaal nu")).to_have_attribute(
        "href", "https://invoice.stripe.com/i/acct_test/test_demo")
    check_accessibility(page, f"past-due banner ({device})")
    assert_fits_the_screen(page, f"past-due banner ({device})")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_read_only_tenants_pages_say_so(request, make, session, device):
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    tenant, admin = _tenant_in_state(make, session, "unpaid", TenantStatus.READ_ONLY)
    log_in(page, admin)
    page.goto(f"/{tenant.slug}/team/")
    page.wait_for_load_state()
    expect(page.get_by_text("u kunt alles inzien, maar niets wijzigen")).to_be_visible()
    check_accessibility(page, f"read-only team page ({device})")
    page.get_by_label("E-mailadres").fill("nieuw@example.org")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text("niets wijzigen")
    check_accessibility(page, f"read-only refusal ({device})")
    assert_fits_the_screen(page, f"read-only refusal ({device})")
