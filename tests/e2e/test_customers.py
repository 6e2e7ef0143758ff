"""Customers in the browser, on a phone: an admin adds a customer (a wrong KvK number first),
sells a punch card, and sees the balance in the list; every page passes axe and fits the
screen. Skipped without Chromium (see tests/e2e/conftest.py)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tenants.models import Role
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, field, log_in, url_path

pytestmark = pytest.mark.browser


def _check(page, label):
    check_accessibility(page, label)
    assert_fits_the_screen(page, label)


def test_an_admin_adds_a_customer_and_sells_a_punch_card_on_a_phone(phone_page, make):
    page = phone_page
    tenant = make.tenant(name="Kluswinkel Lelystad")
    admin = make.member(tenant, Role.ADMIN)
    log_in(page, admin)
    page.goto(f"/{tenant.slug}/klanten/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Klanten")
    _check(page, "customer list, empty (phone)")

    page.get_by_role("link", name="Klant toevoegen").click()
    page.get_by_label("Soort klant").select_option("woningcorporatie")
    field(page, "Naam").fill("Woonstichting Centrada")
    field(page, "Straat en huisnummer").fill("Kempenaar 5")
    field(page, "Postcode").fill("8232 AB")
    field(page, "Plaats").fill("Lelystad")
    field(page, "KvK-nummer").fill("1234")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Een KvK-nummer heeft precies 8 cijfers.")).to_be_visible()
    expect(field(page, "Naam")).to_have_value("Woonstichting Centrada")
    _check(page, "customer form with an error (phone)")

    field(page, "KvK-nummer").fill("39030440")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Woonstichting Centrada")
    _check(page, "customer page (phone)")

    page.locator("summary", has_text="Strippenkaart verkopen").click()
    field(page, "Aantal uren").fill("10")
    page.locator("#kaart-price").fill("250,00")
    page.get_by_role("button", name="Strippenkaart vastleggen").click()
    expect(page.get_by_text("De strippenkaart is vastgelegd.")).to_be_visible()
    page.locator("summary", has_text="Tarief toevoegen").click()
    page.locator("summary", has_text="Uren afschrijven zonder hulpvraag").click()
    _check(page, "customer page with a punch card and open forms (phone)")

    page.goto(f"/{tenant.slug}/klanten/")
    row = page.get_by_role("row", name=re.compile("Woonstichting Centrada"))
    expect(row).to_contain_text("10 uur")
    _check(page, "customer list with a balance (phone)")
    expect(page).to_have_url(url_path(f"/{tenant.slug}/klanten/"))


def test_an_admin_writes_a_done_job_off_the_punch_card(phone_page, make, session):
    from tenants.actor import Actor
    from tenants.tenancy import tenant_context
    from tests.customers.builders import card, customer, punch_job

    page = phone_page
    tenant = make.tenant(name="Kluswinkel Lelystad")
    admin = make.member(tenant, Role.ADMIN)
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        c = customer(session, actor)
        card(session, actor, c, hours=2)
        r = punch_job(session, actor, c, minutes=(90,))
        session.commit()
        request_id, customer_id = r.id, c.id
    log_in(page, admin)
    page.goto(f"/{tenant.slug}/hulpvragen/{request_id}/bewerken")
    expect(page.get_by_label("Klant (wie de factuur krijgt)")).to_have_value(str(customer_id))
    _check(page, "help request form with the customer (phone)")
    page.goto(f"/{tenant.slug}/hulpvragen/{request_id}/")
    panel = page.get_by_role("region", name="Strippenkaart")
    expect(panel).to_contain_text("2 uur")
    _check(page, "done punch-card job (phone)")
    panel.get_by_role("button", name="Afschrijven van strippenkaart").click()
    expect(page.get_by_text("zijn van de strippenkaart afgeschreven")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gefactureerd")
    _check(page, "punch-card job written off (phone)")
