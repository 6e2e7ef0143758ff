"""What a municipality's consulent reads of their own clients: the one narrow, audited read of
personal data across cooperatives.

It runs in each cooperative's own tenant context (`tenant_context`, as a job does: the ORM
filter and, on PostgreSQL, row-level security see that tenant only), reads only participants
whose paying municipality is the reader's and who have a ground active today, and returns
plain values, never model objects:
- the client list: name, cooperative, ground and its end;
- a client's progress, for the parts in the ground's scope: trajectories with kind, status,
  dates and agreed hours; approved hours per week against the agreed hours; learning goals with
  their level; evaluations with date and ladder rung. Never free-text notes (the participant's
  notes, goal notes and descriptions, evaluation summaries, hour notes), never health data
  (exemptions, work limitation), no contact details.
Every progress view writes an audit record in the participant's tenant, which the participant
sees on "Mijn pagina". Only a consulent may read; anything else answers NotFound (404).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from blueprints.hours.models import EntryStatus, TimeEntry
from blueprints.municipality.models import Ground, ProgressShare
from blueprints.municipality.sharing import VIEWED
from blueprints.participants.models import Participant
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Evaluation, LearningGoal, Trajectory
from tenants import audit
from tenants.actor import Actor
from tenants.errors import NotFound
from tenants.models import Municipality, MunicipalRole, Tenant
from tenants.tenancy import tenant_context
from tenants.weeks import monday_of

WEEKS_SHOWN = 8


def _active(today: date):
    return and_(ProgressShare.ended_on.is_(None), ProgressShare.starts_on <= today,
                ProgressShare.ends_on >= today)


def _readable(municipality: Municipality, today: date):
    """A participant of this municipality with a ground active today, not anonymised."""
    return and_(_active(today), ProgressShare.municipality_id == municipality.id,
                Participant.paying_municipality_id == municipality.id,
                Participant.anonymised_at.is_(None))


def _join():
    return and_(Participant.tenant_id == ProgressShare.tenant_id,
                Participant.id == ProgressShare.participant_id)


def _require_consulent(role) -> None:
    if role != MunicipalRole.CONSULENT and role != MunicipalRole.CONSULENT.value:
        raise NotFound()


@dataclass(frozen=True)
class Client:
    tenant_slug: str
    tenant_name: str
    participant_id: int
    name: str
    ground: Ground
    ends_on: date


def clients_of(session: Session, municipality: Municipality, role, today: date) -> list[Client]:
    """The municipality's clients with an active ground, across cooperatives, by name: one
    query per cooperative."""
    _require_consulent(role)
    clients: list[Client] = []
    for tenant in session.scalars(select(Tenant).order_by(Tenant.name)).all():
        slug, name = tenant.slug, tenant.name
        with tenant_context(session, tenant.id):
            rows = session.execute(
                select(Participant.id, Participant.first_name, Participant.last_name,
                       ProgressShare.ground, ProgressShare.ends_on)
                .join(ProgressShare, _join())
                .where(_readable(municipality, today))
                .order_by(Participant.sort_name, Participant.first_name,
                          ProgressShare.ends_on.desc())).all()
        seen = set()
        for pid, first, last, ground, ends_on in rows:
            if pid not in seen:  # the longest-running ground of a participant
                seen.add(pid)
                clients.append(Client(slug, name, pid, f"{first} {last}".strip(), ground,
                                      ends_on))
    return clients


@dataclass(frozen=True)
class WeekHours:
    monday: date
    hours: Decimal
    agreed: Decimal | None


@dataclass(frozen=True)
class Goal:
    title: str
    level: int
    achieved_on: date | None


@dataclass(frozen=True)
class EvaluationRow:
    planned_on: date
    held_on: date | None
    ladder_step: int | None


@dataclass(frozen=True)
class TrajectoryRow:
    kind: object
    status: object
    starts_on: date
    planned_end_on: date | None
    hours_per_week: Decimal
    outcome: object
    outcome_on: date | None
    goals: list[Goal] = field(default_factory=list)
    evaluations: list[EvaluationRow] = field(default_factory=list)


@dataclass(frozen=True)
class Progress:
    tenant_name: str
    name: str
    ground: Ground
    reference: str | None
    starts_on: date
    ends_on: date
    scope: list[str]
    trajectories: list[TrajectoryRow]
    weeks: list[WeekHours]
    ladder_step: int | None


def client_progress(session: Session, actor: Actor, municipality: Municipality, role,
                    tenant_slug: str, participant_id: int, today: date) -> Progress:
    """One client's progress, read in their cooperative's tenant, audited there."""
    _require_consulent(role)
    tenant = session.scalar(select(Tenant).where(Tenant.slug == tenant_slug))
    if tenant is None:
        raise NotFound()
    tenant_name = tenant.name
    with tenant_context(session, tenant.id):
        row = session.execute(
            select(Participant, ProgressShare).join(ProgressShare, _join())
            .where(Participant.id == participant_id, _readable(municipality, today))
            .order_by(ProgressShare.ends_on.desc()).limit(1)).first()
        if row is None:
            raise NotFound()
        participant, share = row
        scope = list(share.scope or [])
        found = trajectories.trajectories_of(session, participant)
        rows = _trajectories(session, found, scope)
        weeks = _weeks(session, participant, found, today) if "uren" in scope else []
        ladder = next((e.ladder_step for t in rows for e in t.evaluations
                       if e.held_on is not None and e.ladder_step is not None), None) \
            if "evaluaties" in scope else None
        audit.record(session, actor, VIEWED, participant, municipality=municipality.name,
                     cbs_code=municipality.cbs_code, role=MunicipalRole.CONSULENT.value,
                     share_id=share.id, ground=share.ground.value)
        return Progress(tenant_name, participant.full_name, share.ground, share.reference,
                        share.starts_on, share.ends_on, scope, rows, weeks, ladder)


def _trajectories(session: Session, found: list[Trajectory],
                  scope: list[str]) -> list[TrajectoryRow]:
    """Trajectories, newest first, with goals and evaluations (two queries)."""
    ids = [t.id for t in found]
    goals: dict[int, list[Goal]] = {i: [] for i in ids}
    evaluations: dict[int, list[EvaluationRow]] = {i: [] for i in ids}
    if ids and "doelen" in scope:
        for g in session.scalars(select(LearningGoal).where(
                LearningGoal.trajectory_id.in_(ids)).order_by(LearningGoal.created_at)):
            goals[g.trajectory_id].append(Goal(g.title, g.level, g.achieved_on))
    if ids and "evaluaties" in scope:
        for e in session.scalars(select(Evaluation).where(
                Evaluation.trajectory_id.in_(ids))
                .order_by(Evaluation.held_on.desc().nulls_last(), Evaluation.planned_on.desc())):
            evaluations[e.trajectory_id].append(EvaluationRow(e.planned_on, e.held_on,
                                                              e.ladder_step))
    show = "traject" in scope
    return [TrajectoryRow(t.kind, t.status if show else None, t.starts_on,
                          t.planned_end_on, t.hours_per_week, t.outcome if show else None,
                          t.outcome_on if show else None, goals[t.id], evaluations[t.id])
            for t in found]


def _weeks(session: Session, participant: Participant, found: list[Trajectory],
           today: date) -> list[WeekHours]:
    """Approved hours in each of the last weeks against the hours agreed then (one query for
    the hours; the agreement from the trajectories already read)."""
    last = monday_of(today)
    first = last - timedelta(weeks=WEEKS_SHOWN - 1)
    minutes: dict[date, int] = {}
    for work_date, total in session.execute(
            select(TimeEntry.work_date, func.sum(TimeEntry.minutes))
            .where(TimeEntry.participant_id == participant.id,
                   TimeEntry.status == EntryStatus.APPROVED,
                   TimeEntry.work_date >= first, TimeEntry.work_date < last + timedelta(days=7))
            .group_by(TimeEntry.work_date)):
        monday = monday_of(work_date)
        minutes[monday] = minutes.get(monday, 0) + int(total or 0)
    rows = []
    for n in range(WEEKS_SHOWN):
        monday = last - timedelta(weeks=n)
        agreed = None
        for t in found:
            end = t.outcome_on or t.planned_end_on
            if t.starts_on <= monday + timedelta(days=6) and (end is None or end >= monday):
                agreed = (agreed or Decimal(0)) + trajectories.agreed_hours_on(t, monday)
        rows.append(WeekHours(monday, (Decimal(minutes.get(monday, 0)) / 60).quantize(
            Decimal("0.1")), agreed))
    return rows
