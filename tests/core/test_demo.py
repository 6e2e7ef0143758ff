"""The demo of DESIGN.md's interface contract: idempotent, and every account logs in."""
from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import func, select

from blueprints.demo.cli import DEMO_TOTP_SECRET
from tenants.models import Membership, Municipality, Tenant, User
from tests.helpers import csrf_token

CONTRACT_TENANTS = ("ons-breda", "kluswinkel-lelystad", "vrijwilligerscentrale-landgraaf")
EXPECTED_LANDING = {
    "gemeente@breda.example.org": "/gemeente/0758/",
    "gemeente@lelystad.example.org": "/gemeente/0995/",
    "gemeente@landgraaf.example.org": "/gemeente/0882/",
    "netwerk@lsa.example.org": "/netwerk/",
    "ingrid@tluukske.example.org": "/netwerk/",
    "bart@bredeschool-delfzijl.example.org": "/netwerk/",
    "y.degraaf@amersfoort.example.nl": "/netwerk/",
    # network members who ask and vote in the question box (blueprints/knowledge/demo.py)
    "lid1@lsa.example.org": "/netwerk/",
    "lid2@lsa.example.org": "/netwerk/",
    "lid3@lsa.example.org": "/netwerk/",
    "lid4@lsa.example.org": "/netwerk/",
    "beheer@wijkwerk.example.org": "/beheer/",
}
for _slug in CONTRACT_TENANTS:
    for _prefix in ("admin", "begeleider"):
        EXPECTED_LANDING[f"{_prefix}@{_slug}.example.org"] = f"/{_slug}/"
    EXPECTED_LANDING[f"deelnemer@{_slug}.example.org"] = f"/{_slug}/mijn"


@pytest.fixture(scope="module")
def seeded(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    return runner


def _counts(session):
    return [session.scalar(select(func.count()).select_from(t))
            for t in (Tenant, User, Municipality)] + [
        session.scalar(select(func.count()).select_from(Membership)
                       .execution_options(all_tenants=True))]


def test_seed_demo_is_idempotent(seeded, session):
    before = _counts(session)
    assert seeded.invoke(args=["seed-demo"]).exit_code == 0
    assert _counts(session) == before


def test_contract_tenants_and_municipalities_exist(seeded, session):
    slugs = set(session.scalars(select(Tenant.slug)))
    assert set(CONTRACT_TENANTS) <= slugs
    codes = dict(session.execute(select(Municipality.cbs_code, Municipality.name)).all())
    assert codes["0758"] == "Breda" and codes["0995"] == "Lelystad" and codes["0882"] == "Landgraaf"


@pytest.mark.parametrize("email", sorted(EXPECTED_LANDING))
def test_every_demo_account_logs_in(app, seeded, email):
    client = app.test_client()
    response = client.post("/login", data={"csrf_token": csrf_token(client), "email": email,
                                           "password": "wijkwerk-demo"})
    assert response.status_code == 302, email
    if response.headers["Location"].endswith("/login/code"):
        response = client.post("/login/code", data={
            "csrf_token": csrf_token(client, "/login/code"),
            "code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
        assert response.status_code == 302, email
    landing = client.get("/", follow_redirects=True)
    assert landing.status_code == 200
    assert landing.request.path == EXPECTED_LANDING[email], email


def test_two_factor_is_enrolled_where_required(seeded, session):
    must = {"beheer@wijkwerk.example.org", "gemeente@breda.example.org",
            *(f"admin@{s}.example.org" for s in CONTRACT_TENANTS)}
    rows = dict(session.execute(select(User.email, User.totp_secret)
                                .where(User.email.in_(must))).all())
    assert rows == {email: DEMO_TOTP_SECRET for email in must}


def test_most_demo_trajectories_run_into_the_future_and_a_few_are_expired(seeded, session):
    from datetime import date

    from blueprints.trajectories.attention import Attention, attention_counts
    from blueprints.trajectories.models import Trajectory, TrajectoryStatus
    from tenants.tenancy import tenant_context

    for slug in CONTRACT_TENANTS:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
        with tenant_context(session, tenant.id):
            ends = session.scalars(select(Trajectory.planned_end_on).where(
                Trajectory.status != TrajectoryStatus.ENDED)).all()
            today = date.today()
            future = [e for e in ends if e is None or e >= today]
            assert len(future) > len(ends) / 2, slug
            counts = attention_counts(session, today)
            assert 1 <= counts[Attention.EXPIRED] <= 3, (slug, counts)
            assert counts[Attention.NO_EVALUATION] >= 1, (slug, counts)
        session.rollback()


def test_the_network_demo_has_a_full_meeting_with_a_waiting_list(app, seeded):
    client = app.test_client()
    client.post("/login", data={"csrf_token": csrf_token(client),
                                "email": "netwerk@lsa.example.org", "password": "wijkwerk-demo"})
    start = client.get("/netwerk/").get_data(as_text=True)
    assert "Werk in de wijk 2027" in start and "40/40 + 6 wachtend" in start
    bart = app.test_client()
    bart.post("/login", data={"csrf_token": csrf_token(bart),
                              "email": "bart@bredeschool-delfzijl.example.org",
                              "password": "wijkwerk-demo"})
    meeting = bart.get("/netwerk/").get_data(as_text=True)
    assert "Werk in de wijk 2027" in meeting


def test_the_network_demo_has_a_benchmark_of_at_least_five_cooperatives(app, seeded):
    client = app.test_client()
    client.post("/login", data={"csrf_token": csrf_token(client),
                                "email": "netwerk@lsa.example.org", "password": "wijkwerk-demo"})
    page = client.get("/netwerk/benchmark").get_data(as_text=True)
    assert "Mediaan" in page and "<svg" in page
    assert "Bewonerscoöperatie ONS Geeren-Zuid" not in page  # no cooperative by name
    from blueprints.network import benchmark as bench
    from tenants.aggregates import Requester
    from tenants.extensions import db

    with app.app_context():
        demo = {t for t, _k in bench.taking_part(db.session)}
        slugs = set(db.session.scalars(select(Tenant.slug).where(Tenant.id.in_(demo))))
        result = bench.compute(db.session, Requester("netwerk", None, None),
                               bench.years()[0])
        db.session.rollback()
    assert {"ons-breda", "oude-noorden-rotterdam", "bewonersbedrijf-selwerd"} <= slugs
    assert result.groups[0].figures["omzet_per_uur"].members >= 5
def test_each_demo_account_has_the_name_of_its_participant(seeded, session):
    from blueprints.participants.models import Participant
    from tenants.tenancy import tenant_context

    for slug in CONTRACT_TENANTS:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
        user = session.scalar(select(User).where(User.email == f"deelnemer@{slug}.example.org"))
        with tenant_context(session, tenant.id):
            person = session.scalar(select(Participant).where(Participant.user_id == user.id))
            assert person is not None and person.full_name == user.name, slug
        session.rollback()


def test_the_job_coach_in_two_cooperatives_has_people_in_both(seeded, session):
    from blueprints.participants.models import Participant
    from blueprints.trajectories.models import Trajectory
    from tenants.tenancy import tenant_context

    coach = session.scalar(select(User).where(User.email == "jobcoach@regio.example.org"))
    for slug in ("kluswinkel-lelystad", "vrijwilligerscentrale-landgraaf"):
        tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
        with tenant_context(session, tenant.id):
            assert session.scalar(select(func.count()).select_from(Participant).where(
                Participant.supervisor_id == coach.id)) >= 2, slug
            assert session.scalar(select(func.count()).select_from(Trajectory).where(
                Trajectory.job_coach_id == coach.id)) >= 1, slug
        session.rollback()


def test_the_demo_has_three_plans_one_past_due_and_one_read_only_tenant(app, seeded, session):
    rows = {t.slug: t for t in session.scalars(select(Tenant))}
    assert {rows[s].plan for s in CONTRACT_TENANTS} == {"basis", "plus", "groot"}
    assert all(rows[s].status.value == "active" for s in CONTRACT_TENANTS)
    assert rows["klushulp-kanaleneiland"].subscription_status == "past_due"
    assert rows["klushulp-kanaleneiland"].status.value == "active"
    assert rows["repaircafe-hoogvliet"].status.value == "read_only"
    for slug, banner in (("klushulp-kanaleneiland", "De laatste betaling"),
                         ("repaircafe-hoogvliet", "niets wijzigen")):
        client = app.test_client()
        client.post("/login", data={"csrf_token": csrf_token(client),
                                    "email": f"admin@{slug}.example.org",
                                    "password": "wijkwerk-demo"})
        client.post("/login/code", data={"csrf_token": csrf_token(client, "/login/code"),
                                         "code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
        assert banner in client.get(f"/{slug}/").get_data(as_text=True), slug
