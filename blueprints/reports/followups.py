"""Outflow to work as an event with follow-ups, the way a municipality counts it.

An outflow to work is a trajectory ended with paid employment or an own business
(`TO_WORK`, counted apart). At +1, +6 and +12 months the coordinator records whether the
person is still out of benefit and how that is known: the municipality's confirmation, a
contract or payslip, or the person's own word. These are the cooperative's registration
("volgens registratie van de coöperatie"), never CBS figures (DOMAIN.md, reports).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.participants.models import Participant
from blueprints.reports.models import OutflowFollowUp
from blueprints.trajectories.models import Outcome, Trajectory, TrajectoryStatus
from blueprints.trajectories.services import add_months
from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound

#: outcomes that count as outflow to work, each counted apart
TO_WORK = (Outcome.PAID_WORK, Outcome.SELF_EMPLOYED)
#: the follow-up moments, in months after the outflow date
CHECKPOINTS = (1, 6, 12)
#: a follow-up shows on the list this many days before it is due
DUE_AHEAD = timedelta(days=14)

SOURCES = {
    "gemeente": _l("Bevestiging van de gemeente"),
    "contract": _l("Arbeidscontract of loonstrook"),
    "deelnemer": _l("Zegt de deelnemer zelf"),
}


def due_on(outflow_on: date, months: int) -> date:
    return add_months(outflow_on, months)


@dataclass(frozen=True)
class Outflow:
    """One outflow to work with its follow-ups ({months: OutflowFollowUp})."""
    trajectory: Trajectory
    name: str
    household_type: object
    date_of_birth: date | None
    followups: dict

    @property
    def back_on_benefit(self) -> OutflowFollowUp | None:
        """The first follow-up saying the person is on benefit again, if any."""
        for months in sorted(self.followups):
            if not self.followups[months].still_off_benefit:
                return self.followups[months]
        return None


def outflows_to_work(session: Session, until: date, since: date | None = None) -> list[Outflow]:
    """Every outflow to work on or before `until` (and on or after `since`), oldest first, with
    the participant's household type and its follow-ups: two statements."""
    where = [Trajectory.status == TrajectoryStatus.ENDED, Trajectory.outcome.in_(TO_WORK),
             Trajectory.outcome_on <= until]
    if since is not None:
        where.append(Trajectory.outcome_on >= since)
    rows = session.execute(
        select(Trajectory, Participant.first_name, Participant.last_name,
               Participant.household_type, Participant.date_of_birth)
        .join(Participant, (Participant.tenant_id == Trajectory.tenant_id)
              & (Participant.id == Trajectory.participant_id))
        .where(*where).order_by(Trajectory.outcome_on, Trajectory.id)).all()
    followups: dict[int, dict] = defaultdict(dict)
    if rows:
        for f in session.scalars(select(OutflowFollowUp).where(
                OutflowFollowUp.trajectory_id.in_([r[0].id for r in rows]))):
            followups[f.trajectory_id][f.months] = f
    return [Outflow(t, f"{first} {last}", household, born, followups.get(t.id, {}))
            for t, first, last, household, born in rows]


@dataclass(frozen=True)
class Due:
    outflow: Outflow
    months: int
    due_on: date


def due_followups(session: Session, today: date) -> list[Due]:
    """The follow-ups due (or due within two weeks) and not yet recorded, oldest first; none
    after a follow-up that found the person on benefit again."""
    result = []
    for outflow in outflows_to_work(session, today,
                                    since=add_months(today, -(max(CHECKPOINTS) + 6))):
        if outflow.back_on_benefit is not None:
            continue
        for months in CHECKPOINTS:
            when = due_on(outflow.trajectory.outcome_on, months)
            if months not in outflow.followups and when <= today + DUE_AHEAD:
                result.append(Due(outflow, months, when))
    return sorted(result, key=lambda d: (d.due_on, d.outflow.trajectory.id))


def record_followup(session: Session, actor: Actor, trajectory_id: int, months: int,
                    checked_on: date | None, still_off_benefit: bool | None, source: str | None,
                    today: date | None = None) -> OutflowFollowUp:
    """Record (or correct) the follow-up of an outflow to work at one checkpoint."""
    today = today or date.today()
    trajectory = session.scalar(select(Trajectory).where(Trajectory.id == trajectory_id))
    if (trajectory is None or trajectory.status != TrajectoryStatus.ENDED
            or trajectory.outcome not in TO_WORK):
        raise NotFound()
    if months not in CHECKPOINTS:
        raise DomainError(_l("Kies het nazorgmoment: na 1, 6 of 12 maanden."))
    if checked_on is None:
        raise DomainError(_l("Vul de datum van de navraag in."))
    if checked_on > today:
        raise DomainError(_l("De datum van de navraag ligt in de toekomst."))
    if checked_on < trajectory.outcome_on:
        raise DomainError(_l("De datum van de navraag ligt vóór de uitstroomdatum."))
    if still_off_benefit is None:
        raise DomainError(_l("Kies of de deelnemer nog uit de uitkering is."))
    if source not in SOURCES:
        raise DomainError(_l("Kies hoe u het weet: gemeente, contract of de deelnemer zelf."))
    row = session.scalar(select(OutflowFollowUp).where(
        OutflowFollowUp.trajectory_id == trajectory.id, OutflowFollowUp.months == months))
    old = None
    if row is None:
        row = OutflowFollowUp(trajectory_id=trajectory.id, months=months)
        session.add(row)
    else:
        old = {"checked_on": row.checked_on.isoformat(), "still_off_benefit":
               row.still_off_benefit, "source": row.source}
    row.checked_on = checked_on
    row.still_off_benefit = still_off_benefit
    row.source = source
    row.recorded_by_id = actor.user_id
    session.flush()
    audit.record(session, actor, "outflow.followup_recorded", trajectory, months=months,
                 checked_on=checked_on.isoformat(), still_off_benefit=still_off_benefit,
                 source=source, previous=old, participant_id=trajectory.participant_id)
    return row


@dataclass(frozen=True)
class Durability:
    """Of the outflows to work in a cohort: how many have a follow-up at `months` months and
    how many of those were still out of benefit then."""
    months: int
    followed: int
    still_off: int


def durability(outflows: list[Outflow], months: int) -> Durability:
    answers = [o.followups[months] for o in outflows if months in o.followups]
    return Durability(months, len(answers), sum(1 for a in answers if a.still_off_benefit))
