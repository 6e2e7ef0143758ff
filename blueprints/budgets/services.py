"""Rules for training budgets: the allocation policy, crediting paid invoices, reversing for
credit notes, the course catalogue, proposals and approvals, and unspent budget at the end of a
trajectory. The bookkeeping itself is in ledger.py (double entry, append-only, idempotent).

Accounts: "participant:<id>" (a participant's budget), "pool" (the collective pool), and the
counter-accounts "earnings", "courses", "cooperative". Transactions and their keys:
- allocation:<invoice id>   a paid invoice: +budget (+pool share) / −earnings, one entry pair
                            per invoice line that has a participant (the line is "what earned it");
- reversal:<credit note id> a credit note after the allocation: +earnings / −budget, and where
                            the budget was already spent, −cooperative (the cooperative absorbs it,
                            no budget goes below zero);
- course:<enrolment id>     an approved course: −budget (or −pool) / +courses;
- to-pool:<trajectory id>   the end of the last running trajectory under the "naar de pot" rule.

Stored descriptions name invoices and courses, never the participant: the ledger is kept for
seven years and stays readable after a participant is anonymised.

Services flush, never commit; they take the session, the actor and plain values.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blueprints.budgets import ledger
from blueprints.budgets.models import (
    AccountKind,
    AllocationMode,
    BudgetPolicy,
    Course,
    CourseEnrolment,
    EnrolmentStatus,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
    UnspentOnEnd,
)
from blueprints.helprequests.services import parse_money
from blueprints.invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineSource,
    Payment,
)
from blueprints.participants.models import Participant, ParticipantStatus
from blueprints.participants.services import BSN_MESSAGE, contains_bsn
from tenants import audit
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.formatting import format_money
from tenants.models import Membership, Role

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PAGE_SIZE = 50
MAX_COURSE_HOURS = 10_000

MODE_LABELS = {
    AllocationMode.NONE: _l("Niets naar budgetten"),
    AllocationMode.INVOICED_VALUE: _l("De gefactureerde waarde (excl. btw)"),
    AllocationMode.PERCENTAGE: _l("Een percentage van de gefactureerde waarde"),
    AllocationMode.PER_HOUR: _l("Een vast bedrag per gefactureerd uur"),
}
UNSPENT_LABELS = {
    UnspentOnEnd.STAYS: _l("Het budget blijft van de deelnemer"),
    UnspentOnEnd.TO_POOL: _l("Het budget gaat naar de gezamenlijke pot"),
}
KIND_LABELS = {
    TransactionKind.ALLOCATION: _l("Verdiend"),
    TransactionKind.COURSE: _l("Cursus"),
    TransactionKind.REVERSAL: _l("Teruggeboekt"),
    TransactionKind.TO_POOL: _l("Naar de pot"),
    TransactionKind.CORRECTION: _l("Correctie"),
}
STATUS_LABELS = {
    EnrolmentStatus.PROPOSED: _l("Voorgesteld"),
    EnrolmentStatus.APPROVED: _l("Goedgekeurd"),
    EnrolmentStatus.DECLINED: _l("Afgewezen"),
    EnrolmentStatus.WITHDRAWN: _l("Ingetrokken"),
    EnrolmentStatus.CANCELLED: _l("Geannuleerd"),
}


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, exactly (integers only)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    q = (2 * abs(numerator) + denominator) // (2 * denominator)
    return q if numerator >= 0 else -q


def _require_admin(session: Session, actor: Actor, message) -> None:
    """Defence in depth for admin decisions (the route checks too). The system actor (CLI,
    demo data) has no user and may act."""
    if actor.user_id is None:
        return
    role = session.scalar(select(Membership.role).where(Membership.user_id == actor.user_id))
    if role is None or role.rank < Role.ADMIN.rank:
        raise PermissionDenied(message)


# --- the policy ------------------------------------------------------------------------------

def get_policy(session: Session) -> BudgetPolicy:
    """The tenant's allocation rule; an unsaved default (gefactureerde waarde, no pool share,
    budget stays) while none has been saved."""
    row = session.scalar(select(BudgetPolicy))
    if row is not None:
        return row
    return BudgetPolicy(mode=AllocationMode.INVOICED_VALUE, percentage=None, cents_per_hour=None,
                        pool_share_percent=0, unspent_on_end=UnspentOnEnd.STAYS)


def _whole_percent(value, message) -> int:
    if isinstance(value, bool):
        raise DomainError(message)
    if isinstance(value, int):
        number = value
    else:
        text = (value or "").strip().rstrip("%").strip()
        if not text.isdigit():
            raise DomainError(message)
        number = int(text)
    if not 0 <= number <= 100:
        raise DomainError(message)
    return number


def _enum_value(enum_cls, value, message):
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(value)
    except ValueError:
        raise DomainError(message)


def save_policy(session: Session, actor: Actor, *, mode, percentage=None, per_hour=None,
                pool_share_percent=0, unspent_on_end=UnspentOnEnd.STAYS) -> BudgetPolicy:
    """Save the allocation rule. `percentage` and `pool_share_percent`: whole percent 0–100 (text
    or int); `per_hour`: an amount as typed ("7,50") or cents (int). Validates everything first."""
    mode = _enum_value(AllocationMode, mode, _l("Kies hoe verdiensten naar budgetten gaan."))
    unspent = _enum_value(UnspentOnEnd, unspent_on_end,
                          _l("Kies wat er met een ongebruikt budget gebeurt."))
    pct = cents = None
    if mode == AllocationMode.PERCENTAGE:
        pct = _whole_percent(percentage, _l("Vul een percentage in van 0 tot en met 100."))
    if mode == AllocationMode.PER_HOUR:
        cents = per_hour if isinstance(per_hour, int) and not isinstance(per_hour, bool) \
            else parse_money(per_hour)
        if cents is None or cents <= 0:
            raise DomainError(_l("Vul een bedrag per uur in dat groter is dan € 0, "
                                 "bijvoorbeeld 7,50."))
    share = 0 if pool_share_percent in (None, "") else _whole_percent(
        pool_share_percent, _l("Vul voor de pot een percentage in van 0 tot en met 100."))
    row = session.scalar(select(BudgetPolicy).with_for_update())
    if row is None:
        try:
            with session.begin_nested():
                row = BudgetPolicy(mode=mode)
                session.add(row)
                session.flush()
        except IntegrityError:  # another admin saved the first policy at the same moment
            row = session.scalar(select(BudgetPolicy).with_for_update())
            if row is None:
                raise
    row.mode, row.percentage, row.cents_per_hour = mode, pct, cents
    row.pool_share_percent, row.unspent_on_end = share, unspent
    row.updated_at = utcnow()
    audit.record(session, actor, "budget.policy_saved", row, mode=mode.value, percentage=pct,
                 cents_per_hour=cents, pool_share_percent=share, unspent_on_end=unspent.value)
    session.flush()
    return row


def policy_summary(policy: BudgetPolicy) -> str:
    """One Dutch sentence: what a paid invoice brings to a budget."""
    if policy.mode == AllocationMode.NONE:
        return str(_l("Betaalde facturen gaan niet naar budgetten."))
    if policy.mode == AllocationMode.PERCENTAGE:
        rule = _l("%(pct)s%% van de gefactureerde waarde (excl. btw)", pct=policy.percentage)
    elif policy.mode == AllocationMode.PER_HOUR:
        rule = _l("%(amount)s per gefactureerd uur", amount=format_money(policy.cents_per_hour))
    else:
        rule = _l("de gefactureerde waarde (excl. btw)")
    text = str(_l("Als een factuur betaald is, krijgt de deelnemer %(rule)s.", rule=rule))
    if policy.pool_share_percent:
        text += " " + str(_l("Daarvan gaat %(pct)s%% naar de gezamenlijke pot.",
                             pct=policy.pool_share_percent))
    return text


# --- allocation ------------------------------------------------------------------------------

def line_value(policy: BudgetPolicy, line: InvoiceLine) -> int:
    """What one invoice line is worth to a budget under the policy (cents, never negative)."""
    if policy.mode == AllocationMode.INVOICED_VALUE:
        value = line.net_cents
    elif policy.mode == AllocationMode.PERCENTAGE:
        value = half_up(line.net_cents * int(policy.percentage or 0), 100)
    elif policy.mode == AllocationMode.PER_HOUR:
        value = half_up((line.minutes or 0) * int(policy.cents_per_hour or 0), 60)
    else:
        value = 0
    return max(0, value)


def uncredited(value: int, invoice: Invoice) -> int:
    """`value` reduced by the share of the invoice already credited (half up)."""
    total = invoice.total_incl_cents or 0
    if total <= 0:
        return value if not invoice.credited_cents else 0
    remaining = max(0, total - (invoice.credited_cents or 0))
    return half_up(value * remaining, total)


def split_pool(value: int, pool_share_percent: int) -> tuple[int, int]:
    """(participant part, pool part) of an allocated value."""
    pool = half_up(value * int(pool_share_percent or 0), 100)
    return value - pool, pool


def _paid_on(session: Session, invoice: Invoice) -> date:
    """The day the invoice was paid: its last payment's date, else when it was marked paid."""
    day = session.scalar(select(func.max(Payment.paid_on)).where(Payment.invoice_id == invoice.id))
    if day is not None:
        return day
    moment: datetime | None = invoice.paid_at
    return moment.astimezone(AMSTERDAM).date() if moment is not None else date.today()


def allocate_invoice(session: Session, actor: Actor, invoice: Invoice) -> LedgerTransaction | None:
    """Credit the budgets for a paid invoice, once (key allocation:<invoice id>).

    Per line with a participant: the value under the policy, reduced by the share of the invoice
    already credited, the pool share split off. One transaction per invoice; None when there is
    nothing to credit (no such lines, mode "geen", all zero), or for a draft or credit note."""
    key = f"allocation:{invoice.id}"
    existing = ledger.transaction_by_key(session, key)
    if existing is not None:
        return existing
    if invoice.kind != InvoiceKind.INVOICE or invoice.status == InvoiceStatus.DRAFT:
        return None
    policy = get_policy(session)
    if policy.mode == AllocationMode.NONE:
        return None
    # A trajectory fee pays for the guidance, not for the participant's work: it earns no
    # budget. Hours, jobs and fixed lines attributed to a participant do.
    lines = list(session.scalars(select(InvoiceLine).where(
        InvoiceLine.invoice_id == invoice.id, InvoiceLine.participant_id.is_not(None),
        InvoiceLine.source != LineSource.TRAJECTORY_FEE)
        .order_by(InvoiceLine.position, InvoiceLine.id)))
    planned = []
    for line in lines:
        value = uncredited(line_value(policy, line), invoice)
        if value > 0:
            planned.append((line, value, *split_pool(value, policy.pool_share_percent)))
    if not planned:
        return None
    earnings = ledger.earnings_account(session)
    pool = ledger.pool_account(session) if any(p for *_, p in planned) else None
    entries: list[ledger.Entry] = []
    for line, value, mine, to_pool in planned:
        entries.append(ledger.Entry(earnings, -value, line.id))
        if mine:
            entries.append(ledger.Entry(ledger.participant_account(session, line.participant_id),
                                        mine, line.id))
        if to_pool:
            entries.append(ledger.Entry(pool, to_pool, line.id))
    tx = ledger.post(session, actor, key=key, kind=TransactionKind.ALLOCATION,
                     description=f"Factuur {invoice.number_text or invoice.id}",
                     booked_on=_paid_on(session, invoice), entries=entries,
                     invoice_id=invoice.id)
    if ledger.is_new(tx):
        audit.record(session, actor, "budget.allocated", invoice, transaction_id=tx.id,
                     lines=len(planned), total=sum(v for _, v, *_ in planned))
    return tx


def reverse_for_credit_note(session: Session, actor: Actor,
                            credit_note: Invoice) -> LedgerTransaction | None:
    """Take back what the credited lines earned, once (key reversal:<credit note id>).

    Per credited line: credit amount / original line amount × what that line allocated (half
    up), never more than it allocated minus earlier reversals of it. A budget gives back at most
    its current balance; the rest is booked to the cooperative (it absorbs what was already
    spent), so no budget goes below zero. None when the invoice was not allocated yet (the
    allocation will account for the credit) or nothing is left to reverse."""
    key = f"reversal:{credit_note.id}"
    existing = ledger.transaction_by_key(session, key)
    if existing is not None:
        return existing
    if credit_note.kind != InvoiceKind.CREDIT_NOTE or credit_note.credits_invoice_id is None:
        return None
    allocation = ledger.transaction_by_key(session, f"allocation:{credit_note.credits_invoice_id}")
    if allocation is None:
        return None
    original = session.scalar(select(Invoice).where(Invoice.id == credit_note.credits_invoice_id))
    alloc_entries = ledger.entries_of(session, allocation)
    accounts = {a.id: a for a in session.scalars(select(LedgerAccount).where(
        LedgerAccount.id.in_({e.account_id for e in alloc_entries})))}
    earned: dict[int, int] = {}
    parts: dict[int, dict[int, int]] = {}
    for e in alloc_entries:
        if e.invoice_line_id is None:
            continue
        if accounts[e.account_id].kind == AccountKind.EARNINGS:
            earned[e.invoice_line_id] = earned.get(e.invoice_line_id, 0) - e.amount_cents
        elif accounts[e.account_id].kind in ledger.BUDGET_KINDS:
            share = parts.setdefault(e.invoice_line_id, {})
            share[e.account_id] = share.get(e.account_id, 0) + e.amount_cents
    reversed_before: dict[int, int] = {}
    for line_id, cents in session.execute(
            select(LedgerEntry.invoice_line_id, func.sum(LedgerEntry.amount_cents))
            .join(LedgerTransaction, and_(LedgerTransaction.tenant_id == LedgerEntry.tenant_id,
                                          LedgerTransaction.id == LedgerEntry.transaction_id))
            .join(LedgerAccount, and_(LedgerAccount.tenant_id == LedgerEntry.tenant_id,
                                      LedgerAccount.id == LedgerEntry.account_id))
            .where(LedgerTransaction.reverses_id == allocation.id,
                   LedgerAccount.kind == AccountKind.EARNINGS)
            .group_by(LedgerEntry.invoice_line_id)):
        reversed_before[line_id] = int(cents or 0)

    credit_lines = list(session.scalars(select(InvoiceLine).where(
        InvoiceLine.invoice_id == credit_note.id).order_by(InvoiceLine.position, InvoiceLine.id)))
    wanted: dict[int, int] = {}
    if any(cl.credits_line_id for cl in credit_lines):
        originals = {line.id: line for line in session.scalars(select(InvoiceLine).where(
            InvoiceLine.id.in_({cl.credits_line_id for cl in credit_lines
                                if cl.credits_line_id in earned})))}
        for cl in credit_lines:
            line = originals.get(cl.credits_line_id)
            if line is None or not line.net_cents:
                continue
            wanted[line.id] = wanted.get(line.id, 0) + half_up(
                abs(cl.net_cents) * earned[line.id], abs(line.net_cents))
    elif original is not None and original.total_incl_cents:
        # A credit note without line references credits that share of the whole invoice.
        for line_id, cents in earned.items():
            wanted[line_id] = half_up(abs(credit_note.total_incl_cents) * cents,
                                      abs(original.total_incl_cents))
    targets = {}
    for line_id, cents in wanted.items():
        cents = min(cents, earned.get(line_id, 0) - reversed_before.get(line_id, 0))
        if cents > 0:
            targets[line_id] = cents
    if not targets:
        return None

    involved = [accounts[a] for line_id in targets for a in parts.get(line_id, {})]
    ledger.lock(session, involved)
    available = ledger.balances(session, involved)
    earnings = next(a for a in accounts.values() if a.kind == AccountKind.EARNINGS)
    cooperative = None
    entries: list[ledger.Entry] = []
    for line_id in sorted(targets):
        target = targets[line_id]
        entries.append(ledger.Entry(earnings, target, line_id))
        share = sorted(parts.get(line_id, {}).items())
        whole = sum(c for _, c in share)
        absorbed, left = 0, target
        for index, (account_id, cents) in enumerate(share):
            take = left if index == len(share) - 1 else min(left, half_up(target * cents, whole))
            left -= take
            give = min(take, max(0, available.get(account_id, 0)))
            available[account_id] = available.get(account_id, 0) - give
            absorbed += take - give
            if give:
                entries.append(ledger.Entry(accounts[account_id], -give, line_id))
        absorbed += left  # only when the line had no budget part (cannot happen in practice)
        if absorbed:
            cooperative = cooperative or ledger.cooperative_account(session)
            entries.append(ledger.Entry(cooperative, -absorbed, line_id))
    number = credit_note.number_text or credit_note.id
    tx = ledger.post(session, actor, key=key, kind=TransactionKind.REVERSAL,
                     description=f"Creditnota {number} op factuur "
                                 f"{original.number_text if original else allocation.invoice_id}",
                     booked_on=credit_note.issue_date or date.today(), entries=entries,
                     invoice_id=credit_note.id, reverses_id=allocation.id)
    if ledger.is_new(tx):
        audit.record(session, actor, "budget.reversed", credit_note, transaction_id=tx.id,
                     total=sum(targets.values()),
                     absorbed=-sum(e.cents for e in entries
                                   if e.account.kind == AccountKind.COOPERATIVE))
    return tx


# --- courses ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CourseData:
    provider: str
    title: str
    cost: str | int | None
    description: str | None = None
    hours: str | int | None = None
    leads_to_certificate: bool = False
    leads_to_praktijkverklaring: bool = False
    active: bool = True


def _course_values(data: CourseData) -> dict:
    provider = (data.provider or "").strip()
    title = (data.title or "").strip()
    if not provider:
        raise DomainError(_l("Vul de aanbieder van de cursus in."))
    if not title:
        raise DomainError(_l("Vul de naam van de cursus in."))
    if len(provider) > 150 or len(title) > 200:
        raise DomainError(_l("De aanbieder (150 tekens) of de naam (200 tekens) is te lang."))
    if isinstance(data.cost, int) and not isinstance(data.cost, bool):
        cost = data.cost
    else:  # parse_money answers "Vul een bedrag in euro's in, …" for text that is no amount
        cost = parse_money(data.cost if isinstance(data.cost, str) else None)
    if cost is None or cost <= 0:
        raise DomainError(_l("Vul de kosten van de cursus in: een bedrag groter dan € 0, "
                             "bijvoorbeeld 250 of 249,50."))
    hours = data.hours
    if isinstance(hours, str):
        hours = hours.strip()
        if hours and not hours.isdigit():
            raise DomainError(_l("Vul het aantal uren in als heel getal, bijvoorbeeld 16."))
        hours = int(hours) if hours else None
    if hours is not None and not 0 < hours <= MAX_COURSE_HOURS:
        raise DomainError(_l("Vul een aantal uren in van 1 tot en met %(max)s.",
                             max=MAX_COURSE_HOURS))
    description = (data.description or "").strip() or None
    if description and len(description) > 5000:
        raise DomainError(_l("De omschrijving is te lang (hoogstens 5000 tekens)."))
    return dict(provider=provider, title=title, description=description, cost_cents=cost,
                hours=hours, leads_to_certificate=bool(data.leads_to_certificate),
                leads_to_praktijkverklaring=bool(data.leads_to_praktijkverklaring),
                active=bool(data.active))


def create_course(session: Session, actor: Actor, data: CourseData) -> Course:
    _require_admin(session, actor, _l("Alleen een beheerder past de cursuscatalogus aan."))
    course = Course(**_course_values(data))
    session.add(course)
    session.flush()
    audit.record(session, actor, "course.created", course, cost_cents=course.cost_cents)
    return course


def update_course(session: Session, actor: Actor, course: Course, data: CourseData) -> Course:
    """Change a course; proposals keep the cost they were made with."""
    _require_admin(session, actor, _l("Alleen een beheerder past de cursuscatalogus aan."))
    values = _course_values(data)
    changed = sorted(k for k, v in values.items() if getattr(course, k) != v)
    for k, v in values.items():
        setattr(course, k, v)
    audit.record(session, actor, "course.updated", course, fields=changed)
    session.flush()
    return course


def get_course(session: Session, course_id: int) -> Course:
    course = session.scalar(select(Course).where(Course.id == course_id))
    if course is None:
        raise NotFound(_l("Deze cursus bestaat niet."))
    return course


def courses(session: Session, active_only: bool = False) -> list[Course]:
    stmt = select(Course).order_by(Course.active.desc(), Course.title, Course.id)
    if active_only:
        stmt = stmt.where(Course.active.is_(True))
    return list(session.scalars(stmt))


# --- proposals and approvals -----------------------------------------------------------------

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


def approve_enrolment(session: Session, actor: Actor, enrolment: CourseEnrolment,
                      from_pool: bool = False) -> CourseEnrolment:
    """An admin approves: the cost is debited from the participant's budget (or, with
    `from_pool`, from the collective pool), never below zero — checked with the enrolment and
    the account locked. A refusal changes nothing."""
    _require_admin(session, actor, _l("Alleen een beheerder keurt een cursus goed."))
    row = _locked_enrolment(session, enrolment)
    _still_proposed(row)
    cost = row.cost_cents
    if from_pool:
        source = ledger.find_account(session, ledger.POOL_KEY)

        def refusal(_acc, have, _need):
            return _l("De gezamenlijke pot is %(balance)s; de cursus kost %(cost)s.",
                      balance=format_money(have), cost=format_money(cost))
    else:
        source = ledger.find_account(session, ledger.participant_key(row.participant_id))
        name = _participant_name(session, row.participant_id)

        def refusal(_acc, have, _need):
            return _l("Het budget van %(name)s is %(balance)s; de cursus kost %(cost)s.",
                      name=name, balance=format_money(have), cost=format_money(cost))
    if source is None:
        raise DomainError(refusal(None, 0, cost))
    course = session.scalar(select(Course).where(Course.id == row.course_id))
    tx = ledger.post(
        session, actor, key=f"course:{row.id}", kind=TransactionKind.COURSE,
        description=f"Cursus: {course.title}"[:300] + (" (uit de pot)" if from_pool else ""),
        booked_on=date.today(),
        entries=[ledger.Entry(source, -cost), ledger.Entry(ledger.courses_account(session), cost)],
        enrolment_id=row.id, refusal=refusal)
    row.status = EnrolmentStatus.APPROVED
    row.decided_by_id, row.decided_at = actor.user_id, utcnow()
    row.transaction_id = tx.id
    audit.record(session, actor, "course.approved", row, participant_id=row.participant_id,
                 cost_cents=cost, from_pool=bool(from_pool), transaction_id=tx.id)
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


# --- the end of a trajectory -----------------------------------------------------------------

def handle_trajectory_end(session: Session, actor: Actor, trajectory) -> LedgerTransaction | None:
    """Under the "naar de pot" rule, the whole remaining budget moves to the pool when the
    participant's last running trajectory ends (key to-pool:<trajectory id>). Otherwise, or with
    nothing left, nothing happens."""
    from blueprints.trajectories.models import Trajectory, TrajectoryStatus

    if get_policy(session).unspent_on_end != UnspentOnEnd.TO_POOL:
        return None
    running = session.scalar(select(Trajectory.id).where(
        Trajectory.participant_id == trajectory.participant_id, Trajectory.id != trajectory.id,
        Trajectory.status.in_([TrajectoryStatus.INTAKE, TrajectoryStatus.ACTIVE,
                               TrajectoryStatus.PAUSED])).limit(1))
    if running is not None:
        return None
    source = ledger.find_account(session, ledger.participant_key(trajectory.participant_id))
    if source is None:
        return None
    ledger.lock(session, [source])
    remaining = ledger.balance(session, source)
    if remaining <= 0:
        return None
    tx = ledger.post(session, actor, key=f"to-pool:{trajectory.id}", kind=TransactionKind.TO_POOL,
                     description="Einde traject: ongebruikt budget naar de gezamenlijke pot",
                     booked_on=trajectory.outcome_on or date.today(),
                     entries=[ledger.Entry(source, -remaining),
                              ledger.Entry(ledger.pool_account(session), remaining)])
    if ledger.is_new(tx):
        audit.record(session, actor, "budget.to_pool", trajectory,
                     participant_id=trajectory.participant_id, cents=remaining)
    return tx
