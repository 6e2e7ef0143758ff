"""Reading invoices: the filtered list, the invoice page, the choices for forms."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from blueprints.customers.models import Customer
from blueprints.helprequests.models import HelpRequest
from blueprints.invoicing import money
from blueprints.invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    Reminder,
)
from blueprints.invoicing.services.rules import (
    OPEN,
    PAGE_SIZE,
    _customer_of,
    line_totals,
    open_cents,
)
from blueprints.participants.models import Participant


@dataclass(frozen=True)
class InvoiceFilter:
    status: InvoiceStatus | None = None
    customer_id: int | None = None
    year: int | None = None
    kind: InvoiceKind | None = None
    overdue: bool = False
    q: str | None = None
    today: date | None = None


@dataclass(frozen=True)
class InvoiceRow:
    invoice: Invoice
    customer_name: str
    open_cents: int
    overdue: bool


@dataclass(frozen=True)
class InvoiceList:
    rows: list[InvoiceRow]
    total: int
    sum_incl_cents: int
    sum_open_cents: int


@cache
def _list_parts():
    """What every invoice list adds to its filter, built once per process: the sums over the
    whole selection (invoiced net of credit notes, drafts not counted; still open) and the
    order (drafts first, then newest)."""
    signed = case((Invoice.status == InvoiceStatus.DRAFT, 0),
                  (Invoice.kind == InvoiceKind.CREDIT_NOTE, -Invoice.total_incl_cents),
                  else_=Invoice.total_incl_cents)
    open_ = case((and_(Invoice.kind == InvoiceKind.INVOICE, Invoice.status.in_(OPEN)),
                  Invoice.total_incl_cents - Invoice.credited_cents - Invoice.paid_cents),
                 else_=0)
    sums = (func.count().label("n"), func.coalesce(func.sum(signed), 0).label("invoiced"),
            func.coalesce(func.sum(open_), 0).label("open"))
    order = ((Invoice.status == InvoiceStatus.DRAFT).desc(),
             Invoice.issue_date.desc().nulls_first(), Invoice.id.desc())
    joined = and_(Customer.tenant_id == Invoice.tenant_id, Customer.id == Invoice.customer_id)
    return sums, order, joined


def list_invoices(session: Session, f: InvoiceFilter, page: int = 1,
                  per_page: int = PAGE_SIZE) -> InvoiceList:
    """One page of invoices (drafts first, then newest), with the count and the sums of the
    whole selection (what was invoiced net of credit notes, drafts not counted; what is still
    open): one query, however many invoices. The selection is read twice inside it, from the
    narrow index ix_invoices_tenant_list alone (no invoice row, no customer unless searched by
    name): once for the sums (a subquery joined once), once for the page's ids in order; only
    the page's rows are then read whole. A page past the last, which has no row to carry the
    sums, sums apart."""
    today = f.today or date.today()
    sums, order, joined = _list_parts()
    conditions = []
    if f.status:
        conditions.append(Invoice.status == f.status)
    if f.customer_id:
        conditions.append(Invoice.customer_id == f.customer_id)
    if f.year:
        conditions.append(or_(Invoice.year == f.year,
                              and_(Invoice.year.is_(None),
                                   func.extract("year", Invoice.created_at) == f.year)))
    if f.kind:
        conditions.append(Invoice.kind == f.kind)
    if f.overdue:
        conditions += [Invoice.kind == InvoiceKind.INVOICE, Invoice.status.in_(OPEN),
                       Invoice.due_date < today]
    if f.q:
        like = f"%{f.q.strip().lower()}%"
        conditions.append(or_(func.lower(Invoice.number_text).like(like),
                              func.lower(Customer.name).like(like)))

    def selection(*columns):
        stmt = select(*columns).select_from(Invoice)
        if f.q:  # the name is searched: the customer is needed (every invoice has one)
            stmt = stmt.join(Customer, joined)
        return stmt.where(*conditions)

    page = max(1, page)
    totals = selection(*sums).subquery()
    ids = selection(Invoice.id).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    rows = session.execute(
        select(Invoice, Customer.name, totals.c.n, totals.c.invoiced, totals.c.open)
        .join(Customer, joined).join(totals, true())
        .where(Invoice.id.in_(ids.scalar_subquery())).order_by(*order)).all()
    if rows:
        count, total, open_total = rows[0][2:]
    elif page > 1:
        count, total, open_total = session.execute(selection(*sums)).one()
    else:
        count = total = open_total = 0
    return InvoiceList(
        [InvoiceRow(i, name, open_cents(i),
                    i.status in OPEN and i.due_date is not None and i.due_date < today)
         for i, name, *_sums in rows], int(count or 0), int(total or 0), int(open_total or 0))


@dataclass
class LineGroup:
    """Lines of one job (help request) for review, or the other lines (`help_request` None)."""

    help_request: HelpRequest | None
    lines: list[InvoiceLine] = field(default_factory=list)


@dataclass
class InvoiceView:
    invoice: Invoice
    customer: Customer
    lines: list[InvoiceLine]
    groups: list[LineGroup]
    totals: money.Totals
    participants: dict[int, str]
    payments: list[Payment]
    credit_notes: list[Invoice]
    credits: Invoice | None
    reminders: list[Reminder]

    @property
    def mentions(self) -> list[str]:
        return [r.rate.mention for r in self.totals.per_rate if r.rate.mention]

    @property
    def open_cents(self) -> int:
        return open_cents(self.invoice)


def invoice_view(session: Session, invoice: Invoice) -> InvoiceView:
    """Everything the invoice page shows (a fixed handful of queries)."""
    customer = _customer_of(session, invoice)
    rows = session.execute(
        select(InvoiceLine, HelpRequest, Participant)
        .outerjoin(HelpRequest, and_(HelpRequest.tenant_id == InvoiceLine.tenant_id,
                                     HelpRequest.id == InvoiceLine.help_request_id))
        .outerjoin(Participant, and_(Participant.tenant_id == InvoiceLine.tenant_id,
                                     Participant.id == InvoiceLine.participant_id))
        .where(InvoiceLine.invoice_id == invoice.id)
        .order_by(InvoiceLine.position, InvoiceLine.id)).all()
    groups: dict[int | None, LineGroup] = {}
    lines, people = [], {}
    for line, help_request, person in rows:
        lines.append(line)
        if person is not None:
            people[person.id] = person.full_name
        key = help_request.id if help_request is not None else None
        groups.setdefault(key, LineGroup(help_request)).lines.append(line)
    ordered = [g for k, g in groups.items() if k is not None] + \
        ([groups[None]] if None in groups else [])
    # Sorted here, not in SQL: an ORDER BY on the date leads the planner to walk the
    # tenant's whole date index instead of the few rows of this invoice (its invoice index).
    payments = sorted(session.scalars(select(Payment).where(Payment.invoice_id == invoice.id)),
                      key=lambda p: (p.paid_on, p.id))
    credit_notes = sorted(
        session.scalars(select(Invoice).where(Invoice.credits_invoice_id == invoice.id)),
        key=lambda c: (c.issue_date or date.min, c.id))
    credits = session.scalar(select(Invoice).where(Invoice.id == invoice.credits_invoice_id)) \
        if invoice.credits_invoice_id else None
    reminders = session.scalars(select(Reminder).where(Reminder.invoice_id == invoice.id)
                                .order_by(Reminder.sent_at, Reminder.id)).all()
    return InvoiceView(invoice, customer, lines, ordered, line_totals(lines, invoice), people,
                       list(payments), list(credit_notes), credits, list(reminders))


def invoice_years(session: Session) -> list[int]:
    return [y for y in session.scalars(select(Invoice.year).where(Invoice.year.is_not(None))
                                       .distinct().order_by(Invoice.year.desc()))]
