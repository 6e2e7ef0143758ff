"""Hours that belong to a payer, in the browser: the coordinator sets on Jan's trajectory that
the housing corporation pays for his hours, builds an invoice for the corporation and is
offered only its hours (ticked); the hours nobody pays stand apart, nothing ticked, with a
button per participant; the resident's job hours are never offered. On a desktop and on a
phone, every page checked with axe."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from blueprints.customers import services as customers
from blueprints.invoicing import settings as finance
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, field, log_in
from tests.hours.builders import add_person
from tests.invoicing.invoice_world import hours, job

pytestmark = pytest.mark.browser
TODAY = date.today()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_coordinator_invoices_the_housing_corporation_only_its_hours(request, make,
                                                                         session, device):
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    tenant = make.tenant(name="Kluswinkel Zuiderzeewijk")
    admin = make.member(tenant, Role.ADMIN, name="Jeroen Bakker")
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        finance.save_settings(session, actor, finance.SettingsData(
            legal_name="Kluswinkel Zuiderzeewijk", street="Fjord 3", postcode="8224 DN",
            city="Lelystad", kvk_number="12345678", vat_id="NL004495445B01",
            iban="NL91 ABNA 0417 1643 00", email="facturen@kluswinkel.example.org",
            hourly_rate="25,00", payment_term_days=30))
        corporation = customers.create_customer(session, actor, customers.CustomerData(
            kind="woningcorporatie", name="Woningcorporatie Zuiderzeewijk", street="Fjord 201",
            postcode="8224 DN", city="Lelystad", kvk_number="71902358", hourly_rate="30,00",
            email="crediteuren@zuiderzeewijk.example.nl"))
        resident = customers.create_customer(session, actor, customers.CustomerData(
            kind="bewoner", name="Mevrouw Peters", street="Schouw 4", postcode="8224 AB",
            city="Lelystad", email="peters@example.org"))
        jan, jans_trajectory = add_person(session, actor, "Jan", "Amrani")
        fatma, fatmas_trajectory = add_person(session, actor, "Fatma", "Yilmaz")
        jan_hours = [hours(session, jan, jans_trajectory, TODAY - timedelta(days=d), 120).id
                     for d in (3, 5)]
        peters_hours = hours(session, jan, jans_trajectory, TODAY - timedelta(days=4), 60,
                             job(session, resident, price=2000,
                                 done_on=TODAY - timedelta(days=4))).id
        fatma_hours = hours(session, fatma, fatmas_trajectory, TODAY - timedelta(days=2), 90).id
        session.commit()
        trajectory_id = jans_trajectory.id

    log_in(page, admin)
    # 1. On Jan's trajectory: the corporation pays for his hours.
    page.goto(f"/{tenant.slug}/trajecten/{trajectory_id}/bewerken")
    field(page, "Uren betaald door").select_option(label="Woningcorporatie Zuiderzeewijk")
    check_accessibility(page, f"trajectory form with the payer ({device})")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_text("Het traject is bijgewerkt.")).to_be_visible()
    expect(page.locator("dl")).to_contain_text("Woningcorporatie Zuiderzeewijk")

    # 2. A draft for the corporation offers only its hours, ticked.
    page.goto(f"/{tenant.slug}/facturen/nieuw")
    field(page, "Klant").select_option(label="Woningcorporatie Zuiderzeewijk")
    field(page, "Periode van").fill((TODAY - timedelta(days=30)).isoformat())
    field(page, "Periode tot en met").fill(TODAY.isoformat())
    page.get_by_role("button", name="Conceptfactuur maken").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Conceptfactuur")
    checklist = page.locator("#uren")
    for entry_id in jan_hours:
        expect(checklist.locator(f"#uur-{entry_id}")).to_be_checked()
    expect(checklist.locator(f"#uur-{peters_hours}")).to_have_count(0)  # the resident's job
    # the hours nobody pays: their own section, nothing ticked, a button per participant
    expect(checklist.get_by_role("heading", name="Uren zonder betaler")).to_be_visible()
    expect(checklist.locator(f"#uur-{fatma_hours}")).not_to_be_checked()
    expect(checklist.get_by_role("button", name="Alle uren van Fatma Yilmaz toevoegen")
           ).to_be_visible()
    expect(checklist.get_by_role("checkbox")).to_have_count(3)
    check_accessibility(page, f"draft for the corporation with its hours ({device})")
    if device == "phone":
        assert_fits_the_screen(page, "draft for the corporation (phone)")

    page.get_by_role("button", name="Gekozen uren op de factuur zetten").click()
    expect(page.get_by_text("De uren staan op de factuur.")).to_be_visible()
    rows = page.locator("#regels tbody tr")
    expect(rows).to_have_count(1)
    first, last = TODAY - timedelta(days=5), TODAY - timedelta(days=3)
    expect(rows.first).to_contain_text(f"{first:%d-%m-%Y} t/m {last:%d-%m-%Y}")
    expect(rows.first).to_contain_text("4,00 uur")
    # Fatma's unpaid hours are still there to choose, and nothing else
    expect(checklist.get_by_role("checkbox")).to_have_count(1)
    expect(checklist.locator(f"#uur-{fatma_hours}")).not_to_be_checked()
    check_accessibility(page, f"draft for the corporation with its line ({device})")

    # 3. The resident's draft never offers the corporation's hours.
    page.goto(f"/{tenant.slug}/facturen/nieuw")
    field(page, "Klant").select_option(label="Mevrouw Peters")
    field(page, "Periode van").fill((TODAY - timedelta(days=30)).isoformat())
    field(page, "Periode tot en met").fill(TODAY.isoformat())
    page.get_by_role("button", name="Conceptfactuur maken").click()
    expect(page.get_by_text("De conceptfactuur is gemaakt. Voeg nu de regels toe.")
           ).to_be_visible()
    expect(checklist.locator(f"#uur-{peters_hours}")).to_be_checked()
    expect(checklist.locator(f"#uur-{fatma_hours}")).not_to_be_checked()
    for entry_id in jan_hours:  # billed already, and the corporation's anyway
        expect(checklist.locator(f"#uur-{entry_id}")).to_have_count(0)
