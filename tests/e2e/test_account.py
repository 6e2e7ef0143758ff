"""The account page, reached through the navigation, on a desktop and on a phone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tenants.models import Role
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, log_in, nav_link, url_path

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_account_page(request, make, device):
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    tenant = make.tenant()
    user = make.member(tenant, Role.SUPERVISOR)
    log_in(page, user)

    nav_link(page, "Mijn account").click()
    expect(page).to_have_url(url_path("/account"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn account")
    expect(page.get_by_text(user.email, exact=True)).to_be_visible()
    # The session of this browser is listed.
    expect(page.locator(".utrecht-table__body .utrecht-table__row")).to_have_count(1)
    assert_fits_the_screen(page, f"account page ({device})")
    check_accessibility(page, f"account page ({device})")
