"""The status flow: plan, done, declined, invoiced."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.helprequests.models import Assignment, HelpRequest, PriceAgreement, RequestStatus
from blueprints.helprequests.services.rules import (
    MAX_DURATION,
    MAX_PARTICIPANTS,
    MIN_DURATION,
    STATUS_LABELS,
    TRANSITIONS,
    vog_valid_on,
)
from blueprints.helprequests.services.suggestions import rank
from blueprints.participants.models import Participant, ParticipantStatus
from tenants import audit
from tenants.actor import Actor
from tenants.bsn import BSN_MESSAGE, contains_bsn
from tenants.errors import DomainError, NotFound
from tenants.formatting import format_date


def _can(help_request: HelpRequest, to: RequestStatus) -> bool:
    return to in TRANSITIONS[help_request.status]


def plan_request(session: Session, actor: Actor, help_request: HelpRequest, on: date,
                 participant_ids: Iterable[int], today: date | None = None, *,
                 at: time | None = None, minutes: int | None = None) -> list[Participant]:
    """Plan (or plan again) a job on a date with one or more participants, optionally at a
    time of day (`at`) and for a duration (`minutes`, 15 minutes to 12 hours).

    Each participant needs a running trajectory, and a valid VOG on that date when the job asks
    for one. The suggestion reasons are kept with each assignment. Returns who should hear
    about it: the newly assigned, or everyone assigned when the date changed."""
    today = today or date.today()
    if not _can(help_request, RequestStatus.PLANNED):
        raise DomainError(_l("Een hulpvraag met status ‘%(status)s’ kan niet worden ingepland.",
                             status=STATUS_LABELS[help_request.status]))
    if on < today:
        raise DomainError(_l("Kies een datum vandaag of later."))
    if minutes is not None and not MIN_DURATION <= minutes <= MAX_DURATION:
        raise DomainError(_l("Een klus duurt tussen een kwartier en 12 uur."))
    ids = list(dict.fromkeys(int(i) for i in participant_ids))
    if not ids:
        raise DomainError(_l("Kies minstens één deelnemer."))
    if len(ids) > MAX_PARTICIPANTS:
        raise DomainError(_l("Plan hoogstens %(n)s deelnemers op één klus.", n=MAX_PARTICIPANTS))
    people = list(session.scalars(select(Participant).where(Participant.id.in_(ids))))
    if len(people) != len(ids):
        raise DomainError(_l("Deze deelnemer bestaat niet."))
    for person in people:
        if person.status != ParticipantStatus.ACTIVE:
            raise DomainError(_l("%(name)s heeft geen lopend traject en kan niet worden "
                                 "ingepland.", name=person.full_name))
        if help_request.needs_vog and not vog_valid_on(person, on):
            raise DomainError(_l("%(name)s heeft geen geldige VOG, en deze klus vraagt er een.",
                                 name=person.full_name))
    reasons = {s.participant.id: "; ".join(s.reasons)[:300]
               for s in rank(session, help_request, on, only=set(ids))}
    existing = {a.participant_id: a for a in session.scalars(
        select(Assignment).where(Assignment.help_request_id == help_request.id))}
    for participant_id, assignment in existing.items():
        if participant_id not in ids:
            session.delete(assignment)
    new = [p for p in people if p.id not in existing]
    for person in new:
        session.add(Assignment(help_request_id=help_request.id, participant_id=person.id,
                               reason=reasons.get(person.id) or None))
    date_changed = (help_request.planned_on != on
                    or (help_request.planned_at != at and help_request.planned_on is not None))
    help_request.planned_on = on
    help_request.planned_at = at
    help_request.duration_minutes = minutes
    help_request.planned_by_id = actor.user_id
    help_request.status = RequestStatus.PLANNED
    session.flush()
    audit.record(session, actor, "help_request.planned", help_request, planned_on=on.isoformat(),
                 planned_at=at.strftime("%H:%M") if at else None, duration_minutes=minutes,
                 participants=[str(i) for i in ids])
    notify = people if date_changed else new
    return sorted(notify, key=lambda p: (p.last_name.lower(), p.first_name.lower(), p.id))


def mark_done(session: Session, actor: Actor, help_request: HelpRequest, done_on: date,
              today: date | None = None) -> HelpRequest:
    """A planned job was done on `done_on` (not in the future)."""
    today = today or date.today()
    if not _can(help_request, RequestStatus.DONE):
        raise DomainError(_l("Alleen een ingeplande klus kan als uitgevoerd worden gemeld; "
                             "deze is ‘%(status)s’.", status=STATUS_LABELS[help_request.status]))
    if done_on > today:
        raise DomainError(_l("De datum van uitvoering kan niet in de toekomst liggen."))
    help_request.status = RequestStatus.DONE
    help_request.done_on = done_on
    audit.record(session, actor, "help_request.done", help_request, done_on=done_on.isoformat())
    return help_request


def report_own_job_done(session: Session, actor: Actor, participant_id: int,
                        help_request: HelpRequest, today: date | None = None) -> HelpRequest:
    """A participant planned on a job says it is done ("klaar"), on its day or later: the job is
    done today, as when a supervisor reports it. Someone not planned on it gets NotFound (their
    job list never showed it); a job that is not planned (any more) gets a Dutch message."""
    today = today or date.today()
    planned_on_it = session.scalar(select(Assignment.id).where(
        Assignment.help_request_id == help_request.id,
        Assignment.participant_id == participant_id))
    if planned_on_it is None:
        raise NotFound(_l("Deze klus bestaat niet."))
    if help_request.status == RequestStatus.DONE:
        raise DomainError(_l("Deze klus is al als klaar gemeld."))
    if help_request.planned_on is not None and help_request.planned_on > today:
        raise DomainError(_l("Deze klus staat gepland op %(date)s; meld hem klaar als hij gedaan "
                             "is.", date=format_date(help_request.planned_on)))
    return mark_done(session, actor, help_request, today, today=today)


def decline_request(session: Session, actor: Actor, help_request: HelpRequest,
                    reason: str | None) -> HelpRequest:
    """Decline a new or planned request, with the reason the resident is told.

    The reason stays out of the audit log (it may describe the resident)."""
    if not _can(help_request, RequestStatus.DECLINED):
        raise DomainError(_l("Een hulpvraag met status ‘%(status)s’ kan niet meer worden "
                             "afgewezen.", status=STATUS_LABELS[help_request.status]))
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise DomainError(_l("Vul de reden in: die krijgt de bewoner te horen."))
    if len(reason) > 1000:
        raise DomainError(_l("Een van de velden is te lang: hoogstens %(n)s tekens.", n=1000))
    if contains_bsn(reason):
        raise DomainError(BSN_MESSAGE)
    help_request.status = RequestStatus.DECLINED
    help_request.decline_reason = reason
    audit.record(session, actor, "help_request.declined", help_request)
    return help_request


def mark_invoiced(session: Session, actor: Actor, help_request: HelpRequest) -> HelpRequest:
    """Called by invoicing when the job is on an invoice. A free job is never invoiced."""
    if not _can(help_request, RequestStatus.INVOICED):
        raise DomainError(_l("Alleen een uitgevoerde klus kan worden gefactureerd; deze is "
                             "‘%(status)s’.", status=STATUS_LABELS[help_request.status]))
    if help_request.price_agreement == PriceAgreement.FREE:
        raise DomainError(_l("Een gratis klus wordt niet gefactureerd."))
    help_request.status = RequestStatus.INVOICED
    audit.record(session, actor, "help_request.invoiced", help_request)
    return help_request
