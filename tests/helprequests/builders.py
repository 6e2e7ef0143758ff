"""Builders for the help-request tests: participants with running trajectories, requests."""
from __future__ import annotations

from datetime import date

from blueprints.helprequests import services
from blueprints.helprequests.models import JobKind, Source
from blueprints.hours.models import HourType, TimeEntry
from blueprints.participants import services as participants
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, TrajectoryKind, TrajectoryStatus

TODAY = date(2026, 11, 22)       # a Sunday
TUESDAY = date(2026, 11, 24)     # ISO week 2026-W48 runs 23-29 November


def person(session, actor, first, last, *, skills=(), wijk=None, days=(), vog=None,
           renewal=None, hours="12", active=True):
    """A participant; with `active` a running trajectory of `hours` a week."""
    p = participants.create_participant(session, actor, participants.ParticipantData(
        first_name=first, last_name=last, skills=list(skills), neighbourhood=wijk,
        available_days=list(days), vog_present=vog is not None, vog_date=vog,
        vog_renewal_due=renewal), today=TODAY)
    if active:
        t = trajectories.create_trajectory(session, actor, p, trajectories.TrajectoryData(
            kind=TrajectoryKind.SOCIAL_JOB, starts_on=date(2026, 1, 5), hours_per_week=hours,
            funding=Funding.MUNICIPAL_CONTRACT))
        trajectories.change_status(session, actor, t, TrajectoryStatus.ACTIVE)
    return p


def job(session, actor, kind=JobKind.GARDEN, *, wijk=None, needs_vog=None, name="Mevrouw Peters",
        **kw):
    return services.create_request(session, actor, services.RequestData(
        name=name, kind=kind, description=kw.pop("description", "Heg knippen"),
        street=kw.pop("street", "Lindenlaan 4"), neighbourhood=wijk, needs_vog=needs_vog,
        source=kw.pop("source", Source.PHONE), **kw), today=TODAY)


def hours(session, p, day, minutes):
    session.add(TimeEntry(participant_id=p.id, work_date=day, minutes=minutes,
                          hour_type=HourType.TRAJECTORY))
    session.flush()
