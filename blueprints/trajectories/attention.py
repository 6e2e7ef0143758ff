"""The action list: running trajectories that need a decision from their coordinator or
supervisor.

Four reasons (a trajectory may have several), each an SQL condition so that the counts and a
page of the list take a fixed number of statements whatever the number of trajectories:
- verlopen: still running (intake, actief or gepauzeerd) while the planned end has passed;
- binnenkort: the planned end falls within the next 30 days;
- geen-evaluatie: running, and no evaluation planned that has not been held;
- proefplaats: a proefplaats reaching its two months (within two weeks, or past them) that has
  not been extended beyond them: continue, extend (at most four months) or stop
  (Pw art. 8a lid 2 d).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, and_, bindparam, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from blueprints.participants.models import Participant
from blueprints.trajectories.models import (
    Evaluation,
    Trajectory,
    TrajectoryKind,
    TrajectoryStatus,
)
from tenants.models import User

ENDING_WITHIN = timedelta(days=30)
TRIAL_MONTHS = 2
TRIAL_NOTICE = timedelta(days=14)
PAGE_SIZE = 50


class Attention(str, enum.Enum):
    #: past the planned end, still running
    EXPIRED = "verlopen"
    #: the planned end within 30 days
    ENDING = "binnenkort"
    #: no evaluation planned
    NO_EVALUATION = "geen-evaluatie"
    #: a proefplaats at two months
    TRIAL = "proefplaats"


LABELS = {
    Attention.EXPIRED: _l("Einddatum verstreken"),
    Attention.ENDING: _l("Eindigt binnen 30 dagen"),
    Attention.NO_EVALUATION: _l("Geen evaluatie gepland"),
    Attention.TRIAL: _l("Proefplaats op twee maanden"),
}


class months_after(FunctionElement):
    """`day` plus a whole number of months, in SQL on both databases."""

    type = Date()
    inherit_cache = True


@compiles(months_after, "sqlite")
def _months_after_sqlite(element, compiler, **kw):
    day, months = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, '+' || {compiler.process(months, **kw)} " \
           f"|| ' months')"


@compiles(months_after)
def _months_after_default(element, compiler, **kw):
    day, months = list(element.clauses)
    return f"(({compiler.process(day, **kw)}) + make_interval(months => " \
           f"{compiler.process(months, **kw)}))::date"


RUNNING = Trajectory.status != TrajectoryStatus.ENDED


def conditions(today: date) -> dict[Attention, object]:
    """The SQL condition of each reason, on Trajectory, as of `today`."""
    return _conditions(today, today + ENDING_WITHIN, today + TRIAL_NOTICE)


def _conditions(today, ending_by, trial_by) -> dict[Attention, object]:
    """`conditions` with the three dates as values or as bound parameters."""
    open_evaluation = exists().where(Evaluation.tenant_id == Trajectory.tenant_id,
                                     Evaluation.trajectory_id == Trajectory.id,
                                     Evaluation.held_on.is_(None))
    two_months = months_after(Trajectory.starts_on, TRIAL_MONTHS)
    return {
        Attention.EXPIRED: and_(RUNNING, Trajectory.planned_end_on < today),
        Attention.ENDING: and_(RUNNING, Trajectory.planned_end_on >= today,
                               Trajectory.planned_end_on <= ending_by),
        Attention.NO_EVALUATION: and_(RUNNING, ~open_evaluation),
        Attention.TRIAL: and_(RUNNING, Trajectory.kind == TrajectoryKind.TRIAL_PLACE,
                              two_months <= trial_by,
                              or_(Trajectory.planned_end_on.is_(None),
                                  Trajectory.planned_end_on <= two_months)),
    }


def _mine(stmt, user: User | None):
    if user is None:
        return stmt
    return stmt.where(or_(Participant.supervisor_id == user.id,
                          Trajectory.job_coach_id == user.id))


def _joined(stmt):
    return stmt.join(Participant, and_(Participant.tenant_id == Trajectory.tenant_id,
                                       Participant.id == Trajectory.participant_id))


@cache
def _counts_statement(mine: bool):
    """The statement of attention_counts, built once per process per variant: the dates and
    the supervisor are bound parameters, the tenant's criteria are added when it runs
    (tenants/tenancy.py). Building it (four conditions, an EXISTS) cost ~1,000 Python calls
    per start page. Without a supervisor no join: every trajectory has its participant (a
    composite foreign key), so the join filtered nothing and cost a lookup per trajectory."""
    conds = _conditions(bindparam("today", type_=Date()), bindparam("ending_by", type_=Date()),
                        bindparam("trial_by", type_=Date()))
    stmt = select(*[func.count().filter(conds[a]) for a in Attention]).select_from(Trajectory)
    if mine:
        user_id = bindparam("user_id", type_=Participant.supervisor_id.type)
        stmt = _joined(stmt).where(or_(Participant.supervisor_id == user_id,
                                       Trajectory.job_coach_id == user_id))
    return stmt.where(RUNNING)


def attention_counts(session: Session, today: date | None = None,
                     user: User | None = None) -> dict[Attention, int]:
    """How many running trajectories need attention, per reason (one statement). With `user`:
    only the trajectories of the participants they follow (begeleider or job coach)."""
    today = today or date.today()
    params = {"today": today, "ending_by": today + ENDING_WITHIN,
              "trial_by": today + TRIAL_NOTICE}
    if user is not None:
        params["user_id"] = user.id
    row = session.execute(_counts_statement(user is not None), params).one()
    return {a: int(n or 0) for a, n in zip(Attention, row)}


@dataclass(frozen=True)
class Row:
    trajectory: Trajectory
    participant: Participant
    next_evaluation: date | None
    reasons: list[Attention]


def trajectory_list(session: Session, attention: Attention | None = None,
                    today: date | None = None, user: User | None = None, page: int = 1,
                    per_page: int = PAGE_SIZE) -> tuple[list[Row], int]:
    """One page of trajectories (running ones first, by planned end), with the participant,
    the next planned evaluation and the reasons for attention; with `attention` only those
    with that reason. Two statements (the count and the page) whatever the number of rows."""
    today = today or date.today()
    conds = conditions(today)
    next_evaluation = (select(func.min(Evaluation.planned_on))
                       .where(Evaluation.tenant_id == Trajectory.tenant_id,
                              Evaluation.trajectory_id == Trajectory.id,
                              Evaluation.held_on.is_(None))
                       .correlate(Trajectory).scalar_subquery())
    base = _mine(_joined(select(Trajectory).select_from(Trajectory)), user)
    if attention is not None:
        base = base.where(conds[attention])
    else:
        base = base.where(RUNNING)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = max(1, page)
    flags = [conds[a].label(f"is_{a.name.lower()}") for a in Attention]
    stmt = (base.add_columns(Participant, next_evaluation, *flags)
            .order_by(Trajectory.planned_end_on.is_(None), Trajectory.planned_end_on,
                      Participant.sort_name, Trajectory.id)
            .limit(per_page).offset((page - 1) * per_page))
    rows = []
    for trajectory, participant, next_on, *marks in session.execute(stmt):
        rows.append(Row(trajectory, participant, next_on,
                        [a for a, mark in zip(Attention, marks) if mark]))
    return rows, total
