"""The two newest pages of the municipality portal's issue (#14) in a browser.

- A municipal officer opens "API-sleutels" from the portal, makes a token (their login is
  some minutes old: the password and code are asked again first), sees it once, uses it on the
  municipal API the page names, and revokes it; axe finds nothing on the pages on a desktop and
  on a 390 px phone, where nothing scrolls sideways.
- The platform operator opens "Gemeenten" (/beheer/gemeenten), sets a municipality's
  suppression threshold to 7 and sees it; a threshold of 11 is refused in Dutch and changes
  nothing; axe finds nothing, on a desktop and on a phone.
"""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tenants.models import MunicipalityMembership, MunicipalRole
from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import PHONE
from tests.e2e.flows import assert_fits_the_screen, field, log_in, nav_link, url_path
from tests.helpers import PASSWORD
from tests.kernel.test_reauth import age_sessions
from tests.municipalities import municipality_row

pytestmark = pytest.mark.browser

TOKEN = re.compile(r"^wwg_[A-Za-z0-9_-]{43}$")


def _municipality_with_officer(make, session, name: str, role=MunicipalRole.BELEID):
    municipality = municipality_row(name)
    session.add(municipality)
    session.commit()
    officer = make.user(totp=True, name="Fatima el Amrani")
    session.add(MunicipalityMembership(user_id=officer.id, municipality_id=municipality.id,
                                       role=role))
    session.commit()
    return municipality, officer


def _on_a_phone(new_context, page):
    """A 390 px phone in the same login as `page` (a second login would need a second
    two-factor code in the same half minute)."""
    return new_context(**PHONE, storage_state=page.context.storage_state()).new_page()


def test_an_officer_makes_a_token_sees_it_once_and_revokes_it(page, new_context, make,
                                                              session):
    municipality, officer = _municipality_with_officer(make, session, "Gemeente Sleutelstad")
    cbs = municipality.cbs_code
    log_in(page, officer)
    page.goto(f"/gemeente/{cbs}/")
    nav_link(page, "API-sleutels").click()
    expect(page).to_have_url(url_path(f"/gemeente/{cbs}/api-sleutels"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "API-sleutels van gemeente Gemeente Sleutelstad")
    expect(page.get_by_text("Uw gemeente heeft nog geen API-sleutels.")).to_be_visible()
    check_accessibility(page, "API tokens page, no tokens yet")

    # the login is ten minutes old: making a key asks for the password and the code again
    age_sessions(session, officer)
    field(page, "Naam van de sleutel").fill("Dashboard sociaal domein")
    field(page, "Geldig").select_option(label="90 dagen")
    page.get_by_role("button", name="Sleutel maken").click()
    expect(page).to_have_url(url_path("/account/bevestigen"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevestig dat u het bent")
    check_accessibility(page, "re-authentication before making a token")
    field(page, "Wachtwoord").fill(PASSWORD)
    # the next step's code: the login's code may not be used twice
    field(page, "Code uit uw app").fill(pyotp.TOTP(officer.totp_secret).at(time.time() + 30))
    page.get_by_role("button", name="Bevestigen", exact=True).click()
    expect(page).to_have_url(url_path(f"/gemeente/{cbs}/api-sleutels"))
    expect(page.get_by_text("Uw gemeente heeft nog geen API-sleutels.")).to_be_visible()

    field(page, "Naam van de sleutel").fill("Dashboard sociaal domein")
    field(page, "Geldig").select_option(label="90 dagen")
    page.get_by_role("button", name="Sleutel maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bewaar uw nieuwe API-sleutel")
    expect(page.get_by_role("status")).to_contain_text(
        "De sleutel Dashboard sociaal domein voor gemeente Gemeente Sleutelstad is gemaakt.")
    value = field(page, "API-sleutel").input_value()
    assert TOKEN.match(value), value
    expect(page.get_by_text("u ziet hem maar één keer")).to_be_visible()
    example = re.search(r"/api/v1/gemeente/\d{4}/\w+", page.inner_text("main")).group(0)
    check_accessibility(page, "new API token")

    # the path the page names answers with the key, for this municipality
    api = new_context().request
    answer = api.get(example, headers={"Authorization": f"Bearer {value}"})
    assert answer.status == 200, (example, answer.status, answer.text()[:300])
    assert answer.json()["municipality"]["cbs_code"] == cbs

    page.get_by_role("link", name="Ik heb hem bewaard, ga verder").click()
    row = page.get_by_role("row").filter(has_text="Dashboard sociaal domein")
    expect(row).to_contain_text("Fatima el Amrani")
    expect(row).to_contain_text("actief")
    assert value not in page.content()  # shown once: never again
    check_accessibility(page, "API tokens page with a token")

    phone = _on_a_phone(new_context, page)
    phone.goto(f"/gemeente/{cbs}/api-sleutels")
    expect(phone.get_by_role("row").filter(has_text="Dashboard sociaal domein")).to_contain_text(
        "actief")
    phone.wait_for_load_state("load")
    check_accessibility(phone, "API tokens page (phone)")
    assert_fits_the_screen(phone, "API tokens page (phone)")

    row.get_by_role("button", name="Sleutel Dashboard sociaal domein intrekken").click()
    expect(page.get_by_text("De API-sleutel Dashboard sociaal domein is ingetrokken.")
           ).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Dashboard sociaal domein")
    expect(row).to_contain_text("ingetrokken")
    expect(row.get_by_role("button")).to_have_count(0)
    check_accessibility(page, "API tokens page, token revoked")
    answer = api.get(example, headers={"Authorization": f"Bearer {value}"})
    assert answer.status == 401

    phone.reload()
    expect(phone.get_by_role("row").filter(has_text="Dashboard sociaal domein")).to_contain_text(
        "ingetrokken")
    phone.wait_for_load_state("load")
    check_accessibility(phone, "API tokens page, token revoked (phone)")
    assert_fits_the_screen(phone, "API tokens page, token revoked (phone)")


def test_the_operator_sets_a_municipalitys_threshold_to_7(page, new_context, make, session):
    municipality, _officer = _municipality_with_officer(make, session, "Gemeente Drempelstad")
    operator = make.user(operator=True, totp=True, name="Platformbeheer")
    log_in(page, operator)
    page.goto("/beheer/")
    nav_link(page, "Gemeenten").click()
    expect(page).to_have_url(url_path("/beheer/gemeenten"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Gemeenten")
    item = page.get_by_role("listitem").filter(
        has_text=f"Gemeente Drempelstad ({municipality.cbs_code})")
    threshold = field(page, "Drempel voor Gemeente Drempelstad")
    expect(item).to_contain_text("drempel 5")
    expect(threshold).to_have_value("5")
    check_accessibility(page, "operator's municipalities")

    threshold.fill("7")
    item.get_by_role("button", name="Drempel opslaan").click()
    expect(page.get_by_text("De drempel van gemeente Gemeente Drempelstad is nu 7 personen.")
           ).to_be_visible()
    expect(item).to_contain_text("drempel 7")
    expect(threshold).to_have_value("7")
    check_accessibility(page, "operator's municipalities, threshold saved")

    # above the maximum: refused in Dutch, the threshold stays 7
    threshold.fill("11")
    item.get_by_role("button", name="Drempel opslaan").click()
    expect(page.get_by_text("Kies als drempel een heel getal van 5 tot en met 10 personen.")
           ).to_be_visible()
    page.goto("/beheer/gemeenten")
    expect(item).to_contain_text("drempel 7")
    expect(threshold).to_have_value("7")

    phone = _on_a_phone(new_context, page)
    phone.goto("/beheer/gemeenten")
    expect(field(phone, "Drempel voor Gemeente Drempelstad")).to_have_value("7")
    phone.wait_for_load_state("load")
    check_accessibility(phone, "operator's municipalities (phone)")
    assert_fits_the_screen(phone, "operator's municipalities (phone)")
