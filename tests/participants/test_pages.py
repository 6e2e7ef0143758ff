"""Participant and trajectory pages through HTTP: forms, bad input, isolation, query counts."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, insert, select, update

from blueprints.participants import services as participants
from blueprints.participants.models import Participant
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, Trajectory, TrajectoryKind, TrajectoryStatus
from tenants.actor import Actor
from tenants.db import new_id
from tenants.models import AuditEvent, Role
from tenants.tenancy import tenant_context
from tests.helpers import login, post


@pytest.fixture
def coop(make):
    tenant = make.tenant(name="Bewonerscoöperatie De Vaart")
    coach = make.member(tenant, Role.SUPERVISOR, name="Ahmed El Khatib")
    return tenant, coach


def _participant(session, tenant, coach, **kw):
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        p = participants.create_participant(session, actor, participants.ParticipantData(
            first_name=kw.pop("first_name", "Sandra"), last_name=kw.pop("last_name", "Verhoeven"),
            supervisor_id=coach.id, **kw))
        session.commit()
        return p.id


def test_register_a_participant_through_the_form(client, coop, session):
    tenant, coach = coop
    login(client, coach)
    response = post(client, f"/{tenant.slug}/deelnemers/nieuw", {
        "first_name": "Fatma", "last_name": "Yilmaz", "date_of_birth": "2002-04-02",
        "household_type": "alleenstaande_ouder", "benefit": "bijstand",
        "paying_municipality": "0758", "postcode": "4824 ab", "neighbourhood": "Geeren-Zuid",
        "skills": "boodschappen, tuin", "available_days": ["ma", "wo"], "available_hours": "16",
        "supervisor": str(coach.id), "integration_route": ""},
        token_from=f"/{tenant.slug}/deelnemers/nieuw")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fatma Yilmaz" in page and "Geeren-Zuid" in page and "Jongere" in page
    assert "Alleenstaande ouder" in page and "maandag, woensdag" in page
    listing = client.get(f"/{tenant.slug}/deelnemers/?q=yilmaz").get_data(as_text=True)
    assert "Fatma Yilmaz" in listing


@pytest.mark.parametrize("fields,message", [
    ({"notes": "BSN: 111222333"}, "burgerservicenummer"),
    # a zero-width space inside the number does not hide it (finding 11 of #9)
    ({"notes": "BSN: 1112\u200b22333"}, "burgerservicenummer"),
    ({"date_of_birth": "2099-01-01"}, "in het verleden"),
    ({"date_of_birth": "22-13-2001"}, "Geboortedatum"),
    ({"paying_municipality": "1234"}, "Gemeente die de uitkering betaalt"),
    ({"first_name": "x" * 200}, "Hoogstens 80 tekens"),
])
def test_bad_input_is_refused_and_changes_nothing(client, coop, session, fields, message):
    tenant, coach = coop
    login(client, coach)
    data = {"first_name": "Piet", "last_name": "Jansen", "benefit": "bijstand",
            "household_type": "", "paying_municipality": "", "supervisor": "",
            "integration_route": ""}
    data.update(fields)
    with tenant_context(session, tenant.id):
        before = session.scalar(select(func.count()).select_from(Participant))
    response = post(client, f"/{tenant.slug}/deelnemers/nieuw", data,
                    token_from=f"/{tenant.slug}/deelnemers/nieuw")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with tenant_context(session, tenant.id):
        assert session.scalar(select(func.count()).select_from(Participant)) == before


def test_viewing_a_file_is_audited(client, coop, session):
    tenant, coach = coop
    pid = _participant(session, tenant, coach)
    login(client, coach)
    assert client.get(f"/{tenant.slug}/deelnemers/{pid}/").status_code == 200
    with tenant_context(session, tenant.id):
        views = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "participant.viewed", AuditEvent.object_id == str(pid))).all()
    assert len(views) == 1 and views[0].actor_user_id == coach.id


def test_another_tenants_participant_answers_404(client, coop, make, session):
    tenant, coach = coop
    other = make.tenant()
    other_coach = make.member(other, Role.SUPERVISOR)
    foreign = _participant(session, other, other_coach, first_name="Geheim")
    login(client, coach)
    for path in (f"/deelnemers/{foreign}/", f"/deelnemers/{foreign}/bewerken",
                 f"/trajecten/nieuw?deelnemer={foreign}"):
        response = client.get(f"/{tenant.slug}{path}")
        assert response.status_code == 404, path
        assert "Geheim" not in response.get_data(as_text=True)


def test_a_trajectory_from_start_to_outcome(client, coop, session):
    tenant, coach = coop
    pid = _participant(session, tenant, coach)
    login(client, coach)
    created = post(client, f"/{tenant.slug}/trajecten/nieuw?deelnemer={pid}", {
        "kind": "maatschappelijke_baan", "funding": "gemeentelijk_contract",
        "starts_on": "2026-02-02", "planned_end_on": "2026-12-31", "hours_per_week": "9,8",
        "host": "", "job_coach": str(coach.id), "build_up": "2026-04-01=16"},
        token_from=f"/{tenant.slug}/trajecten/nieuw?deelnemer={pid}")
    assert created.status_code == 302
    base = created.headers["Location"].rstrip("/")
    show = client.get(base + "/").get_data(as_text=True)
    assert "Maatschappelijke baan" in show and "Intake" in show
    assert post(client, base + "/status", {"status": "actief"},
                token_from=base + "/").status_code == 302
    post(client, base + "/doelen", {"title": "Op tijd beginnen", "level": "2"},
         token_from=base + "/")
    post(client, base + "/evaluaties", {"held_on": "2026-06-01", "ladder_step": "4",
                                        "summary": "Gaat goed", "next_on": "2026-12-01"},
         token_from=base + "/")
    pdf = client.get(base + "/overeenkomst.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    ended = post(client, base + "/afronden", {"outcome": "betaald_werk",
                                              "outcome_on": "2026-11-01", "hours": "24",
                                              "contract": "tijdelijk", "confirm": "y"},
                 token_from=base + "/", follow_redirects=True)
    text = ended.get_data(as_text=True)
    assert "Het traject is afgerond." in text and "Betaald werk" in text
    assert "Op tijd beginnen" in text and "4 – onbetaald werk" in text
    with tenant_context(session, tenant.id):
        t = session.scalar(select(Trajectory).where(Trajectory.participant_id == pid))
        assert t.status == TrajectoryStatus.ENDED and t.outcome.value == "betaald_werk"


def test_refused_trajectory_input_is_explained(client, coop, session):
    tenant, coach = coop
    pid = _participant(session, tenant, coach)
    login(client, coach)
    response = post(client, f"/{tenant.slug}/trajecten/nieuw?deelnemer={pid}", {
        "kind": "proefplaats", "funding": "subsidie", "starts_on": "2026-05-01",
        "planned_end_on": "2026-01-01", "hours_per_week": "12", "host": "", "job_coach": ""},
        token_from=f"/{tenant.slug}/trajecten/nieuw?deelnemer={pid}")
    assert response.status_code == 400
    assert "De geplande einddatum ligt vóór de startdatum." in response.get_data(as_text=True)
    with tenant_context(session, tenant.id):
        assert session.scalar(select(Trajectory).where(Trajectory.participant_id == pid)) is None


def test_a_participant_sees_only_their_own_page(client, coop, make, session):
    tenant, coach = coop
    own = _participant(session, tenant, coach, first_name="Kees", last_name="de Graaf")
    other = _participant(session, tenant, coach, first_name="Nora", last_name="Bakker")
    user = make.member(tenant, Role.PARTICIPANT)
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        mine = session.scalar(select(Participant).where(Participant.id == own))
        participants.link_account(session, actor, mine, user.id)
        ids = {}
        for pid in (own, other):
            p = session.scalar(select(Participant).where(Participant.id == pid))
            ids[pid] = trajectories.create_trajectory(session, actor, p, trajectories.TrajectoryData(
                kind=TrajectoryKind.VOLUNTEER, starts_on=date(2026, 1, 5), hours_per_week="8",
                funding=Funding.SUBSIDY)).id
        session.commit()
    login(client, user)
    page = client.get(f"/{tenant.slug}/mijn").get_data(as_text=True)
    assert "Hallo Kees" in page and "Vrijwilligerswerk" in page and "Nora" not in page
    assert client.get(f"/{tenant.slug}/mijn/overeenkomst/{ids[own]}.pdf").status_code == 200
    assert client.get(f"/{tenant.slug}/mijn/overeenkomst/{ids[other]}.pdf").status_code == 404
    assert client.get(f"/{tenant.slug}/deelnemers/{other}/").status_code == 403


def test_participant_list_keeps_a_constant_query_count(client, coop, session, count_queries):
    tenant, coach = coop
    login(client, coach)

    def add(n):
        with tenant_context(session, tenant.id):
            session.execute(insert(Participant), [
                {"tenant_id": tenant.id, "id": new_id(), "first_name": f"Deelnemer{i}",
                 "last_name": f"Achternaam{i:04d}", "supervisor_id": coach.id,
                 "skills": [], "languages": [], "available_days": []} for i in range(n)])
            session.commit()

    def measure():
        client.get(f"/{tenant.slug}/deelnemers/")
        with count_queries() as n:
            response = client.get(f"/{tenant.slug}/deelnemers/?page=2")
            assert response.status_code == 200
        return n(), response.get_data(as_text=True)

    add(30)
    few, _ = measure()
    add(970)
    many, html = measure()
    assert many == few
    assert "1000 deelnemers gevonden" in html and "Pagina 2 van 40" in html
    # a page past the last still says how many there are
    past = client.get(f"/{tenant.slug}/deelnemers/?page=41").get_data(as_text=True)
    assert "1000 deelnemers gevonden" in past


def test_participant_and_trajectory_pages_take_a_fixed_number_of_statements(
        client, make, session, count_queries):
    """The file reads the participant with the names it shows (wijk, begeleider, gemeente) in
    one statement and the trajectory page the trajectory with its participant, host and job
    coach in one: the counts hold for any number of trajectories, consents and views."""
    from tests.helpers import ON_POSTGRES

    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN, name="Ingrid Bakker")
    coach = make.member(tenant, Role.SUPERVISOR, name="Kees Jobcoach")
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        host = participants.create_host(session, actor, participants.HostData(
            name="Speeltuin De Wip", kind="speeltuin"))
        person = participants.create_participant(session, actor, participants.ParticipantData(
            first_name="Noor", last_name="Visser", neighbourhood="Heuvelkwartier",
            paying_municipality_code="0758", supervisor_id=admin.id))
        session.commit()
        pid, host_id = person.id, host.id
    login(client, admin)

    def add(n):
        with tenant_context(session, tenant.id):
            person = participants.get_participant(session, pid)
            for _ in range(n):
                made = trajectories.create_trajectory(
                    session, actor, person, trajectories.TrajectoryData(
                        kind=TrajectoryKind.SOCIAL_JOB, starts_on=date(2026, 3, 2),
                        hours_per_week="8", funding=Funding.OWN, host_organisation_id=host_id,
                        job_coach_id=coach.id))
                participants.give_consent(session, actor, person, "photo", unique_recipient(),
                                          date(2026, 3, 2))
            session.commit()
            return made.id

    def measure(path):
        client.get(path)
        with count_queries() as n:
            response = client.get(path)
            assert response.status_code == 200
        return n(), response.get_data(as_text=True)

    transaction = 1 if ON_POSTGRES else 0  # the tenant setting of the transaction
    tid = add(1)
    few, html = measure(f"/{tenant.slug}/deelnemers/{pid}/")
    assert few == 9 + transaction
    assert "Heuvelkwartier" in html and "Ingrid Bakker" in html and "gemeente Breda" in html
    trajectory_few, html = measure(f"/{tenant.slug}/trajecten/{tid}/")
    assert trajectory_few == 6 + transaction
    assert "Speeltuin De Wip" in html and "Kees Jobcoach" in html and "Noor Visser" in html
    tid = add(5)
    assert measure(f"/{tenant.slug}/deelnemers/{pid}/")[0] == few
    assert measure(f"/{tenant.slug}/trajecten/{tid}/")[0] == trajectory_few


_recipients = iter(range(10**6))


def unique_recipient() -> str:
    return f"Ontvanger {next(_recipients)}"


def test_the_blank_forms_follow_the_readers_language(client, make, session):
    """The participant and trajectory pages render their blank forms' fields once per
    language: a reader in English gets them in English after one in Dutch, and back."""
    from tenants.models import User

    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        person = participants.create_participant(session, actor, participants.ParticipantData(
            first_name="Lotte", last_name="Smit", paying_municipality_code="0758"))
        made = trajectories.create_trajectory(session, actor, person, trajectories.TrajectoryData(
            kind=TrajectoryKind.SOCIAL_JOB, starts_on=date(2026, 3, 2), hours_per_week="8",
            funding=Funding.OWN))
        session.commit()
        file, trajectory = f"/{tenant.slug}/deelnemers/{person.id}/", \
            f"/{tenant.slug}/trajecten/{made.id}/"
    login(client, admin)

    def pages(locale):
        session.execute(update(User).where(User.id == admin.id).values(locale=locale))
        session.commit()
        return (client.get(file).get_data(as_text=True),
                client.get(trajectory).get_data(as_text=True))

    dutch, english, again = pages("nl"), pages("en"), pages("nl")
    for (page, trajectory_page), (article, seen, level) in (
            (dutch, ("Wetsartikel", "Wat de gemeente ziet", "Niveau nu")),
            (english, ("Legal article", "What the municipality sees", "Current level")),
            (again, ("Wetsartikel", "Wat de gemeente ziet", "Niveau nu"))):
        assert article in page and seen in page and level in trajectory_page
