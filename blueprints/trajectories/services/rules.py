"""Trajectory rules: creating, extending, the status flow, ending with an outcome, legal-limit warnings."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from blueprints.participants.models import HostOrganisation, Participant, ParticipantStatus
from blueprints.participants.services.host_organisations import check_payer
from blueprints.trajectories.models import (
    Evaluation,
    Funding,
    Outcome,
    Trajectory,
    TrajectoryEvent,
    TrajectoryKind,
    TrajectoryStatus,
)
from blueprints.trajectories.services.goals import plan_evaluation
from tenants import audit, events
from tenants.actor import Actor
from tenants.bsn import BSN_MESSAGE, contains_bsn
from tenants.errors import DomainError, NotFound
from tenants.formatting import format_date
from tenants.models import User

KIND_LABELS = {
    TrajectoryKind.SOCIAL_JOB: _l("Maatschappelijke baan"),
    TrajectoryKind.BASIC_JOB: _l("Basisbaan"),
    TrajectoryKind.LEARNING_WORK: _l("Leerwerktraject"),
    TrajectoryKind.VOLUNTEER: _l("Vrijwilligerswerk"),
    TrajectoryKind.PARTICIPATION_PLACE: _l("Participatieplaats"),
    TrajectoryKind.TRIAL_PLACE: _l("Proefplaats"),
    TrajectoryKind.COUNTER_PERFORMANCE: _l("Tegenprestatie / maatschappelijke participatie"),
    TrajectoryKind.SHELTERED: _l("Beschut werk"),
    TrajectoryKind.DAY_ACTIVITIES: _l("Dagbesteding"),
}
STATUS_LABELS = {
    TrajectoryStatus.INTAKE: _l("Intake"), TrajectoryStatus.ACTIVE: _l("Actief"),
    TrajectoryStatus.PAUSED: _l("Gepauzeerd"), TrajectoryStatus.ENDED: _l("Afgerond"),
}
FUNDING_LABELS = {
    Funding.MUNICIPAL_CONTRACT: _l("Gemeentelijk contract"), Funding.SUBSIDY: _l("Subsidie"),
    Funding.OWN: _l("Eigen middelen"),
}
OUTCOME_LABELS = {
    Outcome.PAID_WORK: _l("Betaald werk"),
    Outcome.SELF_EMPLOYED: _l("Eigen bedrijf (zelfstandig ondernemer)"),
    Outcome.EDUCATION: _l("Opleiding / leerwerktraject"),
    Outcome.VOLUNTEERING: _l("Vast vrijwilligerswerk"), Outcome.SHELTERED: _l("Beschut werk"),
    Outcome.DAY_ACTIVITIES: _l("Dagbesteding"), Outcome.DROPPED_OUT: _l("Uitgevallen"),
    Outcome.MOVED: _l("Verhuisd"), Outcome.DECEASED: _l("Overleden"),
}
TRANSITIONS = {
    TrajectoryStatus.INTAKE: {TrajectoryStatus.ACTIVE, TrajectoryStatus.ENDED},
    TrajectoryStatus.ACTIVE: {TrajectoryStatus.PAUSED, TrajectoryStatus.ENDED},
    TrajectoryStatus.PAUSED: {TrajectoryStatus.ACTIVE, TrajectoryStatus.ENDED},
    TrajectoryStatus.ENDED: set(),
}
MAX_HOURS = Decimal("40")
MAX_REASON = 500
#: When the first evaluation of a new trajectory is planned, in months after its start. A
#: proefplaats is evaluated at its two months (Pw art. 8a lid 2 d: continue, extend by at most
#: four months, or stop); work-like trajectories after three months, the first quarter in
#: which agreed hours have usually been built up; volunteering, tegenprestatie and
#: dagbesteding after six. Never later than the planned end: then at the end.
FIRST_EVALUATION_MONTHS = {
    TrajectoryKind.TRIAL_PLACE: 2,
    TrajectoryKind.SOCIAL_JOB: 3,
    TrajectoryKind.BASIC_JOB: 3,
    TrajectoryKind.LEARNING_WORK: 3,
    TrajectoryKind.PARTICIPATION_PLACE: 3,
    TrajectoryKind.SHELTERED: 3,
    TrajectoryKind.VOLUNTEER: 6,
    TrajectoryKind.COUNTER_PERFORMANCE: 6,
    TrajectoryKind.DAY_ACTIVITIES: 6,
}


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def parse_hours(value) -> Decimal:
    try:
        hours = Decimal(str(value).replace(",", ".")).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise DomainError(_l("Vul het aantal uren in als getal, bijvoorbeeld 9,5."))
    if not hours.is_finite():  # "NaN", "Infinity": Decimal reads them, no hours are
        raise DomainError(_l("Vul het aantal uren in als getal, bijvoorbeeld 9,5."))
    if hours <= 0 or hours > MAX_HOURS:
        raise DomainError(_l("Vul meer dan 0 en hoogstens 40 uur per week in."))
    return hours


@dataclass
class TrajectoryData:
    kind: TrajectoryKind
    starts_on: date
    hours_per_week: Decimal
    funding: Funding
    planned_end_on: date | None = None
    host_organisation_id: int | None = None
    host_supervisor_name: str | None = None
    host_supervisor_contact: str | None = None
    job_coach_id: int | None = None
    build_up: list[tuple[date, Decimal]] = field(default_factory=list)
    #: the customer funding it: who pays its hours (see blueprints.hours.services.payer)
    payer_customer_id: int | None = None



def _values(session: Session, data: TrajectoryData, current: int | None = None) -> dict:
    if data.planned_end_on and data.planned_end_on < data.starts_on:
        raise DomainError(_l("De geplande einddatum ligt vóór de startdatum."))
    hours = parse_hours(data.hours_per_week)
    check_payer(session, data.payer_customer_id, current)  # participants' rule
    if data.host_organisation_id is not None:
        host = session.scalar(select(HostOrganisation).where(
            HostOrganisation.id == data.host_organisation_id))
        if host is None:
            raise DomainError(_l("Deze inzetorganisatie bestaat niet."))
    for text in (data.host_supervisor_name, data.host_supervisor_contact):
        if contains_bsn(text):
            raise DomainError(BSN_MESSAGE)
    steps = []
    previous = None
    for start, step_hours in sorted(data.build_up):
        step_hours = parse_hours(step_hours)
        if start < data.starts_on or (data.planned_end_on and start > data.planned_end_on):
            raise DomainError(_l("Een stap in de opbouw valt buiten de looptijd van het traject."))
        if previous is not None and step_hours < previous:
            raise DomainError(_l("De opbouw van uren loopt op, bijvoorbeeld 8 → 16 → 24."))
        previous = step_hours
        steps.append({"from": start.isoformat(), "hours": str(step_hours)})
    clean = lambda v: (v or "").strip() or None  # noqa: E731
    return {"kind": data.kind, "starts_on": data.starts_on, "planned_end_on": data.planned_end_on,
            "hours_per_week": hours, "funding": data.funding,
            "host_organisation_id": data.host_organisation_id,
            "host_supervisor_name": clean(data.host_supervisor_name),
            "host_supervisor_contact": clean(data.host_supervisor_contact),
            "job_coach_id": data.job_coach_id, "build_up": steps,
            "payer_customer_id": data.payer_customer_id}


def _event(session: Session, actor: Actor, trajectory: Trajectory, from_status, to_status,
           note: str | None = None) -> None:
    session.add(TrajectoryEvent(
        trajectory_id=trajectory.id, actor_user_id=actor.user_id, actor_name=actor.email,
        from_status=from_status.value if from_status else None,
        to_status=to_status.value if to_status else None, note=note))


def create_trajectory(session: Session, actor: Actor, participant: Participant,
                      data: TrajectoryData) -> Trajectory:
    """Start a trajectory (status intake) for a participant."""
    if participant.status == ParticipantStatus.ANONYMISED:
        raise DomainError(_l("Deze deelnemer is geanonimiseerd."))
    trajectory = Trajectory(participant_id=participant.id, status=TrajectoryStatus.INTAKE,
                            **_values(session, data))
    session.add(trajectory)
    session.flush()
    _event(session, actor, trajectory, None, TrajectoryStatus.INTAKE, "aangemaakt")
    audit.record(session, actor, "trajectory.created", trajectory,
                 participant_id=participant.id, kind=data.kind.value)
    plan_evaluation(session, actor, trajectory, first_evaluation_on(trajectory))
    sync_participant_status(session, participant)
    return trajectory


def first_evaluation_on(trajectory: Trajectory) -> date:
    """The first evaluation of a new trajectory, by kind (FIRST_EVALUATION_MONTHS), at the
    latest on the planned end."""
    planned = add_months(trajectory.starts_on, FIRST_EVALUATION_MONTHS.get(trajectory.kind, 3))
    if trajectory.planned_end_on is not None and trajectory.planned_end_on < planned:
        return trajectory.planned_end_on
    return planned


def extend_trajectory(session: Session, actor: Actor, trajectory: Trajectory, new_end: date,
                      reason: str | None, today: date | None = None) -> Trajectory:
    """Give a running trajectory a new planned end, with a reason that goes into its history
    and the audit log. Refuses an ended trajectory, a date in the past or before the start,
    the same date, and a missing reason. The legal limits stay warnings (see `warnings`)."""
    today = today or date.today()
    if trajectory.status == TrajectoryStatus.ENDED:
        raise DomainError(_l("Een afgerond traject kan niet meer worden verlengd."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Schrijf waarom het traject wordt verlengd."))
    if len(reason) > MAX_REASON:
        raise DomainError(_l("De reden is te lang: hoogstens %(n)s tekens.", n=MAX_REASON))
    if contains_bsn(reason):
        raise DomainError(BSN_MESSAGE)
    if new_end is None or new_end < today:
        raise DomainError(_l("De nieuwe einddatum ligt in het verleden."))
    if new_end < trajectory.starts_on:
        raise DomainError(_l("De geplande einddatum ligt vóór de startdatum."))
    if new_end == trajectory.planned_end_on:
        raise DomainError(_l("Dit is al de geplande einddatum."))
    old = trajectory.planned_end_on
    trajectory.planned_end_on = new_end
    _event(session, actor, trajectory, None, None,
           f"verlengd tot {new_end.isoformat()} (was {old.isoformat() if old else '—'}): {reason}")
    audit.record(session, actor, "trajectory.extended", trajectory,
                 old=old.isoformat() if old else None, new=new_end.isoformat())
    session.flush()
    return trajectory


def update_trajectory(session: Session, actor: Actor, trajectory: Trajectory,
                      data: TrajectoryData) -> Trajectory:
    if trajectory.status == TrajectoryStatus.ENDED:
        raise DomainError(_l("Een afgerond traject kan niet meer worden gewijzigd."))
    values = _values(session, data, trajectory.payer_customer_id)
    changed = sorted(k for k, v in values.items() if getattr(trajectory, k) != v)
    for key, value in values.items():
        setattr(trajectory, key, value)
    _event(session, actor, trajectory, None, None, "gewijzigd: " + ", ".join(changed))
    audit.record(session, actor, "trajectory.updated", trajectory, fields=changed)
    return trajectory


def change_status(session: Session, actor: Actor, trajectory: Trajectory,
                  to: TrajectoryStatus, note: str | None = None) -> Trajectory:
    """Move along the status flow; ending goes through `end_trajectory` (it needs an outcome)."""
    if to == TrajectoryStatus.ENDED:
        raise DomainError(_l("Rond een traject af met een uitstroomresultaat."))
    if to not in TRANSITIONS[trajectory.status]:
        raise DomainError(_l("Van %(old)s naar %(new)s kan niet.",
                             old=STATUS_LABELS[trajectory.status], new=STATUS_LABELS[to]))
    if contains_bsn(note):
        raise DomainError(BSN_MESSAGE)
    old = trajectory.status
    trajectory.status = to
    _event(session, actor, trajectory, old, to, (note or "").strip() or None)
    audit.record(session, actor, "trajectory.status_changed", trajectory, old=old.value,
                 new=to.value)
    sync_participant_status(session, participant_of(session, trajectory))
    return trajectory


def end_trajectory(session: Session, actor: Actor, trajectory: Trajectory, outcome: Outcome,
                   outcome_on: date, hours: str | None = None, contract: str | None = None,
                   note: str | None = None) -> Trajectory:
    """End a trajectory with its outcome (uitstroom); reports count on it. Sends
    `events.trajectory_ended` inside this transaction: a subscriber's refusal undoes the end."""
    if TrajectoryStatus.ENDED not in TRANSITIONS[trajectory.status]:
        raise DomainError(_l("Dit traject is al afgerond."))
    if not isinstance(outcome, Outcome):
        raise DomainError(_l("Kies het uitstroomresultaat."))
    if outcome_on < trajectory.starts_on:
        raise DomainError(_l("De einddatum ligt vóór de startdatum van het traject."))
    if outcome_on > date.today() + timedelta(days=1):
        raise DomainError(_l("Een traject kan niet in de toekomst zijn afgerond."))
    if contains_bsn(note) or contains_bsn(contract):
        raise DomainError(BSN_MESSAGE)
    paid_hours = None
    if outcome == Outcome.PAID_WORK:
        if not (contract or "").strip():
            raise DomainError(_l("Vul bij betaald werk het soort contract in."))
        paid_hours = parse_hours(hours) if hours not in (None, "") else None
        if paid_hours is None:
            raise DomainError(_l("Vul bij betaald werk het aantal uren per week in."))
    old = trajectory.status
    trajectory.status = TrajectoryStatus.ENDED
    trajectory.outcome = outcome
    trajectory.outcome_on = outcome_on
    trajectory.outcome_hours = paid_hours
    trajectory.outcome_contract = ((contract or "").strip() or None) if paid_hours else None
    _event(session, actor, trajectory, old, TrajectoryStatus.ENDED,
           f"uitstroom: {outcome.value}" + (f" – {note.strip()}" if note and note.strip() else ""))
    audit.record(session, actor, "trajectory.ended", trajectory, outcome=outcome.value)
    sync_participant_status(session, participant_of(session, trajectory))
    session.flush()
    events.trajectory_ended.send(trajectory, session=session, actor=actor)
    return trajectory


def participant_of(session: Session, trajectory: Trajectory) -> Participant:
    return session.scalar(select(Participant).where(Participant.id == trajectory.participant_id))


def sync_participant_status(session: Session, participant: Participant) -> None:
    """The participant's status follows their trajectories (most advanced one wins)."""
    if participant.status == ParticipantStatus.ANONYMISED:
        return
    session.flush()
    statuses = set(session.scalars(select(Trajectory.status).where(
        Trajectory.participant_id == participant.id)))
    if TrajectoryStatus.ACTIVE in statuses:
        participant.status = ParticipantStatus.ACTIVE
    elif TrajectoryStatus.PAUSED in statuses:
        participant.status = ParticipantStatus.PAUSED
    elif TrajectoryStatus.INTAKE in statuses or not statuses:
        participant.status = ParticipantStatus.INTAKE
    else:
        participant.status = ParticipantStatus.ENDED


def get_trajectory(session: Session, trajectory_id: int) -> Trajectory:
    trajectory = session.scalar(select(Trajectory).where(Trajectory.id == trajectory_id))
    if trajectory is None:
        raise NotFound(_l("Dit traject bestaat niet."))
    return trajectory


@dataclass(frozen=True)
class TrajectoryFile:
    """A trajectory with what its page shows of the rows it points to."""

    trajectory: Trajectory
    participant: Participant
    host: HostOrganisation | None
    coach: str | None


@cache
def _file_statement():
    # built once (a statement's expressions cost more to build than to run)
    return (select(Trajectory, Participant, HostOrganisation, User.name)
            .join(Participant, Participant.id == Trajectory.participant_id)
            .outerjoin(HostOrganisation, HostOrganisation.id == Trajectory.host_organisation_id)
            .outerjoin(User, User.id == Trajectory.job_coach_id)
            .where(Trajectory.id == bindparam("trajectory_id")))


def trajectory_file(session: Session, trajectory_id: int) -> TrajectoryFile:
    """The trajectory, its participant, its host organisation and its job coach's name (one
    statement: joins; the participant and the host are tenant rows, joined on the tenant too)."""
    row = session.execute(_file_statement(), {"trajectory_id": trajectory_id}).first()
    if row is None:
        raise NotFound(_l("Dit traject bestaat niet."))
    return TrajectoryFile(*row)


@cache
def _trajectories_statement():
    return select(Trajectory).where(Trajectory.participant_id == bindparam("participant_id")) \
        .order_by(Trajectory.starts_on.desc())


def trajectories_of(session: Session, participant: Participant) -> list[Trajectory]:
    return list(session.scalars(_trajectories_statement(), {"participant_id": participant.id}))


@cache
def _history_statement():
    return select(TrajectoryEvent).where(
        TrajectoryEvent.trajectory_id == bindparam("trajectory_id")).order_by(
        TrajectoryEvent.at.desc(), TrajectoryEvent.id.desc())


def history(session: Session, trajectory: Trajectory) -> list[TrajectoryEvent]:
    return list(session.scalars(_history_statement(), {"trajectory_id": trajectory.id}))


def agreed_hours_on(trajectory: Trajectory, day: date) -> Decimal:
    """The agreed hours a week on `day`, following the build-up schedule."""
    hours = trajectory.hours_per_week
    for step in trajectory.build_up or []:
        if date.fromisoformat(step["from"]) <= day:
            hours = Decimal(step["hours"])
    return hours


# --- warnings -------------------------------------------------------------------------------

_READ = object()


def warnings(session: Session, trajectory: Trajectory, participant: Participant,
             today: date | None = None, *, host: HostOrganisation | None | object = _READ,
             evaluations: list[Evaluation] | None = None) -> list[str]:
    """Legal limits and missing documents that apply to this trajectory, as messages. A page
    that has read the trajectory's host (or None) and its evaluations passes them: then no
    statement is made."""
    today = today or date.today()
    found: list[str] = []
    if trajectory.status == TrajectoryStatus.ENDED:
        return found
    end = trajectory.planned_end_on or today
    if trajectory.planned_end_on is not None and trajectory.planned_end_on < today:
        found.append(str(_l("De geplande einddatum (%(date)s) is verstreken: verleng het traject "
                            "of rond het af.", date=format_date(trajectory.planned_end_on))))
    if trajectory.kind == TrajectoryKind.TRIAL_PLACE:
        if end > add_months(trajectory.starts_on, 6):
            found.append(str(_l(
                "Een proefplaats duurt hoogstens 2 maanden plus 4 maanden verlenging "
                "(Pw art. 8a lid 2 onder d); deze loopt langer.")))
        elif end > add_months(trajectory.starts_on, 2):
            found.append(str(_l(
                "Een proefplaats duurt 2 maanden; verlenging (hoogstens 4 maanden) moet met de "
                "gemeente zijn afgesproken.")))
    if trajectory.kind == TrajectoryKind.PARTICIPATION_PLACE:
        nine = add_months(trajectory.starts_on, 9)
        six = add_months(trajectory.starts_on, 6)
        if evaluations is not None:
            held = next((e.id for e in evaluations
                         if e.held_on is not None and e.held_on >= six), None)
        else:
            held = session.scalar(select(Evaluation.id).where(
                Evaluation.trajectory_id == trajectory.id, Evaluation.held_on.is_not(None),
                Evaluation.held_on >= six))
        if today >= nine and held is None:
            found.append(str(_l(
                "Een participatieplaats wordt na 9 maanden geëvalueerd (Pw art. 10a); die "
                "evaluatie is niet vastgelegd.")))
        if end > add_months(trajectory.starts_on, 24):
            found.append(str(_l(
                "Een participatieplaats duurt hoogstens 2 jaar, met twee keer een jaar "
                "verlenging (Pw art. 10a).")))
    if trajectory.host_organisation_id is not None:
        if host is _READ:
            host = session.scalar(select(HostOrganisation).where(
                HostOrganisation.id == trajectory.host_organisation_id))
        if host is not None and host.vog_required:
            if not participant.vog_present:
                found.append(str(_l("%(host)s vraagt een VOG; die ontbreekt.", host=host.name)))
            elif participant.vog_renewal_due and participant.vog_renewal_due <= today:
                found.append(str(_l("%(host)s vraagt een VOG; de VOG moet vernieuwd worden.",
                                    host=host.name)))
    if trajectory.agreement_signed_on is None and trajectory.status == TrajectoryStatus.ACTIVE:
        found.append(str(_l("De overeenkomst is nog niet getekend.")))
    if trajectory.planned_end_on is not None:
        if evaluations is not None:
            late = min((e.planned_on for e in evaluations if e.held_on is None
                        and e.planned_on > trajectory.planned_end_on), default=None)
        else:
            late = session.scalar(select(func.min(Evaluation.planned_on)).where(
                Evaluation.trajectory_id == trajectory.id, Evaluation.held_on.is_(None),
                Evaluation.planned_on > trajectory.planned_end_on))
        if late is not None:
            found.append(evaluation_after_end(trajectory, late))
    return found


def evaluation_after_end(trajectory: Trajectory, planned_on: date | None) -> str | None:
    """A warning when an evaluation is planned after the trajectory's planned end."""
    if planned_on is None or trajectory.planned_end_on is None \
            or planned_on <= trajectory.planned_end_on:
        return None
    return str(_l("De evaluatie van %(date)s ligt na de geplande einddatum (%(end)s): verleng "
                  "het traject of plan de evaluatie eerder.", date=format_date(planned_on),
                  end=format_date(trajectory.planned_end_on)))
