"""A consulent of the municipality logs in with two-factor and opens a consented client's
progress, in the browser (issue 14)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, log_in, nav_link, path_of, url_path
from tests.municipality.world import GOAL, NOTE, world  # noqa: F401  (world is a fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_consulent_opens_a_consented_clients_progress(request, world, device):  # noqa: F811
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    log_in(page, world.consulent)  # password, then the six-digit code
    page.goto("/gemeente/0758/")
    nav_link(page, "Cliënten").click()
    expect(page).to_have_url(url_path("/gemeente/0758/clienten"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Voortgang van uw cliënten")
    page.wait_for_load_state("load")
    check_accessibility(page, f"client list ({device})")
    assert_fits_the_screen(page, f"client list ({device})")

    # Breda's clients of earlier tests' cooperatives are listed too: this world's by its link
    page.locator(f'a[href$="/{world.tenant.slug}/{world.shared}"]').click()
    assert path_of(page) == f"/gemeente/0758/clienten/{world.tenant.slug}/{world.shared}"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fatma")
    expect(page.get_by_text(GOAL, exact=False)).to_be_visible()
    expect(page.get_by_role("heading", name="Uren per week")).to_be_visible()
    assert NOTE not in page.content()
    page.wait_for_load_state("load")
    check_accessibility(page, f"client progress ({device})")
    assert_fits_the_screen(page, f"client progress ({device})")


def test_the_participant_sees_who_viewed_and_withdraws_consent(page, app, world):  # noqa: F811
    from tests.helpers import login

    viewer = app.test_client()
    login(viewer, world.consulent)
    assert viewer.get(f"/gemeente/0758/clienten/{world.tenant.slug}/{world.shared}"
                      ).status_code == 200

    log_in(page, world.participant_user)
    page.goto(f"/{world.tenant.slug}/mijn")
    section = page.get_by_role("region", name="Gedeeld met de gemeente")
    expect(section).to_contain_text("Gemeente Breda")
    expect(section).to_contain_text("gemeente Breda · consulent")
    page.wait_for_load_state("load")
    check_accessibility(page, "Mijn pagina with sharing")
    section.get_by_role("button", name="Toestemming intrekken").click()
    expect(page.get_by_text("Uw toestemming is ingetrokken")).to_be_visible()
    assert viewer.get(f"/gemeente/0758/clienten/{world.tenant.slug}/{world.shared}"
                      ).status_code == 404
