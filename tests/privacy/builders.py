"""A participant with a full file, built through the real services, for the privacy tests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from blueprints.participants.models import Benefit, HouseholdType, IntegrationRoute
from blueprints.participants.services import (
    ParticipantData,
    add_exemption,
    create_participant,
    give_consent,
)
from blueprints.trajectories.models import (
    Funding,
    Outcome,
    TrajectoryKind,
    TrajectoryStatus,
)
from blueprints.trajectories.services import (
    TrajectoryData,
    add_goal,
    add_goal_note,
    change_status,
    create_trajectory,
    end_trajectory,
    record_evaluation,
)
from tenants import storage
from tenants.actor import Actor
from tenants.models import Tenant, User
from tenants.tenancy import tenant_context

#: Every piece of personal text the file below contains; none may survive an erasure.
PERSONAL_TEXT = ("Fatma", "Yılmaz", "fatma.yilmaz@example.org", "06 12345678", "Hooghuisstraat",
                 "Ahmet", "broer", "buiten werken", "tuinieren", "Turks", "Kees Jansen",
                 "kees@speeltuin", "consulent De Wit", "Wijkteam Noord", "Gestart bij de speeltuin",
                 "Fatma kwam", "Fatma doet", "zelfstandig", "Vast werk bij")
SCAN = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class File:
    tenant: Tenant
    admin: User
    actor: Actor
    participant_id: int
    trajectory_id: int
    scan_key: str | None


def full_data(supervisor_id: int | None = None, **changes) -> ParticipantData:
    values = dict(
        first_name="Fatma", last_name="Yılmaz", email="fatma.yilmaz@example.org",
        phone="06 12345678", street="Hooghuisstraat 12", postcode="4811AB", city="Breda",
        neighbourhood="Geeren-Zuid", date_of_birth=date(1985, 4, 3),
        household_type=HouseholdType.SINGLE_PARENT, is_refugee_permit_holder=True,
        integration_route=IntegrationRoute.B1, has_work_limitation=True, benefit=Benefit.BIJSTAND,
        paying_municipality_code="0758", skills=["tuinieren", "schilderen"],
        languages=["Turks", "Nederlands"], available_hours=16, available_days=["ma", "wo"],
        vog_present=True, vog_date=date(2024, 1, 10), emergency_name="Ahmet Yılmaz",
        emergency_phone="06 87654321", emergency_relation="broer",
        notes="Wil graag buiten werken", supervisor_id=supervisor_id)
    values.update(changes)
    return ParticipantData(**values)


def build_file(session, tenant: Tenant, admin: User, root=None, *, ended: bool = True,
               **changes) -> File:
    """A participant with exemption, consent and one trajectory with goal, note, evaluation,
    history and (when `root` is given) a stored agreement scan; ended with paid work."""
    actor = Actor(user_id=admin.id, email=admin.email, ip="192.0.2.10")
    with tenant_context(session, tenant.id):
        person = create_participant(session, actor, full_data(admin.id, **changes),
                                    today=date(2026, 11, 1))
        add_exemption(session, actor, person, "9-2", ["a"], date(2023, 1, 1), date(2023, 12, 31),
                      None, "consulent De Wit")
        give_consent(session, actor, person, "municipality_progress", "Wijkteam Noord",
                     date(2024, 2, 1), today=date(2026, 11, 1))
        trajectory = create_trajectory(session, actor, person, TrajectoryData(
            kind=TrajectoryKind.SOCIAL_JOB, starts_on=date(2024, 2, 1),
            hours_per_week=Decimal("12"), funding=Funding.MUNICIPAL_CONTRACT,
            host_supervisor_name="Kees Jansen", host_supervisor_contact="kees@speeltuin.example.org"))
        change_status(session, actor, trajectory, TrajectoryStatus.ACTIVE,
                      "Gestart bij de speeltuin")
        goal = add_goal(session, actor, trajectory, "Op tijd komen", "zelfstandig reizen", 2)
        add_goal_note(session, actor, goal, "Fatma kwam elke dag op tijd", level=3)
        record_evaluation(session, actor, trajectory, None, date(2024, 6, 1), 4,
                          "Fatma doet het goed", today=date(2026, 11, 1))
        key = None
        if root is not None:
            key = storage.save_file(root, tenant.id, "agreements", SCAN, "pdf")
            trajectory.agreement_file = key
            trajectory.agreement_signed_on = date(2024, 1, 30)
        if ended:
            end_trajectory(session, actor, trajectory, Outcome.PAID_WORK, date(2025, 1, 31),
                           hours="24", contract="tijdelijk", note="Vast werk bij de gemeente")
        session.flush()
        file = File(tenant, admin, actor, person.id, trajectory.id, key)
    session.commit()
    return file


def load(session, tenant: Tenant, model, object_id: int):
    """A fresh copy of a row (after a request changed it in another session)."""
    session.expire_all()
    with tenant_context(session, tenant.id):
        return session.scalar(select(model).where(model.id == object_id))

