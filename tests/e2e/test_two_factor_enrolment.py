"""An admin without two-factor must enrol before anything else, in the browser."""
from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from tenants.models import Role
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import submit_code, submit_password, url_path

pytestmark = pytest.mark.browser


def test_admin_enrols_two_factor_then_reaches_the_team_page(page, make):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN, totp=False)

    submit_password(page, admin.email)
    expect(page).to_have_url(url_path("/account/tweestaps"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweestapsverificatie instellen")
    qr = page.locator(".qr svg")
    expect(qr).to_have_attribute("role", "img")
    expect(qr).to_have_attribute("aria-label", "QR-code voor uw authenticator-app")
    check_accessibility(page, "two-factor enrolment page")

    # Until enrolled, the tenant's pages send the admin back here.
    page.goto(f"/{tenant.slug}/team/")
    expect(page).to_have_url(url_path("/account/tweestaps"))

    secret = page.locator("code.secret").inner_text().strip()
    assert len(secret) >= 16, secret
    submit_code(page, pyotp.TOTP(secret).now())

    expect(page.get_by_role("heading", level=1)).to_have_text("Bewaar uw herstelcodes")
    codes = page.locator("ul.recovery-codes li code")
    expect(codes).to_have_count(10)
    assert all(len(code) == 9 and code[4] == "-" for code in codes.all_inner_texts())
    check_accessibility(page, "recovery codes page")

    # "Continue" goes where the admin was going before enrolment: the team page.
    page.get_by_role("link", name="Ik heb ze bewaard, ga verder").click()
    expect(page).to_have_url(url_path(f"/{tenant.slug}/team/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Team")
    expect(page.get_by_role("cell", name=admin.email, exact=True)).to_be_visible()
    response = page.goto(f"/{tenant.slug}/")
    assert response is not None and response.status == 200
    expect(page).to_have_url(url_path(f"/{tenant.slug}/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
