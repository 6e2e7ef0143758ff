"""What the budget pages and exports read: the overview of all budgets, one participant's
statement (what earned it, what it paid for), waiting proposals, the yearly earnings-to-training
overview, and a participant's budget for the privacy export.

Every list costs the same number of queries for few or many rows: balances and sums come from
one grouped query over the accounts on the page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from blueprints.budgets import ledger
from blueprints.budgets.models import (
    AccountKind,
    Course,
    CourseEnrolment,
    EnrolmentStatus,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from blueprints.budgets.services import PAGE_SIZE
from blueprints.helprequests.models import HelpRequest
from blueprints.invoicing.models import Invoice, InvoiceLine
from blueprints.participants.models import Participant, ParticipantStatus
from tenants import audit
from tenants.actor import Actor
from tenants.exports import Money, csv_file, xlsx_file


def _tx_join():
    return and_(LedgerTransaction.tenant_id == LedgerEntry.tenant_id,
                LedgerTransaction.id == LedgerEntry.transaction_id)


def _year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def pool_balance(session: Session) -> int:
    """The pool's balance (0 before it has an account): one query."""
    return int(session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
        .join(LedgerAccount, and_(LedgerAccount.tenant_id == LedgerEntry.tenant_id,
                                  LedgerAccount.id == LedgerEntry.account_id))
        .where(LedgerAccount.key == ledger.POOL_KEY)) or 0)


# --- the overview of all budgets -------------------------------------------------------------

@dataclass(frozen=True)
class BudgetRow:
    participant: Participant
    account_id: int | None
    balance: int
    earned: int
    spent: int
    waiting: int


def _name_filter(stmt, q: str | None):
    q = (q or "").strip()[:100]
    if not q:
        return stmt
    return stmt.where(or_(Participant.first_name.contains(q, autoescape=True),
                          Participant.last_name.contains(q, autoescape=True)))


def overview(session: Session, year: int, page: int = 1,
             q: str | None = None) -> tuple[list[BudgetRow], int]:
    """Participants (not anonymised) with balance, earned and spent in `year`, and proposals
    waiting; a page of PAGE_SIZE, sorted by name. Two queries whatever the number of rows: the
    page (with how many match, an uncorrelated subquery computed once, and each one's proposals
    waiting, a subquery per row of the page) and the sums of the page's accounts; a page past
    the last counts apart. The page walks the participants' name index and stops at the
    page's end, and each account is found by its participant (an index): the cost follows the
    page, not the tenant's number of participants or accounts."""
    waiting = (select(func.count()).select_from(CourseEnrolment)
               .where(CourseEnrolment.participant_id == Participant.id,
                      CourseEnrolment.status == EnrolmentStatus.PROPOSED)
               .correlate(Participant).scalar_subquery())
    matching = _name_filter(
        select(Participant.id).where(Participant.status != ParticipantStatus.ANONYMISED), q)
    how_many = select(func.count()).select_from(matching.subquery()).scalar_subquery()
    page_rows = session.execute(_name_filter(
        select(Participant, LedgerAccount.id, waiting, how_many)
        .outerjoin(LedgerAccount, and_(LedgerAccount.tenant_id == Participant.tenant_id,
                                       LedgerAccount.participant_id == Participant.id,
                                       LedgerAccount.kind == AccountKind.PARTICIPANT))
        .where(Participant.status != ParticipantStatus.ANONYMISED), q)
        .order_by(Participant.sort_name, Participant.first_name, Participant.id)
        .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)).all()
    if page_rows:
        total = page_rows[0][3]
    elif page > 1:
        total = session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    else:
        total = 0
    account_ids = [a for _, a, _w, _n in page_rows if a is not None]
    start, end = _year(year)
    in_year = and_(LedgerTransaction.booked_on >= start, LedgerTransaction.booked_on < end)
    sums: dict[int, tuple[int, int, int]] = {}
    if account_ids:
        for account_id, bal, earned, spent in session.execute(
                select(LedgerEntry.account_id, func.sum(LedgerEntry.amount_cents),
                       func.sum(case((and_(in_year, LedgerTransaction.kind
                                           == TransactionKind.ALLOCATION),
                                      LedgerEntry.amount_cents), else_=0)),
                       func.sum(case((and_(in_year, LedgerTransaction.kind
                                           == TransactionKind.COURSE),
                                      -LedgerEntry.amount_cents), else_=0)))
                .join(LedgerTransaction, _tx_join())
                .where(LedgerEntry.account_id.in_(account_ids))
                .group_by(LedgerEntry.account_id)):
            sums[account_id] = (int(bal or 0), int(earned or 0), int(spent or 0))
    rows = [BudgetRow(p, a, *sums.get(a, (0, 0, 0)), int(w or 0)) for p, a, w, _n in page_rows]
    return rows, total


def participant_balances(session: Session, participant_ids: Iterable[int]) -> dict[int, int]:
    """Budget balances by participant id, in one grouped query."""
    ids = sorted(set(participant_ids))
    if not ids:
        return {}
    result = dict.fromkeys(ids, 0)
    for pid, total in session.execute(
            select(LedgerAccount.participant_id, func.sum(LedgerEntry.amount_cents))
            .join(LedgerEntry, and_(LedgerEntry.tenant_id == LedgerAccount.tenant_id,
                                    LedgerEntry.account_id == LedgerAccount.id))
            .where(LedgerAccount.participant_id.in_(ids),
                   LedgerAccount.kind == AccountKind.PARTICIPANT)
            .group_by(LedgerAccount.participant_id)):
        result[pid] = int(total or 0)
    return result


# --- one participant -------------------------------------------------------------------------

@dataclass(frozen=True)
class StatementLine:
    booked_on: date
    kind: TransactionKind
    description: str
    amount_cents: int
    invoice_number: str | None
    line_description: str | None
    help_request: str | None
    course_title: str | None


def statement(session: Session, participant_id: int, page: int = 1
              ) -> tuple[LedgerAccount | None, int, list[StatementLine], int]:
    """(account, balance, a page of entries newest first, number of entries). Each entry says
    what earned it (invoice number, invoice line, help request) or what it paid for (course)."""
    account = ledger.find_account(session, ledger.participant_key(participant_id))
    if account is None:
        return None, 0, [], 0
    balance = ledger.balance(session, account)
    total = session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.account_id == account.id)) or 0
    rows = session.execute(
        select(LedgerTransaction.booked_on, LedgerTransaction.kind, LedgerTransaction.description,
               LedgerEntry.amount_cents, Invoice.number_text, InvoiceLine.description,
               HelpRequest.reference, Course.title)
        .select_from(LedgerEntry)
        .join(LedgerTransaction, _tx_join())
        .outerjoin(Invoice, and_(Invoice.tenant_id == LedgerTransaction.tenant_id,
                                 Invoice.id == LedgerTransaction.invoice_id))
        .outerjoin(InvoiceLine, and_(InvoiceLine.tenant_id == LedgerEntry.tenant_id,
                                     InvoiceLine.id == LedgerEntry.invoice_line_id))
        .outerjoin(HelpRequest, and_(HelpRequest.tenant_id == InvoiceLine.tenant_id,
                                     HelpRequest.id == InvoiceLine.help_request_id))
        .outerjoin(CourseEnrolment, and_(
            CourseEnrolment.tenant_id == LedgerTransaction.tenant_id,
            CourseEnrolment.id == LedgerTransaction.enrolment_id))
        .outerjoin(Course, and_(Course.tenant_id == CourseEnrolment.tenant_id,
                                Course.id == CourseEnrolment.course_id))
        .where(LedgerEntry.account_id == account.id)
        .order_by(LedgerTransaction.booked_on.desc(), LedgerEntry.id.desc())
        .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)).all()
    return account, balance, [StatementLine(*r) for r in rows], total


def enrolments_of(session: Session, participant_id: int) -> list[tuple[CourseEnrolment, Course]]:
    return list(session.execute(
        select(CourseEnrolment, Course)
        .join(Course, and_(Course.tenant_id == CourseEnrolment.tenant_id,
                           Course.id == CourseEnrolment.course_id))
        .where(CourseEnrolment.participant_id == participant_id)
        .order_by(CourseEnrolment.proposed_at.desc(), CourseEnrolment.id.desc())).all())


def waiting_total(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CourseEnrolment).where(
        CourseEnrolment.status == EnrolmentStatus.PROPOSED)) or 0


@dataclass(frozen=True)
class Proposal:
    enrolment: CourseEnrolment
    participant: Participant
    course: Course
    balance: int


def proposals(session: Session, page: int = 1) -> tuple[list[Proposal], int]:
    """Proposals waiting for an admin, oldest first, with each participant's balance: one
    query (the participant's account joined by its participant index, its balance a subquery
    over that account's entries, how many are waiting a window); a page past the last counts
    apart."""
    balance = (select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
               .where(LedgerEntry.account_id == LedgerAccount.id)
               .correlate(LedgerAccount).scalar_subquery())
    rows = session.execute(
        select(CourseEnrolment, Participant, Course, balance, func.count().over())
        .join(Participant, and_(Participant.tenant_id == CourseEnrolment.tenant_id,
                                Participant.id == CourseEnrolment.participant_id))
        .join(Course, and_(Course.tenant_id == CourseEnrolment.tenant_id,
                           Course.id == CourseEnrolment.course_id))
        .outerjoin(LedgerAccount, and_(LedgerAccount.tenant_id == Participant.tenant_id,
                                       LedgerAccount.participant_id == Participant.id,
                                       LedgerAccount.kind == AccountKind.PARTICIPANT))
        .where(CourseEnrolment.status == EnrolmentStatus.PROPOSED)
        .order_by(CourseEnrolment.proposed_at, CourseEnrolment.id)
        .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)).all()
    if rows:
        total = rows[0][4]
    else:
        total = waiting_total(session) if page > 1 else 0
    return [Proposal(e, p, c, int(b or 0)) for e, p, c, b, _n in rows], total


# --- the yearly earnings-to-training overview ------------------------------------------------

YEARLY_HEADERS = ["Deelnemer", "Deelnemernummer", "Jaar", "Beginsaldo", "Verdiend",
                  "Naar de pot", "Cursussen", "Teruggeboekt", "Eindsaldo"]


@dataclass(frozen=True)
class YearRow:
    participant_id: int
    name: str
    opening: int
    earned: int
    to_pool: int
    spent: int
    reversed: int
    closing: int


def yearly_overview(session: Session, year: int) -> list[YearRow]:
    """Per participant with a budget: opening balance, earned, moved to the pool, spent on
    courses, reversed (credit notes, corrections), closing balance — one grouped query.
    closing = opening + earned − to pool − courses − reversed."""
    start, end = _year(year)
    in_year = LedgerTransaction.booked_on >= start
    kind = LedgerTransaction.kind
    amount = LedgerEntry.amount_cents

    def total(condition, sign=1):
        return func.sum(case((condition, sign * amount), else_=0))

    rows = session.execute(
        select(Participant.id, Participant.first_name, Participant.last_name,
               total(LedgerTransaction.booked_on < start),
               total(and_(in_year, kind == TransactionKind.ALLOCATION)),
               total(and_(in_year, kind == TransactionKind.TO_POOL), -1),
               total(and_(in_year, kind == TransactionKind.COURSE), -1),
               total(and_(in_year, kind.in_([TransactionKind.REVERSAL,
                                             TransactionKind.CORRECTION])), -1),
               func.sum(amount))
        .select_from(LedgerAccount)
        .join(Participant, and_(Participant.tenant_id == LedgerAccount.tenant_id,
                                Participant.id == LedgerAccount.participant_id))
        .join(LedgerEntry, and_(LedgerEntry.tenant_id == LedgerAccount.tenant_id,
                                LedgerEntry.account_id == LedgerAccount.id))
        .join(LedgerTransaction, _tx_join())
        .where(LedgerAccount.kind == AccountKind.PARTICIPANT, LedgerTransaction.booked_on < end)
        .group_by(Participant.id, Participant.first_name, Participant.last_name,
                  Participant.sort_name)
        .order_by(Participant.sort_name, Participant.first_name, Participant.id)).all()
    out = []
    for pid, first, last, *sums in rows:
        values = [int(v or 0) for v in sums]
        if any(values):
            out.append(YearRow(pid, f"{first} {last}".strip(), *values))
    return out


def _records(rows: list[YearRow], year: int):
    for r in rows:
        yield [r.name, r.participant_id, year, Money(r.opening), Money(r.earned),
               Money(r.to_pool), Money(r.spent), Money(r.reversed), Money(r.closing)]


def yearly_csv(rows: list[YearRow], year: int) -> bytes:
    """CSV as Dutch Excel opens it: UTF-8 with BOM, ';', amounts as 1234,56; names guarded
    against formula injection (tenants.exports)."""
    return csv_file(YEARLY_HEADERS, _records(rows, year))[0]


def yearly_xlsx(rows: list[YearRow], year: int) -> bytes:
    """XLSX with amounts as numbers (euros); a text is always stored as text."""
    return xlsx_file(YEARLY_HEADERS, _records(rows, year), f"Budgetten {year}")[0]


def export_yearly(session: Session, actor: Actor, year: int, fmt: str) -> bytes:
    rows = yearly_overview(session, year)
    body = yearly_xlsx(rows, year) if fmt == "xlsx" else yearly_csv(rows, year)
    audit.record(session, actor, "budgets.exported", object_type="LedgerAccount", year=year,
                 format=fmt, count=len(rows))
    return body


# --- the privacy export ----------------------------------------------------------------------

def participant_export(session: Session, participant_id: int) -> dict:
    """A participant's budget for their data export (AVG art. 15): balance, every entry with
    what earned it or what it paid for, and the courses proposed for them."""
    account, balance, _, total = statement(session, participant_id, page=1)
    lines = []
    if account is not None:
        pages = max(1, -(-total // PAGE_SIZE))
        for page in range(1, pages + 1):
            lines += statement(session, participant_id, page)[2]
    return {
        "saldo_cent": balance,
        "boekingen": [{
            "datum": line.booked_on.isoformat(), "soort": line.kind.value,
            "omschrijving": line.description, "bedrag_cent": line.amount_cents,
            "factuur": line.invoice_number, "factuurregel": line.line_description,
            "hulpvraag": line.help_request, "cursus": line.course_title,
        } for line in reversed(lines)],
        "cursussen": [{
            "cursus": course.title, "aanbieder": course.provider, "status": e.status.value,
            "kosten_cent": e.cost_cents, "motivatie": e.motivation,
            "reden_afwijzing": e.decline_reason,
            "voorgesteld_op": e.proposed_at.isoformat() if e.proposed_at else None,
            "besloten_op": e.decided_at.isoformat() if e.decided_at else None,
            "start": e.starts_on.isoformat() if e.starts_on else None,
        } for e, course in reversed(enrolments_of(session, participant_id))],
    }
