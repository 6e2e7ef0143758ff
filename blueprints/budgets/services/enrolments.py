"""Course proposals and approvals: a participant's budget pays for a course."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.budgets import ledger
from blueprints.budgets.models import (
    Course,
    CourseEnrolment,
    EnrolmentStatus,
    LedgerTransaction,
    TransactionKind,
)
from blueprints.budgets.services.rules import STATUS_LABELS, _require_admin
from blueprints.participants.models import Participant, ParticipantStatus
from tenants import audit
from tenants.actor import Actor
from tenants.bsn import BSN_MESSAGE, contains_bsn
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound
from tenants.formatting import format_money


def get_enrolment(session: Session, enrolment_id: int) -> CourseEnrolment:
    row = session.scalar(select(CourseEnrolment).where(CourseEnrolment.id == enrolment_id))
    if row is None:
        raise NotFound(_l("Dit voorstel bestaat niet."))
    return row


def _locked_enrolment(session: Session, enrolment: CourseEnrolment) -> CourseEnrolment:
    """The enrolment's row, locked for this transaction and read fresh."""
    row = session.scalar(select(CourseEnrolment).where(CourseEnrolment.id == enrolment.id)
                         .with_for_update().execution_options(populate_existing=True))
    if row is None:
        raise NotFound(_l("Dit voorstel bestaat niet."))
    return row


def _still_proposed(enrolment: CourseEnrolment) -> None:
    if enrolment.status == EnrolmentStatus.APPROVED:
        raise DomainError(_l("Deze cursus is al goedgekeurd en betaald."))
    if enrolment.status != EnrolmentStatus.PROPOSED:
        raise DomainError(_l("Dit voorstel is al afgehandeld (%(status)s).",
                             status=STATUS_LABELS[enrolment.status]))


def propose_course(session: Session, actor: Actor, participant: Participant, course: Course,
                   motivation: str | None = None,
                   starts_on: date | None = None) -> CourseEnrolment:
    """A supervisor (or admin) proposes a course for a participant; the cost is fixed now."""
    if participant.status == ParticipantStatus.ANONYMISED:
        raise DomainError(_l("Deze deelnemer is geanonimiseerd."))
    if not course.active:
        raise DomainError(_l("Deze cursus staat niet meer in de catalogus."))
    motivation = (motivation or "").strip() or None
    if motivation and len(motivation) > 2000:
        raise DomainError(_l("De motivatie is te lang (hoogstens 2000 tekens)."))
    if contains_bsn(motivation):
        raise DomainError(BSN_MESSAGE)
    waiting = session.scalar(select(CourseEnrolment.id).where(
        CourseEnrolment.participant_id == participant.id, CourseEnrolment.course_id == course.id,
        CourseEnrolment.status == EnrolmentStatus.PROPOSED))
    if waiting is not None:
        raise DomainError(_l("Deze cursus is al voorgesteld en wacht op een besluit."))
    enrolment = CourseEnrolment(participant_id=participant.id, course_id=course.id,
                                status=EnrolmentStatus.PROPOSED, cost_cents=course.cost_cents,
                                motivation=motivation, proposed_by_id=actor.user_id,
                                proposed_at=utcnow(), starts_on=starts_on)
    session.add(enrolment)
    session.flush()
    audit.record(session, actor, "course.proposed", enrolment, participant_id=participant.id,
                 course_id=course.id, cost_cents=course.cost_cents)
    return enrolment


def request_course(session: Session, actor: Actor, participant: Participant, course: Course,
                   motivation: str | None = None) -> CourseEnrolment:
    """A participant asks for a course from the catalogue themselves: the same proposal a
    supervisor makes (cost fixed now, an admin decides), recorded as the participant's request.
    Only for the participant's own record, while they take part."""
    if participant.user_id is None or participant.user_id != actor.user_id:
        raise NotFound(_l("Deze deelnemer bestaat niet."))
    if participant.status == ParticipantStatus.ENDED:
        raise DomainError(_l("Uw traject is afgerond; u kunt hier geen cursus meer aanvragen. "
                             "Vraag uw begeleider wat er kan."))
    enrolment = propose_course(session, actor, participant, course, motivation)
    audit.record(session, actor, "course.requested", enrolment, participant_id=participant.id,
                 course_id=course.id, cost_cents=course.cost_cents)
    return enrolment


def withdraw_enrolment(session: Session, actor: Actor,
                       enrolment: CourseEnrolment) -> CourseEnrolment:
    row = _locked_enrolment(session, enrolment)
    _still_proposed(row)
    row.status = EnrolmentStatus.WITHDRAWN
    row.decided_by_id, row.decided_at = actor.user_id, utcnow()
    audit.record(session, actor, "course.withdrawn", row, participant_id=row.participant_id)
    session.flush()
    return row


def _participant_name(session: Session, participant_id: int) -> str:
    row = session.execute(select(Participant.first_name, Participant.last_name)
                          .where(Participant.id == participant_id)).first()
    return f"{row[0]} {row[1]}".strip() if row else str(_l("de deelnemer"))


#: Where an approved course is paid from: the participant's budget, the collective pool, or the
#: budget as far as it goes with the rest from the pool (one transaction, both checked under lock).
SOURCES = ("budget", "pool", "split")


def approve_enrolment(session: Session, actor: Actor, enrolment: CourseEnrolment,
                      from_pool: bool = False, source: str | None = None) -> CourseEnrolment:
    """An admin approves: the cost is debited from the participant's budget (`source="budget"`,
    the default), from the collective pool (`"pool"`, or `from_pool=True`), or split (`"split"`):
    the participant's whole balance up to the cost, the rest from the pool. The accounts are
    locked before their balances are read, so the split and the checks that no account goes
    below zero are taken from the same state; it is one ledger transaction, reversed as one
    when the course is cancelled (each part back where it came from). A refusal changes
    nothing."""
    _require_admin(session, actor, _l("Alleen een beheerder keurt een cursus goed."))
    source = source or ("pool" if from_pool else "budget")
    if source not in SOURCES:
        raise DomainError(_l("Kies waaruit de cursus wordt betaald."))
    row = _locked_enrolment(session, enrolment)
    _still_proposed(row)
    cost = row.cost_cents
    name = _participant_name(session, row.participant_id)
    own = ledger.find_account(session, ledger.participant_key(row.participant_id))
    pool = ledger.find_account(session, ledger.POOL_KEY)
    if source == "budget":
        parts = {"budget": cost, "pool": 0}
    elif source == "pool":
        parts = {"budget": 0, "pool": cost}
    else:
        ledger.lock(session, [a for a in (own, pool) if a is not None])
        have = ledger.balances(session, [a for a in (own, pool) if a is not None])
        own_balance = max(have.get(own.id, 0), 0) if own is not None else 0
        pool_balance = max(have.get(pool.id, 0), 0) if pool is not None else 0
        parts = {"budget": min(own_balance, cost), "pool": cost - min(own_balance, cost)}
        if parts["pool"] > pool_balance:
            raise DomainError(_l(
                "Het budget van %(name)s (%(own)s) en de gezamenlijke pot (%(pool)s) zijn samen "
                "%(total)s; de cursus kost %(cost)s.", name=name, own=format_money(own_balance),
                pool=format_money(pool_balance), total=format_money(own_balance + pool_balance),
                cost=format_money(cost)))

    def refusal(acc, have, _need):
        if acc is not None and pool is not None and acc.id == pool.id:
            return _l("De gezamenlijke pot is %(balance)s; de cursus kost %(cost)s.",
                      balance=format_money(have), cost=format_money(cost))
        return _l("Het budget van %(name)s is %(balance)s; de cursus kost %(cost)s.",
                  name=name, balance=format_money(have), cost=format_money(cost))
    if parts["budget"] and own is None:
        raise DomainError(refusal(None, 0, cost))
    if parts["pool"] and pool is None:
        raise DomainError(_l("De gezamenlijke pot is %(balance)s; de cursus kost %(cost)s.",
                             balance=format_money(0), cost=format_money(cost)))
    course = session.scalar(select(Course).where(Course.id == row.course_id))
    suffix = {"budget": "", "pool": " (uit de pot)", "split": " (budget en pot)"}[source]
    entries = [ledger.Entry(ledger.courses_account(session), cost)]
    if parts["budget"]:
        entries.append(ledger.Entry(own, -parts["budget"]))
    if parts["pool"]:
        entries.append(ledger.Entry(pool, -parts["pool"]))
    tx = ledger.post(
        session, actor, key=f"course:{row.id}", kind=TransactionKind.COURSE,
        description=f"Cursus: {course.title}"[:300] + suffix, booked_on=date.today(),
        entries=entries, enrolment_id=row.id, refusal=refusal)
    row.status = EnrolmentStatus.APPROVED
    row.decided_by_id, row.decided_at = actor.user_id, utcnow()
    row.transaction_id = tx.id
    audit.record(session, actor, "course.approved", row, participant_id=row.participant_id,
                 cost_cents=cost, from_pool=source == "pool", source=source,
                 from_budget_cents=parts["budget"], from_pool_cents=parts["pool"],
                 transaction_id=tx.id)
    session.flush()
    return row


def decline_enrolment(session: Session, actor: Actor, enrolment: CourseEnrolment,
                      reason: str | None) -> CourseEnrolment:
    _require_admin(session, actor, _l("Alleen een beheerder wijst een voorstel af."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Schrijf waarom het voorstel wordt afgewezen."))
    if len(reason) > 1000:
        raise DomainError(_l("De reden is te lang (hoogstens 1000 tekens)."))
    if contains_bsn(reason):
        raise DomainError(BSN_MESSAGE)
    row = _locked_enrolment(session, enrolment)
    _still_proposed(row)
    row.status = EnrolmentStatus.DECLINED
    row.decline_reason = reason
    row.decided_by_id, row.decided_at = actor.user_id, utcnow()
    audit.record(session, actor, "course.declined", row, participant_id=row.participant_id)
    session.flush()
    return row


def cancel_enrolment(session: Session, actor: Actor, enrolment: CourseEnrolment,
                     reason: str | None) -> CourseEnrolment:
    """An approved course that does not take place: an admin cancels it and its cost goes back
    to where it came from (the participant's budget or the pool) by a reversing transaction,
    once (key course-refund:<enrolment id>). The reason is kept and shown."""
    _require_admin(session, actor, _l("Alleen een beheerder annuleert een cursus."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Schrijf waarom de cursus niet doorgaat."))
    if len(reason) > 1000:
        raise DomainError(_l("De reden is te lang (hoogstens 1000 tekens)."))
    if contains_bsn(reason):
        raise DomainError(BSN_MESSAGE)
    row = _locked_enrolment(session, enrolment)
    if row.status != EnrolmentStatus.APPROVED or row.transaction_id is None:
        raise DomainError(_l("Alleen een goedgekeurde cursus kan worden geannuleerd; deze is "
                             "‘%(status)s’.", status=STATUS_LABELS[row.status]))
    paid = session.scalar(select(LedgerTransaction).where(
        LedgerTransaction.id == row.transaction_id))
    course = session.scalar(select(Course).where(Course.id == row.course_id))
    tx = ledger.reverse(session, actor, paid, key=f"course-refund:{row.id}",
                        description=f"Cursus geannuleerd: {course.title}"[:300],
                        enrolment_id=row.id)
    row.status = EnrolmentStatus.CANCELLED
    row.decline_reason = reason
    audit.record(session, actor, "course.cancelled", row, participant_id=row.participant_id,
                 refunded_cents=row.cost_cents, transaction_id=tx.id)
    session.flush()
    return row
