"""Lines on a draft besides the work: lines typed by hand (a punch card sold, too:
blueprints.punchcards), trajectory fees."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, select
from sqlalchemy.orm import Session

from blueprints.customers.models import CustomerKind
from blueprints.invoicing import money
from blueprints.invoicing.models import Invoice, InvoiceHour, InvoiceLine, LineSource
from blueprints.invoicing.services.prices import rate_for
from blueprints.invoicing.services.rules import (
    _FEE_TEXT,
    FEE_KINDS,
    MAX_MONTHS,
    _customer_of,
    _draft,
    _finance,
    _next_position,
    _text,
    _trajectory_label,
    _unit,
    _unit_price,
    _vat_rate,
    allowance_reason,
    parse_allowance,
    parse_quantity,
    recalc,
)
from blueprints.participants.models import Participant
from blueprints.trajectories.models import Trajectory, TrajectoryStatus
from tenants import audit
from tenants import inputs
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound
from tenants.formatting import format_date, format_money


# --- lines typed by hand ---------------------------------------------------------------------

def _line_values(settings, description, quantity, unit, unit_price_cents, vat_rate,
                 supply_date, allowance=None, reason=None) -> dict:
    text = _text(description, 300, _l("De omschrijving is te lang: hoogstens 300 tekens."))
    if not text:
        raise DomainError(_l("Vul de omschrijving van de regel in."))
    values = {"description": text, "quantity": parse_quantity(quantity), "unit": _unit(unit),
              "unit_price_cents": _unit_price(unit_price_cents),
              "vat_rate": _vat_rate(settings, vat_rate), "supply_date": supply_date}
    cents = parse_allowance(allowance)
    gross = money.line_total_cents(values["quantity"], values["unit_price_cents"])
    if cents > gross:
        raise DomainError(_l("De korting is hoger dan het bedrag van de regel (%(gross)s).",
                             gross=format_money(gross)))
    values["allowance_cents"] = cents
    values["allowance_reason"] = allowance_reason(reason) if cents else None
    return values


def add_fixed_line(session: Session, actor: Actor, invoice: Invoice, description: str,
                   quantity, unit, unit_price_cents: int | None, vat_rate,
                   supply_date: date | None = None, allowance=None,
                   allowance_reason: str | None = None) -> InvoiceLine:
    """A line typed by hand: quantity (> 0, two decimals) × unit price at a VAT rate, less a
    discount (`allowance`: cents, or euros as typed; at most the line's amount)."""
    invoice = _draft(session, invoice)
    values = _line_values(_finance(session), description, quantity, unit, unit_price_cents,
                          vat_rate, supply_date, allowance, allowance_reason)
    line = InvoiceLine(invoice_id=invoice.id, position=_next_position(session, invoice),
                       source=LineSource.FIXED, net_cents=0, **values)
    session.add(line)
    session.flush()
    recalc(session, invoice)
    audit.record(session, actor, "invoice.line_added", invoice, line_id=line.id,
                 source=LineSource.FIXED.value)
    return line


def get_line(session: Session, invoice: Invoice, line_id) -> InvoiceLine:
    line_id = inputs.to_id(line_id)
    if line_id is None:
        raise NotFound()
    line = session.scalar(select(InvoiceLine).where(InvoiceLine.id == line_id,
                                                    InvoiceLine.invoice_id == invoice.id))
    if line is None:
        raise NotFound()
    return line


def update_line(session: Session, actor: Actor, line: InvoiceLine, description: str, quantity,
                unit, unit_price_cents: int | None, vat_rate,
                supply_date: date | None = None, allowance=None,
                allowance_reason: str | None = None) -> InvoiceLine:
    """Change a line of a draft (its discount too). The quantity of an hours line follows from
    its approved hours (remove the line and add the right hours instead)."""
    invoice = _draft(session, session.scalar(select(Invoice).where(Invoice.id == line.invoice_id)))
    values = _line_values(_finance(session), description, quantity, unit, unit_price_cents,
                          vat_rate, supply_date, allowance, allowance_reason)
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


# --- a discount on the whole invoice --------------------------------------------------------

def set_invoice_allowance(session: Session, actor: Actor, invoice: Invoice, allowance,
                          reason: str | None = None, vat_rate=None) -> Invoice:
    """A discount on the whole draft (`allowance`: cents or euros as typed; 0 or empty removes
    it), at the VAT rate of the lines it lowers (one of the rates on the invoice; with one rate,
    that one). At most the amount of the lines at that rate."""
    invoice = _draft(session, invoice)
    cents = parse_allowance(allowance)
    if not cents:
        invoice.allowance_cents, invoice.allowance_reason = 0, None
        invoice.allowance_vat_rate = None
        recalc(session, invoice)
        audit.record(session, actor, "invoice.allowance_removed", invoice)
        return invoice
    lines = session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)).all()
    rates = {line.vat_rate for line in lines}
    if not rates:
        raise DomainError(_l("Voeg eerst regels toe; een korting gaat af van hun bedrag."))
    code = getattr(vat_rate, "value", vat_rate)
    if code in (None, "") and len(rates) == 1:
        code = next(iter(rates))
    if code not in rates:
        raise DomainError(_l("Kies het btw-tarief van de regels waar de korting van afgaat."))
    text = allowance_reason(reason) or "Korting"
    base = sum(money.line_total_cents(line.quantity, line.unit_price_cents,
                                      line.allowance_cents or 0)
               for line in lines if line.vat_rate == code)
    if cents > base:
        raise DomainError(_l("De korting is hoger dan het bedrag van de regels tegen dat "
                             "btw-tarief (%(base)s).", base=format_money(base)))
    invoice.allowance_cents, invoice.allowance_reason = cents, text
    invoice.allowance_vat_rate = code
    recalc(session, invoice)
    audit.record(session, actor, "invoice.allowance_set", invoice, amount_cents=cents,
                 vat_rate=code)
    return invoice


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
    parsed = {inputs.to_id(i) for i in trajectory_ids or []}
    if None in parsed:
        raise DomainError(_l("Kies de trajecten uit de lijst."))
    ids = sorted(parsed)
    if not ids:
        raise DomainError(_l("Kies minstens één traject."))
    quantity = Decimal(1)
    if kind == "per_maand":
        number = inputs.to_int(str(months if months not in (None, "") else 1),
                               min_value=-inputs.INT32_MAX)
        if number is None:
            raise DomainError(_l("Vul het aantal maanden in als heel getal, bijvoorbeeld 1."))
        quantity = Decimal(number)
        if not 1 <= quantity <= MAX_MONTHS:
            raise DomainError(_l("Het aantal maanden ligt tussen 1 en %(n)s.", n=MAX_MONTHS))
    price = _unit_price(unit_price_cents)
    if price == 0:
        raise DomainError(_l("Vul het bedrag van de vergoeding in, bijvoorbeeld 450,00."))
    settings = _finance(session)
    if vat_rate in (None, ""):
        vat_rate = rate_for(session, customer, None)[1]
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
