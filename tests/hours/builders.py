"""Builders for the hours tests (also used by the browser tests): people with a running
trajectory, entries written straight to the table, entry data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from blueprints.hours import services
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.participants import services as participants
from blueprints.participants.models import Benefit, Participant
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, TrajectoryKind, TrajectoryStatus
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.models import Tenant

TODAY = date(2026, 11, 25)  # a Wednesday in ISO week 2026-W48


@dataclass
class World:
    session: object
    tenant: Tenant
    coach: object
    coach_actor: Actor
    user: object  # the participant's login
    actor: Actor
    participant: Participant
    trajectory: object


def add_person(session, actor, first="Sandra", last="Verhoeven", *, user=None,
               kind=TrajectoryKind.SOCIAL_JOB, starts_on=date(2026, 1, 5), hours="12",
               supervisor_id=None, date_of_birth=date(1980, 3, 1), benefit=Benefit.BIJSTAND,
               **trajectory_kw):
    """A participant with an active trajectory (inside a tenant context)."""
    person = participants.create_participant(session, actor, participants.ParticipantData(
        first_name=first, last_name=last, date_of_birth=date_of_birth, benefit=benefit,
        supervisor_id=supervisor_id), today=TODAY)
    if user is not None:
        person.user_id = user.id
    trajectory = trajectories.create_trajectory(session, actor, person, trajectories.TrajectoryData(
        kind=kind, starts_on=starts_on, hours_per_week=hours, funding=Funding.SUBSIDY,
        **trajectory_kw))
    trajectories.change_status(session, actor, trajectory, TrajectoryStatus.ACTIVE)
    session.flush()
    return person, trajectory


def entry(session, person, trajectory, day, minutes, *, status=EntryStatus.SUBMITTED,
          hour_type=HourType.TRAJECTORY, **kw):
    """An entry written straight to the table (arranging data, not exercising the rules)."""
    e = TimeEntry(participant_id=person.id, trajectory_id=trajectory.id, work_date=day,
                  minutes=minutes, hour_type=hour_type, status=status,
                  reviewed_at=utcnow() if status != EntryStatus.SUBMITTED else None, **kw)
    session.add(e)
    session.flush()
    return e


def data(world, day=TODAY, hours="2,5", **kw) -> services.EntryData:
    kw.setdefault("participant_id", world.participant.id)
    kw.setdefault("trajectory_id", world.trajectory.id)
    return services.EntryData(work_date=day, hours=hours, **kw)
