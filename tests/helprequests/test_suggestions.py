"""Who is suggested for a job, in which order, and why — tested on cases without HTTP.

The job in most cases: a garden job in Geeren-Zuid on Tuesday 24 November 2026 (week 48).
Each case compares two participants who differ in one thing only, so the order shows that one
reason counts, and the reasons shown say it in words.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert

from blueprints.helprequests import services
from blueprints.helprequests.models import JobKind, RequestStatus
from blueprints.participants.models import Participant, ParticipantStatus
from blueprints.trajectories.models import Funding, Trajectory, TrajectoryKind, TrajectoryStatus
from tenants.actor import Actor
from tenants.db import new_id
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helprequests.builders import TODAY, TUESDAY, hours, job, person


@pytest.fixture
def world(make, session):
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR)
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        yield session, actor, tenant
    session.rollback()


def names(suggestions):
    return [s.participant.last_name for s in suggestions]


def by_name(suggestions, last_name):
    return next(s for s in suggestions if s.participant.last_name == last_name)


def test_a_fitting_skill_ranks_higher_and_says_so(world):
    session, actor, _ = world
    person(session, actor, "Anna", "Aalders")                        # no skills, first by name
    person(session, actor, "Zeno", "Zwart", skills=["Groen onderhoud"])
    r = job(session, actor, JobKind.GARDEN)
    found = services.suggest(session, r, TUESDAY)
    assert names(found) == ["Zwart", "Aalders"]
    assert "Kan tuinieren" in found[0].reasons
    assert found[0].score - found[1].score == services.SCORE_SKILL


def test_living_in_the_neighbourhood_ranks_higher(world):
    session, actor, _ = world
    person(session, actor, "Anna", "Aalders", wijk="Haagse Beemden")
    person(session, actor, "Zeno", "Zwart", wijk="Geeren-Zuid")
    r = job(session, actor, wijk="Geeren-Zuid")
    found = services.suggest(session, r, TUESDAY)
    assert names(found) == ["Zwart", "Aalders"]
    assert "Woont in Geeren-Zuid" in found[0].reasons
    assert not any("Woont" in reason for reason in found[1].reasons)


def test_having_worked_in_the_neighbourhood_counts_less_than_living_there(world):
    session, actor, _ = world
    local = person(session, actor, "Zeno", "Zwart", wijk="Geeren-Zuid")
    worked = person(session, actor, "Mila", "Mulder", wijk="Haagse Beemden")
    person(session, actor, "Anna", "Aalders", wijk="Haagse Beemden")
    earlier = job(session, actor, wijk="Geeren-Zuid")
    services.plan_request(session, actor, earlier, TODAY, [worked.id], today=TODAY)
    services.mark_done(session, actor, earlier, TODAY, today=TODAY)
    r = job(session, actor, wijk="Geeren-Zuid")
    found = services.suggest(session, r, TUESDAY)
    assert names(found) == ["Zwart", "Mulder", "Aalders"]
    assert "Werkte eerder in Geeren-Zuid" in by_name(found, "Mulder").reasons
    assert by_name(found, "Zwart").participant == local


def test_availability_on_the_weekday_counts(world):
    session, actor, _ = world
    person(session, actor, "Anna", "Aalders", days=["ma", "wo"])     # not on Tuesday
    person(session, actor, "Mila", "Mulder")                         # days not recorded
    person(session, actor, "Zeno", "Zwart", days=["di", "do"])
    found = services.suggest(session, job(session, actor), TUESDAY)
    assert names(found) == ["Zwart", "Mulder", "Aalders"]
    assert "Beschikbaar op dinsdag" in found[0].reasons
    assert "Niet beschikbaar op dinsdag" in by_name(found, "Aalders").warnings


def test_hours_left_this_week_count_and_are_shown(world):
    session, actor, _ = world
    busy = person(session, actor, "Anna", "Aalders", hours="12")
    half = person(session, actor, "Mila", "Mulder", hours="12")
    person(session, actor, "Zeno", "Zwart", hours="12")
    hours(session, busy, date(2026, 11, 23), 12 * 60)   # Monday of the same week: all used
    hours(session, half, date(2026, 11, 23), 6 * 60)
    hours(session, half, date(2026, 11, 16), 6 * 60)    # the week before does not count
    found = services.suggest(session, job(session, actor), TUESDAY)
    assert names(found) == ["Zwart", "Mulder", "Aalders"]
    assert "Nog 12 uur over deze week" in found[0].reasons
    assert "Nog 6 uur over deze week" in found[1].reasons
    assert "Heeft de afgesproken uren deze week al gewerkt" in found[2].warnings
    assert found[1].hours_left == 6


def test_someone_already_on_another_job_that_day_ranks_lower(world):
    session, actor, _ = world
    taken = person(session, actor, "Anna", "Aalders")
    person(session, actor, "Zeno", "Zwart")
    other = job(session, actor, JobKind.GROCERIES)
    services.plan_request(session, actor, other, TUESDAY, [taken.id], today=TODAY)
    r = job(session, actor)
    found = services.suggest(session, r, TUESDAY)
    assert names(found) == ["Zwart", "Aalders"]
    assert "Heeft op deze dag al een andere klus" in found[1].warnings
    # on another day she is free again, and first by name
    assert names(services.suggest(session, r, date(2026, 11, 25))) == ["Aalders", "Zwart"]


def test_nobody_without_a_valid_vog_is_suggested_when_the_job_needs_one(world):
    session, actor, _ = world
    # the best match in every other respect has no VOG
    person(session, actor, "Anna", "Aalders", skills=["gezelschap"], days=["di"])
    person(session, actor, "Vera", "Verlopen", skills=["gezelschap"], vog=date(2023, 6, 1),
           renewal=TUESDAY)                                          # due that very day
    person(session, actor, "Zeno", "Zwart", vog=date(2025, 3, 1))
    r = job(session, actor, JobKind.COMPANY)
    assert r.needs_vog
    found = services.suggest(session, r, TUESDAY)
    assert names(found) == ["Zwart"]
    assert "Heeft een geldige VOG" in found[0].reasons
    # the same people for a job without a VOG: everyone, the best match first
    r.needs_vog = False
    assert names(services.suggest(session, r, TUESDAY))[0] == "Aalders"


def test_only_participants_with_an_active_trajectory_are_suggested(world):
    session, actor, _ = world
    person(session, actor, "Ilse", "Intake", skills=["tuin"], active=False)
    person(session, actor, "Zeno", "Zwart")
    assert names(services.suggest(session, job(session, actor), TUESDAY)) == ["Zwart"]


def test_ties_go_by_name_and_the_limit_holds(world):
    session, actor, _ = world
    for last in ("Visser", "de Boer", "Bakker", "Jansen"):
        person(session, actor, "Sam", last)
    r = job(session, actor, JobKind.OTHER)
    assert names(services.suggest(session, r, TUESDAY)) == ["Bakker", "de Boer", "Jansen",
                                                            "Visser"]
    assert names(services.suggest(session, r, TUESDAY, limit=2)) == ["Bakker", "de Boer"]


def test_those_already_on_the_job_are_not_suggested_again(world):
    session, actor, _ = world
    on_it = person(session, actor, "Anna", "Aalders")
    person(session, actor, "Zeno", "Zwart")
    r = job(session, actor)
    services.plan_request(session, actor, r, TUESDAY, [on_it.id], today=TODAY)
    found = services.suggest(session, r, TUESDAY)
    assert names(found) == ["Zwart"]
    assert not found[0].warnings  # her own job on this request does not make Zwart busy


def test_a_combined_case_is_explained(world):
    """Fatma fits on every count; Kees only lives nearby; the order and words show why."""
    session, actor, _ = world
    person(session, actor, "Kees", "de Graaf", wijk="Geeren-Zuid", days=["ma"])
    fatma = person(session, actor, "Fatma", "Yilmaz", skills=["tuin", "boodschappen"],
                   wijk="Geeren-Zuid", days=["di"], hours="9,8")
    hours(session, fatma, date(2026, 11, 23), 4 * 60)
    found = services.suggest(session, job(session, actor, wijk="Geeren-Zuid"), TUESDAY)
    assert names(found) == ["Yilmaz", "de Graaf"]
    assert found[0].reasons == ["Kan tuinieren", "Woont in Geeren-Zuid",
                                "Beschikbaar op dinsdag", "Nog 5,8 uur over deze week"]
    assert found[0].score == 40 + 25 + 20 + 6
    assert found[1].warnings == ["Niet beschikbaar op dinsdag"]


def test_suggestions_take_three_queries_whatever_the_number_of_people(world, count_queries):
    session, actor, tenant = world
    r = job(session, actor, wijk="Geeren-Zuid")

    def add(n):
        rows = [{"tenant_id": tenant.id, "id": new_id(), "first_name": "Deelnemer",
                 "last_name": f"Nummer{i:04d}", "skills": ["tuin"], "languages": [],
                 "available_days": ["di"], "status": ParticipantStatus.ACTIVE}
                for i in range(n)]
        session.execute(insert(Participant), rows)
        session.execute(insert(Trajectory), [
            {"tenant_id": tenant.id, "id": new_id(), "participant_id": row["id"],
             "kind": TrajectoryKind.SOCIAL_JOB, "starts_on": date(2026, 1, 5),
             "hours_per_week": 12, "funding": Funding.OWN, "status": TrajectoryStatus.ACTIVE,
             "build_up": []} for row in rows])

    def measure():
        with count_queries() as n:
            found = services.suggest(session, r, TUESDAY)
        return n(), found

    add(5)
    few, found = measure()
    add(45)
    many, found_many = measure()
    assert few == many <= 3
    assert len(found) == 5 and len(found_many) == 10
    assert r.status == RequestStatus.NEW


def test_a_participant_whose_trajectory_passed_its_end_is_not_suggested(world):
    from sqlalchemy import select

    session, actor, _ = world
    person(session, actor, "Anna", "Aalders")
    ended = person(session, actor, "Bert", "Bakker", skills=["Groen onderhoud"])
    t = session.scalar(select(Trajectory).where(Trajectory.participant_id == ended.id))
    t.planned_end_on = date(2026, 9, 30)  # still "actief", but ended in September
    r = job(session, actor, JobKind.GARDEN)
    assert names(services.suggest(session, r, TUESDAY)) == ["Aalders"]
    t.planned_end_on = TUESDAY  # the job's day is still inside the trajectory
    assert names(services.suggest(session, r, TUESDAY)) == ["Bakker", "Aalders"]
