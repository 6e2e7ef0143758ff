"""The action list in the browser: a coach sees on the start page that a trajectory has passed
its planned end, opens the list of expired trajectories and extends it in one step, with a
reason — on a desktop and on a phone, every page checked with axe."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from blueprints.trajectories.models import Trajectory, TrajectoryEvent
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, log_in, url_path
from tests.hours.builders import add_person

pytestmark = pytest.mark.browser
TODAY = date.today()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_coach_extends_an_expired_trajectory_from_the_action_list(request, make, session,
                                                                   device):
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    tenant = make.tenant(name="Buurtcoöperatie De Hoge Weide")
    coach = make.member(tenant, Role.SUPERVISOR, name="Ahmed El Khatib")
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        _person, trajectory = add_person(
            session, actor, "Kees", "de Graaf", supervisor_id=coach.id,
            starts_on=TODAY - timedelta(days=200), planned_end_on=TODAY - timedelta(days=20))
        add_person(session, actor, "Anna", "Bakker", supervisor_id=coach.id,
                   starts_on=TODAY - timedelta(days=100),
                   planned_end_on=TODAY + timedelta(days=200))
        session.commit()
        tid = trajectory.id

    log_in(page, coach)
    panel = page.locator("section", has=page.get_by_role("heading",
                                                        name="Trajecten die aandacht vragen"))
    expect(panel).to_contain_text("Einddatum verstreken")
    check_accessibility(page, f"start page with the action list ({device})")
    panel.get_by_role("link", name="Einddatum verstreken").click()
    expect(page).to_have_url(url_path(f"/{tenant.slug}/trajecten/"))
    row = page.get_by_role("row", name="Kees de Graaf")
    expect(row).to_contain_text("Einddatum verstreken")
    expect(page.get_by_role("row", name="Anna Bakker")).to_have_count(0)
    check_accessibility(page, f"expired trajectories ({device})")
    assert_fits_the_screen(page, f"expired trajectories ({device})")

    new_end = TODAY + timedelta(days=90)
    row.locator("summary", has_text="Verlengen").click()
    row.get_by_label("Nieuwe einddatum").fill(new_end.isoformat())
    row.get_by_label("Reden van de verlenging").fill("Nog twee leerdoelen open")
    check_accessibility(page, f"extend form open ({device})")
    row.get_by_role("button", name="Verlengen").click()
    expect(page.get_by_text("Het traject loopt nu tot")).to_be_visible()
    expect(page.get_by_role("row", name="Kees de Graaf")).to_have_count(0)

    with tenant_context(session, tenant.id):
        assert session.scalar(select(Trajectory.planned_end_on).where(
            Trajectory.id == tid)) == new_end
        notes = session.scalars(select(TrajectoryEvent.note).where(
            TrajectoryEvent.trajectory_id == tid)).all()
        assert any("Nog twee leerdoelen open" in (n or "") for n in notes)
        session.rollback()
