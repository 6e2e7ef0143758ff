"""Budgets in the browser: a participant sees the budget a paid invoice earned on a phone; a
supervisor proposes a course, an admin approves it and the budget falls; the catalogue and the
rule pages. Every page is checked with axe and, on the phone, for sideways scrolling."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from blueprints.budgets import services
from tests.budgets.builders import course, fund
from tests.budgets.conftest import world  # noqa: F401  (the budgets test world)
from tests.e2e.axe import check_accessibility
from tests.e2e.conftest import PHONE
from tests.e2e.flows import assert_fits_the_screen, field, log_in, nav_link, url_path

pytestmark = pytest.mark.browser


@pytest.fixture
def funded(world):
    s = world.session
    fund(s, world.admin_actor, world.customer.id, world.participant, 30000)
    vca = course(s, world.admin_actor, "250")
    s.commit()
    return vca


def test_a_participant_sees_their_budget_on_a_phone(phone_page, world, funded):
    page = phone_page
    log_in(page, world.user)
    nav_link(page, "Mijn budget").click()
    expect(page).to_have_url(url_path(f"/{world.tenant.slug}/budgetten/mijn"))
    expect(page.get_by_text(re.compile(r"€\s300,00")).first).to_be_visible()
    expect(page.get_by_text("Tuinonderhoud Lindenlaan")).to_be_visible()
    check_accessibility(page, "my budget (phone)")
    assert_fits_the_screen(page, "my budget (phone)")


def test_propose_approve_and_see_the_budget_fall(page, new_context, world, funded):
    slug = world.tenant.slug
    log_in(page, world.coach)
    page.goto(f"/{slug}/budgetten/")
    check_accessibility(page, "all budgets")
    page.get_by_role("link", name="Fatma Yilmaz").click()
    check_accessibility(page, "a participant's budget")
    field(page, "Cursus").select_option(label="VCA Basis · ROC West-Brabant")
    field(page, "Waarom past deze cursus?").fill("Wil in de bouw werken")
    page.get_by_role("button", name="Cursus voorstellen").click()
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(
        "voorgesteld")
    page.goto(f"/{slug}/budgetten/cursussen")
    check_accessibility(page, "course catalogue")

    admin = new_context().new_page()
    log_in(admin, world.admin)
    admin.goto(f"/{slug}/budgetten/voorstellen")
    check_accessibility(admin, "proposals")
    admin.get_by_role("button", name=re.compile("^Goedkeuren")).click()
    expect(admin.get_by_text("De cursus is goedgekeurd")).to_be_visible()
    admin.goto(f"/{slug}/budgetten/deelnemer/{world.participant.id}")
    expect(admin.get_by_text(re.compile(r"€\s50,00")).first).to_be_visible()
    expect(admin.get_by_text("Cursus: VCA Basis")).to_be_visible()
    admin.goto(f"/{slug}/budgetten/instellingen")
    check_accessibility(admin, "budget rule")
    admin.goto(f"/{slug}/budgetten/cursussen/nieuw")
    check_accessibility(admin, "new course")


def test_staff_pages_fit_a_phone(new_context, world, funded):
    services.propose_course(world.session, world.coach_actor, world.participant, funded,
                            "Een motivatie van een paar zinnen, lang genoeg om af te breken.")
    world.session.commit()
    page = new_context(**PHONE).new_page()
    slug = world.tenant.slug
    log_in(page, world.admin)
    for path in ("/budgetten/", f"/budgetten/deelnemer/{world.participant.id}",
                 "/budgetten/cursussen", "/budgetten/voorstellen", "/budgetten/instellingen"):
        page.goto(f"/{slug}{path}")
        check_accessibility(page, f"{path} (phone)")
        assert_fits_the_screen(page, f"{path} (phone)")


def test_a_participant_asks_for_a_course_on_a_phone_and_the_admin_splits_it(
        phone_page, new_context, world):
    """The participant has € 200 and the pool € 200; they ask for a € 375 course; the admin
    pays it from the budget topped up from the pool (the choice offered first)."""
    from tests.budgets.builders import set_policy
    s = world.session
    set_policy(s, world.admin_actor, pool="50")
    fund(s, world.admin_actor, world.customer.id, world.participant, 40000)
    course(s, world.admin_actor, "375", title="Heftruckcertificaat", provider="Transport Academie")
    s.commit()
    page = phone_page
    log_in(page, world.user)
    nav_link(page, "Mijn budget").click()
    page.get_by_role("link", name="Cursus aanvragen").click()
    expect(page.get_by_text(re.compile(r"Uw budget is nu €\s200,00"))).to_be_visible()
    check_accessibility(page, "request a course (phone)")
    assert_fits_the_screen(page, "request a course (phone)")
    field(page, "Cursus").select_option(label="Heftruckcertificaat · Transport Academie · € 375,00")
    field(page, "Waarom wilt u deze cursus doen?").fill("Dan kan ik in het magazijn werken")
    page.get_by_role("button", name="Cursus aanvragen").click()
    expect(page.get_by_text("Uw aanvraag is verstuurd")).to_be_visible()
    expect(page.get_by_text("Heftruckcertificaat")).to_be_visible()

    admin = new_context().new_page()
    log_in(admin, world.admin)
    admin.goto(f"/{world.tenant.slug}/budgetten/voorstellen")
    check_accessibility(admin, "proposals with a split")
    expect(admin.get_by_label(re.compile("^het budget, aangevuld uit de pot"))).to_be_checked()
    admin.get_by_role("button", name=re.compile("^Goedkeuren")).click()
    expect(admin.get_by_text("aangevuld uit de pot").first).to_be_visible()
    admin.goto(f"/{world.tenant.slug}/budgetten/")
    expect(admin.get_by_text(re.compile(r"€\s25,00")).first).to_be_visible()
