"""The network's benchmark on a phone (390px): a cooperative's admin who is a network member
sees the network's quartiles with its own position, and the cooperative's own page shows the
same; both axe clean, without sideways scrolling."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from tenants.extensions import db
from tenants.models import NetworkMembership, NetworkRole, Role
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, log_in, url_path
from tests.network.benchmark_world import isolate, six_cooperatives

pytestmark = pytest.mark.browser

YEAR = date.today().year - 1


@pytest.fixture
def alone(app):
    yield from isolate(app)


def _check(page, label: str) -> None:
    page.wait_for_load_state("load")
    check_accessibility(page, f"{label} (phone)")
    assert_fits_the_screen(page, f"{label} (phone)")


def test_view_the_benchmark_and_the_own_position_on_a_phone(app, make, phone_page, alone):
    page = phone_page
    tenants = six_cooperatives(app, make, YEAR)
    admin = make.member(tenants[2], Role.ADMIN, name="Marieke van den Broek")
    with app.app_context():
        db.session.add(NetworkMembership(user_id=admin.id, role=NetworkRole.MEMBER))
        db.session.commit()

    log_in(page, admin)
    page.goto("/netwerk/")
    page.get_by_role("link", name="Benchmark: jaarcijfers vergeleken").click()
    expect(page).to_have_url(url_path("/netwerk/benchmark"))
    page.get_by_label("Jaar").select_option(str(YEAR))
    page.get_by_role("button", name="Tonen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Benchmark {YEAR}")
    row = page.locator('tr[data-figure="omzet_per_uur"]').first
    expect(row).to_contain_text("€ 22,50")  # the median
    expect(row).to_contain_text("€ 20,00")  # its own
    expect(page.locator("#eigen-positie")).to_contain_text(tenants[2].name)
    expect(page.get_by_role("img", name="Omzet per goedgekeurd uur").first).to_be_visible()
    _check(page, "network benchmark")
    page.get_by_text("Zo zijn de cijfers berekend").click()
    expect(page.get_by_text("gedeeld door de goedgekeurde uren van het jaar")).to_be_visible()
    _check(page, "network benchmark with its definitions")

    page.goto(f"/{tenants[2].slug}/netwerk-lidmaatschap/?jaar={YEAR}")
    expect(page.get_by_role("heading", name=f"Uw positie in {YEAR}")).to_be_visible()
    expect(page.locator('tr[data-figure="deelnemers"]').first).to_contain_text("8,0")
    _check(page, "cooperative's own position")
