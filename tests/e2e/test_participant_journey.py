"""A job coach's day in the browser: register a participant, start a trajectory, generate the
agreement, record an evaluation, end with an outcome — on a phone and on a desktop."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tenants.models import Role
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, field, log_in, nav_link, url_path

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_register_start_evaluate_and_end_a_trajectory(request, make, device):
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    tenant = make.tenant(name="Buurtcoöperatie De Hoge Weide")
    coach = make.member(tenant, Role.SUPERVISOR, name="Ahmed El Khatib")
    log_in(page, coach)

    nav_link(page, "Deelnemers", exact=True).click()
    expect(page).to_have_url(url_path(f"/{tenant.slug}/deelnemers/"))
    check_accessibility(page, f"participant list ({device})")
    page.get_by_role("link", name="Deelnemer inschrijven").click()
    check_accessibility(page, f"participant form ({device})")
    assert_fits_the_screen(page, f"participant form ({device})")

    # A BSN in the notes is refused and nothing is stored.
    field(page, "Voornaam").fill("Fatma")
    field(page, "Achternaam").fill("Yilmaz")
    field(page, "Notities").fill("Haar nummer is 111222333")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("burgerservicenummer")
    check_accessibility(page, f"participant form with error ({device})")

    field(page, "Notities").fill("Wil graag buiten werken.")
    field(page, "Geboortedatum").fill("2001-05-04")
    field(page, "Wijk").fill("Geeren-Zuid")
    field(page, "Vaardigheden").fill("tuin, boodschappen")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fatma Yilmaz")
    expect(page.get_by_text("Jongere (< 27)")).to_be_visible()
    check_accessibility(page, f"participant file ({device})")
    assert_fits_the_screen(page, f"participant file ({device})")

    page.get_by_role("link", name="Traject starten").click()
    field(page, "Soort traject").select_option(label="Maatschappelijke baan")
    field(page, "Startdatum").fill("2026-02-02")
    field(page, "Geplande einddatum").fill("2026-08-01")
    field(page, "Afgesproken uren per week").fill("9,8")
    check_accessibility(page, f"trajectory form ({device})")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maatschappelijke baan")
    page.get_by_role("button", name="Starten (actief)").click()
    expect(page.get_by_role("status").first).to_contain_text("Actief")

    href = page.get_by_role("link", name="Overeenkomst (PDF)").get_attribute("href")
    pdf = page.request.get(href)  # same cookies as the page: the PDF a coach would open
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    field(page, "Gehouden op").fill("2026-05-04")
    field(page, "Trede op de participatieladder").select_option(value="4")
    field(page, "Verslag").fill("Komt op tijd, helpt bewoners met de tuin.")
    page.get_by_role("button", name="Evaluatie vastleggen").click()
    expect(page.get_by_text("De evaluatie is vastgelegd.")).to_be_visible()
    expect(page.get_by_role("cell", name="4 – onbetaald werk")).to_be_visible()

    page.locator("summary", has_text="Traject afronden…").click()  # behind a button
    expect(field(page, "Uitstroom")).to_have_value("")  # nothing chosen beforehand
    field(page, "Uitstroom").select_option(label="Vast vrijwilligerswerk")
    field(page, "Einddatum").fill("2026-08-01")
    page.get_by_label("Ja, dit traject is afgelopen en deze uitstroom klopt").check()
    page.get_by_role("button", name="Traject afronden", exact=True).click()
    expect(page.get_by_text("Het traject is afgerond.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Afgerond")
    check_accessibility(page, f"ended trajectory ({device})")
    assert_fits_the_screen(page, f"ended trajectory ({device})")
