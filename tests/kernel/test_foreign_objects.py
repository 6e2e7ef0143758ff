"""Another tenant's object answers 404, on every tenant URL that names an object.

Generated from the URL map: for each route with an id argument, a member (an admin) of tenant
A asks for tenant B's object under A's own URL. The answer must be 404 and must not contain B's
data. A new route with an id argument is covered automatically; a new kind of id argument
needs one line in OBJECTS below (the test fails until it has it).
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from blueprints.budgets.models import Course, CourseEnrolment
from blueprints.customers.models import Customer, CustomerKind, CustomerRate
from blueprints.invoicing.models import Invoice
from blueprints.helprequests import services as helprequests
from blueprints.helprequests.models import JobKind
from blueprints.hours.models import HourType, TimeEntry
from blueprints.participants import services as participants
from blueprints.reports.models import ReportShare
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, TrajectoryKind
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.models import Invitation, Membership, Role
from tenants.tenancy import tenant_context
from tests.helpers import csrf_token, login
from tests.municipalities import municipality_row

SECRET = "Geheimnaam"
ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@pytest.fixture
def foreign(make, session):
    """Tenant B with one object of every kind, and the ids by URL argument name."""
    b = make.tenant(name="Coöperatie Elders")
    coach = make.member(b, Role.ADMIN, name=SECRET)
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, b.id):
        person = participants.create_participant(session, actor, participants.ParticipantData(
            first_name=SECRET, last_name="Elders"))
        host = participants.create_host(session, actor, participants.HostData(
            name=f"{SECRET} Speeltuin", kind="speeltuin"))
        consent = participants.give_consent(session, actor, person, "photo", None,
                                            date(2026, 1, 1))
        trajectory = trajectories.create_trajectory(
            session, actor, person, trajectories.TrajectoryData(
                kind=TrajectoryKind.VOLUNTEER, starts_on=date(2026, 1, 5), hours_per_week="8",
                funding=Funding.SUBSIDY, host_organisation_id=host.id))
        goal = trajectories.add_goal(session, actor, trajectory, f"{SECRET} doel", None)
        course = Course(provider=SECRET, title=f"{SECRET} cursus", cost_cents=25000)
        session.add(course)
        session.flush()
        enrolment = CourseEnrolment(participant_id=person.id, course_id=course.id,
                                    cost_cents=25000, motivation=SECRET)
        session.add(enrolment)
        help_request = helprequests.create_request(session, actor, helprequests.RequestData(
            name=SECRET, kind=JobKind.GARDEN, description=f"{SECRET} tuin",
            street="Elders 1"))
        entry = TimeEntry(participant_id=person.id, trajectory_id=trajectory.id,
                          work_date=date(2026, 1, 6), minutes=120, hour_type=HourType.VOLUNTEER,
                          note=f"{SECRET} uren")
        session.add(entry)
        customer = Customer(kind=CustomerKind.RESIDENT, name=f"{SECRET} klant")
        session.add(customer)
        session.flush()
        rate = CustomerRate(customer_id=customer.id, description="tuin", price_cents=2000)
        session.add(rate)
        invoice = Invoice(customer_id=customer.id, note=f"{SECRET} factuur")
        session.add(invoice)
        place = municipality_row()
        session.add(place)
        session.flush()
        share = ReportShare(municipality_id=place.id, template="uren",
                            from_month=date(2026, 1, 1))
        session.add(share)
        session.add(Invitation(email="x@example.org", role=Role.SUPERVISOR, token_hash="y" * 64,
                               expires_at=utcnow() + timedelta(days=1)))
        session.flush()
        membership = session.scalar(select(Membership.id).where(Membership.user_id == coach.id))
        invitation = session.scalar(select(Invitation.id).where(
            Invitation.email == "x@example.org"))
        session.commit()
        return {
            "participant_id": person.id, "trajectory_id": trajectory.id, "host_id": host.id,
            "goal_id": goal.id, "consent_id": consent.id, "membership_id": membership,
            "invitation_id": invitation, "help_request_id": help_request.id,
            "entry_id": entry.id,
            "course_id": course.id, "enrolment_id": enrolment.id,
            "customer_id": customer.id, "rate_id": rate.id,
            "invoice_id": invoice.id, "share_id": share.id,
        }


def test_another_tenants_objects_answer_404_everywhere(app, client, make, foreign):
    a = make.tenant(name="Coöperatie Hier")
    admin = make.member(a, Role.ADMIN)
    login(client, admin)
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/<slug:tenant_slug>"):
            continue
        names = [m.group(2) for m in ARG.finditer(rule.rule) if m.group(2) != "tenant_slug"]
        ids = [n for n in names if n.endswith("_id")]
        if not ids:
            continue
        missing = [n for n in ids if n not in foreign]
        assert not missing, f"add an object for {missing} ({rule.rule}) to this test"
        values = {"tenant_slug": a.slug, **{n: foreign[n] for n in ids}}
        for name in names:
            values.setdefault(name, "xlsx" if name == "fmt" else "x")
        url = ARG.sub(lambda m: str(values[m.group(2)]), rule.rule)
        if "GET" in rule.methods:
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf_token(client, "/account")})
        assert response.status_code == 404, f"{url} answered {response.status_code}"
        assert SECRET not in response.get_data(as_text=True), url
        checked += 1
    assert checked >= 15


def test_trajectory_creation_for_a_foreign_participant_is_404(client, make, foreign):
    a = make.tenant()
    admin = make.member(a, Role.ADMIN)
    login(client, admin)
    response = client.get(f"/{a.slug}/trajecten/nieuw?deelnemer={foreign['participant_id']}")
    assert response.status_code == 404
