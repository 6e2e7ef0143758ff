"""The municipality's portal in the browser: a cooperative's admin shares its hours with the
municipality; the officer logs in with two-factor, sees the totals and a chart, downloads the
XLSX; axe finds nothing on the sharing page, the portal and the privacy page, and on a phone
nothing scrolls sideways."""
from __future__ import annotations

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import PHONE
from tests.e2e.flows import assert_fits_the_screen, field, log_in
from tests.municipality.share_world import share, world  # noqa: F401  (the test world)

pytestmark = pytest.mark.browser


def test_admin_shares_and_the_officer_sees_totals_a_chart_and_downloads(page, new_context,
                                                                       world, session):
    share(session, world.b, world.admin_b, "uren")  # B already shares; A joins in the browser
    log_in(page, world.admin_a)
    page.goto(f"/{world.a.slug}/rapportage")
    page.get_by_role("link", name="Delen met de gemeente").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delen met de gemeente")
    field(page, "Wat deelt u").select_option(label="Uren per soort")
    field(page, "Vanaf maand").select_option(label="januari")
    field(page, "Vanaf jaar").fill("2026")
    page.get_by_role("button", name="Delen met de gemeente").click()
    expect(page.get_by_text("De gemeente kan dit nu zien.")).to_be_visible()
    expect(page.get_by_role("cell", name="Uren per soort")).to_be_visible()
    check_accessibility(page, "sharing page")

    officer = new_context().new_page()
    log_in(officer, world.officer1)  # with the two-factor code
    officer.goto(f"/gemeente/{world.m1.cbs_code}/")
    field(officer, "Soort periode").select_option(label="Maand")
    field(officer, "Jaar").fill("2026")
    field(officer, "Maand (bij soort maand)").select_option(label="maart")
    officer.get_by_role("button", name="Tonen").click()
    expect(officer.get_by_role("heading", name="Uren per soort")).to_be_visible()
    totals = officer.get_by_role("table", name="Totaal van alle organisaties die dit delen, "
                                               "maart 2026 vergeleken met februari 2026")
    expect(totals.get_by_role("row", name="Trajectwerk")).to_contain_text("160 uur")
    # A's two volunteers: "< 5" per organisation, with the reason and a link to why
    per_coop = officer.get_by_role("table", name="Per organisatie, maart 2026")
    expect(per_coop.get_by_role("row", name="Vrijwilligerswerk")).to_contain_text("< 5")
    expect(officer.get_by_role("img", name="Uren per soort, totaal, maart 2026")).to_be_visible()
    expect(officer.get_by_text("Coöperatie Gamma Stil")).to_have_count(0)
    check_accessibility(officer, "municipality portal")

    with officer.expect_download() as download:
        officer.get_by_role("link", name="Excel (XLSX)").click()
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert ("Uren per soort", "Trajectwerk", "Totaal van de delende organisaties", 160, 0,
            "uren") in rows
    assert ("Uren per soort", "Vrijwilligerswerk", "Coöperatie Alfa", "< 5", 0, "uren") in rows

    officer.get_by_role("link", name="Waarom cijfers verborgen zijn").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text(
        "Hoe de gedeelde cijfers beschermd zijn")
    check_accessibility(officer, "municipality privacy page")


def test_the_portal_fits_a_phone(new_context, world, session):
    share(session, world.a, world.admin_a, "uren")
    share(session, world.b, world.admin_b, "uitstroom")
    page = new_context(**PHONE).new_page()
    log_in(page, world.officer1)
    page.goto(f"/gemeente/{world.m1.cbs_code}/?periode=kwartaal&jaar=2026&kwartaal=1")
    expect(page.get_by_role("heading", name="Uitstroom naar bestemming")).to_be_visible()
    page.wait_for_load_state("load")
    check_accessibility(page, "municipality portal (phone)")
    assert_fits_the_screen(page, "municipality portal (phone)")
