"""In the browser, on a desktop and on a phone: a supervisor chooses what the daily e-mail
tells them (from the account page); an admin reads the audit log in sentences, filters it
and finds the CSV link; every page checked with axe and for sideways scrolling."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from blueprints.digests import services
from tenants import audit
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, log_in, nav_link, url_path
from tests.hours.builders import add_person

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_supervisor_switches_a_kind_of_the_daily_email_off(request, make, session, device):
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    tenant = make.tenant(name="Buurtcoöperatie De Hoge Weide")
    coach = make.member(tenant, Role.SUPERVISOR, name="Ahmed El Khatib")
    log_in(page, coach)
    nav_link(page, "Mijn account").click()
    page.get_by_role("link", name="Dagelijkse e-mail van Buurtcoöperatie De Hoge Weide").click()
    expect(page).to_have_url(url_path(f"/{tenant.slug}/dagelijkse-mail/"))
    vog = page.get_by_label("VOG's die verlopen")
    expect(vog).to_be_checked()
    check_accessibility(page, f"daily e-mail choice ({device})")
    assert_fits_the_screen(page, f"daily e-mail choice ({device})")
    vog.uncheck()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Uw keuze voor de dagelijkse e-mail is opgeslagen.")).to_be_visible()
    expect(page.get_by_label("VOG's die verlopen")).not_to_be_checked()
    with tenant_context(session, tenant.id):
        assert services.choices(session, coach.id, Role.SUPERVISOR)["vog"] is False
        session.rollback()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_admin_reads_and_filters_the_audit_log(request, make, session, device):
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN, name="Anna de Vries")
    actor = Actor(user_id=admin.id, email=admin.email, ip="192.0.2.1")
    with tenant_context(session, tenant.id):
        person, _trajectory = add_person(session, actor, "Jan", "Amrani")
        for _ in range(3):
            audit.record(session, actor, "participant.viewed", person, part="file")
        session.commit()
    log_in(page, admin)
    nav_link(page, "Auditlog").click()
    expect(page).to_have_url(url_path(f"/{tenant.slug}/team/auditlog"))
    row = page.get_by_role("row", name="Anna de Vries bekeek het dossier van Jan Amrani")
    expect(row).to_contain_text("3 keer")
    check_accessibility(page, f"audit log ({device})")
    assert_fits_the_screen(page, f"audit log ({device})")
    page.get_by_label("Soort").select_option(label="Trajecten")
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_text("Anna de Vries startte een traject voor Jan Amrani")).to_be_visible()
    expect(page.get_by_text("bekeek het dossier")).to_have_count(0)
    expect(page.get_by_role("link", name="Exporteren als CSV")).to_have_attribute(
        "href", f"/{tenant.slug}/team/auditlog/export.csv?soort=trajectory")
    check_accessibility(page, f"audit log filtered ({device})")
