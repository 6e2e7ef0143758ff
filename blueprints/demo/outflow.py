"""Demo: outflow to work with its follow-ups, so that the report's durability rows and the value
page (/<tenant>/rapportage/waarde) show real figures.

Each cooperative gets five earlier participants who left for work in the last two years (paid
employment and own businesses, four household types) with their follow-ups at +1, +6 and +12
months where due, one of them back on benefit at +6; the outflows to work of the current demo
get their +1 follow-up where it is due. Through the real services (events keep the summaries)."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from blueprints.demo.people import FIRST, LAST
from blueprints.participants import services as participants
from blueprints.participants.models import Benefit, HouseholdType
from blueprints.reports import followups
from blueprints.reports.models import OutflowFollowUp
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, Outcome, TrajectoryKind, TrajectoryStatus
from tenants.actor import Actor
from tenants.models import Tenant, User

#: (months ago the person left for work, outcome, household type, back on benefit at +6?)
EARLIER = [
    (20, Outcome.PAID_WORK, HouseholdType.SINGLE, False),
    (15, Outcome.SELF_EMPLOYED, HouseholdType.COUPLE, False),
    (11, Outcome.PAID_WORK, HouseholdType.LODGER, True),
    (8, Outcome.PAID_WORK, HouseholdType.SINGLE_PARENT, False),
    (4, Outcome.SELF_EMPLOYED, HouseholdType.COUPLE, False),
]
SOURCES = ("contract", "gemeente", "deelnemer")


def seed_outflow(session: Session, tenant: Tenant, staff: dict[str, User],
                 today: date | None = None) -> None:
    if session.scalar(select(func.count()).select_from(OutflowFollowUp)):
        return
    today = today or date.today()
    rng = random.Random(f"outflow-{tenant.slug}")
    admin = staff["admin"]
    actor = Actor(user_id=admin.id, email=admin.email)
    for n, (months_ago, outcome, household, back) in enumerate(EARLIER):
        left_on = trajectories.add_months(today, -months_ago)
        person = participants.create_participant(session, actor, participants.ParticipantData(
            first_name=FIRST[(n * 5 + 3) % len(FIRST)], last_name=LAST[(n * 3 + 1) % len(LAST)],
            date_of_birth=date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28)),
            household_type=household, benefit=Benefit.BIJSTAND,
            supervisor_id=staff["supervisor"].id), today=today)
        trajectory = trajectories.create_trajectory(
            session, actor, person, trajectories.TrajectoryData(
                kind=TrajectoryKind.SOCIAL_JOB, starts_on=left_on - timedelta(days=280),
                hours_per_week="16", funding=Funding.MUNICIPAL_CONTRACT))
        trajectories.change_status(session, actor, trajectory, TrajectoryStatus.ACTIVE)
        paid = outcome == Outcome.PAID_WORK
        trajectories.end_trajectory(session, actor, trajectory, outcome, left_on,
                                    "24" if paid else None,
                                    "tijdelijk contract" if paid else None)
        for months in followups.CHECKPOINTS:
            due = followups.due_on(left_on, months)
            if due > today:
                break
            still_off = not (back and months == 6)
            followups.record_followup(session, actor, trajectory.id, months,
                                      min(today, due + timedelta(days=rng.randint(0, 10))),
                                      still_off, SOURCES[(n + months) % len(SOURCES)],
                                      today=today)
            if not still_off:
                break
    for outflow in followups.outflows_to_work(session, today, since=today - timedelta(days=200)):
        due = followups.due_on(outflow.trajectory.outcome_on, 1)
        if 1 not in outflow.followups and due + timedelta(days=10) <= today:
            followups.record_followup(session, actor, outflow.trajectory.id, 1,
                                      due + timedelta(days=3), True, "deelnemer", today=today)
    session.flush()
