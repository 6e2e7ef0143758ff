""""Klaar" on a participant's job card: the job they are planned on is reported done (today) and
they land on the hours form with that job chosen; a job of someone else is 404, a job planned
for later gets a Dutch message and stays planned; the audit log says who reported it."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from blueprints.helprequests import services
from blueprints.helprequests.models import HelpRequest, RequestStatus
from tenants.actor import Actor
from tenants.models import AuditEvent, Role
from tenants.tenancy import tenant_context
from tests.helpers import login, post
from tests.helprequests.builders import job, person

TODAY = date.today()


@pytest.fixture
def planned(make, session):
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR)
    account = make.member(tenant, Role.PARTICIPANT)
    actor = Actor(user_id=coach.id)
    with tenant_context(session, tenant.id):
        me = person(session, actor, "Fatma", "Yilmaz")
        me.user_id = account.id
        other = person(session, actor, "Kees", "de Graaf")
        today_job = job(session, actor, name="Mevrouw Vandaag", street="Lindenlaan 3")
        later_job = job(session, actor, name="Meneer Later", street="Eikstraat 8")
        their_job = job(session, actor, name="Mevrouw Ander", street="Anderweg 2")
        services.plan_request(session, actor, today_job, TODAY, [me.id])
        services.plan_request(session, actor, later_job, TODAY + timedelta(days=3), [me.id])
        services.plan_request(session, actor, their_job, TODAY, [other.id])
        session.commit()
        ids = today_job.id, later_job.id, their_job.id
    return tenant, account, ids


def _status(session, tenant, request_id):
    with tenant_context(session, tenant.id):
        session.expire_all()
        return session.scalar(select(HelpRequest.status).where(HelpRequest.id == request_id))


def test_klaar_reports_the_job_done_and_opens_the_hours_form_for_it(client, session, planned):
    tenant, account, (today_id, later_id, _theirs) = planned
    login(client, account)
    jobs = f"/{tenant.slug}/mijn/klussen"
    html = client.get(jobs).get_data(as_text=True)
    assert f'action="/{tenant.slug}/mijn/klussen/{today_id}/klaar"' in html
    assert f'action="/{tenant.slug}/mijn/klussen/{later_id}/klaar"' not in html  # not yet
    response = post(client, f"{jobs}/{today_id}/klaar", {}, token_from=jobs)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/uren/mijn?klus={today_id}#schrijven-kop")
    form = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Gemeld: de klus is klaar." in form
    assert f'<option selected value="{today_id}">' in form or \
        f'value="{today_id}" selected' in form
    assert _status(session, tenant, today_id) == RequestStatus.DONE
    with tenant_context(session, tenant.id):
        done = session.scalar(select(HelpRequest).where(HelpRequest.id == today_id))
        assert done.done_on == TODAY
        event = session.scalar(select(AuditEvent).where(
            AuditEvent.action == "help_request.done", AuditEvent.object_id == str(today_id)))
        assert event.actor_user_id == account.id
    assert "Mevrouw Vandaag" not in client.get(jobs).get_data(as_text=True)  # off the list


def test_klaar_on_someone_elses_job_is_404_and_a_later_job_is_refused(client, session, planned):
    tenant, account, (_today, later_id, theirs_id) = planned
    login(client, account)
    jobs = f"/{tenant.slug}/mijn/klussen"
    assert post(client, f"{jobs}/{theirs_id}/klaar", {}, token_from=jobs).status_code == 404
    assert _status(session, tenant, theirs_id) == RequestStatus.PLANNED
    response = post(client, f"{jobs}/{later_id}/klaar", {}, token_from=jobs,
                    follow_redirects=True)
    assert "staat gepland op" in response.get_data(as_text=True)
    assert _status(session, tenant, later_id) == RequestStatus.PLANNED


def test_klaar_without_csrf_changes_nothing(client, session, planned):
    tenant, account, (today_id, _later, _theirs) = planned
    login(client, account)
    client.post(f"/{tenant.slug}/mijn/klussen/{today_id}/klaar", data={})
    assert _status(session, tenant, today_id) == RequestStatus.PLANNED
