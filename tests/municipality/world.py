"""The world of the municipality tests: a cooperative with a participant paid by Breda whose
consent is recorded (with notes, an exemption, a goal note and an evaluation summary that must
never reach the municipality), one paid by Breda without a ground, one paid by Lelystad with a
ground for Lelystad; officers of Breda (consulent, beleid) and Lelystad (consulent)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.municipality import sharing
from blueprints.participants import services as participants
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, TrajectoryKind
from tenants.actor import Actor
from tenants.membership import municipality_by_code
from tenants.models import MunicipalityMembership, MunicipalRole, Role
from tenants.tenancy import tenant_context
from tests.helpers import unique

NOTE = "Persoonlijke notitie: ruzie met de buren"
GOAL_NOTE = "Goal-notitie: vaak moe na de ochtend"
SUMMARY = "Evaluatieverslag: gesprek over de rugklachten"
EXEMPTION_BY = "Arts van de GGD bij rugklachten"
GOAL = "Zelfstandig een klus plannen"
TODAY = date.today()


@dataclass
class World:
    tenant: object
    admin: object
    supervisor: object
    participant_user: object
    shared: int  # paid by Breda, consent recorded
    unshared: int  # paid by Breda, no ground
    lelystad: int  # paid by Lelystad, consent for Lelystad
    consulent: object  # Breda
    beleid: object  # Breda
    lelystad_consulent: object


def officer(make, session, code: str, role: MunicipalRole, totp: bool = True):
    user = make.user(totp=totp)
    session.add(MunicipalityMembership(user_id=user.id, role=role,
                                       municipality_id=municipality_by_code(session, code).id))
    session.commit()
    return user


def _person(session, actor, first, code):
    return participants.create_participant(session, actor, participants.ParticipantData(
        first_name=first, last_name=unique("Achternaam"), paying_municipality_code=code,
        notes=NOTE))


@pytest.fixture
def world(make, session) -> World:
    tenant = make.tenant(name="Coöperatie De Wielewaal")
    admin = make.member(tenant, Role.ADMIN)
    supervisor = make.member(tenant, Role.SUPERVISOR)
    participant_user = make.member(tenant, Role.PARTICIPANT)
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        shared = _person(session, actor, "Fatma", "0758")
        participants.link_account(session, actor, shared, participant_user.id)
        participants.add_exemption(session, actor, shared, "9-2", ["a"], TODAY - timedelta(days=9),
                                   None, None, EXEMPTION_BY)
        t = trajectories.create_trajectory(session, actor, shared, trajectories.TrajectoryData(
            kind=TrajectoryKind.SOCIAL_JOB, starts_on=TODAY - timedelta(days=120),
            hours_per_week=Decimal("12"), funding=Funding.MUNICIPAL_CONTRACT))
        goal = trajectories.add_goal(session, actor, t, GOAL, "Beschrijving die privé blijft", 3)
        trajectories.add_goal_note(session, actor, goal, GOAL_NOTE, level=3)
        trajectories.record_evaluation(session, actor, t, None, TODAY - timedelta(days=10), 4,
                                       SUMMARY)
        session.add(TimeEntry(participant_id=shared.id, trajectory_id=t.id, work_date=TODAY,
                              minutes=270, hour_type=HourType.TRAJECTORY,
                              status=EntryStatus.APPROVED, note="Uren-notitie privé"))
        unshared = _person(session, actor, "Henk", "0758")
        lelystad = _person(session, actor, "Kees", "0995")
        for person in (shared, lelystad):
            sharing.record_share(session, actor, person, sharing.NewShare(
                "toestemming", None, list(sharing.PARTS), TODAY - timedelta(days=5),
                TODAY + timedelta(days=200)), TODAY)
        session.commit()
        ids = shared.id, unshared.id, lelystad.id
    return World(tenant, admin, supervisor, participant_user, *ids,
                 consulent=officer(make, session, "0758", MunicipalRole.CONSULENT),
                 beleid=officer(make, session, "0758", MunicipalRole.BELEID),
                 lelystad_consulent=officer(make, session, "0995", MunicipalRole.CONSULENT))
