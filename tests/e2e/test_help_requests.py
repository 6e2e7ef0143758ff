"""Help requests in the browser: a resident asks for help on a phone, without an account; a
coach plans the job with a suggestion on a desktop; the participant sees it on their phone."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from blueprints.helprequests import services
from blueprints.helprequests.models import HelpRequest, RequestStatus, Source
from blueprints.participants.models import Participant
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, field, log_in, nav_link, url_path
from tests.helprequests.builders import job, person

pytestmark = pytest.mark.browser


def test_a_resident_asks_for_help_on_a_phone(phone_page, make, session):
    page = phone_page
    tenant = make.tenant(name="Kluswinkel Lelystad")
    page.goto(f"/{tenant.slug}/hulp-vragen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hulp vragen bij Kluswinkel Lelystad")
    check_accessibility(page, "public help-request form (phone)")
    assert_fits_the_screen(page, "public help-request form (phone)")

    # Sent half-filled: the page says what is missing, and keeps what was typed.
    field(page, "Uw naam").fill("Mevrouw Jansen")
    page.get_by_role("button", name="Hulpvraag versturen").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(field(page, "Uw naam")).to_have_value("Mevrouw Jansen")
    check_accessibility(page, "public help-request form with errors (phone)")
    assert_fits_the_screen(page, "public help-request form with errors (phone)")

    field(page, "Straat en huisnummer").fill("Kempenaar 12-03")
    field(page, "Postcode").fill("8232 AB")
    field(page, "Plaats").fill("Lelystad")
    field(page, "Telefoonnummer").fill("06 12345678")
    page.get_by_label("Tuin", exact=True).check()
    field(page, "Waarmee kunnen we u helpen?").fill("De heg in de voortuin moet geknipt worden.")
    field(page, "Wanneer komt het u uit?").fill("dinsdagochtend")
    page.get_by_role("button", name="Hulpvraag versturen").click()

    expect(page).to_have_url(url_path(f"/{tenant.slug}/hulp-vragen/bedankt"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bedankt, uw hulpvraag is verstuurd")
    reference = f"{date.today().year}-0001"
    expect(page.get_by_role("status")).to_contain_text(reference)
    check_accessibility(page, "help-request confirmation (phone)")
    assert_fits_the_screen(page, "help-request confirmation (phone)")

    with tenant_context(session, tenant.id):
        stored = session.scalar(select(HelpRequest).where(HelpRequest.reference == reference))
        assert stored.requester_name == "Mevrouw Jansen" and stored.source == Source.WEBSITE
        assert stored.status == RequestStatus.NEW
    session.rollback()


@pytest.fixture
def planned_world(make, session):
    """A cooperative with two participants and a garden job in Bolder waiting for a date."""
    tenant = make.tenant(name="Bewonerscoöperatie ONS")
    coach = make.member(tenant, Role.SUPERVISOR, name="Ahmed El Khatib")
    account = make.member(tenant, Role.PARTICIPANT, name="Fatma Yilmaz")
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        fatma = person(session, actor, "Fatma", "Yilmaz", skills=["tuin", "groen"],
                       wijk="Bolder")
        fatma.user_id = account.id
        person(session, actor, "Kees", "de Graaf", wijk="Haagse Beemden")
        r = job(session, actor, wijk="Bolder", name="Mevrouw Peters", street="Lindenlaan 4",
                phone="06 87654321", description="Heg knippen in de voortuin")
        session.commit()
        return tenant, coach, account, r.reference


def test_a_coach_plans_a_job_with_a_suggestion(page, planned_world, session):
    tenant, coach, _account, reference = planned_world
    log_in(page, coach)
    expect(page.get_by_text("Klussen zonder datum (1)")).to_be_visible()
    nav_link(page, "Hulpvragen", exact=True).click()
    expect(page).to_have_url(url_path(f"/{tenant.slug}/hulpvragen/"))
    check_accessibility(page, "help-request list")

    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    suggestions = page.get_by_role("list", name="Suggesties")
    first = suggestions.get_by_role("listitem").first
    expect(first).to_contain_text("Fatma Yilmaz")
    expect(first).to_contain_text("Kan tuinieren")
    expect(first).to_contain_text("Woont in Bolder")
    check_accessibility(page, "help request with suggestions")

    page.get_by_label("Fatma Yilmaz", exact=True).check()
    page.get_by_role("button", name=re.compile(r"^Inplannen op ")).click()
    expect(page.get_by_text(re.compile(r"De klus is ingepland op"))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ingepland")
    expect(page.locator("#planning")).to_contain_text("Kan tuinieren")  # the kept reason
    check_accessibility(page, "planned help request")

    page.get_by_role("link", name="Alle hulpvragen").click()
    page.get_by_role("link", name="Weekplanning").click()
    tomorrow = date.today() + timedelta(days=1)
    if tomorrow.isocalendar()[1] != date.today().isocalendar()[1]:
        page.get_by_role("link", name=re.compile("Volgende week")).click()
    expect(page.get_by_role("table")).to_contain_text(reference)
    check_accessibility(page, "week planning")


def test_the_participant_sees_the_job_on_a_phone(phone_page, planned_world, session):
    tenant, coach, account, reference = planned_world
    with tenant_context(session, tenant.id):
        r = session.scalar(select(HelpRequest).where(HelpRequest.reference == reference))
        me = session.scalar(select(Participant).where(Participant.user_id == account.id))
        services.plan_request(session, Actor(user_id=coach.id), r,
                              date.today() + timedelta(days=1), [me.id])
        session.commit()
    page = phone_page
    log_in(page, account)
    nav_link(page, "Mijn klussen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn klussen")
    expect(page.get_by_text("Lindenlaan 4")).to_be_visible()
    expect(page.get_by_role("link", name="06 87654321")).to_have_attribute(
        "href", "tel:0687654321")
    expect(page.get_by_text("Heg knippen in de voortuin")).to_be_visible()
    check_accessibility(page, "my jobs (phone)")
    assert_fits_the_screen(page, "my jobs (phone)")

    page.get_by_role("button", name="E-mails uitzetten").click()
    expect(page.get_by_text("U krijgt geen e-mail meer als u wordt ingepland.")).to_be_visible()
    expect(page.get_by_role("button", name="E-mails aanzetten")).to_be_visible()
