"""Hours in the browser: a participant logs hours on a phone; a supervisor approves, returns,
fills the week grid and opens the hour statement PDF on a desktop. Every page is checked with
axe and (on the phone) for sideways scrolling."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from blueprints.hours.models import EntryStatus, TimeEntry
from blueprints.participants.models import Participant
from blueprints.trajectories.models import Trajectory
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tenants.weeks import monday_of
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, field, log_in, nav_link, url_path
from tests.hours.builders import add_person, entry

pytestmark = pytest.mark.browser
TODAY = date.today()


def hours_box(page):
    return page.get_by_role("textbox", name=re.compile(r"^Uren( \(verplicht\))?$"))


@pytest.fixture
def coop(make, session):
    tenant = make.tenant(name="Buurtcoöperatie De Hoge Weide")
    coach = make.member(tenant, Role.SUPERVISOR, name="Ahmed El Khatib")
    user = make.member(tenant, Role.PARTICIPANT, name="Fatma Yilmaz")
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        person, trajectory = add_person(session, actor, "Fatma", "Yılmaz", user=user,
                                        supervisor_id=coach.id, starts_on=date(2026, 1, 5))
        session.commit()
        return tenant, coach, user, person.id, trajectory.id


def test_a_participant_logs_hours_on_a_phone(phone_page, coop, session):
    page = phone_page
    tenant, coach, user, person_id, _ = coop
    log_in(page, user)
    nav_link(page, "Mijn uren").click()
    expect(page).to_have_url(url_path(f"/{tenant.slug}/uren/mijn"))
    check_accessibility(page, "my hours (phone)")
    assert_fits_the_screen(page, "my hours (phone)")

    # date defaults to today and the only trajectory is chosen: hours and a note are enough
    hours_box(page).fill("30")
    page.get_by_role("button", name="Uren schrijven").click()
    expect(page.get_by_role("alert").first).to_contain_text("hoogstens 24 uur")
    check_accessibility(page, "my hours with an error (phone)")

    hours_box(page).fill("2,5")
    field(page, "Notitie").fill("Bladeren geruimd bij de speeltuin")
    page.get_by_role("button", name="Uren schrijven").click()
    expect(page.get_by_text("Uw uren zijn geschreven: 2,5 uur")).to_be_visible()
    saved = page.get_by_role("listitem").filter(has_text="Bladeren geruimd bij de speeltuin")
    expect(saved).to_contain_text("2,5 uur")
    expect(page.get_by_text("Wacht op goedkeuring").first).to_be_visible()
    check_accessibility(page, "my hours after saving (phone)")
    assert_fits_the_screen(page, "my hours after saving (phone)")
    with tenant_context(session, tenant.id):
        [e] = session.scalars(select(TimeEntry).where(TimeEntry.participant_id == person_id))
        assert (e.minutes, e.status) == (150, EntryStatus.SUBMITTED)


def test_a_supervisor_approves_returns_and_opens_the_statement(page, coop, session):
    tenant, coach, user, person_id, trajectory_id = coop
    with tenant_context(session, tenant.id):
        person = session.scalar(select(Participant).where(Participant.id == person_id))
        trajectory = session.scalar(select(Trajectory).where(Trajectory.id == trajectory_id))
        monday = monday_of(TODAY)
        entry(session, person, trajectory, monday, 240, note="Tuin mevrouw De Wit")
        entry(session, person, trajectory, monday + timedelta(days=1), 180, note="Boodschappen")
        entry(session, person, trajectory, date(2026, 3, 2), 480, status=EntryStatus.APPROVED)
        session.commit()
    log_in(page, coach)
    expect(page.get_by_text("2 regels uren wachten op uw goedkeuring.")).to_be_visible()
    nav_link(page, "Uren", exact=True).click()
    expect(page).to_have_url(url_path(f"/{tenant.slug}/uren/"))
    expect(page.get_by_text("2 regels uren gevonden")).to_be_visible()
    check_accessibility(page, "approval list")

    # return the Tuesday with a reason, approve the Monday
    row = page.get_by_role("row").filter(has_text="Boodschappen")
    row.locator("summary", has_text="Terugsturen").click()
    row.get_by_label("Reden voor de deelnemer").fill("Was dit niet woensdag?")
    check_accessibility(page, "approval list with the return form open")
    row.get_by_role("button", name="Terugsturen", exact=True).click()
    expect(page.get_by_text("De uren zijn teruggestuurd naar de deelnemer.")).to_be_visible()
    page.get_by_label(re.compile("Kies de uren van Fatma")).first.check()
    page.get_by_role("button", name="Gekozen uren goedkeuren").click()
    expect(page.get_by_text("1 regel uren is goedgekeurd.")).to_be_visible()
    with tenant_context(session, tenant.id):
        statuses = {e.note: e.status for e in session.scalars(select(TimeEntry).where(
            TimeEntry.participant_id == person_id))}
        assert statuses["Tuin mevrouw De Wit"] == EntryStatus.APPROVED
        assert statuses["Boodschappen"] == EntryStatus.RETURNED

    # the participant's hours and the statement for the municipality
    page.goto(f"/{tenant.slug}/uren/deelnemer/{person_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uren van Fatma")
    check_accessibility(page, "a participant's hours")
    field(page, "Van").first.fill("2026-01-01")
    field(page, "Tot en met").first.fill(TODAY.isoformat())
    with page.expect_response(re.compile(r"/uren/verklaring/\d+\.pdf")) as info:
        page.get_by_role("button", name="Urenverklaring maken (PDF)").click()
    assert info.value.status == 200
    pdf = page.request.get(f"/{tenant.slug}/uren/verklaring/{person_id}.pdf"
                           f"?van=2026-01-01&tot={TODAY.isoformat()}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


def test_a_supervisor_fills_the_week_grid(page, coop, session):
    tenant, coach, user, person_id, trajectory_id = coop
    with tenant_context(session, tenant.id):
        add_person(session, Actor(user_id=coach.id), "Kees", "de Graaf", supervisor_id=coach.id)
        session.commit()
    log_in(page, coach)
    page.goto(f"/{tenant.slug}/uren/")
    page.get_by_role("link", name="Weekstaat invullen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Weekstaat")
    check_accessibility(page, "week grid")
    monday = monday_of(TODAY)
    page.get_by_label(re.compile(r"^Uren van Fatma Yılmaz op maandag")).fill("4")
    page.get_by_label(re.compile(r"^Uren van Kees de Graaf op maandag")).fill("3,5")
    page.get_by_label(re.compile(r"^Uren van Kees de Graaf op dinsdag")).fill("x")
    page.get_by_role("button", name="Weekstaat opslaan").click()
    expect(page.get_by_text("Er is niets opgeslagen.")).to_be_visible()
    check_accessibility(page, "week grid with an error")
    page.get_by_label(re.compile(r"^Uren van Kees de Graaf op dinsdag")).fill("")
    page.get_by_label("Direct goedkeuren").check()
    page.get_by_role("button", name="Weekstaat opslaan").click()
    expect(page.get_by_text("2 regels uren zijn opgeslagen.")).to_be_visible()
    with tenant_context(session, tenant.id):
        saved = session.scalars(select(TimeEntry).where(TimeEntry.work_date == monday)).all()
        assert sorted(e.minutes for e in saved) == [210, 240]
        assert {e.status for e in saved} == {EntryStatus.APPROVED}
