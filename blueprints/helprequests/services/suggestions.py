"""Suggestions: who could do a job on a date, ranked, with the reasons."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from blueprints.helprequests.models import Assignment, HelpRequest, JobKind, RequestStatus
from blueprints.helprequests.services.rules import _hours_text
from blueprints.participants.models import Neighbourhood, Participant, ParticipantStatus
from blueprints.participants.services import DAYS
from blueprints.trajectories.models import Trajectory, TrajectoryStatus
from blueprints.trajectories.services import agreed_hours_on
from tenants import hooks
from tenants.weeks import monday_of

#: Words in a participant's skills that fit a kind of job (matched case-insensitively, also
#: inside a longer skill such as "groen onderhoud").
SKILL_WORDS = {
    JobKind.GROCERIES: ("boodschappen", "fietsen"),
    JobKind.GARDEN: ("tuin", "groen"),
    JobKind.FENCE: ("klussen", "timmeren", "schutting"),
    JobKind.SMALL_REPAIR: ("klussen", "techniek"),
    JobKind.CLEANING: ("schoonmaak",),
    JobKind.COMPANY: ("gezelschap", "koken"),
    JobKind.OTHER: (),
}
SKILL_REASONS = {
    JobKind.GROCERIES: _l("Doet boodschappen"), JobKind.GARDEN: _l("Kan tuinieren"),
    JobKind.FENCE: _l("Kan klussen en timmeren"),
    JobKind.SMALL_REPAIR: _l("Handig met klussen en techniek"),
    JobKind.CLEANING: _l("Kan schoonmaken"), JobKind.COMPANY: _l("Houdt graag iemand gezelschap"),
    JobKind.OTHER: _l("Vaardigheid past"),
}
WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")

# Suggestion points. Skill first: the job must be done well and safely. Then the
# neighbourhood: the programme's premise is neighbours helping neighbours (buurtconciërges
# "afkomstig uit en woonachtig in de wijk zelf"), and it saves travel. Then whether the person
# works that weekday, then room left in this week's agreed hours (one point per hour, capped, so
# work is spread). Penalties push down someone who cannot well do it that day (not their day,
# no hours left, already on another job) while keeping them visible, with a warning: the
# planner decides, and may know better.
SCORE_SKILL = 40
SCORE_LIVES_HERE = 25
SCORE_WORKED_HERE = 15
SCORE_AVAILABLE_DAY = 20
SCORE_HOURS_LEFT_MAX = 15
PENALTY_UNAVAILABLE_DAY = -20
PENALTY_NO_HOURS_LEFT = -15
PENALTY_BUSY_THAT_DAY = -30


@dataclass
class Suggestion:
    """A participant who could do the job, the points, and why (and what speaks against)."""

    participant: Participant
    score: int
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    hours_left: Decimal | None = None
    on_this_job: bool = False  # already assigned to the request being planned


def _skill_fits(skills: list | None, kind: JobKind) -> bool:
    words = SKILL_WORDS[kind]
    return any(word in str(skill).lower() for skill in (skills or []) for word in words)


def rank(session: Session, help_request: HelpRequest, on: date,
         only: set[int] | None = None) -> list[Suggestion]:
    """Everyone who could be planned on `help_request` on `on`, best first (three queries).

    Who: participants with an active trajectory that has not passed its planned end on `on`;
    when the job needs a VOG, only those whose VOG
    is valid that day (nobody else is ever suggested). How they rank (points, see SCORE_*):
    skill fits the kind of job (+40), lives in the job's neighbourhood (+25) or did a job there
    before (+15), works that weekday (+20; -20 when their days are known and this is not one),
    hours left this ISO week below the agreed hours of their trajectories (+1 per hour, at most
    +15; -15 when none are left), already on another job that day (-30). Ties go by name."""
    week_start = monday_of(on)
    wanted_wijk = (select(Neighbourhood.name)
                   .where(Neighbourhood.id == help_request.neighbourhood_id)
                   .scalar_subquery())
    stmt = (
        select(Participant, Trajectory, wanted_wijk)
        .join(Trajectory, and_(Trajectory.tenant_id == Participant.tenant_id,
                               Trajectory.participant_id == Participant.id))
        .where(Trajectory.status == TrajectoryStatus.ACTIVE,
               # a trajectory past its planned end on the day of the job has ended, whatever
               # its status still says: its participant is not suggested on it
               or_(Trajectory.planned_end_on.is_(None), Trajectory.planned_end_on >= on),
               Participant.status != ParticipantStatus.ANONYMISED)
    )
    if help_request.needs_vog:
        stmt = stmt.where(Participant.vog_present.is_(True),
                          or_(Participant.vog_renewal_due.is_(None),
                              Participant.vog_renewal_due > on))
    if only is not None:
        stmt = stmt.where(Participant.id.in_(only))
    people: dict[int, Participant] = {}
    agreed: dict[int, Decimal] = {}
    wijk_name = None
    for person, trajectory, wijk in session.execute(stmt):
        people[person.id] = person
        agreed[person.id] = agreed.get(person.id, Decimal(0)) + agreed_hours_on(trajectory, on)
        wijk_name = wijk
    if not people:
        return []

    # The hours feature answers (it stands above help requests): entries not returned.
    minutes = hooks.week_minutes.ask(session, list(people), week_start)

    busy: set[int] = set()
    worked_here: set[int] = set()
    on_this_job: set[int] = set()
    wanted = [HelpRequest.id == help_request.id,
              and_(HelpRequest.planned_on == on, HelpRequest.status == RequestStatus.PLANNED)]
    if help_request.neighbourhood_id:
        wanted.append(and_(HelpRequest.neighbourhood_id == help_request.neighbourhood_id,
                           HelpRequest.status.in_([RequestStatus.DONE, RequestStatus.INVOICED])))
    rows = session.execute(
        select(Assignment.participant_id, HelpRequest.id, HelpRequest.planned_on,
               HelpRequest.status)
        .join(HelpRequest, and_(HelpRequest.tenant_id == Assignment.tenant_id,
                                HelpRequest.id == Assignment.help_request_id))
        .where(Assignment.participant_id.in_(list(people)), or_(*wanted)))
    for participant_id, request_id, planned_on, status in rows:
        if request_id == help_request.id:
            on_this_job.add(participant_id)
        elif status == RequestStatus.PLANNED and planned_on == on:
            busy.add(participant_id)
        else:
            worked_here.add(participant_id)

    weekday = WEEKDAYS[on.weekday()]
    day_name = DAYS[weekday]
    suggestions = []
    for pid, person in people.items():
        s = Suggestion(person, 0, on_this_job=pid in on_this_job)
        if _skill_fits(person.skills, help_request.kind):
            s.score += SCORE_SKILL
            s.reasons.append(str(SKILL_REASONS[help_request.kind]))
        if help_request.neighbourhood_id and person.neighbourhood_id == help_request.neighbourhood_id:
            s.score += SCORE_LIVES_HERE
            s.reasons.append(str(_l("Woont in %(wijk)s", wijk=wijk_name)))
        elif pid in worked_here:
            s.score += SCORE_WORKED_HERE
            s.reasons.append(str(_l("Werkte eerder in %(wijk)s", wijk=wijk_name)))
        if weekday in (person.available_days or []):
            s.score += SCORE_AVAILABLE_DAY
            s.reasons.append(str(_l("Beschikbaar op %(day)s", day=day_name)))
        elif person.available_days:
            s.score += PENALTY_UNAVAILABLE_DAY
            s.warnings.append(str(_l("Niet beschikbaar op %(day)s", day=day_name)))
        left = (agreed[pid] - Decimal(minutes.get(pid) or 0) / 60).quantize(Decimal("0.1"))
        s.hours_left = left
        if left > 0:
            s.score += min(SCORE_HOURS_LEFT_MAX, math.ceil(left))
            s.reasons.append(str(_l("Nog %(hours)s uur over deze week", hours=_hours_text(left))))
        else:
            s.score += PENALTY_NO_HOURS_LEFT
            s.warnings.append(str(_l("Heeft de afgesproken uren deze week al gewerkt")))
        if pid in busy:
            s.score += PENALTY_BUSY_THAT_DAY
            s.warnings.append(str(_l("Heeft op deze dag al een andere klus")))
        if help_request.needs_vog:
            s.reasons.append(str(_l("Heeft een geldige VOG")))
        suggestions.append(s)
    suggestions.sort(key=lambda s: (-s.score, s.participant.last_name.lower(),
                                    s.participant.first_name.lower(), s.participant.id))
    return suggestions


def suggest(session: Session, help_request: HelpRequest, on: date,
            limit: int = 10) -> list[Suggestion]:
    """The best `limit` participants for the job on `on`, not counting those already on it."""
    return [s for s in rank(session, help_request, on) if not s.on_this_job][:limit]
