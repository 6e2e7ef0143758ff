"""One way to make a row of every tenant-owned model, for the isolation tests.

Every `TenantScoped` model must appear here: tests/kernel/test_tenancy.py fails for a model
that is missing, so a new feature's models are covered by the isolation tests automatically.
Each factory runs inside the tenant's context and may add the parents it needs.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from blueprints.api.models import ApiToken
from blueprints.participants.models import (
    Consent,
    Exemption,
    HostOrganisation,
    Neighbourhood,
    Participant,
)
from blueprints.trajectories.models import (
    Evaluation,
    Funding,
    GoalNote,
    LearningGoal,
    Trajectory,
    TrajectoryEvent,
    TrajectoryKind,
)
from blueprints.helprequests.models import Assignment, HelpRequest, JobKind, Source
from blueprints.hours.models import HourType, TimeEntry
from tenants.db import utcnow
from tenants.models import AuditEvent, Counter, Invitation, Membership, Role


def _flushed(session, row):
    session.add(row)
    session.flush()
    return row


def _membership(session, tenant, user):
    return Membership(user_id=user.id, role=Role.PARTICIPANT)


def _invitation(session, tenant, user):
    return Invitation(email=user.email, role=Role.SUPERVISOR, token_hash="x" * 64,
                      expires_at=utcnow() + timedelta(days=1))


def _audit(session, tenant, user):
    return AuditEvent(action="test.row", actor_user_id=user.id)


def _api_token(session, tenant, user):
    return ApiToken(user_id=user.id, name="Rapportage", token_hash="t" * 64,
                    expires_at=utcnow() + timedelta(days=365))


def _participant(session, tenant, user):
    return Participant(first_name="Fatma", last_name="Yilmaz")


def _trajectory(session, tenant, user):
    person = _flushed(session, _participant(session, tenant, user))
    return Trajectory(participant_id=person.id, kind=TrajectoryKind.SOCIAL_JOB,
                      starts_on=date(2026, 1, 5), hours_per_week=Decimal("12"),
                      funding=Funding.MUNICIPAL_CONTRACT)


def _child_of_participant(cls, **kw):
    def make(session, tenant, user):
        person = _flushed(session, _participant(session, tenant, user))
        return cls(participant_id=person.id, **kw)
    return make


def _child_of_trajectory(cls, **kw):
    def make(session, tenant, user):
        trajectory = _flushed(session, _trajectory(session, tenant, user))
        return cls(trajectory_id=trajectory.id, **kw)
    return make


def _goal_note(session, tenant, user):
    goal = _flushed(session, _child_of_trajectory(LearningGoal, title="Op tijd komen")(
        session, tenant, user))
    return GoalNote(goal_id=goal.id, text="Ging goed deze week")


def _help_request(session, tenant, user):
    return HelpRequest(reference="2026-0001", requester_name="Mevrouw Peters",
                       kind=JobKind.GARDEN, description="Heg knippen", source=Source.PHONE)


def _assignment(session, tenant, user):
    request = _flushed(session, _help_request(session, tenant, user))
    person = _flushed(session, _participant(session, tenant, user))
    return Assignment(help_request_id=request.id, participant_id=person.id)


def _time_entry(session, tenant, user):
    person = _flushed(session, _participant(session, tenant, user))
    return TimeEntry(participant_id=person.id, work_date=date(2026, 3, 2), minutes=240,
                     hour_type=HourType.TRAJECTORY)


ROW_FACTORIES = {
    Counter: lambda s, t, u: Counter(name="test", value=1),
    HelpRequest: _help_request,
    Assignment: _assignment,
    TimeEntry: _time_entry,
    Membership: _membership,
    Invitation: _invitation,
    AuditEvent: _audit,
    ApiToken: _api_token,
    Neighbourhood: lambda s, t, u: Neighbourhood(name="Geeren-Zuid"),
    HostOrganisation: lambda s, t, u: HostOrganisation(name="Speeltuin De Wielewaal",
                                                      kind="speeltuin"),
    Participant: _participant,
    Exemption: _child_of_participant(Exemption, article="9-2", obligations=["a", "c"],
                                     starts_on=date(2026, 1, 1)),
    Consent: _child_of_participant(Consent, kind="photo", given_on=date(2026, 1, 1)),
    Trajectory: _trajectory,
    TrajectoryEvent: _child_of_trajectory(TrajectoryEvent, to_status="intake"),
    LearningGoal: _child_of_trajectory(LearningGoal, title="Op tijd komen"),
    GoalNote: _goal_note,
    Evaluation: _child_of_trajectory(Evaluation, planned_on=date(2026, 4, 1)),
}

#: models whose rows can never be changed after insert (the database refuses)
APPEND_ONLY = {AuditEvent}
