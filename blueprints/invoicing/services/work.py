"""Billing the work: approved hours and done help requests onto a draft, each billed once."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blueprints.customers.models import Customer
from blueprints.helprequests.models import Assignment, HelpRequest, PriceAgreement, RequestStatus
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.hours.services.payer import PAYER, join_payer, payers_of
from blueprints.invoicing import money
from blueprints.invoicing.models import (
    Invoice,
    InvoiceHour,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineSource,
    LineUnit,
)
from blueprints.invoicing.services.prices import rate_for
from blueprints.invoicing.services.rules import (
    ALREADY_INVOICED,
    HOURLY,
    _customer_of,
    _draft,
    _finance,
    _kind_label,
    _next_position,
    _trajectory_label,
    _unit_price,
    _vat_rate,
    recalc,
)
from blueprints.participants.models import Participant
from blueprints.trajectories.models import Trajectory
from tenants import audit
from tenants import inputs
from tenants.actor import Actor
from tenants.errors import DomainError


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

    @property
    def key(self) -> str:
        """The group's name in a form: "klus-<id>", or "klus-0" for hours without a job."""
        return f"klus-{self.help_request.id if self.help_request else 0}"


@dataclass
class HoursOffer:
    """What a draft offers of the uninvoiced approved hours (see `uninvoiced_hours`)."""

    #: hours whose payer is this customer: offered ticked
    payer: list[JobHours] = field(default_factory=list)
    #: hours without a payer: their own section, nothing ticked, chosen by hand
    unpaid: list[JobHours] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.payer or self.unpaid)

    def group(self, key: str) -> list[int]:
        """The entry ids of one group of the unpaid section: a job ("klus-<id>", "klus-0"
        for hours without a job) or one participant on a job ("klus-<id>-<participant id>").
        [] for a key that names no group."""
        parts = (key or "").split("-")
        if parts[0] != "klus" or len(parts) not in (2, 3):
            return []
        job_key, person = "-".join(parts[:2]), parts[2] if len(parts) == 3 else None
        for job in self.unpaid:
            if job.key == job_key:
                return [e.id for p in job.people
                        if person is None or str(p.participant.id) == person
                        for e in p.entries]
        return []


#: Hours linked to a job are billed per hour only when the job has an hourly price (a
#: fixed-price job is billed as a job; a free or punch-card job is not billed).
def _hourly_or_no_job():
    return or_(TimeEntry.help_request_id.is_(None), HelpRequest.price_agreement.in_(HOURLY))


def uninvoiced_hours(session: Session, customer: Customer, start: date | None,
                     end: date | None) -> HoursOffer:
    """Approved entries in the period on no invoice, by payer (blueprints.hours.services
    .payer): those this customer pays, and those nobody pays. Hours another customer pays are
    never offered. Training hours and hours of a job without an hourly price are not billed
    by the hour. Each part grouped by job and participant for review. One query."""
    billed = select(InvoiceHour.id).where(InvoiceHour.time_entry_id == TimeEntry.id)
    stmt = join_payer(
        select(TimeEntry, Participant, HelpRequest, PAYER.label("payer"))
        .select_from(TimeEntry)
        .join(Participant, and_(Participant.tenant_id == TimeEntry.tenant_id,
                                Participant.id == TimeEntry.participant_id)))
    stmt = (stmt.where(TimeEntry.status == EntryStatus.APPROVED,
                       TimeEntry.hour_type != HourType.TRAINING,
                       ~billed.exists(), _hourly_or_no_job(),
                       or_(PAYER == customer.id, PAYER.is_(None)))
            .order_by(HelpRequest.reference.is_(None), HelpRequest.reference,
                      Participant.sort_name, Participant.first_name, Participant.id,
                      TimeEntry.work_date, TimeEntry.id))
    if start:
        stmt = stmt.where(TimeEntry.work_date >= start)
    if end:
        stmt = stmt.where(TimeEntry.work_date <= end)
    offer = HoursOffer()
    jobs: dict[tuple, JobHours] = {}
    people: dict[tuple, ParticipantHours] = {}
    for entry, person, help_request, payer in session.execute(stmt):
        part = "payer" if payer is not None else "unpaid"
        key = (part, help_request.id if help_request is not None else None)
        job = jobs.get(key)
        if job is None:
            job = jobs[key] = JobHours(help_request)
            getattr(offer, part).append(job)
        group = people.get((key, person.id))
        if group is None:
            group = people[(key, person.id)] = ParticipantHours(person)
            job.people.append(group)
        group.entries.append(entry)
    return offer


def add_hour_group(session: Session, actor: Actor, invoice: Invoice,
                   key: str) -> list[InvoiceLine]:
    """Bill one whole group of the unpaid section (a job, or one participant on a job: see
    `HoursOffer.group`), as the draft page shows it now (its period)."""
    customer = _customer_of(session, invoice)
    ids = uninvoiced_hours(session, customer, invoice.period_start,
                           invoice.period_end).group(key)
    if not ids:
        raise DomainError(_l("Deze uren staan niet (meer) open. Ververs de pagina en kies "
                             "opnieuw."))
    return add_hours(session, actor, invoice, ids)


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


def _customer_names(session: Session, ids) -> str:
    return ", ".join(session.scalars(select(Customer.name).where(Customer.id.in_(ids))
                                     .order_by(Customer.name)))


def add_hours(session: Session, actor: Actor, invoice: Invoice, entry_ids) -> list[InvoiceLine]:
    """Bill approved entries: one line per (job or trajectory, participant, unit price), the
    quantity in hours from the minutes (corrections included), an `InvoiceHour` per entry.

    The price is the job's agreed hourly price, else the customer's rate for the kind of job
    (`prices.rate_for`). An entry already billed (here or on another invoice) is refused, also
    when another admin bills it at the same moment (UNIQUE per entry). An entry another
    customer pays (blueprints.hours.services.payer) is refused, whatever the form sent: the
    page never offers it, a forged form changes nothing."""
    invoice = _draft(session, invoice)
    parsed = {inputs.to_id(i) for i in entry_ids or []}
    if None in parsed:
        raise DomainError(_l("Kies de uren uit de lijst."))
    ids = sorted(parsed)
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
            if help_request.customer_id not in (None, invoice.customer_id):
                raise DomainError(_l("Een deel van deze uren hoort bij een klus van een andere "
                                     "klant (hulpvraag %(ref)s).", ref=help_request.reference))
            if help_request.price_agreement not in HOURLY:
                raise DomainError(_l("Hulpvraag %(ref)s heeft geen uurtarief: een klus met een "
                                     "vaste prijs voegt u als hulpvraag toe, een gratis klus of "
                                     "een klus van de strippenkaart wordt niet gefactureerd.",
                                     ref=help_request.reference))
    others = {payer for payer in payers_of(session, ids).values()
              if payer is not None and payer != invoice.customer_id}
    if others:
        raise DomainError(_l("Een deel van deze uren wordt door een andere klant betaald "
                             "(%(name)s). Die uren kunnen niet op deze factuur.",
                             name=_customer_names(session, others)))
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
                price, vat = rate_for(session, customer,
                                       help_request.kind.value if help_request else None)
                if help_request is not None and help_request.price_cents:
                    price = help_request.price_cents  # the hourly price agreed for this job
                price, vat = _unit_price(price), _vat_rate(settings, vat)
                minutes = sum(e.minutes for e, _h, _p in items)
                supply = max(e.work_date for e, _h, _p in items)
                first = min(e.work_date for e, _h, _p in items)
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
                        trajectory_id=traject.id if traject else None, supply_date=supply,
                        period_start=first)
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
                line.period_start = min(line.period_start or first, first)
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
    _price, vat = rate_for(session, customer, help_request.kind.value)
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
