"""Participant rules, tested without HTTP."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from blueprints.participants import services
from blueprints.participants.models import (
    Benefit,
    HouseholdType,
    Participant,
    surname_sort_key,
)
from blueprints.participants.services import ParticipantData, ParticipantFilter
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, TrajectoryKind
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.models import AuditEvent, Role
from tenants.tenancy import tenant_context

TODAY = date(2026, 11, 22)


@pytest.fixture
def world(make, session):
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR)
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        yield tenant, coach, actor
    session.rollback()


def person(**kw) -> ParticipantData:
    base = dict(first_name="Sandra", last_name="Verhoeven")
    base.update(kw)
    return ParticipantData(**base)


@pytest.mark.parametrize("text,found", [
    ("BSN 111222333", True), ("111.222.333", True), ("111 22 2333", True),
    ("bel 0612345678", False), ("123456789", False), ("postcode 4824AB, huisnr 12", False),
    ("ordernummer 1112223334", False), (None, False),
])
def test_bsn_detection_uses_the_elfproef(text, found):
    assert services.contains_bsn(text) is found


def test_registering_a_participant_records_it_and_audits(world, session):
    tenant, coach, actor = world
    p = services.create_participant(session, actor, person(
        postcode="4824ab", neighbourhood="Geeren-Zuid", skills=["Tuin", " klussen", "tuin"],
        supervisor_id=coach.id, vog_present=True, vog_date=date(2025, 3, 1),
        paying_municipality_code="0758"), today=TODAY)
    assert p.postcode == "4824 AB"
    assert p.skills == ["klussen", "tuin"]
    assert p.vog_renewal_due == date(2028, 3, 1)  # three years after the VOG
    assert p.neighbourhood_id is not None
    actions = session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_id == str(p.id))).all()
    assert "participant.created" in actions


@pytest.mark.parametrize("data,message", [
    (dict(notes="Haar BSN is 111222333"), "burgerservicenummer"),
    (dict(street="Dorpsstraat 1, bsn 111-222-333"), "burgerservicenummer"),
    (dict(date_of_birth=date(2030, 1, 1)), "verleden"),
    (dict(vog_present=True, vog_date=date(2027, 1, 1)), "toekomst"),
    (dict(vog_present=True), "datum van de VOG"),
    (dict(paying_municipality_code="0000"), "Onbekende gemeente"),
    (dict(postcode="12345"), "postcode"),
    (dict(available_hours=80), "tussen 0 en 60"),
    (dict(first_name="  "), "voornaam"),
])
def test_bad_participant_input_is_refused_in_dutch(world, session, data, message):
    _, _, actor = world
    before = session.scalar(select(Participant.id).order_by(Participant.id.desc()).limit(1))
    with pytest.raises(DomainError) as exc:
        services.create_participant(session, actor, person(**data), today=TODAY)
    assert message.lower() in str(exc.value.message).lower()
    session.rollback()
    assert session.scalar(select(Participant.id).order_by(Participant.id.desc()).limit(1)) == before


def test_a_supervisor_must_be_staff_of_this_tenant(world, session, make):
    _, _, actor = world
    stranger = make.user()
    with pytest.raises(DomainError):
        services.create_participant(session, actor, person(supervisor_id=stranger.id))


def test_target_groups_follow_age_and_facts(world, session):
    _, _, actor = world
    young = services.create_participant(session, actor, person(
        date_of_birth=date(2001, 1, 1), is_refugee_permit_holder=True), today=TODAY)
    older = services.create_participant(session, actor, person(
        date_of_birth=date(1970, 5, 5), household_type=HouseholdType.SINGLE_PARENT,
        has_work_limitation=True), today=TODAY)
    assert services.target_groups(young, TODAY) == ["jongere", "statushouder"]
    assert services.target_groups(older, TODAY) == ["50plus", "arbeidsbeperking",
                                                    "alleenstaande_ouder"]
    session.flush()
    for group, expected in (("jongere", young), ("50plus", older), ("statushouder", young),
                            ("alleenstaande_ouder", older)):
        rows, total = services.list_participants(session, ParticipantFilter(target_group=group),
                                                 today=TODAY)
        assert [r.participant.id for r in rows] == [expected.id], group


def test_list_filters_by_status_wijk_supervisor_kind_and_search(world, session):
    tenant, coach, actor = world
    a = services.create_participant(session, actor, person(
        first_name="Kees", last_name="de Graaf", neighbourhood="Zuiderzeewijk",
        supervisor_id=coach.id), today=TODAY)
    b = services.create_participant(session, actor, person(
        first_name="Yusuf", last_name="Demir", neighbourhood="Atol"), today=TODAY)
    trajectories.create_trajectory(session, actor, b, trajectories.TrajectoryData(
        kind=TrajectoryKind.VOLUNTEER, starts_on=date(2026, 1, 1), hours_per_week="9,8",
        funding=Funding.SUBSIDY))
    session.flush()

    def ids(**kw):
        rows, _ = services.list_participants(session, ParticipantFilter(**kw), today=TODAY)
        return {r.participant.id for r in rows}

    assert ids(q="graaf") == {a.id}
    assert ids(supervisor_id=coach.id) == {a.id}
    assert ids(neighbourhood_id=a.neighbourhood_id) == {a.id}
    assert ids(trajectory_kind="vrijwilligerswerk") == {b.id}
    assert ids(status="intake") == {a.id, b.id}


def test_exemption_is_recorded_as_decided(world, session):
    _, _, actor = world
    p = services.create_participant(session, actor, person(), today=TODAY)
    e = services.add_exemption(session, actor, p, "9a", [], date(2026, 1, 1),
                               date(2028, 6, 30), date(2027, 1, 1), "gemeente Breda")
    assert e.obligations == ["a", "c"]  # the article's default
    assert services.active_exemption([e], TODAY) is e
    with pytest.raises(DomainError, match="vóór de begindatum"):
        services.add_exemption(session, actor, p, "9-2", ["a"], date(2026, 5, 1),
                               date(2026, 1, 1), None, None)
    with pytest.raises(DomainError):
        services.add_exemption(session, actor, p, "99", ["a"], date(2026, 5, 1), None, None,
                               None)


@pytest.mark.parametrize("benefit,allowed", [
    (Benefit.BIJSTAND, True), (Benefit.BBZ, True), (Benefit.IOAW, False),
    (Benefit.IOAZ, False), (Benefit.WW, False), (Benefit.WAJONG, False), (Benefit.WIA, False),
    (Benefit.ZW, False), (Benefit.ANW, False), (Benefit.NONE, False),
])
def test_a_participatiewet_exemption_only_for_a_participatiewet_client(world, session,
                                                                       benefit, allowed):
    _, _, actor = world
    p = services.create_participant(session, actor, person(benefit=benefit), today=TODAY)
    assert p.benefit == benefit  # every kind is stored (the CHECK constraint takes it)
    session.flush()
    if allowed:
        assert services.add_exemption(session, actor, p, "9-2", [], date(2026, 1, 1), None,
                                      None, None).obligations == ["a", "c"]
    else:
        with pytest.raises(DomainError, match="alleen voor iemand met bijstand of Bbz"):
            services.add_exemption(session, actor, p, "9-2", [], date(2026, 1, 1), None, None,
                                   None)


@pytest.mark.parametrize("last_name,key", [
    ("de Boer", "boer"), ("van der Berg", "berg"), ("Van Dijk", "dijk"), ("'t Hart", "hart"),
    ("Bakker", "bakker"), ("van", "van"), ("de la Cruz", "cruz"), ("", ""),
])
def test_the_sort_key_leaves_out_the_tussenvoegsel(last_name, key):
    assert surname_sort_key(last_name) == key


def test_participants_sort_by_surname_without_the_tussenvoegsel(world, session):
    _, _, actor = world
    for first, last in (("Anna", "Aalders"), ("Bert", "de Boer"), ("Cor", "Chaouch"),
                        ("Dirk", "van der Dijk"), ("Eva", "Bakker")):
        services.create_participant(session, actor, person(first_name=first, last_name=last),
                                    today=TODAY)
    session.flush()
    rows, _ = services.list_participants(session, ParticipantFilter(), today=TODAY)
    assert [r.participant.last_name for r in rows] == [
        "Aalders", "Bakker", "de Boer", "Chaouch", "van der Dijk"]
    p = rows[2].participant
    services.update_participant(session, actor, p, person(first_name="Bert", last_name="Zwart"),
                                today=TODAY)
    assert p.sort_name == "zwart"


def test_consent_is_given_and_withdrawn_with_dates(world, session):
    _, _, actor = world
    p = services.create_participant(session, actor, person(), today=TODAY)
    c = services.give_consent(session, actor, p, "municipality_progress", "gemeente Breda",
                              date(2026, 2, 1), today=TODAY)
    assert services.has_consent(session, p, "municipality_progress")
    with pytest.raises(DomainError, match="al gegeven"):
        services.give_consent(session, actor, p, "municipality_progress", "gemeente Breda",
                              date(2026, 3, 1), today=TODAY)
    with pytest.raises(DomainError, match="vóór"):
        services.withdraw_consent(session, actor, p, c.id, date(2026, 1, 1))
    services.withdraw_consent(session, actor, p, c.id, date(2026, 6, 1))
    assert not services.has_consent(session, p, "municipality_progress")
    assert c.given_on == date(2026, 2, 1) and c.withdrawn_on == date(2026, 6, 1)
    with pytest.raises(DomainError):
        services.give_consent(session, actor, p, "photo", None, date(2027, 1, 1), today=TODAY)


def test_host_names_are_unique_per_tenant(world, session):
    _, _, actor = world
    services.create_host(session, actor, services.HostData(name="Speeltuin De Wielewaal",
                                                           kind="speeltuin", vog_required=True))
    with pytest.raises(DomainError, match="al een inzetorganisatie"):
        services.create_host(session, actor, services.HostData(name="speeltuin de wielewaal",
                                                               kind="speeltuin"))
    with pytest.raises(DomainError):
        services.create_host(session, actor, services.HostData(name="X", kind="kasteel"))
