"""Learning goals with their notes, and evaluations: planned, recorded, due."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, and_, bindparam, select
from sqlalchemy.orm import Session

from blueprints.participants.models import Participant
from blueprints.trajectories.models import (
    Evaluation,
    GoalNote,
    LearningGoal,
    Trajectory,
    TrajectoryStatus,
)
from tenants import audit
from tenants.actor import Actor
from tenants.bsn import BSN_MESSAGE, contains_bsn
from tenants.errors import DomainError, NotFound
from tenants.models import User

LADDER = {
    1: _l("1 – geïsoleerd"), 2: _l("2 – sociale contacten buiten de deur"),
    3: _l("3 – deelname aan georganiseerde activiteiten"),
    4: _l("4 – onbetaald werk"), 5: _l("5 – betaald werk met ondersteuning"),
    6: _l("6 – betaald werk"),
}
EVALUATION_DUE_SOON = timedelta(days=14)


# --- goals and evaluations -----------------------------------------------------------------

def _level(level) -> int:
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise DomainError(_l("Kies een niveau van 1 tot en met 5."))
    if not 1 <= level <= 5:
        raise DomainError(_l("Kies een niveau van 1 tot en met 5."))
    return level


def add_goal(session: Session, actor: Actor, trajectory: Trajectory, title: str,
             description: str | None, level=1) -> LearningGoal:
    title = (title or "").strip()
    if not title:
        raise DomainError(_l("Beschrijf het leerdoel."))
    if contains_bsn(title) or contains_bsn(description):
        raise DomainError(BSN_MESSAGE)
    goal = LearningGoal(trajectory_id=trajectory.id, title=title[:200],
                        description=(description or "").strip() or None, level=_level(level))
    session.add(goal)
    session.flush()
    audit.record(session, actor, "goal.created", goal, trajectory_id=trajectory.id)
    return goal


def add_goal_note(session: Session, actor: Actor, goal: LearningGoal, text: str, level=None,
                  achieved: bool = False, today: date | None = None) -> GoalNote:
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("Schrijf wat er is gebeurd."))
    if contains_bsn(text):
        raise DomainError(BSN_MESSAGE)
    new_level = _level(level) if level not in (None, "") else None
    note = GoalNote(goal_id=goal.id, author_user_id=actor.user_id, author_name=actor.email,
                    text=text, level=new_level)
    if new_level is not None:
        goal.level = new_level
    if achieved and goal.achieved_on is None:
        goal.achieved_on = today or date.today()
    session.add(note)
    session.flush()
    audit.record(session, actor, "goal.progress", goal, level=goal.level)
    return note


@cache
def _goals_statement():
    # built once (a statement's expressions cost more to build than to run): the trajectory page
    return select(LearningGoal).where(
        LearningGoal.trajectory_id == bindparam("trajectory_id")).order_by(LearningGoal.created_at)


@cache
def _evaluations_statement():
    return select(Evaluation).where(
        Evaluation.trajectory_id == bindparam("trajectory_id")).order_by(
        Evaluation.planned_on.desc())


def goals_of(session: Session, trajectory: Trajectory):
    """The goals of a trajectory with their notes (two queries)."""
    goals = list(session.scalars(_goals_statement(), {"trajectory_id": trajectory.id}))
    notes: dict[int, list[GoalNote]] = {g.id: [] for g in goals}
    if goals:
        for note in session.scalars(select(GoalNote).where(
                GoalNote.goal_id.in_(list(notes))).order_by(GoalNote.at.desc())):
            notes[note.goal_id].append(note)
    return [(g, notes[g.id]) for g in goals]


def get_goal(session: Session, trajectory: Trajectory, goal_id: int) -> LearningGoal:
    goal = session.scalar(select(LearningGoal).where(
        LearningGoal.id == goal_id, LearningGoal.trajectory_id == trajectory.id))
    if goal is None:
        raise NotFound()
    return goal


def plan_evaluation(session: Session, actor: Actor, trajectory: Trajectory,
                    planned_on: date) -> Evaluation:
    if planned_on < trajectory.starts_on:
        raise DomainError(_l("Een evaluatie kan niet vóór de start van het traject liggen."))
    evaluation = Evaluation(trajectory_id=trajectory.id, planned_on=planned_on)
    session.add(evaluation)
    session.flush()
    audit.record(session, actor, "evaluation.planned", evaluation, trajectory_id=trajectory.id)
    return evaluation


def record_evaluation(session: Session, actor: Actor, trajectory: Trajectory,
                      evaluation_id: int | None, held_on: date, ladder_step, summary: str | None,
                      next_on: date | None = None, today: date | None = None) -> Evaluation:
    """Record a held evaluation with the participation-ladder step; optionally plan the next."""
    today = today or date.today()
    if held_on > today:
        raise DomainError(_l("Een evaluatie kan niet in de toekomst gehouden zijn."))
    if held_on < trajectory.starts_on:
        raise DomainError(_l("Een evaluatie kan niet vóór de start van het traject liggen."))
    try:
        step = int(ladder_step)
    except (TypeError, ValueError):
        step = 0
    if step not in LADDER:
        raise DomainError(_l("Kies de trede op de participatieladder (1 tot en met 6)."))
    if contains_bsn(summary):
        raise DomainError(BSN_MESSAGE)
    if next_on is not None and next_on <= held_on:
        raise DomainError(_l("De volgende evaluatie moet na deze liggen."))
    evaluation = None
    if evaluation_id:
        evaluation = session.scalar(select(Evaluation).where(
            Evaluation.id == evaluation_id, Evaluation.trajectory_id == trajectory.id))
        if evaluation is None:
            raise NotFound()
    if evaluation is None:
        evaluation = Evaluation(trajectory_id=trajectory.id, planned_on=held_on)
        session.add(evaluation)
    evaluation.held_on = held_on
    evaluation.ladder_step = step
    evaluation.summary = (summary or "").strip() or None
    evaluation.recorded_by_id = actor.user_id
    session.flush()
    audit.record(session, actor, "evaluation.recorded", evaluation, ladder_step=step)
    if next_on is not None:
        plan_evaluation(session, actor, trajectory, next_on)
    return evaluation


def evaluations_of(session: Session, trajectory: Trajectory) -> list[Evaluation]:
    return list(session.scalars(_evaluations_statement(), {"trajectory_id": trajectory.id}))


@dataclass(frozen=True)
class DueEvaluation:
    evaluation: Evaluation
    participant: Participant
    trajectory: Trajectory
    late: bool


@cache
def _due_statement(mine: bool, limit: int):
    """The statement of due_evaluations, built once per process per variant (the start page
    asks for it on every request): the date and the supervisor are bound parameters, the
    tenant's criteria are added when it runs (tenants/tenancy.py)."""
    stmt = (
        select(Evaluation, Participant, Trajectory)
        .join(Trajectory, and_(Trajectory.tenant_id == Evaluation.tenant_id,
                               Trajectory.id == Evaluation.trajectory_id))
        .join(Participant, and_(Participant.tenant_id == Trajectory.tenant_id,
                                Participant.id == Trajectory.participant_id))
        .where(Evaluation.held_on.is_(None),
               Evaluation.planned_on <= bindparam("due_by", type_=Date()),
               Trajectory.status != TrajectoryStatus.ENDED)
        .order_by(Evaluation.planned_on).limit(limit)
    )
    if mine:
        user_id = bindparam("user_id", type_=Participant.supervisor_id.type)
        stmt = stmt.where((Participant.supervisor_id == user_id)
                          | (Trajectory.job_coach_id == user_id))
    return stmt


def due_evaluations(session: Session, supervisor: User | None = None,
                    today: date | None = None, limit: int = 50) -> list[DueEvaluation]:
    """Planned, not held evaluations due within two weeks or late; one query."""
    today = today or date.today()
    params = {"due_by": today + EVALUATION_DUE_SOON}
    if supervisor is not None:
        params["user_id"] = supervisor.id
    return [DueEvaluation(e, p, t, e.planned_on < today)
            for e, p, t in session.execute(_due_statement(supervisor is not None, limit), params)]
