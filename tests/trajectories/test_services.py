"""Trajectory rules, tested without HTTP: status flow, limits, goals, evaluations, outcome."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from blueprints.participants import services as participants
from blueprints.participants.models import ParticipantStatus
from blueprints.trajectories import services
from blueprints.trajectories.models import (
    Funding,
    Outcome,
    TrajectoryEvent,
    TrajectoryKind,
    TrajectoryStatus,
)
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.models import Role
from tenants.tenancy import tenant_context

TODAY = date(2026, 11, 22)


@pytest.fixture
def world(make, session):
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR)
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        person = participants.create_participant(session, actor, participants.ParticipantData(
            first_name="Kees", last_name="de Graaf"), today=TODAY)
        yield session, actor, person
    session.rollback()


def start(session, actor, person, kind=TrajectoryKind.SOCIAL_JOB, starts_on=date(2026, 1, 5),
          **kw):
    data = services.TrajectoryData(kind=kind, starts_on=starts_on, hours_per_week=kw.pop(
        "hours", "12"), funding=Funding.MUNICIPAL_CONTRACT, **kw)
    return services.create_trajectory(session, actor, person, data)


def test_status_flow_and_history(world):
    session, actor, person = world
    t = start(session, actor, person)
    assert t.status == TrajectoryStatus.INTAKE and person.status == ParticipantStatus.INTAKE
    with pytest.raises(DomainError, match="kan niet"):
        services.change_status(session, actor, t, TrajectoryStatus.PAUSED)
    services.change_status(session, actor, t, TrajectoryStatus.ACTIVE)
    assert person.status == ParticipantStatus.ACTIVE
    services.change_status(session, actor, t, TrajectoryStatus.PAUSED, "ziek")
    assert person.status == ParticipantStatus.PAUSED
    services.change_status(session, actor, t, TrajectoryStatus.ACTIVE)
    with pytest.raises(DomainError, match="uitstroomresultaat"):
        services.change_status(session, actor, t, TrajectoryStatus.ENDED)
    services.end_trajectory(session, actor, t, Outcome.VOLUNTEERING, date(2026, 10, 1))
    assert t.status == TrajectoryStatus.ENDED and person.status == ParticipantStatus.ENDED
    steps = [(e.from_status, e.to_status) for e in reversed(services.history(session, t))
             if e.to_status]
    assert steps == [(None, "intake"), ("intake", "actief"), ("actief", "gepauzeerd"),
                     ("gepauzeerd", "actief"), ("actief", "afgerond")]
    with pytest.raises(DomainError, match="al afgerond"):
        services.end_trajectory(session, actor, t, Outcome.MOVED, date(2026, 10, 2))
    with pytest.raises(DomainError):
        services.update_trajectory(session, actor, t, services.TrajectoryData(
            kind=TrajectoryKind.SOCIAL_JOB, starts_on=date(2026, 1, 5), hours_per_week="8",
            funding=Funding.OWN))


@pytest.mark.parametrize("kw,message", [
    (dict(planned_end_on=date(2025, 1, 1)), "vóór de startdatum"),
    (dict(hours="0"), "meer dan 0 en hoogstens 40"),
    (dict(hours="veel"), "als getal"),
    (dict(hours="45"), "meer dan 0 en hoogstens 40"),
    (dict(build_up=[(date(2025, 1, 1), "16")]), "buiten de looptijd"),
    (dict(build_up=[(date(2026, 3, 1), "24"), (date(2026, 5, 1), "16")]), "loopt op"),
    (dict(host_organisation_id=123), "bestaat niet"),
    (dict(host_supervisor_name="Jan, BSN 111222333"), "burgerservicenummer"),
])
def test_bad_trajectory_input_is_refused(world, kw, message):
    session, actor, person = world
    with pytest.raises(DomainError) as exc:
        start(session, actor, person, **kw)
    assert message in str(exc.value.message)


def test_build_up_schedule_sets_the_agreed_hours(world):
    session, actor, person = world
    t = start(session, actor, person, hours="8", build_up=[
        (date(2026, 3, 1), "16"), (date(2026, 5, 1), "24")])
    assert services.agreed_hours_on(t, date(2026, 2, 1)) == Decimal("8")
    assert services.agreed_hours_on(t, date(2026, 3, 1)) == Decimal("16")
    assert services.agreed_hours_on(t, date(2026, 9, 1)) == Decimal("24")


def test_paid_work_outcome_needs_hours_and_contract(world):
    session, actor, person = world
    t = start(session, actor, person)
    with pytest.raises(DomainError, match="contract"):
        services.end_trajectory(session, actor, t, Outcome.PAID_WORK, date(2026, 9, 1))
    with pytest.raises(DomainError, match="uren"):
        services.end_trajectory(session, actor, t, Outcome.PAID_WORK, date(2026, 9, 1),
                                contract="vast")
    with pytest.raises(DomainError, match="vóór de startdatum"):
        services.end_trajectory(session, actor, t, Outcome.PAID_WORK, date(2025, 9, 1), "24",
                                "vast")
    services.end_trajectory(session, actor, t, Outcome.PAID_WORK, date(2026, 9, 1), "24",
                            "tijdelijk")
    assert t.outcome_hours == Decimal("24") and t.outcome_contract == "tijdelijk"


def test_trial_place_limits_warn(world):
    session, actor, person = world
    ok = start(session, actor, person, kind=TrajectoryKind.TRIAL_PLACE,
               planned_end_on=date(2026, 3, 1))
    assert services.warnings(session, ok, person, date(2026, 2, 1)) == []
    # past its planned end (and still running) it says so
    assert services.warnings(session, ok, person, TODAY) == [
        "De geplande einddatum (01-03-2026) is verstreken: verleng het traject of rond het af."]
    extended = start(session, actor, person, kind=TrajectoryKind.TRIAL_PLACE,
                     planned_end_on=date(2026, 5, 1))
    assert any("verlenging" in w for w in services.warnings(session, extended, person, TODAY))
    too_long = start(session, actor, person, kind=TrajectoryKind.TRIAL_PLACE,
                     planned_end_on=date(2026, 8, 1))
    assert any("8a" in w for w in services.warnings(session, too_long, person, TODAY))


def test_participation_place_needs_its_nine_month_evaluation(world):
    session, actor, person = world
    t = start(session, actor, person, kind=TrajectoryKind.PARTICIPATION_PLACE,
              starts_on=date(2025, 12, 1))
    assert not any("9 maanden" in w for w in services.warnings(session, t, person,
                                                                 date(2026, 8, 1)))
    assert any("9 maanden" in w for w in services.warnings(session, t, person, TODAY))
    services.record_evaluation(session, actor, t, None, date(2026, 9, 1), 4, "gaat goed",
                               today=TODAY)
    assert not any("9 maanden" in w for w in services.warnings(session, t, person, TODAY))


def test_vog_missing_where_the_host_requires_it(world):
    session, actor, person = world
    host = participants.create_host(session, actor, participants.HostData(
        name="Basisschool De Regenboog", kind="school", vog_required=True))
    t = start(session, actor, person, host_organisation_id=host.id)
    assert any("VOG" in w for w in services.warnings(session, t, person, TODAY))
    person.vog_present, person.vog_date = True, date(2022, 1, 1)
    person.vog_renewal_due = date(2025, 1, 1)
    assert any("vernieuwd" in w for w in services.warnings(session, t, person, TODAY))
    person.vog_renewal_due = date(2027, 1, 1)
    assert not any("VOG" in w for w in services.warnings(session, t, person, TODAY))


def test_goals_levels_and_notes(world):
    session, actor, person = world
    t = start(session, actor, person)
    goal = services.add_goal(session, actor, t, "Zelfstandig een klus plannen", None, 2)
    services.add_goal_note(session, actor, goal, "Eerste klus zelf gepland", level=3)
    services.add_goal_note(session, actor, goal, "Lukt nu elke week", achieved=True, today=TODAY)
    [(g, notes)] = services.goals_of(session, t)
    assert g.level == 3 and g.achieved_on == TODAY and len(notes) == 2
    with pytest.raises(DomainError, match="1 tot en met 5"):
        services.add_goal_note(session, actor, goal, "x", level=9)
    with pytest.raises(DomainError):
        services.add_goal(session, actor, t, "  ", None)


def test_evaluations_ladder_and_due_list(world, make):
    session, actor, person = world
    # its first evaluation (three months after the start) is not due yet
    t = start(session, actor, person, starts_on=date(2026, 10, 1))
    person.supervisor_id = actor.user_id
    late = services.plan_evaluation(session, actor, t, TODAY - timedelta(days=3))
    soon = services.plan_evaluation(session, actor, t, TODAY + timedelta(days=10))
    services.plan_evaluation(session, actor, t, TODAY + timedelta(days=60))
    session.flush()
    due = services.due_evaluations(session, today=TODAY)
    assert [(d.evaluation.id, d.late) for d in due] == [(late.id, True), (soon.id, False)]
    with pytest.raises(DomainError, match="participatieladder"):
        services.record_evaluation(session, actor, t, late.id, TODAY, 7, None, today=TODAY)
    with pytest.raises(DomainError, match="toekomst"):
        services.record_evaluation(session, actor, t, late.id, TODAY + timedelta(days=1), 3,
                                   None, today=TODAY)
    services.record_evaluation(session, actor, t, late.id, TODAY, 3, "Komt op tijd",
                               next_on=TODAY + timedelta(days=90), today=TODAY)
    assert late.held_on == TODAY and late.ladder_step == 3
    assert [d.evaluation.id for d in services.due_evaluations(session, today=TODAY)] == [soon.id]


@pytest.fixture
def other(make):
    return make.tenant()


def test_trajectory_of_another_tenant_is_not_found(other, world, session):
    _, actor, person = world
    t = start(session, actor, person)
    session.flush()
    with tenant_context(session, other.id):
        with pytest.raises(Exception) as exc:
            services.get_trajectory(session, t.id)
        assert exc.type.__name__ == "NotFound"
        assert session.scalar(select(TrajectoryEvent).where(
            TrajectoryEvent.trajectory_id == t.id)) is None


def test_ending_the_last_trajectory_applies_the_unspent_budget_rule(world):
    from blueprints.budgets import ledger
    from blueprints.budgets import services as budgets
    from blueprints.budgets.models import AccountKind, TransactionKind, UnspentOnEnd

    session, actor, person = world
    budgets.save_policy(session, actor, mode="gefactureerde_waarde",
                        unspent_on_end=UnspentOnEnd.TO_POOL)
    mine = ledger.participant_account(session, person.id)
    ledger.post(session, actor, key="test:budget", kind=TransactionKind.CORRECTION,
                description="Beginsaldo", booked_on=date(2026, 1, 5),
                entries=[(mine, 4200), (ledger.account(session, "earnings", AccountKind.EARNINGS),
                                        -4200)])
    t = start(session, actor, person)
    services.end_trajectory(session, actor, t, Outcome.MOVED, date(2026, 10, 1))
    assert ledger.balance(session, mine) == 0
    assert ledger.balance(session, ledger.find_account(session, "pool")) == 4200
