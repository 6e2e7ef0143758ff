"""The operator's health page in a browser: reached from the menu, readable on a phone, and
accessible (axe)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, log_in, nav_link, url_path

pytestmark = pytest.mark.browser


def test_the_operator_opens_the_health_page_on_a_phone(phone_page, make):
    operator = make.user(operator=True, totp=True)
    log_in(phone_page, operator)
    phone_page.goto("/beheer/")
    phone_page.wait_for_load_state("load")
    nav_link(phone_page, "Gezondheid").click()
    expect(phone_page).to_have_url(url_path("/beheer/gezondheid"))
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("Gezondheid van het platform")
    expect(phone_page.get_by_role("heading", name="Database")).to_contain_text("In orde")
    expect(phone_page.get_by_role("heading", name="Laatste back-up")).to_contain_text(
        "Niet ingesteld")
    phone_page.wait_for_load_state("load")
    assert_fits_the_screen(phone_page, "health page")
    check_accessibility(phone_page, "health page")
