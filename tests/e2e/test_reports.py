"""The report in the browser: the coordinator picks a quarter, compares it with last year,
reads a definition, opens a drill-down and downloads the XLSX; axe finds nothing on the report
and its drill-down, and on a phone nothing scrolls sideways."""
from __future__ import annotations

import io
import os

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import PHONE
from tests.e2e.flows import assert_fits_the_screen, field, log_in
from tests.reports.builders import coop  # noqa: F401  (the report test world)
from tests.reports.test_report import hand_data
from tests.reports.test_value import worked  # noqa: F401  (the worked example)

pytestmark = pytest.mark.browser

#: set REPORT_SCREENSHOT=/path.png to keep a picture of the report page
SCREENSHOT = os.environ.get("REPORT_SCREENSHOT")


def test_pick_a_quarter_compare_drill_down_and_download(page, coop):
    hand_data(coop)
    log_in(page, coop.admin)
    page.get_by_role("link", name="Rapportage").click()
    field(page, "Soort periode").select_option(label="Kwartaal")
    field(page, "Jaar").fill("2026")
    field(page, "Kwartaal (bij soort kwartaal)").select_option(label="Q2")
    field(page, "Vergelijken met").select_option(label="Zelfde periode vorig jaar")
    page.get_by_role("button", name="Tonen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportage Q2 2026")
    expect(page.get_by_role("columnheader", name="Q2 2025")).to_be_visible()
    row = page.locator("#cijfer-hours")
    expect(row).to_contain_text("8,5 uur")
    row.locator("summary").click()
    expect(row.get_by_text("Correcties tellen mee")).to_be_visible()
    expect(page.get_by_role("img", name="Goedgekeurde uren per week, Q2 2026")).to_be_visible()
    check_accessibility(page, "report")
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert ("Goedgekeurde uren", 8.5, 0, "uren") in list(  # one sheet per section
        book["Uren"].iter_rows(min_row=2, values_only=True))

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Goedgekeurde uren")
    expect(page.get_by_text("5 registraties")).to_be_visible()
    check_accessibility(page, "report drill-down")
    # the list's own download: every row of the list, hours as numbers
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5 and sum(r[3] for r in rows) == 8.5


def test_the_annual_report_template_its_charts_and_a_wijk(page, new_context, coop):
    from tests.reports.test_figures import places_data

    places_data(coop)
    log_in(page, coop.admin)
    page.goto(f"/{coop.tenant.slug}/rapportage?periode=kwartaal&jaar=2026&kwartaal=2")
    field(page, "Sjabloon").select_option(label="Jaarverslag")
    page.get_by_role("button", name="Tonen").click()
    expect(page.locator("#sjabloon-uitleg")).to_contain_text("Jaarverslag")
    for name in ("Uitstroom per kwartaal, Q2 2026", "Van instroom tot uitstroom, Q2 2026",
                 "Ontwikkeling op de participatieladder, Q2 2026"):
        expect(page.get_by_role("img", name=name)).to_be_visible()
    expect(page.locator("#cijfer-time_to_outflow")).to_contain_text("168,5 dagen")
    check_accessibility(page, "annual report")
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT.replace(".png", "-jaarverslag.png"), full_page=True)
    page.locator("[id^=cijfer-wijk_]", has_text="Centrum").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Centrum")
    expect(page.get_by_text("3 registraties")).to_be_visible()
    check_accessibility(page, "hours of a wijk")
    phone = new_context(**PHONE).new_page()
    log_in(phone, coop.admin)
    phone.goto(f"/{coop.tenant.slug}/rapportage?periode=kwartaal&jaar=2026&kwartaal=2"
               "&sjabloon=jaarverslag")
    check_accessibility(phone, "annual report (phone)")
    assert_fits_the_screen(phone, "annual report (phone)")


def test_the_report_fits_a_phone(new_context, coop):
    hand_data(coop)
    page = new_context(**PHONE).new_page()
    log_in(page, coop.admin)
    page.goto(f"/{coop.tenant.slug}/rapportage?periode=kwartaal&jaar=2026&kwartaal=2")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportage Q2 2026")
    check_accessibility(page, "report (phone)")
    assert_fits_the_screen(page, "report (phone)")


def test_the_value_page_shows_its_working_and_takes_an_own_assumption(page, coop, worked):
    log_in(page, coop.admin)
    page.get_by_role("link", name="Rapportage").click()
    page.get_by_role("link", name="Waarde van het werk: bespaarde uitkeringen en "
                                  "maatschappelijke waarde").click()
    field(page, "Soort periode").select_option(label="Jaar")
    field(page, "Jaar").fill("2025")
    page.get_by_role("button", name="Tonen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waarde van het werk · 2025")
    expect(page.locator("#waarde-midden")).to_contain_text("6.393,44")
    expect(page.locator("#waarde-laag")).to_contain_text("3.836,06")
    expect(page.locator("#waarde-hoog")).to_contain_text("10.380,30")
    expect(page.locator("#duurzaamheid")).to_contain_text("1 van 2")
    check_accessibility(page, "value page")

    own = page.locator("#aanname-dode_last")
    field(own, "Eigen waarde: Dode last: uitstroom die ook zonder de coöperatie was "
               "gebeurd").fill("40")
    field(own, "Bron of reden").fill("Onderzoek van de gemeente 2024")
    own.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De aanname is opgeslagen.")).to_be_visible()
    expect(page.locator("#waarde-midden")).to_contain_text("7.672,13")
    expect(page.locator("#aanname-dode_last")).to_contain_text("Onderzoek van de gemeente 2024")
    check_accessibility(page, "value page after a change")


def test_the_value_page_fits_a_phone(new_context, coop, worked):
    page = new_context(**PHONE).new_page()
    log_in(page, coop.admin)
    page.goto(f"/{coop.tenant.slug}/rapportage/waarde?periode=jaar&jaar=2025")
    expect(page.get_by_role("heading", level=1)).to_have_text("Waarde van het werk · 2025")
    check_accessibility(page, "value page (phone)")
    assert_fits_the_screen(page, "value page (phone)")


def test_the_follow_up_list_is_accessible(page, coop, worked):
    log_in(page, coop.admin)
    page.goto(f"/{coop.tenant.slug}/rapportage/nazorg")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nazorg uitstroom naar werk")
    check_accessibility(page, "follow-ups")
