"""A planned job's time of day and duration: set when planning (both optional), shown to the
coordinator and on the participant's job card, kept when the job is planned again."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from blueprints.helprequests import services
from blueprints.helprequests.models import HelpRequest
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.models import AuditEvent, Role
from tenants.tenancy import tenant_context
from tests.helpers import login, post
from tests.helprequests.builders import TODAY, TUESDAY, job, person

TOMORROW = date.today() + timedelta(days=1)


@pytest.fixture
def world(make, session):
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR)
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        yield session, actor
    session.rollback()


def test_a_job_is_planned_at_a_time_for_a_duration(world):
    session, actor = world
    worker = person(session, actor, "Peter", "Russcher")
    r = job(session, actor)
    services.plan_request(session, actor, r, TUESDAY, [worker.id], today=TODAY,
                          at=time(10, 30), minutes=90)
    assert (r.planned_at, r.duration_minutes) == (time(10, 30), 90)
    details = session.scalar(select(AuditEvent.details).where(
        AuditEvent.action == "help_request.planned", AuditEvent.object_id == str(r.id)))
    assert details["planned_at"] == "10:30" and details["duration_minutes"] == 90
    # a different time is news for who is already planned, like a different day
    assert services.plan_request(session, actor, r, TUESDAY, [worker.id], today=TODAY,
                                 at=time(13, 0), minutes=90) == [worker]
    assert services.plan_request(session, actor, r, TUESDAY, [worker.id], today=TODAY,
                                 at=time(13, 0), minutes=120) == []
    services.plan_request(session, actor, r, TUESDAY, [worker.id], today=TODAY)
    assert (r.planned_at, r.duration_minutes) == (None, None)  # both optional


@pytest.mark.parametrize("minutes", [0, 10, 721, -60])
def test_a_duration_outside_a_quarter_to_twelve_hours_is_refused(world, minutes):
    session, actor = world
    worker = person(session, actor, "Peter", "Russcher")
    r = job(session, actor)
    with pytest.raises(DomainError, match="tussen een kwartier en 12 uur"):
        services.plan_request(session, actor, r, TUESDAY, [worker.id], today=TODAY,
                              minutes=minutes)
    assert r.planned_on is None


def test_the_coordinator_plans_a_time_and_the_participant_sees_it(app, make, session):
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR)
    account = make.member(tenant, Role.PARTICIPANT)
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        worker = person(session, actor, "Fatma", "Yilmaz")
        worker.user_id = account.id
        r = job(session, actor)
        session.commit()
        worker_id, request_id = worker.id, r.id
    staff, own = app.test_client(), app.test_client()
    login(staff, coach)
    path = f"/{tenant.slug}/hulpvragen/{request_id}/"
    assert "Hoe laat (optioneel)" in staff.get(path).get_data(as_text=True)
    response = post(staff, f"{path}plannen", {
        "planned_on": TOMORROW.isoformat(), "participants": [str(worker_id)], "other": "",
        "planned_at": "09:15", "duration": "90"}, token_from=path)
    assert response.status_code == 302
    page = staff.get(path).get_data(as_text=True)
    assert "om 09:15" in page and "1,5 uur" in page
    assert '<option selected value="90">' in page and 'value="09:15"' in page  # kept
    login(own, account)
    card = own.get(f"/{tenant.slug}/mijn/klussen").get_data(as_text=True)
    assert "Om 09:15" in card and "ongeveer 1,5 uur" in card
    # a length that is not offered is refused, and nothing changes
    post(staff, f"{path}plannen", {"planned_on": TOMORROW.isoformat(),
                                   "participants": [str(worker_id)], "other": "",
                                   "planned_at": "", "duration": "7"}, token_from=path)
    session.expire_all()  # the request was read here before the pages planned it
    with tenant_context(session, tenant.id):
        row = session.scalar(select(HelpRequest).where(HelpRequest.id == request_id))
        assert (row.planned_at, row.duration_minutes) == (time(9, 15), 90)
    session.rollback()
