"""Reading participants through the API: what it shows, filters, pages, audit, query count."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select

from blueprints.participants import services as participants
from blueprints.participants.models import Participant, ParticipantStatus
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, TrajectoryKind
from tenants.actor import Actor
from tenants.db import new_id
from tenants.models import AuditEvent
from tenants.tenancy import tenant_context
from tests.api.conftest import bearer


@pytest.fixture
def api(client, coop, issue):
    """`api(path)` GETs /api/v1/<tenant>/<path> with the supervisor's token."""
    tenant, _, coach = coop
    token = issue(coach, tenant)

    def get(path: str, **kw):
        return client.get(f"/api/v1/{tenant.slug}/{path}", headers=bearer(token), **kw)

    return get


def test_the_list_shows_what_the_page_shows(api, coop, person):
    tenant, _, coach = coop
    pid = person(tenant, coach, first_name="Fatma", last_name="Yilmaz",
                 date_of_birth=date(2002, 4, 2), neighbourhood="Geeren-Zuid",
                 is_refugee_permit_holder=True)
    person(tenant, coach, first_name="Kees", last_name="Akkerman")
    response = api("participants")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["meta"] == {"page": 1, "per_page": 25, "total": 2, "pages": 1}
    assert [p["last_name"] for p in body["data"]] == ["Akkerman", "Yilmaz"]
    fatma = body["data"][1]
    assert fatma["id"] == str(pid) and fatma["first_name"] == "Fatma"
    assert fatma["status"] == "intake"
    assert fatma["neighbourhood"]["name"] == "Geeren-Zuid"
    assert fatma["supervisor"] == {"id": str(coach.id), "name": "Ahmed El Khatib"}
    assert fatma["target_groups"] == ["jongere", "statushouder"]
    assert body["data"][0]["neighbourhood"] is None


def test_filters_and_pages(api, coop, person, session):
    tenant, _, coach = coop
    person(tenant, coach, first_name="Fatma", last_name="Yilmaz", neighbourhood="Geeren-Zuid")
    kees = person(tenant, coach, first_name="Kees", last_name="Akkerman")
    with tenant_context(session, tenant.id):
        session.scalar(select(Participant).where(Participant.id == kees)).status = \
            ParticipantStatus.ACTIVE
        session.commit()
    wijk = api("participants?q=yilm").json["data"][0]["neighbourhood"]["id"]
    assert [p["first_name"] for p in api(f"participants?wijk={wijk}").json["data"]] == ["Fatma"]
    assert [p["first_name"] for p in api("participants?status=actief").json["data"]] == ["Kees"]
    assert [p["first_name"] for p in api("participants?q=KEES").json["data"]] == ["Kees"]
    beyond = api("participants?page=9").json
    assert beyond["data"] == [] and beyond["meta"]["total"] == 2


@pytest.mark.parametrize("query,name", [
    ("status=weg", "status"), ("wijk=abc", "wijk"), ("wijk=99999999999999999999", "wijk"),
    ("page=0", "page"), ("page=-1", "page"), ("page=x", "page"), ("q=" + "a" * 101, "q"),
])
def test_bad_parameters_are_400(api, query, name):
    response = api(f"participants?{query}")
    assert response.status_code == 400
    assert response.json["error"] == {
        "code": "invalid_parameter",
        "message": f"De parameter {name} heeft een ongeldige waarde."}


def test_the_file_is_shown_and_every_view_audited(api, coop, person, session):
    tenant, _, coach = coop
    pid = person(tenant, coach, first_name="Fatma", last_name="Yilmaz", notes="Fietst graag",
                 paying_municipality_code="0758", skills=["tuin"], available_days=["ma"])
    actor = Actor(coach.id, coach.email)
    with tenant_context(session, tenant.id):
        p = session.scalar(select(Participant).where(Participant.id == pid))
        participants.give_consent(session, actor, p, "photo", None, date(2026, 1, 1))
        participants.add_exemption(session, actor, p, "9-2", ["a"], date(2026, 1, 1), None,
                                   None, "Gemeente Breda")
        session.commit()
    response = api(f"participants/{pid}")
    assert response.status_code == 200
    data = response.json["data"]
    assert data["first_name"] == "Fatma" and data["notes"] == "Fietst graag"
    assert data["paying_municipality"] == {"cbs_code": "0758", "name": "Breda"}
    assert data["skills"] == ["tuin"] and data["availability"]["days"] == ["ma"]
    assert data["consents"][0]["kind"] == "photo" and data["consents"][0]["withdrawn_on"] is None
    assert data["exemptions"][0]["article"] == "9-2"
    assert "bsn" not in str(data).lower()
    api(f"participants/{pid}/trajectories")
    with tenant_context(session, tenant.id):
        views = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "participant.viewed", AuditEvent.object_id == str(pid))).all()
    assert sorted(v.details["part"] for v in views) == ["api", "api trajectories"]
    assert all(v.actor_user_id == coach.id for v in views)


def test_trajectories_of_a_participant(api, coop, person, session):
    tenant, _, coach = coop
    pid = person(tenant, coach)
    actor = Actor(coach.id, coach.email)
    with tenant_context(session, tenant.id):
        p = session.scalar(select(Participant).where(Participant.id == pid))
        host = participants.create_host(session, actor, participants.HostData(
            name="Speeltuin De Wielewaal", kind="speeltuin"))
        trajectories.create_trajectory(session, actor, p, trajectories.TrajectoryData(
            kind=TrajectoryKind.SOCIAL_JOB, starts_on=date(2026, 2, 2), hours_per_week="9,5",
            funding=Funding.MUNICIPAL_CONTRACT, host_organisation_id=host.id,
            job_coach_id=coach.id, build_up=[(date(2026, 4, 1), "16")]))
        session.commit()
    [t] = api(f"participants/{pid}/trajectories").json["data"]
    assert t["kind"] == "maatschappelijke_baan" and t["status"] == "intake"
    assert t["hours_per_week"] == 9.5 and t["build_up"] == [{"from": "2026-04-01", "hours": 16.0}]
    assert t["host_organisation"]["name"] == "Speeltuin De Wielewaal"
    assert t["job_coach"] == {"id": str(coach.id), "name": "Ahmed El Khatib"}
    assert t["starts_on"] == "2026-02-02" and t["outcome"] is None


def test_unknown_and_huge_ids_are_404(api):
    for path in ("participants/12345", "participants/99999999999999999999999999",
                 "participants/12345/trajectories"):
        response = api(path)
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_the_list_keeps_a_constant_query_count(api, coop, session, count_queries):
    tenant, _, coach = coop

    def add(n):
        with tenant_context(session, tenant.id):
            session.execute(insert(Participant), [
                {"tenant_id": tenant.id, "id": new_id(), "first_name": f"Deelnemer{i}",
                 "last_name": f"Achternaam{i:04d}", "supervisor_id": coach.id,
                 "skills": [], "languages": [], "available_days": []} for i in range(n)])
            session.commit()

    def measure():
        api("participants")  # the token's last use is written at most once a minute
        with count_queries() as n:
            response = api("participants")
            assert response.status_code == 200
        return n(), response.json

    add(3)
    few, body = measure()
    assert len(body["data"]) == 3
    add(27)
    many, body = measure()
    assert len(body["data"]) == 25 and body["meta"]["total"] == 30
    assert many == few
