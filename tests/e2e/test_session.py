"""Logging out, and the language switch."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tenants.models import Role
from tests.e2e.flows import log_in, path_of, url_path

pytestmark = pytest.mark.browser


def test_logout_ends_the_session(page, make):
    tenant = make.tenant()
    user = make.member(tenant, Role.SUPERVISOR)
    log_in(page, user)
    expect(page).to_have_url(url_path(f"/{tenant.slug}/"))

    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(url_path("/login"))
    expect(page.get_by_role("status")).to_contain_text("U bent uitgelogd.")
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)

    # Back in history: the start page is not shown from a cache, the server sends to /login.
    page.go_back()
    expect(page).to_have_url(url_path("/login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")

    page.goto(f"/{tenant.slug}/")
    assert path_of(page) == "/login", page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")


def test_language_switch_sets_the_page_language(page):
    page.goto("/login")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "nl")

    page.get_by_role("button", name="English", exact=True).click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(url_path("/login"))
    switch_back = page.get_by_role("button", name="Nederlands", exact=True)
    expect(switch_back).to_have_attribute("lang", "nl")

    switch_back.click()
    expect(html).to_have_attribute("lang", "nl")
    expect(page.get_by_role("button", name="English", exact=True)).to_be_visible()
