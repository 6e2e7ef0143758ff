"""The action list of trajectories that need attention: the four reasons, extending and closing
from the list, the start page, and a constant number of statements however many there are."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from blueprints.participants import services as participants
from blueprints.participants.models import Participant
from blueprints.trajectories import services
from blueprints.trajectories.attention import Attention, attention_counts, trajectory_list
from blueprints.trajectories.models import (
    Evaluation,
    Funding,
    Trajectory,
    TrajectoryEvent,
    TrajectoryKind,
    TrajectoryStatus,
)
from tenants.actor import Actor
from tenants.models import AuditEvent
from tenants.errors import DomainError
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helpers import csrf_token, login

TODAY = date.today()


def _start(session, actor, person, kind=TrajectoryKind.SOCIAL_JOB, starts_on=None, end=None,
           status=TrajectoryStatus.ACTIVE):
    t = services.create_trajectory(session, actor, person, services.TrajectoryData(
        kind=kind, starts_on=starts_on or TODAY - timedelta(days=200), hours_per_week="12",
        funding=Funding.MUNICIPAL_CONTRACT, planned_end_on=end))
    if status != TrajectoryStatus.INTAKE:
        services.change_status(session, actor, t, TrajectoryStatus.ACTIVE)
    return t


@pytest.fixture
def world(make, session):
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR)
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        def person(last="Bakker"):
            return participants.create_participant(session, actor, participants.ParticipantData(
                first_name="Anna", last_name=last))
        yield session, actor, person, tenant, coach
    session.rollback()


def test_each_reason_is_found_and_counted(world):
    session, actor, person, _tenant, _coach = world
    expired = _start(session, actor, person("Aalders"), end=TODAY - timedelta(days=60))
    ending = _start(session, actor, person("Bos"), end=TODAY + timedelta(days=20))
    later = _start(session, actor, person("Claes"), end=TODAY + timedelta(days=120))
    # the first evaluation is planned at creation; holding it leaves nothing planned
    bare = _start(session, actor, person("Dekker"), end=TODAY + timedelta(days=300))
    first = session.scalar(select(Evaluation).where(Evaluation.trajectory_id == bare.id))
    services.record_evaluation(session, actor, bare, first.id, TODAY, 3, "goed")
    trial = _start(session, actor, person("Eerens"), kind=TrajectoryKind.TRIAL_PLACE,
                   starts_on=TODAY - timedelta(days=55), end=None)
    extended_trial = _start(session, actor, person("Fokker"), kind=TrajectoryKind.TRIAL_PLACE,
                            starts_on=TODAY - timedelta(days=70),
                            end=TODAY + timedelta(days=60))
    young_trial = _start(session, actor, person("Gerrits"), kind=TrajectoryKind.TRIAL_PLACE,
                         starts_on=TODAY - timedelta(days=10))
    ended = _start(session, actor, person("Hendriks"), end=TODAY - timedelta(days=90))
    from blueprints.trajectories.models import Outcome
    services.end_trajectory(session, actor, ended, Outcome.VOLUNTEERING, TODAY)

    found = {a: {r.trajectory.id for r in trajectory_list(session, a, TODAY)[0]}
             for a in Attention}
    assert found[Attention.EXPIRED] == {expired.id}
    assert found[Attention.ENDING] == {ending.id}
    assert found[Attention.NO_EVALUATION] == {bare.id}
    assert found[Attention.TRIAL] == {trial.id}
    assert later.id not in set().union(*found.values())
    assert extended_trial.id not in found[Attention.TRIAL]
    assert young_trial.id not in found[Attention.TRIAL]
    assert attention_counts(session, TODAY) == {a: len(ids) for a, ids in found.items()}
    everything, total = trajectory_list(session, None, TODAY)
    assert ended.id not in {r.trajectory.id for r in everything} and total == 7
    row = next(r for r in everything if r.trajectory.id == expired.id)
    assert row.reasons == [Attention.EXPIRED] and row.participant.last_name == "Aalders"


def test_a_supervisor_sees_only_their_own_people(world, make):
    session, actor, person, tenant, coach = world
    other = make.member(tenant, Role.SUPERVISOR)
    mine = person("Mijn")
    mine.supervisor_id = coach.id
    _start(session, actor, mine, end=TODAY - timedelta(days=1))
    theirs = person("Niet")
    theirs.supervisor_id = other.id
    _start(session, actor, theirs, end=TODAY - timedelta(days=1))
    assert attention_counts(session, TODAY, coach)[Attention.EXPIRED] == 1
    assert attention_counts(session, TODAY)[Attention.EXPIRED] == 2


def test_extending_needs_a_reason_and_is_in_the_history_and_audit(world):
    session, actor, person, _tenant, _coach = world
    t = _start(session, actor, person(), end=TODAY - timedelta(days=10))
    with pytest.raises(DomainError, match="waarom"):
        services.extend_trajectory(session, actor, t, TODAY + timedelta(days=90), "  ")
    with pytest.raises(DomainError, match="verleden"):
        services.extend_trajectory(session, actor, t, TODAY - timedelta(days=1), "nog bezig")
    new_end = TODAY + timedelta(days=90)
    services.extend_trajectory(session, actor, t, new_end, "Nog twee leerdoelen open")
    assert t.planned_end_on == new_end
    note = session.scalar(select(TrajectoryEvent.note).where(
        TrajectoryEvent.trajectory_id == t.id).order_by(TrajectoryEvent.id.desc()))
    assert "verlengd tot" in note and "Nog twee leerdoelen open" in note
    assert session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "trajectory.extended")) == "trajectory.extended"
    assert t.id not in {r.trajectory.id for r in trajectory_list(
        session, Attention.EXPIRED, TODAY)[0]}


def test_first_evaluation_is_planned_by_kind_and_a_late_one_is_warned(world):
    session, actor, person, _tenant, _coach = world
    start = date(2026, 1, 15)
    trial = _start(session, actor, person(), kind=TrajectoryKind.TRIAL_PLACE, starts_on=start)
    job = _start(session, actor, person(), starts_on=start)
    volunteer = _start(session, actor, person(), kind=TrajectoryKind.VOLUNTEER, starts_on=start)
    short = _start(session, actor, person(), starts_on=start, end=date(2026, 2, 15))

    def planned(t):
        return [e.planned_on for e in services.evaluations_of(session, t)]
    assert planned(trial) == [date(2026, 3, 15)]
    assert planned(job) == [date(2026, 4, 15)]
    assert planned(volunteer) == [date(2026, 7, 15)]
    assert planned(short) == [date(2026, 2, 15)]  # never after the planned end

    services.plan_evaluation(session, actor, short, date(2026, 5, 1))
    found = services.warnings(session, short, person(), today=date(2026, 2, 1))
    assert any("na de geplande einddatum" in w for w in found)
    assert services.evaluation_after_end(short, date(2026, 2, 10)) is None


def test_an_outcome_must_be_chosen(world):
    session, actor, person, _tenant, _coach = world
    t = _start(session, actor, person())
    with pytest.raises(DomainError, match="uitstroomresultaat"):
        services.end_trajectory(session, actor, t, None, TODAY)


# --- pages ------------------------------------------------------------------------------------

@pytest.fixture
def site(make, session):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        person = participants.create_participant(session, actor, participants.ParticipantData(
            first_name="Kees", last_name="de Graaf"))
        t = _start(session, actor, person, end=TODAY - timedelta(days=30))
        session.commit()
        tid = t.id
    return tenant, admin, tid


def test_start_page_and_filter_show_the_expired_trajectory(client, site):
    tenant, admin, tid = site
    login(client, admin)
    page = client.get(f"/{tenant.slug}/").get_data(as_text=True)
    assert "Trajecten die aandacht vragen" in page and "aandacht=verlopen" in page
    listed = client.get(f"/{tenant.slug}/trajecten/?aandacht=verlopen").get_data(as_text=True)
    assert "Kees de Graaf" in listed and "Einddatum verstreken" in listed
    empty = client.get(f"/{tenant.slug}/trajecten/?aandacht=binnenkort").get_data(as_text=True)
    assert "Kees de Graaf" not in empty
    assert client.get(f"/{tenant.slug}/trajecten/?aandacht=onzin").status_code == 404


def test_extend_from_the_list_in_one_step(client, site, session):
    tenant, admin, tid = site
    login(client, admin)
    page = f"/{tenant.slug}/trajecten/?aandacht=verlopen"
    new_end = TODAY + timedelta(days=60)
    refused = client.post(f"/{tenant.slug}/trajecten/{tid}/verlengen", data={
        "csrf_token": csrf_token(client, page), "planned_end_on": new_end.isoformat(),
        "reason": "", "aandacht": "verlopen"}, follow_redirects=True)
    assert "Schrijf waarom" in refused.get_data(as_text=True)
    response = client.post(f"/{tenant.slug}/trajecten/{tid}/verlengen", data={
        "csrf_token": csrf_token(client, page), "planned_end_on": new_end.isoformat(),
        "reason": "Werkt toe naar een vaste baan", "aandacht": "verlopen"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/trajecten/?aandacht=verlopen")
    with tenant_context(session, tenant.id):
        assert session.scalar(select(Trajectory.planned_end_on).where(
            Trajectory.id == tid)) == new_end
    listed = client.get(page).get_data(as_text=True)
    assert "Kees de Graaf" not in listed


def test_close_from_the_list_needs_an_outcome_and_confirmation(client, site, session):
    tenant, admin, tid = site
    login(client, admin)
    page = f"/{tenant.slug}/trajecten/?aandacht=verlopen"
    base = {"outcome_on": TODAY.isoformat(), "aandacht": "verlopen"}
    no_choice = client.post(f"/{tenant.slug}/trajecten/{tid}/afronden", data={
        **base, "csrf_token": csrf_token(client, page), "confirm": "y"}, follow_redirects=True)
    assert "Kies het uitstroomresultaat" in no_choice.get_data(as_text=True)
    unconfirmed = client.post(f"/{tenant.slug}/trajecten/{tid}/afronden", data={
        **base, "csrf_token": csrf_token(client, page), "outcome": "uitgevallen"},
        follow_redirects=True)
    assert "Bevestig" in unconfirmed.get_data(as_text=True)
    with tenant_context(session, tenant.id):
        assert session.scalar(select(Trajectory.status).where(
            Trajectory.id == tid)) == TrajectoryStatus.ACTIVE
    done = client.post(f"/{tenant.slug}/trajecten/{tid}/afronden", data={
        **base, "csrf_token": csrf_token(client, page), "outcome": "uitgevallen",
        "confirm": "y"})
    assert done.headers["Location"].endswith("/trajecten/?aandacht=verlopen")
    with tenant_context(session, tenant.id):
        assert session.scalar(select(Trajectory.status).where(
            Trajectory.id == tid)) == TrajectoryStatus.ENDED


def test_the_outcome_form_has_no_default_and_sits_behind_a_button(client, site):
    tenant, admin, tid = site
    login(client, admin)
    page = client.get(f"/{tenant.slug}/trajecten/{tid}/").get_data(as_text=True)
    form = page[page.index('id="afronden"'):]
    assert "<details" in form and "Traject afronden…" in form
    assert 'value="betaald_werk" selected' not in form and 'selected value="betaald_werk"' \
        not in form
    assert 'name="confirm"' in form


def _bulk(session, tenant_id, n):
    people = [Participant(first_name="P", last_name=f"Naam {i}") for i in range(n)]
    session.add_all(people)
    session.flush()
    session.add_all([Trajectory(
        participant_id=p.id, kind=TrajectoryKind.TRIAL_PLACE if i % 3 else
        TrajectoryKind.SOCIAL_JOB, starts_on=TODAY - timedelta(days=80),
        planned_end_on=TODAY - timedelta(days=i % 5), hours_per_week=Decimal(8),
        funding=Funding.OWN, status=TrajectoryStatus.ACTIVE) for i, p in enumerate(people)])
    session.commit()


def test_list_and_start_page_take_the_same_statements_for_10_or_1000(
        client, make, session, count_queries):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    login(client, admin)
    with tenant_context(session, tenant.id):
        _bulk(session, tenant.id, 10)

    def measure(path):
        client.get(path)
        with count_queries() as n:
            assert client.get(path).status_code == 200
        return n()
    paths = [f"/{tenant.slug}/", f"/{tenant.slug}/trajecten/",
             f"/{tenant.slug}/trajecten/?aandacht=verlopen",
             f"/{tenant.slug}/trajecten/?aandacht=proefplaats"]
    few = {p: measure(p) for p in paths}
    with tenant_context(session, tenant.id):
        _bulk(session, tenant.id, 990)
        counts = attention_counts(session, TODAY)
    assert counts[Attention.EXPIRED] == 800 and counts[Attention.NO_EVALUATION] == 1000
    many = {p: measure(p) for p in paths}
    assert many == few
