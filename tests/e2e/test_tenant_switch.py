"""A user in two tenants switches between them; a third tenant is invisible (404)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tenants.models import Role
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import log_in, nav_link, url_path

pytestmark = pytest.mark.browser


def test_supervisor_switches_tenant_and_cannot_open_another(page, make):
    first, second, other = make.tenant(), make.tenant(), make.tenant()
    user = make.member(first, Role.SUPERVISOR)
    make.member(second, Role.SUPERVISOR, user=user)
    make.member(other, Role.SUPERVISOR)  # someone else's tenant

    log_in(page, user)
    # Two places and none chosen yet: the chooser.
    expect(page).to_have_url(url_path("/kies-organisatie"))
    page.get_by_role("link", name=first.name, exact=True).click()
    expect(page).to_have_url(url_path(f"/{first.slug}/"))
    expect(page.locator(".site-header__context")).to_have_text(first.name)

    nav_link(page, "Wissel organisatie").click()
    expect(page).to_have_url(url_path("/kies-organisatie"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Waar wilt u werken?")
    links = page.locator(".card-list .card__link")
    expect(links).to_have_count(2)
    assert sorted(links.all_inner_texts()) == sorted([first.name, second.name])
    check_accessibility(page, "tenant chooser")

    page.get_by_role("link", name=second.name, exact=True).click()
    expect(page).to_have_url(url_path(f"/{second.slug}/"))
    expect(page.locator(".site-header__context")).to_have_text(second.name)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")

    response = page.goto(f"/{other.slug}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Niet gevonden")
    expect(page.get_by_text(other.name)).to_have_count(0)
    check_accessibility(page, "404 page")
