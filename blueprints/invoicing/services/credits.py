"""Credit notes: their lines mirror the credited lines and never credit more than the total."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from blueprints.invoicing import money
from blueprints.invoicing.models import (
    Invoice,
    InvoiceHour,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineSource,
)
from blueprints.invoicing.money import VatRate
from blueprints.invoicing.services.rules import (
    CREDITABLE,
    _customer_of,
    _finance,
    _locked,
    _text,
    parse_quantity,
    recalc,
)
from blueprints.invoicing.services.sending import _assign_number, _check_customer
from tenants import audit, events, inputs
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError
from tenants.formatting import format_money


@dataclass(frozen=True)
class CreditableLine:
    line: InvoiceLine
    credited: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.line.quantity - self.credited


def creditable_lines(session: Session, invoice: Invoice) -> list[CreditableLine]:
    """The invoice's lines with the quantity already credited (two queries)."""
    lines = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                            .order_by(InvoiceLine.position, InvoiceLine.id)).all()
    credited = dict(session.execute(
        select(InvoiceLine.credits_line_id, func.sum(InvoiceLine.quantity))
        .where(InvoiceLine.credits_line_id.in_([line.id for line in lines]))
        .group_by(InvoiceLine.credits_line_id)).all()) if lines else {}
    return [CreditableLine(line, Decimal(credited.get(line.id) or 0)) for line in lines]


def _line_allowance(line: InvoiceLine, qty: Decimal) -> int:
    """The part of a line's discount that goes with crediting `qty` of it (all of it for the
    whole line, in proportion otherwise, rounded to the cent)."""
    cents = int(line.allowance_cents or 0)
    if not cents or qty == line.quantity or not line.quantity:
        return cents
    return money.round_cents(Decimal(cents) * qty / Decimal(line.quantity))


def create_credit_note(session: Session, actor: Actor, invoice: Invoice,
                       line_quantities: dict | None = None, *, full: bool = False,
                       reason: str | None = None, issue_date: date | None = None,
                       today: date | None = None) -> Invoice:
    """A credit note for a sent invoice, numbered at once in its own series.

    `full`: everything not credited yet; otherwise `line_quantities` {line id: quantity to
    credit}. Lines mirror the credited lines (positive amounts, `credits_line_id`). Refused
    when it would credit more than a line's remaining quantity or more than the invoice's
    remaining total (a credit note for everything that is left settles the invoice exactly,
    whatever cent its own rounding makes). Updates the invoice (credited amount, status) and
    sends, inside this transaction, `invoice_sent` and `credit_note_issued` for the credit note,
    then `invoice_paid` for the original when the credit note settles the rest of a partly paid
    invoice (tenants/events.py; budgets reverses, then allocates)."""
    today = today or date.today()
    issue_date = issue_date or today
    reason = _text(reason, 1000, _l("De reden is te lang: hoogstens 1000 tekens."))
    if not reason:
        raise DomainError(_l("Vul de reden van de creditnota in; die staat op de creditnota."))
    if issue_date > today:
        raise DomainError(_l("De datum van de creditnota kan niet in de toekomst liggen."))
    original = _locked(session, invoice)
    if original.kind != InvoiceKind.INVOICE:
        raise DomainError(_l("Een creditnota kan niet worden gecrediteerd."))
    if original.status == InvoiceStatus.DRAFT:
        raise DomainError(_l("Een conceptfactuur crediteert u niet: pas hem aan of verwijder "
                             "hem."))
    if original.status not in CREDITABLE:
        raise DomainError(_l("Factuur %(number)s is al volledig gecrediteerd.",
                             number=original.number_text))
    items = creditable_lines(session, original)
    wanted: dict[int, Decimal] = {}
    if full:
        wanted = {i.line.id: i.remaining for i in items if i.remaining > 0}
    else:
        by_id = {i.line.id: i for i in items}
        for key, value in (line_quantities or {}).items():
            if value in (None, "") or (isinstance(value, str) and not value.strip()):
                continue
            line_id = inputs.to_id(key)
            if line_id not in by_id:
                raise DomainError(_l("Deze regel hoort niet bij de factuur."))
            if not isinstance(value, Decimal) and str(value).strip() in ("0", "0,00", "0.00"):
                continue
            qty = parse_quantity(value)
            if qty > by_id[line_id].remaining:
                raise DomainError(_l("Regel %(n)s: u crediteert meer dan er nog openstaat (%(q)s).",
                                     n=by_id[line_id].line.position,
                                     q=str(by_id[line_id].remaining).replace(".", ",")))
            wanted[line_id] = qty
    if not wanted:
        raise DomainError(_l("Er is niets meer te crediteren op factuur %(number)s.",
                             number=original.number_text) if full else
                          _l("Vul bij minstens één regel in hoeveel u crediteert."))
    remaining_total = original.total_incl_cents - original.credited_cents
    # Crediting everything that is left: the amounts can differ from the remainder by rounding
    # only (each credit note rounds its own lines and VAT), so it is allowed and settles the
    # invoice exactly; anything else may never credit more than is left.
    completes = all(i.line.id in wanted and wanted[i.line.id] == i.remaining
                    for i in items if i.remaining > 0)
    # The invoice's own discount goes with the credit note that credits all of it at once;
    # a line's discount goes with the part of the line credited.
    allowance = original.allowance_cents if completes and not original.credited_cents else 0
    allowances = [(allowance, VatRate(original.allowance_vat_rate))] if allowance else []
    totals = money.totals(
        ((money.line_total_cents(wanted[i.line.id], i.line.unit_price_cents,
                                 _line_allowance(i.line, wanted[i.line.id])),
          VatRate(i.line.vat_rate)) for i in items if i.line.id in wanted), allowances)
    if totals.incl_cents > remaining_total and not completes:
        raise DomainError(_l("Deze creditnota (%(amount)s) is hoger dan wat van factuur "
                             "%(number)s nog niet is gecrediteerd (%(left)s).",
                             amount=format_money(totals.incl_cents), number=original.number_text,
                             left=format_money(remaining_total)))
    settings = _finance(session)
    customer = _customer_of(session, original)
    _check_customer(customer, original)
    credit = Invoice(
        kind=InvoiceKind.CREDIT_NOTE, status=InvoiceStatus.DRAFT, customer_id=original.customer_id,
        credits_invoice_id=original.id, period_start=original.period_start,
        period_end=original.period_end, buyer_reference=original.buyer_reference,
        order_reference=original.order_reference, note=reason, created_by_id=actor.user_id,
        allowance_cents=allowance, allowance_reason=original.allowance_reason if allowance else None,
        allowance_vat_rate=original.allowance_vat_rate if allowance else None)
    session.add(credit)
    session.flush()
    position = 1
    fully_credited_lines = []
    for item in items:
        if item.line.id not in wanted:
            continue
        qty = wanted[item.line.id]
        source = item.line
        minutes = None
        if source.minutes:
            minutes = source.minutes if qty == source.quantity else \
                int((Decimal(source.minutes) * qty / source.quantity).to_integral_value())
        session.add(InvoiceLine(
            invoice_id=credit.id, position=position, source=LineSource.CREDIT,
            description=source.description, quantity=qty, unit=source.unit,
            unit_price_cents=source.unit_price_cents, vat_rate=source.vat_rate,
            allowance_cents=_line_allowance(source, qty), allowance_reason=source.allowance_reason,
            net_cents=money.line_total_cents(qty, source.unit_price_cents,
                                             _line_allowance(source, qty)),
            supply_date=source.supply_date,
            period_start=source.period_start, help_request_id=source.help_request_id,
            participant_id=source.participant_id, trajectory_id=source.trajectory_id,
            minutes=minutes, credits_line_id=source.id))
        position += 1
        if qty == item.remaining:
            fully_credited_lines.append(source.id)
    session.flush()
    recalc(session, credit)
    _assign_number(session, actor, credit, settings, customer, issue_date)
    credit.due_date = None

    was_paid = original.status == InvoiceStatus.PAID
    if completes:
        original.credited_cents = original.total_incl_cents
    else:
        original.credited_cents += credit.total_incl_cents
    if completes or original.credited_cents >= original.total_incl_cents:
        original.status = InvoiceStatus.CREDITED
    elif original.paid_cents + original.credited_cents >= original.total_incl_cents:
        original.status = InvoiceStatus.PAID
        original.paid_at = original.paid_at or utcnow()
    # Hours of a fully credited line may be billed again (credit and invoice anew).
    released = 0
    if fully_credited_lines:
        released = session.execute(
            delete(InvoiceHour).where(InvoiceHour.line_id.in_(fully_credited_lines))
            .execution_options(synchronize_session=False)).rowcount
    session.flush()
    audit.record(session, actor, "invoice.credited", original, credit_note_id=credit.id,
                 number=credit.number_text, amount_cents=credit.total_incl_cents,
                 hours_released=released)
    audit.record(session, actor, "invoice.sent", credit, number=credit.number_text,
                 credits=original.number_text, total_cents=credit.total_incl_cents)
    events.invoice_sent.send(credit, session=session, actor=actor)
    # Credit note first: an invoice not allocated yet gets nothing reversed, and its allocation
    # (when this credit note settles it) leaves out what is credited.
    events.credit_note_issued.send(credit, session=session, actor=actor, original=original)
    if original.status == InvoiceStatus.PAID and not was_paid:
        events.invoice_paid.send(original, session=session, actor=actor)
    return credit
