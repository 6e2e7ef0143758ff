"""Invoice rules: drafts built from hours, help requests, fixed items and trajectory fees;
finalising with a gapless number; credit notes; payments; overdue invoices and reminders; the
customer statement.

- A draft has no number and can be changed freely; every service that changes an invoice
  refuses anything but a draft. `finalise` locks the invoice row, checks everything an invoice
  must say (supplier, customer, Dutch e-invoice rules for public customers), and draws the
  number from the per-tenant counter of the series and year in the same transaction
  (tenants.counters): consecutive, no gaps, never twice. From then on an invoice is only paid or
  credited.
- Hours: an approved time entry is billed once. `InvoiceHour` is UNIQUE per entry, so two
  drafts (or two admins at once) can never bill the same hours; the loser gets a Dutch message.
  Only hours of hourly-priced jobs of this customer are billed as hours (and, when asked, hours
  without a job); a fixed-price job is billed at its price, a free or punch-card job not at all;
  training hours (scholing) are never billed.
- Amounts: integer cents, computed only by `blueprints.invoicing.money`.
- Credit notes have their own series; their lines mirror the credited lines with positive
  amounts. Together they never credit more than the invoice's total.
- Payments are registered once per idempotency key, under the invoice's row lock.
- Every change goes to the audit log; a refused action changes nothing.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blueprints.budgets import services as budgets
from blueprints.customers import services as customers
from blueprints.customers.identifiers import format_iban
from blueprints.customers.models import Customer, CustomerKind, PunchCard
from blueprints.helprequests.models import (
    Assignment,
    HelpRequest,
    PriceAgreement,
    RequestStatus,
)
from blueprints.helprequests.services import KIND_LABELS as JOB_KINDS
from blueprints.helprequests.services import mark_invoiced
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.invoicing import money
from blueprints.invoicing import settings as finance_settings
from blueprints.invoicing.models import (
    FinanceSettings,
    Invoice,
    InvoiceHour,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineSource,
    LineUnit,
    Payment,
    PaymentMethod,
    Reminder,
    VatRegime,
)
from blueprints.invoicing.money import VatRate
from blueprints.invoicing.snapshots import customer_snapshot, supplier_snapshot
from blueprints.participants.models import Participant
from blueprints.trajectories.models import Trajectory, TrajectoryStatus
from blueprints.trajectories.services import KIND_LABELS as TRAJECTORY_KINDS
from tenants import audit
from tenants.actor import Actor
from tenants.counters import next_number
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound
from tenants.formatting import format_date, format_money
from tenants.mail import send_mail

PAGE_SIZE = 25
#: € 100.000: a larger unit price is a typing error
MAX_UNIT_PRICE_CENTS = 10_000_000
#: a quantity above this is a typing error (the column holds 10 digits before the comma)
MAX_QUANTITY = Decimal("100000")
MAX_MONTHS = 24
OPEN = (InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID)
CREDITABLE = (InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID, InvoiceStatus.PAID)
#: help-request price agreements whose approved hours are billed as hours
HOURLY = (PriceAgreement.HOURLY,)
FEE_KINDS = ("per_maand", "per_plaatsing", "per_resultaat")

STATUS_LABELS = {
    InvoiceStatus.DRAFT: _l("Concept"), InvoiceStatus.SENT: _l("Verzonden"),
    InvoiceStatus.PARTLY_PAID: _l("Deels betaald"), InvoiceStatus.PAID: _l("Betaald"),
    InvoiceStatus.CREDITED: _l("Gecrediteerd"),
}
KIND_LABELS = {InvoiceKind.INVOICE: _l("Factuur"), InvoiceKind.CREDIT_NOTE: _l("Creditnota")}
UNIT_LABELS = {
    LineUnit.HOUR: _l("uur"), LineUnit.PIECE: _l("stuk"), LineUnit.MONTH: _l("maand"),
    LineUnit.PLACEMENT: _l("plaatsing"), LineUnit.TRAJECTORY: _l("traject"),
    LineUnit.PUNCH_CARD: _l("strippenkaart"),
}
#: by VAT rate code (the value stored on a line)
VAT_LABELS = {
    VatRate.HIGH.value: _l("21% btw"), VatRate.LOW.value: _l("9% btw"),
    VatRate.ZERO.value: _l("0% btw"), VatRate.EXEMPT.value: _l("Vrijgesteld van btw"),
    VatRate.KOR.value: _l("Geen btw (KOR)"),
}
METHOD_LABELS = {
    PaymentMethod.BANK_TRANSFER: _l("Bankoverschrijving"), PaymentMethod.CASH: _l("Contant"),
    PaymentMethod.CARD: _l("Pin"), PaymentMethod.ONLINE: _l("Online"),
}
FEE_LABELS = {
    "per_maand": _l("Per deelnemer per maand"), "per_plaatsing": _l("Per plaatsing"),
    "per_resultaat": _l("Per resultaat (uitstroom)"),
}
#: what a fee line says and its unit (stored Dutch: an invoice is a Dutch document)
_FEE_TEXT = {"per_maand": ("Trajectvergoeding", LineUnit.MONTH),
             "per_plaatsing": ("Plaatsingsvergoeding", LineUnit.PLACEMENT),
             "per_resultaat": ("Resultaatvergoeding", LineUnit.TRAJECTORY)}

ALREADY_INVOICED = _l("Een deel van deze uren staat al op een factuur (of op een andere "
                      "conceptfactuur). Ververs de pagina en kies opnieuw.")


# --- settings and customers -----------------------------------------------------------------

def _finance(session: Session) -> FinanceSettings:
    return finance_settings.get_settings(session)


def current_settings(session: Session) -> FinanceSettings:
    """The settings as they are, or the defaults, without storing anything (for pages)."""
    return finance_settings.current_settings(session)


def missing_settings(session: Session) -> list:
    """What the finance settings still lack before an invoice can be sent (Dutch)."""
    return finance_settings.missing_for_invoicing(current_settings(session))


def get_customer(session: Session, customer_id) -> Customer:
    """The customer with this id in the current tenant; a Dutch refusal for anything else
    (e.g. the id of another tenant's customer posted in a form)."""
    try:
        return customers.get_customer(session, int(customer_id))
    except (NotFound, TypeError, ValueError):
        raise DomainError(_l("Deze klant bestaat niet (meer). Kies een klant uit de lijst."))


# --- small helpers ---------------------------------------------------------------------------

def _text(value: str | None, limit: int, what=None) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(what or _l("Een van de velden is te lang: hoogstens %(n)s tekens.",
                                     n=limit))
    return value or None


def _locked(session: Session, invoice: Invoice) -> Invoice:
    """The invoice row, locked until commit and read fresh (PostgreSQL waits here for another
    transaction holding it; SQLite serialises writers anyway)."""
    row = session.scalar(select(Invoice).where(Invoice.id == invoice.id).with_for_update()
                         .execution_options(populate_existing=True))
    if row is None:
        raise NotFound()
    return row


def _draft(session: Session, invoice: Invoice) -> Invoice:
    invoice = _locked(session, invoice)
    if invoice.status != InvoiceStatus.DRAFT:
        raise DomainError(_l("Factuur %(number)s is verzonden en kan niet meer worden gewijzigd. "
                             "Maak zo nodig een creditnota.", number=invoice.number_text or ""))
    return invoice


def _customer_of(session: Session, invoice: Invoice) -> Customer:
    customer = session.scalar(select(Customer).where(Customer.id == invoice.customer_id))
    if customer is None:
        raise NotFound()
    return customer


def parse_quantity(value) -> Decimal:
    """A line quantity: more than zero, at most two decimals ("1,5", "2", "0.25")."""
    if isinstance(value, Decimal):
        raw = value
    else:
        text = str(value if value is not None else "").strip().replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            raw = Decimal(text)
        except InvalidOperation:
            raise DomainError(_l("Vul het aantal in als getal, bijvoorbeeld 2 of 1,5."))
    if not raw.is_finite():
        raise DomainError(_l("Vul het aantal in als getal, bijvoorbeeld 2 of 1,5."))
    if raw <= 0:
        raise DomainError(_l("Het aantal moet groter zijn dan nul."))
    if raw >= MAX_QUANTITY:
        raise DomainError(_l("Dit aantal is te groot. Controleer het aantal."))
    qty = money.quantity(raw)
    if qty != raw:
        raise DomainError(_l("Een aantal heeft hoogstens twee cijfers achter de komma."))
    return qty


def _unit_price(cents) -> int:
    if cents is None:
        raise DomainError(_l("Vul de prijs per eenheid in, bijvoorbeeld 25,00."))
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise DomainError(_l("Vul de prijs per eenheid in, bijvoorbeeld 25,00."))
    if cents < 0:
        raise DomainError(_l("Een prijs kan niet negatief zijn. Wilt u iets terugbetalen, maak "
                             "dan een creditnota."))
    if cents > MAX_UNIT_PRICE_CENTS:
        raise DomainError(_l("Deze prijs is te hoog (meer dan € 100.000). Controleer de prijs."))
    return cents


def _vat_rate(settings: FinanceSettings, code) -> str:
    """The VAT rate code of a new line: always KOR under the KOR regime, otherwise one of the
    rates (21 / 9 / 0 / vrijgesteld)."""
    if settings.vat_regime == VatRegime.KOR:
        return VatRate.KOR.value
    code = getattr(code, "value", code)
    try:
        rate = VatRate(str(code or "").strip().lower())
    except ValueError:
        raise DomainError(_l("Kies een bestaand btw-tarief: 21%, 9%, 0% of vrijgesteld."))
    if rate is VatRate.KOR:
        raise DomainError(_l("Geen btw volgens de KOR kan alleen als de organisatie onder de "
                             "kleineondernemersregeling valt (Financiële instellingen)."))
    return rate.value


def _unit(value) -> LineUnit:
    try:
        return LineUnit(getattr(value, "value", value))
    except ValueError:
        raise DomainError(_l("Kies een eenheid uit de lijst."))


def _next_position(session: Session, invoice: Invoice) -> int:
    return (session.scalar(select(func.max(InvoiceLine.position))
                           .where(InvoiceLine.invoice_id == invoice.id)) or 0) + 1


def _kind_label(help_request: HelpRequest) -> str:
    with force_locale("nl"):
        return str(JOB_KINDS[help_request.kind])


def _trajectory_label(trajectory: Trajectory) -> str:
    with force_locale("nl"):
        return str(TRAJECTORY_KINDS[trajectory.kind])


def open_cents(invoice: Invoice) -> int:
    """What the customer still owes on an invoice (0 for drafts and credit notes)."""
    if invoice.kind != InvoiceKind.INVOICE or invoice.status not in OPEN:
        return 0
    return max(0, invoice.total_incl_cents - invoice.credited_cents - invoice.paid_cents)


def recalc(session: Session, invoice: Invoice) -> money.Totals:
    """Line amounts and the invoice's totals from its lines (money.py does the arithmetic)."""
    lines = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)).all()
    for line in lines:
        line.net_cents = money.line_total_cents(line.quantity, line.unit_price_cents)
    totals = money.totals((line.net_cents, VatRate(line.vat_rate)) for line in lines)
    invoice.total_excl_cents = totals.excl_cents
    invoice.total_vat_cents = totals.vat_cents
    invoice.total_incl_cents = totals.incl_cents
    return totals


def line_totals(lines) -> money.Totals:
    """Totals of lines already loaded (for pages: per VAT rate with the required mention)."""
    return money.totals((line.net_cents, VatRate(line.vat_rate)) for line in lines)


# --- drafts ----------------------------------------------------------------------------------

def _period(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    if start and end and end < start:
        raise DomainError(_l("Het einde van de periode ligt vóór het begin. Controleer de data."))
    return start, end


def create_draft(session: Session, actor: Actor, customer: Customer,
                 period_start: date | None = None, period_end: date | None = None,
                 note: str | None = None, buyer_reference: str | None = None,
                 order_reference: str | None = None) -> Invoice:
    """A new draft for `customer` (no number yet). The buyer reference defaults to the
    customer's (public customers require one on every invoice)."""
    if customer is None or getattr(customer, "archived_at", None) is not None:
        raise DomainError(_l("Deze klant is gearchiveerd: maak geen nieuwe facturen voor deze "
                             "klant."))
    period_start, period_end = _period(period_start, period_end)
    invoice = Invoice(
        kind=InvoiceKind.INVOICE, status=InvoiceStatus.DRAFT, customer_id=customer.id,
        period_start=period_start, period_end=period_end,
        note=_text(note, 2000),
        buyer_reference=_text(buyer_reference, 100) or customer.buyer_reference,
        order_reference=_text(order_reference, 100),
        created_by_id=actor.user_id)
    session.add(invoice)
    session.flush()
    audit.record(session, actor, "invoice.draft_created", invoice, customer_id=customer.id)
    return invoice


def update_draft(session: Session, actor: Actor, invoice: Invoice,
                 period_start: date | None, period_end: date | None, note: str | None,
                 buyer_reference: str | None, order_reference: str | None) -> Invoice:
    """Change a draft's period, references and note."""
    invoice = _draft(session, invoice)
    period_start, period_end = _period(period_start, period_end)
    values = {"period_start": period_start, "period_end": period_end,
              "note": _text(note, 2000), "buyer_reference": _text(buyer_reference, 100),
              "order_reference": _text(order_reference, 100)}
    changed = sorted(k for k, v in values.items() if getattr(invoice, k) != v)
    for key, value in values.items():
        setattr(invoice, key, value)
    audit.record(session, actor, "invoice.draft_updated", invoice, fields=changed)
    return invoice


def delete_draft(session: Session, actor: Actor, invoice: Invoice) -> None:
    """Delete a draft; its hours become uninvoiced again. A sent invoice is never deleted."""
    invoice = _draft(session, invoice)
    released = session.execute(delete(InvoiceHour).where(InvoiceHour.invoice_id == invoice.id)
                               .execution_options(synchronize_session=False)).rowcount
    # A punch card sold on this draft stays sold; it is just no longer on an invoice.
    session.execute(update(PunchCard).where(PunchCard.invoice_id == invoice.id)
                    .values(invoice_id=None).execution_options(synchronize_session=False))
    session.execute(delete(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                    .execution_options(synchronize_session=False))
    audit.record(session, actor, "invoice.draft_deleted", invoice,
                 customer_id=invoice.customer_id, hours_released=released)
    session.delete(invoice)
    session.flush()


# --- punch cards ---------------------------------------------------------------------------

def sell_punch_card_on_invoice(session: Session, actor: Actor, customer: Customer, hours,
                               price_cents: int | None, bought_on: date | None,
                               note: str | None = None) -> Invoice:
    """Sell a punch card and put it on a new draft invoice for the customer: one line
    "Strippenkaart N uur" at the card's price (excl. VAT) at the customer's VAT rate. The card
    refers to the invoice; deleting the draft leaves the card sold without an invoice."""
    draft = create_draft(session, actor, customer, bought_on, bought_on)
    card = customers.sell_punch_card(session, actor, customer, hours, price_cents, bought_on,
                                     note, invoice_id=draft.id)
    # Stored in Dutch, whatever the admin's language: an invoice is a Dutch document.
    hours_text = f"{money.hours_quantity(card.minutes_bought):.2f}".replace(".", ",")
    hours_text = hours_text.removesuffix(",00")
    vat = customers.rate_for(session, customer, None)[1]
    add_fixed_line(session, actor, draft, f"Strippenkaart {hours_text} uur", "1",
                   LineUnit.PUNCH_CARD.value, card.price_cents, vat, bought_on)
    return draft


# --- hours -----------------------------------------------------------------------------------

@dataclass
class ParticipantHours:
    """One participant's uninvoiced approved entries on one job (a future invoice line)."""

    participant: Participant
    entries: list[TimeEntry] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(e.minutes for e in self.entries)


@dataclass
class JobHours:
    """The uninvoiced hours of one job (help request), or of no job (`help_request` None)."""

    help_request: HelpRequest | None
    people: list[ParticipantHours] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(p.minutes for p in self.people)


def _billable(customer_id: int, include_unlinked: bool):
    linked = and_(HelpRequest.customer_id == customer_id,
                  HelpRequest.price_agreement.in_(HOURLY))
    return or_(linked, TimeEntry.help_request_id.is_(None)) if include_unlinked else linked


def uninvoiced_hours(session: Session, customer: Customer, start: date | None, end: date | None,
                     include_unlinked: bool = False) -> list[JobHours]:
    """Approved entries in the period not on any invoice, of hourly-priced jobs of this
    customer (and, with `include_unlinked`, entries without a job), grouped by job and
    participant for review. One query."""
    billed = select(InvoiceHour.id).where(InvoiceHour.time_entry_id == TimeEntry.id)
    stmt = (
        select(TimeEntry, Participant, HelpRequest)
        .join(Participant, and_(Participant.tenant_id == TimeEntry.tenant_id,
                                Participant.id == TimeEntry.participant_id))
        .outerjoin(HelpRequest, and_(HelpRequest.tenant_id == TimeEntry.tenant_id,
                                     HelpRequest.id == TimeEntry.help_request_id))
        .where(TimeEntry.status == EntryStatus.APPROVED,
               TimeEntry.hour_type != HourType.TRAINING,
               ~billed.exists(), _billable(customer.id, include_unlinked))
        .order_by(HelpRequest.reference.is_(None), HelpRequest.reference, Participant.last_name,
                  Participant.first_name, Participant.id, TimeEntry.work_date, TimeEntry.id))
    if start:
        stmt = stmt.where(TimeEntry.work_date >= start)
    if end:
        stmt = stmt.where(TimeEntry.work_date <= end)
    jobs: dict[int | None, JobHours] = {}
    people: dict[tuple, ParticipantHours] = {}
    for entry, person, help_request in session.execute(stmt):
        key = help_request.id if help_request is not None else None
        job = jobs.setdefault(key, JobHours(help_request))
        group = people.get((key, person.id))
        if group is None:
            group = people[(key, person.id)] = ParticipantHours(person)
            job.people.append(group)
        group.entries.append(entry)
    return list(jobs.values())


def _invoiced_message(session: Session, entry_ids: list[int]) -> str | None:
    row = session.execute(
        select(Invoice.number_text, Invoice.status)
        .join(InvoiceHour, and_(InvoiceHour.tenant_id == Invoice.tenant_id,
                                InvoiceHour.invoice_id == Invoice.id))
        .where(InvoiceHour.time_entry_id.in_(entry_ids)).limit(1)).first()
    if row is None:
        return None
    if row.number_text:
        return str(_l("Een deel van deze uren staat al op factuur %(number)s. Uren worden maar "
                      "één keer gefactureerd.", number=row.number_text))
    return str(_l("Een deel van deze uren staat al op een (andere) conceptfactuur. Uren worden "
                  "maar één keer gefactureerd."))


def add_hours(session: Session, actor: Actor, invoice: Invoice, entry_ids) -> list[InvoiceLine]:
    """Bill approved entries: one line per (job or trajectory, participant, unit price), the
    quantity in hours from the minutes (corrections included), an `InvoiceHour` per entry.

    The price is the job's agreed hourly price, else the customer's rate for the kind of job
    (customers.services.rate_for). An entry already billed (here or on another invoice) is
    refused, also when another admin bills it at the same moment (UNIQUE per entry)."""
    invoice = _draft(session, invoice)
    try:
        ids = sorted({int(i) for i in entry_ids or []})
    except (TypeError, ValueError):
        raise DomainError(_l("Kies de uren uit de lijst."))
    if not ids:
        raise DomainError(_l("Kies eerst de uren die op de factuur moeten."))
    rows = session.execute(
        select(TimeEntry, HelpRequest, Participant)
        .join(Participant, and_(Participant.tenant_id == TimeEntry.tenant_id,
                                Participant.id == TimeEntry.participant_id))
        .outerjoin(HelpRequest, and_(HelpRequest.tenant_id == TimeEntry.tenant_id,
                                     HelpRequest.id == TimeEntry.help_request_id))
        .where(TimeEntry.id.in_(ids))
        .order_by(TimeEntry.work_date, TimeEntry.id)).all()
    if len(rows) != len(ids):
        raise DomainError(_l("Een deel van de gekozen uren bestaat niet (meer). Ververs de pagina "
                             "en kies opnieuw."))
    for entry, help_request, _person in rows:
        if entry.status != EntryStatus.APPROVED:
            raise DomainError(_l("Alleen goedgekeurde uren kunnen worden gefactureerd."))
        if entry.hour_type == HourType.TRAINING:
            raise DomainError(_l("Scholingsuren worden niet gefactureerd."))
        if help_request is not None:
            if help_request.customer_id != invoice.customer_id:
                raise DomainError(_l("Een deel van deze uren hoort bij een klus van een andere "
                                     "klant (hulpvraag %(ref)s).", ref=help_request.reference))
            if help_request.price_agreement not in HOURLY:
                raise DomainError(_l("Hulpvraag %(ref)s heeft geen uurtarief: een klus met een "
                                     "vaste prijs voegt u als hulpvraag toe, een gratis klus of "
                                     "een klus van de strippenkaart wordt niet gefactureerd.",
                                     ref=help_request.reference))
    message = _invoiced_message(session, ids)
    if message:
        raise DomainError(message)

    customer = _customer_of(session, invoice)
    settings = _finance(session)
    groups: dict[tuple, list] = defaultdict(list)
    for entry, help_request, person in rows:
        groups[(help_request.id if help_request else None,
                None if help_request else entry.trajectory_id, person.id)].append(
            (entry, help_request, person))

    trajectories = {t.id: t for t in session.scalars(select(Trajectory).where(
        Trajectory.id.in_({e.trajectory_id for e, _h, _p in rows if e.trajectory_id})))}
    existing = {(line.help_request_id, None if line.help_request_id else line.trajectory_id,
                 line.participant_id, line.unit_price_cents): line
                for line in session.scalars(select(InvoiceLine).where(
                    InvoiceLine.invoice_id == invoice.id, InvoiceLine.source == LineSource.HOURS))}
    position = _next_position(session, invoice)
    touched: list[InvoiceLine] = []
    try:
        with session.begin_nested():
            for (help_request_id, trajectory_id, participant_id), items in groups.items():
                help_request, person = items[0][1], items[0][2]
                price, vat = customers.rate_for(session, customer,
                                       help_request.kind.value if help_request else None)
                if help_request is not None and help_request.price_cents:
                    price = help_request.price_cents  # the hourly price agreed for this job
                price, vat = _unit_price(price), _vat_rate(settings, vat)
                minutes = sum(e.minutes for e, _h, _p in items)
                supply = max(e.work_date for e, _h, _p in items)
                key = (help_request_id, trajectory_id, participant_id, price)
                line = existing.get(key)
                if line is None:
                    traject = trajectories.get(trajectory_id or items[0][0].trajectory_id)
                    if help_request is not None:
                        text = f"{_kind_label(help_request)} (hulpvraag " \
                               f"{help_request.reference}), {person.first_name}"
                    elif traject is not None:
                        text = f"Werkzaamheden {_trajectory_label(traject).lower()}, " \
                               f"{person.first_name}"
                    else:
                        text = f"Werkzaamheden, {person.first_name}"
                    line = InvoiceLine(
                        invoice_id=invoice.id, position=position, source=LineSource.HOURS,
                        description=text[:300], unit=LineUnit.HOUR, unit_price_cents=price,
                        vat_rate=vat, quantity=Decimal(0), net_cents=0, minutes=0,
                        help_request_id=help_request_id, participant_id=participant_id,
                        trajectory_id=traject.id if traject else None, supply_date=supply)
                    session.add(line)
                    existing[key] = line
                    position += 1
                line.minutes = (line.minutes or 0) + minutes
                if line.minutes <= 0:
                    raise DomainError(_l("Na de correcties blijven er voor %(name)s geen uren "
                                         "over om te factureren. Laat deze uren weg.",
                                         name=person.full_name))
                line.quantity = money.hours_quantity(line.minutes)
                if line.quantity <= 0:
                    raise DomainError(_l("Te weinig minuten voor een factuurregel (%(name)s).",
                                         name=person.full_name))
                line.supply_date = max(line.supply_date or supply, supply)
                session.flush()
                for entry, _h, _p in items:
                    session.add(InvoiceHour(invoice_id=invoice.id, line_id=line.id,
                                            time_entry_id=entry.id, minutes=entry.minutes))
                if line not in touched:
                    touched.append(line)
            session.flush()
    except IntegrityError:
        raise DomainError(_invoiced_message(session, ids) or ALREADY_INVOICED)
    recalc(session, invoice)
    audit.record(session, actor, "invoice.hours_added", invoice, entries=len(ids),
                 minutes=sum(e.minutes for e, _h, _p in rows))
    return touched


# --- help requests ---------------------------------------------------------------------------

def _open_line_for(session: Session, help_request_id: int) -> InvoiceLine | None:
    """A line billing this help request at its fixed price that is not fully credited."""
    lines = session.scalars(
        select(InvoiceLine).join(Invoice, and_(Invoice.tenant_id == InvoiceLine.tenant_id,
                                               Invoice.id == InvoiceLine.invoice_id))
        .where(InvoiceLine.help_request_id == help_request_id,
               InvoiceLine.source == LineSource.HELP_REQUEST,
               Invoice.kind == InvoiceKind.INVOICE)).all()
    if not lines:
        return None
    credited = dict(session.execute(
        select(InvoiceLine.credits_line_id, func.sum(InvoiceLine.quantity))
        .where(InvoiceLine.credits_line_id.in_([line.id for line in lines]))
        .group_by(InvoiceLine.credits_line_id)).all())
    for line in lines:
        if line.quantity > (credited.get(line.id) or 0):
            return line
    return None


def invoiceable_requests(session: Session, customer: Customer, limit: int = 50):
    """Done fixed-price jobs of this customer (or not yet linked to a customer) that are not
    on an invoice yet (two queries)."""
    requests = session.scalars(
        select(HelpRequest).where(
            HelpRequest.status == RequestStatus.DONE,
            HelpRequest.price_agreement == PriceAgreement.FIXED,
            or_(HelpRequest.customer_id == customer.id, HelpRequest.customer_id.is_(None)))
        .order_by(HelpRequest.done_on, HelpRequest.reference).limit(limit * 2)).all()
    if not requests:
        return []
    on_invoice = set(session.scalars(
        select(InvoiceLine.help_request_id).join(
            Invoice, and_(Invoice.tenant_id == InvoiceLine.tenant_id,
                          Invoice.id == InvoiceLine.invoice_id))
        .where(InvoiceLine.help_request_id.in_([r.id for r in requests]),
               InvoiceLine.source == LineSource.HELP_REQUEST,
               Invoice.status != InvoiceStatus.CREDITED)))
    return [r for r in requests if r.id not in on_invoice][:limit]


def add_help_request(session: Session, actor: Actor, invoice: Invoice,
                     help_request: HelpRequest) -> list[InvoiceLine]:
    """Bill a done job. At a fixed price: one line at that price (for the first planned
    participant, whose budget it earns). At an hourly price: its uninvoiced approved hours
    (see add_hours). A job already billed on another invoice (not credited) is refused."""
    invoice = _draft(session, invoice)
    help_request = session.scalar(select(HelpRequest).where(HelpRequest.id == help_request.id)
                                  .with_for_update().execution_options(populate_existing=True))
    if help_request is None:
        raise DomainError(_l("Deze hulpvraag bestaat niet (meer)."))
    if help_request.customer_id not in (None, invoice.customer_id):
        raise DomainError(_l("Hulpvraag %(ref)s hoort bij een andere klant.",
                             ref=help_request.reference))
    agreement = help_request.price_agreement
    if agreement == PriceAgreement.FREE:
        raise DomainError(_l("Hulpvraag %(ref)s is gratis en wordt niet gefactureerd.",
                             ref=help_request.reference))
    if agreement == PriceAgreement.PUNCH_CARD:
        raise DomainError(_l("Hulpvraag %(ref)s gaat van de strippenkaart af en wordt niet apart "
                             "gefactureerd.", ref=help_request.reference))
    if help_request.customer_id is None:
        help_request.customer_id = invoice.customer_id
        audit.record(session, actor, "help_request.customer_linked", help_request,
                     customer_id=invoice.customer_id)
    if agreement == PriceAgreement.HOURLY:
        ids = session.scalars(
            select(TimeEntry.id).where(
                TimeEntry.help_request_id == help_request.id,
                TimeEntry.status == EntryStatus.APPROVED,
                TimeEntry.hour_type != HourType.TRAINING,
                ~select(InvoiceHour.id).where(InvoiceHour.time_entry_id == TimeEntry.id).exists()
            )).all()
        if not ids:
            raise DomainError(_l("Hulpvraag %(ref)s heeft een uurtarief, maar er zijn geen "
                                 "goedgekeurde uren die nog niet gefactureerd zijn.",
                                 ref=help_request.reference))
        return add_hours(session, actor, invoice, ids)
    if help_request.status not in (RequestStatus.DONE, RequestStatus.INVOICED):
        raise DomainError(_l("Alleen een uitgevoerde klus kan worden gefactureerd; hulpvraag "
                             "%(ref)s is nog niet als uitgevoerd gemeld.",
                             ref=help_request.reference))
    line = _open_line_for(session, help_request.id)
    if line is not None:
        on = session.scalar(select(Invoice).where(Invoice.id == line.invoice_id))
        raise DomainError(_l("Hulpvraag %(ref)s staat al op %(where)s.", ref=help_request.reference,
                             where=(_l("factuur %(n)s", n=on.number_text) if on.number_text
                                    else _l("een conceptfactuur"))))
    if not help_request.price_cents:
        raise DomainError(_l("Hulpvraag %(ref)s heeft geen prijs. Vul eerst de vaste prijs in bij "
                             "de hulpvraag.", ref=help_request.reference))
    customer = _customer_of(session, invoice)
    settings = _finance(session)
    _price, vat = customers.rate_for(session, customer, help_request.kind.value)
    first = session.scalar(select(Assignment.participant_id)
                           .where(Assignment.help_request_id == help_request.id)
                           .order_by(Assignment.created_at, Assignment.id).limit(1))
    summary = " ".join(help_request.description.split())
    if len(summary) > 120:
        summary = summary[:117].rstrip() + "…"
    line = InvoiceLine(
        invoice_id=invoice.id, position=_next_position(session, invoice),
        source=LineSource.HELP_REQUEST,
        description=f"{_kind_label(help_request)}: {summary} (hulpvraag "
                    f"{help_request.reference})"[:300],
        quantity=Decimal("1.00"), unit=LineUnit.PIECE,
        unit_price_cents=_unit_price(help_request.price_cents),
        vat_rate=_vat_rate(settings, vat), net_cents=0, supply_date=help_request.done_on,
        help_request_id=help_request.id, participant_id=first)
    session.add(line)
    session.flush()
    recalc(session, invoice)
    audit.record(session, actor, "invoice.help_request_added", invoice,
                 help_request_id=help_request.id)
    return [line]


# --- lines typed by hand ---------------------------------------------------------------------

def _line_values(settings, description, quantity, unit, unit_price_cents, vat_rate,
                 supply_date) -> dict:
    text = _text(description, 300, _l("De omschrijving is te lang: hoogstens 300 tekens."))
    if not text:
        raise DomainError(_l("Vul de omschrijving van de regel in."))
    return {"description": text, "quantity": parse_quantity(quantity), "unit": _unit(unit),
            "unit_price_cents": _unit_price(unit_price_cents),
            "vat_rate": _vat_rate(settings, vat_rate), "supply_date": supply_date}


def add_fixed_line(session: Session, actor: Actor, invoice: Invoice, description: str,
                   quantity, unit, unit_price_cents: int | None, vat_rate,
                   supply_date: date | None = None) -> InvoiceLine:
    """A line typed by hand: quantity (> 0, two decimals) × unit price at a VAT rate."""
    invoice = _draft(session, invoice)
    values = _line_values(_finance(session), description, quantity, unit, unit_price_cents,
                          vat_rate, supply_date)
    line = InvoiceLine(invoice_id=invoice.id, position=_next_position(session, invoice),
                       source=LineSource.FIXED, net_cents=0, **values)
    session.add(line)
    session.flush()
    recalc(session, invoice)
    audit.record(session, actor, "invoice.line_added", invoice, line_id=line.id,
                 source=LineSource.FIXED.value)
    return line


def get_line(session: Session, invoice: Invoice, line_id) -> InvoiceLine:
    try:
        line_id = int(line_id)
    except (TypeError, ValueError):
        raise NotFound()
    line = session.scalar(select(InvoiceLine).where(InvoiceLine.id == line_id,
                                                    InvoiceLine.invoice_id == invoice.id))
    if line is None:
        raise NotFound()
    return line


def update_line(session: Session, actor: Actor, line: InvoiceLine, description: str, quantity,
                unit, unit_price_cents: int | None, vat_rate,
                supply_date: date | None = None) -> InvoiceLine:
    """Change a line of a draft. The quantity of an hours line follows from its approved hours
    (remove the line and add the right hours instead)."""
    invoice = _draft(session, session.scalar(select(Invoice).where(Invoice.id == line.invoice_id)))
    values = _line_values(_finance(session), description, quantity, unit, unit_price_cents,
                          vat_rate, supply_date)
    if line.source == LineSource.HOURS:
        if values["quantity"] != line.quantity:
            raise DomainError(_l("Het aantal uren volgt uit de goedgekeurde uren. Haal de regel "
                                 "weg en voeg de juiste uren toe."))
        values["unit"] = line.unit
    changed = sorted(k for k, v in values.items() if getattr(line, k) != v)
    for key, value in values.items():
        setattr(line, key, value)
    recalc(session, invoice)
    audit.record(session, actor, "invoice.line_updated", invoice, line_id=line.id, fields=changed)
    return line


def remove_line(session: Session, actor: Actor, line: InvoiceLine) -> None:
    """Remove a line of a draft; an hours line releases its hours."""
    invoice = _draft(session, session.scalar(select(Invoice).where(Invoice.id == line.invoice_id)))
    released = session.execute(delete(InvoiceHour).where(InvoiceHour.line_id == line.id)
                               .execution_options(synchronize_session=False)).rowcount
    line_id = line.id
    session.delete(line)
    session.flush()
    recalc(session, invoice)
    audit.record(session, actor, "invoice.line_removed", invoice, line_id=line_id,
                 hours_released=released)


# --- trajectory fees -------------------------------------------------------------------------

def fee_trajectories(session: Session):
    """Trajectories a municipality can be invoiced for (past intake), with their participant,
    by name (one query)."""
    return session.execute(
        select(Trajectory, Participant)
        .join(Participant, and_(Participant.tenant_id == Trajectory.tenant_id,
                                Participant.id == Trajectory.participant_id))
        .where(Trajectory.status != TrajectoryStatus.INTAKE)
        .order_by(Participant.last_name, Participant.first_name, Trajectory.starts_on)).all()


def add_trajectory_fees(session: Session, actor: Actor, invoice: Invoice, kind: str,
                        trajectory_ids, unit_price_cents: int | None, months=None,
                        vat_rate=None) -> list[InvoiceLine]:
    """Fees for a municipality: per participant per month (`months` months), per placement or
    per outcome. One line per trajectory, for its participant (whose budget it may earn)."""
    invoice = _draft(session, invoice)
    customer = _customer_of(session, invoice)
    if customer.kind != CustomerKind.MUNICIPALITY:
        raise DomainError(_l("Trajectvergoedingen horen op een factuur aan een gemeente."))
    if kind not in FEE_KINDS:
        raise DomainError(_l("Kies het soort vergoeding: per maand, per plaatsing of per "
                             "resultaat."))
    try:
        ids = sorted({int(i) for i in trajectory_ids or []})
    except (TypeError, ValueError):
        raise DomainError(_l("Kies de trajecten uit de lijst."))
    if not ids:
        raise DomainError(_l("Kies minstens één traject."))
    quantity = Decimal(1)
    if kind == "per_maand":
        try:
            quantity = Decimal(int(str(months if months not in (None, "") else 1).strip()))
        except (TypeError, ValueError):
            raise DomainError(_l("Vul het aantal maanden in als heel getal, bijvoorbeeld 1."))
        if not 1 <= quantity <= MAX_MONTHS:
            raise DomainError(_l("Het aantal maanden ligt tussen 1 en %(n)s.", n=MAX_MONTHS))
    price = _unit_price(unit_price_cents)
    if price == 0:
        raise DomainError(_l("Vul het bedrag van de vergoeding in, bijvoorbeeld 450,00."))
    settings = _finance(session)
    if vat_rate in (None, ""):
        vat_rate = customers.rate_for(session, customer, None)[1]
    vat = _vat_rate(settings, vat_rate)
    rows = session.execute(
        select(Trajectory, Participant)
        .join(Participant, and_(Participant.tenant_id == Trajectory.tenant_id,
                                Participant.id == Trajectory.participant_id))
        .where(Trajectory.id.in_(ids))
        .order_by(Participant.last_name, Participant.first_name, Trajectory.id)).all()
    if len(rows) != len(ids):
        raise DomainError(_l("Een van de gekozen trajecten bestaat niet (meer). Ververs de "
                             "pagina en kies opnieuw."))
    title, unit = _FEE_TEXT[kind]
    period = ""
    if invoice.period_start and invoice.period_end:
        with force_locale("nl"):
            period = f", {format_date(invoice.period_start)} t/m {format_date(invoice.period_end)}"
    position = _next_position(session, invoice)
    lines = []
    for trajectory, person in rows:
        line = InvoiceLine(
            invoice_id=invoice.id, position=position, source=LineSource.TRAJECTORY_FEE,
            description=f"{title} {_trajectory_label(trajectory).lower()}, "
                        f"{person.full_name}{period}"[:300],
            quantity=quantity, unit=unit, unit_price_cents=price, vat_rate=vat, net_cents=0,
            supply_date=invoice.period_end, participant_id=person.id,
            trajectory_id=trajectory.id)
        session.add(line)
        lines.append(line)
        position += 1
    session.flush()
    recalc(session, invoice)
    audit.record(session, actor, "invoice.trajectory_fees_added", invoice, kind=kind,
                 trajectories=len(ids))
    return lines


# --- finalising ------------------------------------------------------------------------------

def is_public(customer) -> bool:
    """Public customers get a UBL e-invoice and must meet the Dutch e-invoice rules."""
    return customer.kind == CustomerKind.MUNICIPALITY or bool(customer.wants_ubl)


def _check_customer(customer: Customer, invoice: Invoice) -> None:
    if not (customer.name or "").strip():
        raise DomainError(_l("De klant heeft geen naam. Vul die eerst in bij de klant."))
    if not (customer.street and customer.postcode and customer.city):
        raise DomainError(_l("Vul eerst het adres van %(name)s in (straat, postcode en plaats): "
                             "dat moet op de factuur staan.", name=customer.name))
    if is_public(customer):
        if not (invoice.buyer_reference or invoice.order_reference):
            raise DomainError(_l("%(name)s ontvangt een e-factuur en vraagt een "
                                 "inkoopordernummer of referentie (BR-NL-2). Vul de referentie "
                                 "van de klant of het ordernummer in.", name=customer.name))
        if not (customer.oin or customer.kvk_number):
            raise DomainError(_l("Vul eerst het OIN of KvK-nummer van %(name)s in: een e-factuur "
                                 "aan een Nederlandse overheid heeft dat nodig (BR-NL-10).",
                                 name=customer.name))


def _assign_number(session: Session, actor: Actor, invoice: Invoice, settings: FinanceSettings,
                   customer: Customer, issue_date: date) -> None:
    """Draw the number (same transaction, counter row locked until commit) and freeze the
    supplier and customer details."""
    series = settings.credit_prefix if invoice.kind == InvoiceKind.CREDIT_NOTE \
        else settings.invoice_prefix
    year = issue_date.year
    number = next_number(session, f"invoice:{series}:{year}")
    if number > 1:
        # Numbers follow the dates: the previous number of the series was not issued later.
        previous = session.scalar(select(Invoice.issue_date).where(
            Invoice.series == series, Invoice.year == year, Invoice.number == number - 1))
        if previous is not None and previous > issue_date:
            raise DomainError(_l("De factuurdatum ligt vóór die van het vorige nummer in deze "
                                 "reeks (%(date)s). Kies %(date)s of later.",
                                 date=format_date(previous)))
    invoice.series, invoice.year, invoice.number = series, year, number
    invoice.number_text = f"{series}{year}-{number:05d}"
    invoice.issue_date = issue_date
    invoice.supplier_snapshot = supplier_snapshot(settings)
    invoice.customer_snapshot = customer_snapshot(customer)
    invoice.status = InvoiceStatus.SENT
    invoice.sent_at = utcnow()
    invoice.sent_by_id = actor.user_id


def finalise(session: Session, actor: Actor, invoice: Invoice, issue_date: date | None = None,
             today: date | None = None) -> Invoice:
    """Send a draft: check it, draw its number (gapless per series and year), freeze the
    details, set the due date; its fixed-price jobs become "gefactureerd"."""
    today = today or date.today()
    issue_date = issue_date or today
    invoice = _locked(session, invoice)
    if invoice.status != InvoiceStatus.DRAFT:
        raise DomainError(_l("Factuur %(number)s is al verzonden.",
                             number=invoice.number_text or ""))
    if issue_date > today:
        raise DomainError(_l("De factuurdatum kan niet in de toekomst liggen."))
    totals = recalc(session, invoice)
    lines = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                            .order_by(InvoiceLine.position, InvoiceLine.id)).all()
    if not lines:
        raise DomainError(_l("Deze factuur heeft nog geen regels."))
    if totals.incl_cents <= 0:
        raise DomainError(_l("Het totaal van de factuur moet meer dan € 0,00 zijn."))
    settings = _finance(session)
    missing = finance_settings.missing_for_invoicing(settings)
    if missing:
        raise DomainError(_l("De factuur kan nog niet worden verzonden. Vul eerst aan bij de "
                             "financiële instellingen: %(missing)s",
                             missing="; ".join(str(m) for m in missing)))
    customer = _customer_of(session, invoice)
    _check_customer(customer, invoice)
    _assign_number(session, actor, invoice, settings, customer, issue_date)
    term = customer.payment_term_days if customer.payment_term_days is not None \
        else settings.payment_term_days
    invoice.due_date = issue_date + timedelta(days=term or 0)
    for help_request in session.scalars(
            select(HelpRequest).where(HelpRequest.id.in_(
                {line.help_request_id for line in lines if line.help_request_id}))
            .order_by(HelpRequest.id).with_for_update()):
        if help_request.status == RequestStatus.DONE \
                and help_request.price_agreement != PriceAgreement.FREE:
            mark_invoiced(session, actor, help_request)
    session.flush()
    audit.record(session, actor, "invoice.sent", invoice, number=invoice.number_text,
                 total_cents=invoice.total_incl_cents)
    return invoice


# --- credit notes ----------------------------------------------------------------------------

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
    reverses the training budget credit (budgets.services.reverse_for_credit_note); when the
    credit note settles the rest of a partly paid invoice, that invoice is allocated then."""
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
            try:
                line_id = int(key)
            except (TypeError, ValueError):
                raise DomainError(_l("Deze regel hoort niet bij de factuur."))
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
    totals = money.totals(
        (money.line_total_cents(wanted[i.line.id], i.line.unit_price_cents),
         VatRate(i.line.vat_rate)) for i in items if i.line.id in wanted)
    remaining_total = original.total_incl_cents - original.credited_cents
    # Crediting everything that is left: the amounts can differ from the remainder by rounding
    # only (each credit note rounds its own lines and VAT), so it is allowed and settles the
    # invoice exactly; anything else may never credit more than is left.
    completes = all(i.line.id in wanted and wanted[i.line.id] == i.remaining
                    for i in items if i.remaining > 0)
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
        order_reference=original.order_reference, note=reason, created_by_id=actor.user_id)
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
            net_cents=money.line_total_cents(qty, source.unit_price_cents),
            supply_date=source.supply_date, help_request_id=source.help_request_id,
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
    # Reverse first: an invoice not allocated yet gets nothing reversed, and its allocation
    # (when this credit note settles it) leaves out what is credited.
    budgets.reverse_for_credit_note(session, actor, credit)
    if original.status == InvoiceStatus.PAID and not was_paid:
        budgets.allocate_invoice(session, actor, original)
    return credit


# --- payments --------------------------------------------------------------------------------

def _existing_payment(session: Session, key: str) -> Payment | None:
    return session.scalar(select(Payment).where(Payment.idempotency_key == key)
                          .execution_options(populate_existing=True))


def register_payment(session: Session, actor: Actor, invoice: Invoice, amount_cents: int | None,
                     paid_on: date | None, method, reference: str | None = None,
                     idempotency_key: str | None = None, today: date | None = None) -> Payment:
    """Register money received (by hand: transfer, cash, card). The same idempotency key
    again (a double submit, a replayed import line) returns the first payment and changes
    nothing. The amount is at most what is still open. When the invoice is paid in full, the
    training budgets are credited (budgets.services.allocate_invoice)."""
    today = today or date.today()
    key = (idempotency_key or "").strip()
    if not key or len(key) > 80:
        raise DomainError(_l("Het formulier is verlopen. Open de betaling opnieuw."))
    invoice = _locked(session, invoice)
    # After the lock: a registration with this key that committed meanwhile is visible now.
    existing = _existing_payment(session, key)
    if existing is not None:
        if existing.invoice_id != invoice.id:
            raise DomainError(_l("Deze betaling is al geregistreerd bij een andere factuur."))
        return existing
    if invoice.kind != InvoiceKind.INVOICE:
        raise DomainError(_l("Op een creditnota wordt geen betaling geregistreerd."))
    if invoice.status == InvoiceStatus.DRAFT:
        raise DomainError(_l("Verzend de factuur eerst; daarna kunt u een betaling registreren."))
    if invoice.status == InvoiceStatus.PAID:
        raise DomainError(_l("Factuur %(number)s is al helemaal betaald.",
                             number=invoice.number_text))
    if invoice.status == InvoiceStatus.CREDITED:
        raise DomainError(_l("Factuur %(number)s is volledig gecrediteerd: er staat niets open.",
                             number=invoice.number_text))
    if amount_cents is None or isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise DomainError(_l("Vul het betaalde bedrag in, bijvoorbeeld 25,00."))
    if amount_cents <= 0:
        raise DomainError(_l("Het bedrag moet groter zijn dan € 0,00."))
    left = open_cents(invoice)
    if amount_cents > left:
        raise DomainError(_l("Het bedrag (%(amount)s) is hoger dan wat nog openstaat (%(left)s).",
                             amount=format_money(amount_cents), left=format_money(left)))
    if paid_on is None:
        raise DomainError(_l("Vul de datum van de betaling in."))
    if paid_on > today:
        raise DomainError(_l("De betaaldatum kan niet in de toekomst liggen."))
    try:
        method = PaymentMethod(getattr(method, "value", method))
    except ValueError:
        raise DomainError(_l("Kies hoe er is betaald."))
    payment = Payment(invoice_id=invoice.id, paid_on=paid_on, amount_cents=amount_cents,
                      method=method, reference=_text(reference, 140),
                      idempotency_key=key, created_by_id=actor.user_id)
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:
        # The same key was used at the same moment for another invoice (not locked by us).
        existing = _existing_payment(session, key)
        if existing is not None and existing.invoice_id == invoice.id:
            return existing
        raise DomainError(_l("Deze betaling is al geregistreerd."))
    invoice.paid_cents += amount_cents
    if invoice.paid_cents + invoice.credited_cents >= invoice.total_incl_cents:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = utcnow()
    else:
        invoice.status = InvoiceStatus.PARTLY_PAID
    session.flush()
    audit.record(session, actor, "invoice.payment_registered", invoice, payment_id=payment.id,
                 amount_cents=amount_cents, method=method.value, status=invoice.status.value)
    if invoice.status == InvoiceStatus.PAID:
        budgets.allocate_invoice(session, actor, invoice)
    return payment


# --- overdue and reminders -------------------------------------------------------------------

@dataclass(frozen=True)
class OverdueRow:
    invoice: Invoice
    customer_name: str
    customer_email: str | None
    days: int
    open_cents: int
    reminders: int
    last_reminder_at: object


def overdue(session: Session, today: date | None = None) -> list[OverdueRow]:
    """Sent or partly paid invoices past their due date, oldest due first, with the days
    overdue, the open amount and the reminders sent so far. One query."""
    today = today or date.today()
    reminders = (select(Reminder.invoice_id, func.max(Reminder.level).label("level"),
                        func.max(Reminder.sent_at).label("last"))
                 .group_by(Reminder.invoice_id).subquery())
    rows = session.execute(
        select(Invoice, Customer.name, Customer.email, reminders.c.level, reminders.c.last)
        .join(Customer, and_(Customer.tenant_id == Invoice.tenant_id,
                             Customer.id == Invoice.customer_id))
        .outerjoin(reminders, reminders.c.invoice_id == Invoice.id)
        .where(Invoice.kind == InvoiceKind.INVOICE, Invoice.status.in_(OPEN),
               Invoice.due_date < today)
        .order_by(Invoice.due_date, Invoice.number_text)).all()
    return [OverdueRow(i, name, email, (today - i.due_date).days, open_cents(i), level or 0, last)
            for i, name, email, level, last in rows if open_cents(i) > 0]


def reminder_level(session: Session, invoice: Invoice) -> int:
    return session.scalar(select(func.max(Reminder.level))
                          .where(Reminder.invoice_id == invoice.id)) or 0


def reminder_context(session: Session, invoice: Invoice, today: date | None = None) -> dict:
    """What a reminder (e-mail or letter) says: Dutch, from the frozen invoice details."""
    today = today or date.today()
    settings = current_settings(session)
    supplier = invoice.supplier_snapshot or supplier_snapshot(settings)
    customer = invoice.customer_snapshot or {}

    iban = supplier.get("iban") or settings.iban
    return {
        "invoice": invoice, "number": invoice.number_text,
        "issue_date": format_date(invoice.issue_date), "due_date": format_date(invoice.due_date),
        "open_amount": format_money(open_cents(invoice)),
        "days": (today - invoice.due_date).days if invoice.due_date else 0,
        "iban": format_iban(iban) if iban else "", "supplier": supplier, "customer": customer,
        "supplier_name": supplier.get("legal_name") or settings.legal_name,
        "customer_name": customer.get("name") or "", "contact_name": customer.get("contact_name"),
        "level": reminder_level(session, invoice) + 1, "today": format_date(today),
    }


def is_overdue(invoice: Invoice, today: date) -> bool:
    return invoice.kind == InvoiceKind.INVOICE and invoice.status in OPEN \
        and invoice.due_date is not None and invoice.due_date < today and open_cents(invoice) > 0


def _must_be_overdue(invoice: Invoice, today: date) -> None:
    if not is_overdue(invoice, today):
        raise DomainError(_l("Factuur %(number)s is niet achterstallig: een herinnering is niet "
                             "nodig.", number=invoice.number_text or ""))


def send_reminder(session: Session, actor: Actor, invoice: Invoice,
                  today: date | None = None) -> Reminder:
    """E-mail a payment reminder to the customer and record it (level = previous + 1).
    Refused when the invoice is not overdue, or the customer has no e-mail address (then the
    printable reminder letter is the way)."""

    today = today or date.today()
    invoice = _locked(session, invoice)
    _must_be_overdue(invoice, today)
    customer = _customer_of(session, invoice)
    if not customer.email:
        raise DomainError(_l("%(name)s heeft geen e-mailadres. Druk de herinneringsbrief af en "
                             "stuur die per post.", name=customer.name))
    with force_locale("nl"):
        context = reminder_context(session, invoice, today)
        reminder = Reminder(invoice_id=invoice.id, level=context["level"], sent_to=customer.email,
                            sent_by_id=actor.user_id)
        session.add(reminder)
        session.flush()
        subject = str(_l("Herinnering: factuur %(number)s", number=invoice.number_text))
        try:
            send_mail(customer.email, subject, "invoice_reminder", **context)
        except Exception:  # noqa: BLE001 - any mail failure: nothing recorded, clear message
            raise DomainError(_l("De herinnering kon niet worden verstuurd. Probeer het later "
                                 "opnieuw of druk de herinneringsbrief af."))
    audit.record(session, actor, "invoice.reminder_sent", invoice, level=reminder.level)
    return reminder


def record_posted_reminder(session: Session, actor: Actor, invoice: Invoice,
                           today: date | None = None) -> Reminder:
    """Record that the printed reminder letter was sent by post (level = previous + 1)."""
    today = today or date.today()
    invoice = _locked(session, invoice)
    _must_be_overdue(invoice, today)
    reminder = Reminder(invoice_id=invoice.id, level=reminder_level(session, invoice) + 1,
                        sent_to=None, sent_by_id=actor.user_id)
    session.add(reminder)
    session.flush()
    audit.record(session, actor, "invoice.reminder_posted", invoice, level=reminder.level)
    return reminder


# --- the customer statement ------------------------------------------------------------------

@dataclass(frozen=True)
class StatementRow:
    on: date
    kind: str  # "factuur", "creditnota", "betaling"
    invoice: Invoice
    description: str
    amount_cents: int  # signed: what the customer owes more (+) or less (-)
    balance_cents: int


@dataclass(frozen=True)
class Statement:
    customer: Customer
    start: date
    end: date
    opening_cents: int
    rows: list[StatementRow]
    closing_cents: int


def customer_statement(session: Session, customer: Customer, start: date,
                       end: date) -> Statement:
    """Invoices, credit notes and payments of a customer in date order with the running
    balance, from the balance before `start` (four queries)."""
    start, end = _period(start, end)
    sign = case((Invoice.kind == InvoiceKind.CREDIT_NOTE, -Invoice.total_incl_cents),
                else_=Invoice.total_incl_cents)
    sent = and_(Invoice.customer_id == customer.id, Invoice.status != InvoiceStatus.DRAFT)
    opening = session.scalar(select(func.coalesce(func.sum(sign), 0))
                             .where(sent, Invoice.issue_date < start)) or 0
    paid_before = session.scalar(
        select(func.coalesce(func.sum(Payment.amount_cents), 0))
        .join(Invoice, and_(Invoice.tenant_id == Payment.tenant_id,
                            Invoice.id == Payment.invoice_id))
        .where(Invoice.customer_id == customer.id, Payment.paid_on < start)) or 0
    opening = int(opening) - int(paid_before)
    items = []
    for invoice in session.scalars(select(Invoice).where(
            sent, Invoice.issue_date >= start, Invoice.issue_date <= end)):
        credit = invoice.kind == InvoiceKind.CREDIT_NOTE
        items.append((invoice.issue_date, 1 if credit else 0, invoice.id,
                      "creditnota" if credit else "factuur", invoice,
                      -invoice.total_incl_cents if credit else invoice.total_incl_cents))
    for payment, invoice in session.execute(
            select(Payment, Invoice)
            .join(Invoice, and_(Invoice.tenant_id == Payment.tenant_id,
                                Invoice.id == Payment.invoice_id))
            .where(Invoice.customer_id == customer.id, Payment.paid_on >= start,
                   Payment.paid_on <= end)):
        items.append((payment.paid_on, 2, payment.id, "betaling", invoice, -payment.amount_cents,
                      payment))
    items.sort(key=lambda item: item[:3])
    balance = opening
    rows = []
    for item in items:
        on, _order, _id, kind, invoice, amount = item[:6]
        balance += amount
        if kind == "betaling":
            payment = item[6]
            with force_locale("nl"):
                text = f"Betaling {invoice.number_text}" + (
                    f" ({payment.reference})" if payment.reference else "")
        elif kind == "creditnota":
            text = f"Creditnota {invoice.number_text}"
        else:
            text = f"Factuur {invoice.number_text}"
        rows.append(StatementRow(on, kind, invoice, text, amount, balance))
    return Statement(customer, start, end, opening, rows, balance)


# --- lists and the invoice page --------------------------------------------------------------

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


def list_invoices(session: Session, f: InvoiceFilter, page: int = 1,
                  per_page: int = PAGE_SIZE) -> InvoiceList:
    """One page of invoices (drafts first, then newest), with the count and the sums of the
    whole selection (what was invoiced net of credit notes, drafts not counted; what is still
    open): two queries, however many invoices."""
    today = f.today or date.today()
    stmt = select(Invoice, Customer.name).join(
        Customer, and_(Customer.tenant_id == Invoice.tenant_id, Customer.id == Invoice.customer_id))
    if f.status:
        stmt = stmt.where(Invoice.status == f.status)
    if f.customer_id:
        stmt = stmt.where(Invoice.customer_id == f.customer_id)
    if f.year:
        stmt = stmt.where(or_(Invoice.year == f.year,
                              and_(Invoice.year.is_(None),
                                   func.extract("year", Invoice.created_at) == f.year)))
    if f.kind:
        stmt = stmt.where(Invoice.kind == f.kind)
    if f.overdue:
        stmt = stmt.where(Invoice.kind == InvoiceKind.INVOICE, Invoice.status.in_(OPEN),
                          Invoice.due_date < today)
    if f.q:
        like = f"%{f.q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(Invoice.number_text).like(like),
                              func.lower(Customer.name).like(like)))
    sub = stmt.subquery()
    signed = case((sub.c.status == InvoiceStatus.DRAFT, 0),
                  (sub.c.kind == InvoiceKind.CREDIT_NOTE, -sub.c.total_incl_cents),
                  else_=sub.c.total_incl_cents)
    open_ = case((and_(sub.c.kind == InvoiceKind.INVOICE, sub.c.status.in_(OPEN)),
                  sub.c.total_incl_cents - sub.c.credited_cents - sub.c.paid_cents), else_=0)
    count, total, open_total = session.execute(
        select(func.count(), func.coalesce(func.sum(signed), 0),
               func.coalesce(func.sum(open_), 0)).select_from(sub)).one()
    page = max(1, page)
    rows = session.execute(
        stmt.order_by((Invoice.status == InvoiceStatus.DRAFT).desc(),
                      Invoice.issue_date.desc().nulls_first(), Invoice.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return InvoiceList(
        [InvoiceRow(i, name, open_cents(i),
                    i.status in OPEN and i.due_date is not None and i.due_date < today)
         for i, name in rows], int(count or 0), int(total or 0), int(open_total or 0))


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
    payments = session.scalars(select(Payment).where(Payment.invoice_id == invoice.id)
                               .order_by(Payment.paid_on, Payment.id)).all()
    credit_notes = session.scalars(select(Invoice).where(Invoice.credits_invoice_id == invoice.id)
                                   .order_by(Invoice.issue_date, Invoice.id)).all()
    credits = session.scalar(select(Invoice).where(Invoice.id == invoice.credits_invoice_id)) \
        if invoice.credits_invoice_id else None
    reminders = session.scalars(select(Reminder).where(Reminder.invoice_id == invoice.id)
                                .order_by(Reminder.sent_at, Reminder.id)).all()
    return InvoiceView(invoice, customer, lines, ordered, line_totals(lines), people,
                       list(payments), list(credit_notes), credits, list(reminders))


def customers_for_choice(session: Session) -> list[Customer]:
    """Customers that can get a new invoice (not archived), by name."""
    return list(session.scalars(select(Customer).where(Customer.archived_at.is_(None))
                                .order_by(Customer.name, Customer.id)))


def invoice_years(session: Session) -> list[int]:
    return [y for y in session.scalars(select(Invoice.year).where(Invoice.year.is_not(None))
                                       .distinct().order_by(Invoice.year.desc()))]
