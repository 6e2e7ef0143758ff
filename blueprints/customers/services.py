"""Rules for customers (debiteuren), their rates and prepaid punch cards (strippenkaarten).

- A customer has a kind and a name; e-mail, postcode, KvK number, OIN and VAT id are checked
  (blueprints.customers.identifiers). A municipality needs an OIN or a KvK number, and any Dutch
  customer who gets UBL e-invoices a KvK number or OIN and a full address (SI-UBL 2.0 rules
  BR-NL-10 and BR-NL-4): otherwise their e-invoice would be refused later, at sending time.
  A municipality gets e-invoices (UBL) by default.
- Prices are integer cents. A customer may have rates per kind of job or named item;
  `rate_for` picks the price of a job: the rate for its kind, else the customer's hourly rate,
  else the tenant's (FinanceSettings).
- A punch card is N prepaid hours. Its balance is derived: minutes bought minus the minutes of
  its uses (a correction is a negative use). `use_punch_card` takes minutes from the oldest card
  with a balance first, over several cards when needed, under a row lock on the customer's
  cards: two uses at once never take more than there is.
- Archiving hides a customer from lists and pickers; invoices and cards stay.
- Every change is in the audit log.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blueprints.customers.identifiers import (
    clean_kvk,
    clean_oin,
    clean_postcode,
    clean_vat_id,
)
from blueprints.customers.models import (
    Customer,
    CustomerKind,
    CustomerRate,
    PunchCard,
    PunchCardUse,
)
from blueprints.helprequests import services as helprequests
from blueprints.helprequests.models import HelpRequest, PriceAgreement, RequestStatus
from blueprints.hours.formats import format_minutes
from blueprints.hours.models import EntryStatus, TimeEntry
from blueprints.invoicing.models import FinanceSettings, Invoice
from blueprints.invoicing.money import VatRate
from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound

PAGE_SIZE = 25
MAX_PAYMENT_TERM_DAYS = 120
MAX_PUNCH_CARD_HOURS = 1000
#: what FinanceSettings holds by default, for a tenant that has not saved its settings yet
DEFAULT_HOURLY_RATE_CENTS = 2500
DEFAULT_VAT_RATE = VatRate.HIGH.value

KIND_LABELS = {
    CustomerKind.RESIDENT: _l("Bewoner"),
    CustomerKind.HOUSING: _l("Woningcorporatie"),
    CustomerKind.MUNICIPALITY: _l("Gemeente"),
    CustomerKind.SCHOOL: _l("School"),
    CustomerKind.SHOP: _l("Winkel of ondernemer"),
    CustomerKind.OTHER: _l("Anders"),
}
VAT_LABELS = {
    VatRate.HIGH.value: _l("21% btw"),
    VatRate.LOW.value: _l("9% btw"),
    VatRate.ZERO.value: _l("0% btw"),
    VatRate.EXEMPT.value: _l("Vrijgesteld van btw (art. 11 Wet OB)"),
    VatRate.KOR.value: _l("Geen btw (kleineondernemersregeling)"),
}
RATE_UNITS = {
    "uur": _l("per uur"),
    "stuk": _l("per stuk"),
    "maand": _l("per maand"),
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9(][0-9 ()\-./]{5,28}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_HOURS = re.compile(r"^\d{1,4}(?:[.,]\d{1,2})?$")


# --- small helpers ---------------------------------------------------------------------------

def _text(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(_l("Een van de velden is te lang: hoogstens %(n)s tekens.", n=limit))
    return value or None


def hours_text(minutes: int) -> str:
    """Minutes for a message: 150 -> "2,5 uur"."""
    return str(_l("%(hours)s uur", hours=format_minutes(minutes)))


def clean_vat_rate(code: str | None) -> str | None:
    """A VAT rate code of invoicing.money.VatRate, or None when empty; others are refused."""
    code = (code or "").strip().lower()
    if not code:
        return None
    if code not in {r.value for r in VatRate}:
        raise DomainError(_l("Dit btw-tarief bestaat niet. Kies 21%, 9%, 0%, vrijgesteld of "
                             "de kleineondernemersregeling (KOR)."))
    return code


def _kind(value) -> CustomerKind:
    if isinstance(value, CustomerKind):
        return value
    try:
        return CustomerKind(value)
    except ValueError:
        raise DomainError(_l("Kies wat voor klant het is: bewoner, woningcorporatie, gemeente, "
                             "school, winkel of anders.")) from None


def _now() -> datetime:
    return datetime.now(timezone.utc)


# --- customers -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CustomerData:
    """A customer as typed in the form (amounts and identifiers still as text)."""

    kind: CustomerKind | str | None
    name: str
    contact_name: str | None = None
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country_code: str | None = "NL"
    kvk_number: str | None = None
    oin: str | None = None
    vat_id: str | None = None
    buyer_reference: str | None = None
    #: euros as typed ("32,50"); empty: the tenant's hourly rate applies
    hourly_rate: str | None = None
    default_vat_rate: str | None = None
    #: days; None: the tenant's payment term applies
    payment_term_days: int | None = None
    #: None: the default for the kind (a municipality: yes)
    wants_ubl: bool | None = None
    notes: str | None = None


def _customer_values(data: CustomerData) -> dict:
    """The checked values of a customer, or a DomainError with the first problem."""
    name = _text(data.name, 150)
    if not name:
        raise DomainError(_l("Vul de naam van de klant in."))
    if not data.kind:
        raise DomainError(_l("Kies wat voor klant het is: bewoner, woningcorporatie, gemeente, "
                             "school, winkel of anders."))
    kind = _kind(data.kind)
    country = (data.country_code or "NL").strip().upper()
    if not _COUNTRY.match(country):
        raise DomainError(_l("Vul het land in als code van twee letters, zoals NL of BE."))
    email = _text(data.email, 254)
    if email and not _EMAIL.match(email):
        raise DomainError(_l("Vul een geldig e-mailadres in, zoals naam@example.org."))
    phone = _text(data.phone, 30)
    if phone and not _PHONE.match(phone):
        raise DomainError(_l("Vul een geldig telefoonnummer in, bijvoorbeeld 06 12345678."))
    street = _text(data.street, 150)
    city = _text(data.city, 80)
    postcode = clean_postcode(data.postcode, country)
    kvk = clean_kvk(data.kvk_number)
    oin = clean_oin(data.oin)
    vat_id = clean_vat_id(data.vat_id)
    hourly = helprequests.parse_money(data.hourly_rate)
    vat_rate = clean_vat_rate(data.default_vat_rate)
    term = data.payment_term_days
    if term is not None and not 0 <= term <= MAX_PAYMENT_TERM_DAYS:
        raise DomainError(_l("Een betaaltermijn is 0 tot en met %(n)s dagen.",
                             n=MAX_PAYMENT_TERM_DAYS))
    wants_ubl = data.wants_ubl if data.wants_ubl is not None \
        else kind == CustomerKind.MUNICIPALITY
    if kind == CustomerKind.MUNICIPALITY and not (oin or kvk):
        raise DomainError(_l("Vul bij een gemeente het OIN of het KvK-nummer in: een "
                             "e-factuur aan de overheid moet de klant daarmee aanduiden."))
    if wants_ubl and country == "NL":
        if not (oin or kvk):
            raise DomainError(_l("Voor een e-factuur (UBL) aan een Nederlandse klant is het "
                                 "KvK-nummer of OIN nodig."))
        if not (street and postcode and city):
            raise DomainError(_l("Voor een e-factuur (UBL) aan een Nederlandse klant zijn "
                                 "straat, postcode en plaats nodig."))
    return {
        "kind": kind, "name": name, "contact_name": _text(data.contact_name, 120),
        "email": email.lower() if email else None, "phone": phone, "street": street,
        "postcode": postcode, "city": city, "country_code": country, "kvk_number": kvk,
        "oin": oin, "vat_id": vat_id, "buyer_reference": _text(data.buyer_reference, 100),
        "hourly_rate_cents": hourly, "default_vat_rate": vat_rate, "payment_term_days": term,
        "wants_ubl": bool(wants_ubl), "notes": _text(data.notes, 2000),
    }


def create_customer(session: Session, actor: Actor, data: CustomerData) -> Customer:
    """A new customer. Raises DomainError (nothing saved) when a value is not valid."""
    values = _customer_values(data)
    customer = Customer(**values)
    session.add(customer)
    session.flush()
    audit.record(session, actor, "customer.created", customer, kind=customer.kind.value)
    return customer


def update_customer(session: Session, actor: Actor, customer: Customer,
                    data: CustomerData) -> Customer:
    """Change a customer's details. Sent invoices keep the details they were sent with."""
    values = _customer_values(data)
    changed = sorted(k for k, v in values.items() if getattr(customer, k) != v)
    for key, value in values.items():
        setattr(customer, key, value)
    audit.record(session, actor, "customer.updated", customer, fields=changed)
    return customer


def archive_customer(session: Session, actor: Actor, customer: Customer) -> Customer:
    """Hide a customer from lists and pickers. Refused while prepaid hours are left: those
    belong to the customer and should be used or corrected first."""
    if customer.archived_at is not None:
        raise DomainError(_l("Deze klant is al gearchiveerd."))
    left = customer_punch_balance(session, customer)
    if left > 0:
        raise DomainError(_l("Deze klant heeft nog %(hours)s op de strippenkaart. Schrijf die "
                             "eerst af of corrigeer ze, en archiveer daarna.",
                             hours=hours_text(left)))
    customer.archived_at = _now()
    audit.record(session, actor, "customer.archived", customer)
    return customer


def unarchive_customer(session: Session, actor: Actor, customer: Customer) -> Customer:
    if customer.archived_at is None:
        raise DomainError(_l("Deze klant is niet gearchiveerd."))
    customer.archived_at = None
    audit.record(session, actor, "customer.unarchived", customer)
    return customer


def get_customer(session: Session, customer_id: int) -> Customer:
    """A customer of the current tenant (through the tenant-scoped query), or NotFound."""
    try:
        customer_id = int(customer_id)
    except (TypeError, ValueError):
        raise NotFound(_l("Deze klant bestaat niet.")) from None
    customer = session.scalar(select(Customer).where(Customer.id == customer_id))
    if customer is None:
        raise NotFound(_l("Deze klant bestaat niet."))
    return customer


def active_customers(session: Session) -> list[Customer]:
    """Customers that are not archived, by name (for pickers): one query."""
    return list(session.scalars(select(Customer).where(Customer.archived_at.is_(None))
                                .order_by(func.lower(Customer.name), Customer.id)))


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    #: minutes left on the customer's punch cards; None when the customer has no card
    punch_minutes: int | None


def _punch_totals():
    """Subqueries of minutes bought and minutes used per customer."""
    bought = (select(PunchCard.customer_id.label("customer_id"),
                     func.sum(PunchCard.minutes_bought).label("minutes"))
              .group_by(PunchCard.customer_id).subquery())
    used = (select(PunchCard.customer_id.label("customer_id"),
                   func.sum(PunchCardUse.minutes).label("minutes"))
            .join(PunchCard, and_(PunchCard.tenant_id == PunchCardUse.tenant_id,
                                  PunchCard.id == PunchCardUse.punch_card_id))
            .group_by(PunchCard.customer_id).subquery())
    return bought, used


def list_customers(session: Session, search: str | None = None,
                   kind: CustomerKind | str | None = None, include_archived: bool = False,
                   page: int = 1, per_page: int = PAGE_SIZE) -> tuple[list[CustomerRow], int]:
    """One page of customers by name, with their punch-card balance: two queries whatever the
    number of customers or cards (the balances come from grouped subqueries)."""
    stmt = select(Customer)
    if not include_archived:
        stmt = stmt.where(Customer.archived_at.is_(None))
    if kind:
        try:
            stmt = stmt.where(Customer.kind == CustomerKind(kind))
        except ValueError:
            pass
    search = (search or "").strip().lower()[:100]
    if search:
        like = f"%{search}%"
        stmt = stmt.where(or_(func.lower(Customer.name).like(like),
                              func.lower(Customer.contact_name).like(like),
                              func.lower(Customer.email).like(like),
                              func.lower(Customer.city).like(like),
                              Customer.kvk_number.like(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    bought, used = _punch_totals()
    rows = session.execute(
        stmt.add_columns(bought.c.minutes, used.c.minutes)
        .outerjoin(bought, bought.c.customer_id == Customer.id)
        .outerjoin(used, used.c.customer_id == Customer.id)
        .order_by(func.lower(Customer.name), Customer.id)
        .limit(per_page).offset((page - 1) * per_page)).all()
    return [CustomerRow(c, None if b is None else int(b) - int(u or 0)) for c, b, u in rows], \
        total


# --- rates -----------------------------------------------------------------------------------

def rates_of(session: Session, customer: Customer) -> list[CustomerRate]:
    return list(session.scalars(select(CustomerRate).where(
        CustomerRate.customer_id == customer.id).order_by(func.lower(CustomerRate.description))))


def add_rate(session: Session, actor: Actor, customer: Customer, description: str | None,
             price_cents: int | None, unit: str = "uur",
             vat_rate: str | None = None) -> CustomerRate:
    """A price for this customer: per hour for a kind of job (description = a JobKind value,
    e.g. "tuin") or a named item. One rate per description per customer."""
    description = _text(description, 150)
    if not description:
        raise DomainError(_l("Vul in waarvoor het tarief geldt, bijvoorbeeld een soort klus."))
    if unit not in RATE_UNITS:
        raise DomainError(_l("Kies de eenheid: per uur, per stuk of per maand."))
    if price_cents is None:
        raise DomainError(_l("Vul de prijs in euro's in, bijvoorbeeld 25,00."))
    if price_cents < 0:
        raise DomainError(_l("Een prijs kan niet negatief zijn."))
    if price_cents > helprequests.MAX_PRICE_CENTS:
        raise DomainError(_l("Dit bedrag is te hoog. Controleer de prijs."))
    vat_rate = clean_vat_rate(vat_rate)
    existing = {r.description.strip().lower() for r in rates_of(session, customer)}
    if description.lower() in existing:
        raise DomainError(_l("Deze klant heeft al een tarief voor ‘%(what)s’. Verwijder dat "
                             "eerst als u het wilt wijzigen.", what=description))
    rate = CustomerRate(customer_id=customer.id, description=description, unit=unit,
                        price_cents=int(price_cents), vat_rate=vat_rate)
    session.add(rate)
    try:
        session.flush()
    except IntegrityError:  # the same rate added at the same moment: run_service rolls back
        raise DomainError(_l("Deze klant heeft al een tarief voor ‘%(what)s’. Verwijder dat "
                             "eerst als u het wilt wijzigen.", what=description)) from None
    audit.record(session, actor, "customer.rate_added", customer, rate_id=str(rate.id),
                 description=description, price_cents=rate.price_cents, unit=unit,
                 vat_rate=vat_rate)
    return rate


def remove_rate(session: Session, actor: Actor, customer: Customer, rate_id: int) -> None:
    """Remove one of this customer's rates (invoices already made keep their prices)."""
    rate = session.scalar(select(CustomerRate).where(CustomerRate.id == rate_id,
                                                     CustomerRate.customer_id == customer.id))
    if rate is None:
        raise NotFound(_l("Dit tarief bestaat niet."))
    audit.record(session, actor, "customer.rate_removed", customer, rate_id=str(rate.id),
                 description=rate.description, price_cents=rate.price_cents)
    session.delete(rate)
    session.flush()


def _settings_defaults(session: Session) -> tuple[int, str]:
    """The tenant's hourly rate and VAT rate code (model defaults when never saved)."""
    row = session.execute(select(FinanceSettings.hourly_rate_cents,
                                 FinanceSettings.default_vat_rate)).first()
    if row is None:
        return DEFAULT_HOURLY_RATE_CENTS, DEFAULT_VAT_RATE
    return (row[0] if row[0] is not None else DEFAULT_HOURLY_RATE_CENTS,
            row[1] or DEFAULT_VAT_RATE)


def rate_for(session: Session, customer: Customer, job_kind: str | None) -> tuple[int, str]:
    """(price in cents, VAT rate code) for work of `job_kind` for this customer.

    Price: the customer's rate for that kind of job, else the customer's hourly rate, else the
    tenant's (FinanceSettings.hourly_rate_cents). VAT: the rate's, else the customer's, else
    the tenant's default."""
    kind = getattr(job_kind, "value", job_kind)
    rate = None
    if kind:
        wanted = str(kind).strip().lower()
        rate = next((r for r in rates_of(session, customer)
                     if r.description.strip().lower() == wanted), None)
    tenant_price, tenant_vat = _settings_defaults(session)
    if rate is not None:
        price = rate.price_cents
    elif customer.hourly_rate_cents is not None:
        price = customer.hourly_rate_cents
    else:
        price = tenant_price
    vat = (rate.vat_rate if rate is not None else None) or customer.default_vat_rate \
        or tenant_vat
    return price, vat


# --- punch cards -----------------------------------------------------------------------------

def _hours_to_minutes(hours) -> int:
    """Hours as a number or as typed ("10", "2,5") -> whole minutes."""
    if isinstance(hours, (int, Decimal)) and not isinstance(hours, bool):
        value = Decimal(hours)
    else:
        text = str(hours or "").strip().lower().removesuffix("uur").strip()
        if not _HOURS.match(text):
            raise DomainError(_l("Vul het aantal uren in, bijvoorbeeld 10 of 12,5."))
        try:
            value = Decimal(text.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern already checked it
            raise DomainError(_l("Vul het aantal uren in, bijvoorbeeld 10 of 12,5.")) from None
    if not 0 < value <= MAX_PUNCH_CARD_HOURS:
        raise DomainError(_l("Een strippenkaart heeft meer dan 0 en hoogstens %(n)s uur.",
                             n=MAX_PUNCH_CARD_HOURS))
    return int((value * 60).quantize(Decimal(1), ROUND_HALF_UP))


def sell_punch_card(session: Session, actor: Actor, customer: Customer, hours,
                    price_cents: int | None, bought_on: date | None,
                    note: str | None = None, *, invoice_id: int | None = None) -> PunchCard:
    """Record a punch card of `hours` prepaid hours bought for `price_cents` on `bought_on`.

    `invoice_id`: the invoice that sold it (invoicing passes it for a punch-card line); it
    must be this customer's invoice. Without it the card was paid outside Wijkwerk."""
    if customer.archived_at is not None:
        raise DomainError(_l("Deze klant is gearchiveerd: haal de klant eerst uit het archief."))
    minutes = _hours_to_minutes(hours)
    if price_cents is None:
        raise DomainError(_l("Vul de prijs van de strippenkaart in, bijvoorbeeld 250,00."))
    if price_cents < 0:
        raise DomainError(_l("Een prijs kan niet negatief zijn."))
    if price_cents > helprequests.MAX_PRICE_CENTS:
        raise DomainError(_l("Dit bedrag is te hoog. Controleer de prijs."))
    if bought_on is None:
        raise DomainError(_l("Vul de datum van aankoop in."))
    if bought_on > date.today():
        raise DomainError(_l("De datum van aankoop kan niet in de toekomst liggen."))
    if invoice_id is not None and session.scalar(select(Invoice.id).where(
            Invoice.id == invoice_id, Invoice.customer_id == customer.id)) is None:
        raise DomainError(_l("Deze factuur hoort niet bij deze klant."))
    card = PunchCard(customer_id=customer.id, minutes_bought=minutes,
                     price_cents=int(price_cents), bought_on=bought_on, note=_text(note, 300),
                     invoice_id=invoice_id)
    session.add(card)
    session.flush()
    audit.record(session, actor, "punch_card.sold", card, customer_id=str(customer.id),
                 minutes=minutes, price_cents=card.price_cents, bought_on=bought_on.isoformat())
    return card


def _used_by_card(session: Session, card_ids: list[int]) -> dict[int, int]:
    if not card_ids:
        return {}
    return {card_id: int(minutes or 0) for card_id, minutes in session.execute(
        select(PunchCardUse.punch_card_id, func.sum(PunchCardUse.minutes))
        .where(PunchCardUse.punch_card_id.in_(card_ids))
        .group_by(PunchCardUse.punch_card_id))}


def card_balance_minutes(session: Session, card: PunchCard) -> int:
    """Minutes left on one card: bought minus used (one query)."""
    used = session.scalar(select(func.coalesce(func.sum(PunchCardUse.minutes), 0))
                          .where(PunchCardUse.punch_card_id == card.id)) or 0
    return card.minutes_bought - int(used)


def customer_punch_balance(session: Session, customer: Customer) -> int:
    """Minutes left on all of a customer's cards together (one query)."""
    bought = (select(func.coalesce(func.sum(PunchCard.minutes_bought), 0))
              .where(PunchCard.customer_id == customer.id).scalar_subquery())
    used = (select(func.coalesce(func.sum(PunchCardUse.minutes), 0))
            .join(PunchCard, and_(PunchCard.tenant_id == PunchCardUse.tenant_id,
                                  PunchCard.id == PunchCardUse.punch_card_id))
            .where(PunchCard.customer_id == customer.id).scalar_subquery())
    return int(session.scalar(select(bought - used)) or 0)


@dataclass(frozen=True)
class UseView:
    use: PunchCardUse
    #: the reference of the help request it paid for, if any
    reference: str | None


@dataclass(frozen=True)
class CardView:
    card: PunchCard
    balance_minutes: int
    uses: list[UseView]


def cards_of(session: Session, customer: Customer) -> list[CardView]:
    """The customer's cards, newest first, each with its balance and its uses (with the help
    request they paid for): two queries."""
    cards = list(session.scalars(select(PunchCard).where(PunchCard.customer_id == customer.id)
                                 .order_by(PunchCard.bought_on.desc(), PunchCard.id.desc())))
    uses: dict[int, list[UseView]] = {c.id: [] for c in cards}
    if cards:
        rows = session.execute(
            select(PunchCardUse, HelpRequest.reference)
            .outerjoin(HelpRequest, and_(HelpRequest.tenant_id == PunchCardUse.tenant_id,
                                         HelpRequest.id == PunchCardUse.help_request_id))
            .where(PunchCardUse.punch_card_id.in_(list(uses)))
            .order_by(PunchCardUse.used_on, PunchCardUse.id))
        for use, reference in rows:
            uses[use.punch_card_id].append(UseView(use, reference))
    return [CardView(c, c.minutes_bought - sum(u.use.minutes for u in uses[c.id]), uses[c.id])
            for c in cards]


def help_requests_of(session: Session, customer: Customer, limit: int = 10) -> list[HelpRequest]:
    """The customer's most recent help requests (one query)."""
    return list(session.scalars(select(HelpRequest).where(HelpRequest.customer_id == customer.id)
                                .order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc())
                                .limit(limit)))


def _locked_cards(session: Session, customer: Customer) -> list[PunchCard]:
    """The customer's cards, oldest first, locked until the transaction ends: whoever takes
    minutes from them waits here, and then sees the uses committed before."""
    return list(session.scalars(
        select(PunchCard).where(PunchCard.customer_id == customer.id)
        .order_by(PunchCard.bought_on, PunchCard.id)
        .with_for_update().execution_options(populate_existing=True)))


def _check_use_date(used_on: date | None) -> None:
    if used_on is None:
        raise DomainError(_l("Vul de datum in."))
    if used_on > date.today():
        raise DomainError(_l("De datum kan niet in de toekomst liggen."))


def use_punch_card(session: Session, actor: Actor, customer: Customer, minutes: int,
                   used_on: date | None, help_request: HelpRequest | None = None,
                   note: str | None = None) -> list[PunchCardUse]:
    """Take `minutes` from the customer's cards, the oldest card with a balance first (a use
    may span cards). Refused, with nothing changed, when the cards together hold too little.
    Returns the uses written (one per card touched)."""
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise DomainError(_l("Vul meer dan 0 uur in."))
    _check_use_date(used_on)
    note = _text(note, 300)
    if help_request is not None and help_request.customer_id != customer.id:
        raise DomainError(_l("Deze klus hoort niet bij deze klant."))
    cards = _locked_cards(session, customer)
    used = _used_by_card(session, [c.id for c in cards])
    left = {c.id: c.minutes_bought - used.get(c.id, 0) for c in cards}
    total = sum(m for m in left.values() if m > 0)
    if total < minutes:
        if not cards:
            raise DomainError(_l("Deze klant heeft geen strippenkaart."))
        raise DomainError(_l("Er staat te weinig op de strippenkaart: nog %(left)s, nodig "
                             "%(needed)s. Verkoop eerst een nieuwe strippenkaart.",
                             left=hours_text(total), needed=hours_text(minutes)))
    uses = []
    wanted = minutes
    for card in cards:
        if wanted == 0:
            break
        take = min(wanted, max(0, left[card.id]))
        if take == 0:
            continue
        use = PunchCardUse(punch_card_id=card.id, minutes=take, used_on=used_on, note=note,
                           help_request_id=help_request.id if help_request else None)
        session.add(use)
        uses.append(use)
        wanted -= take
    session.flush()
    audit.record(session, actor, "punch_card.used", customer, minutes=minutes,
                 used_on=used_on.isoformat(), cards=[str(u.punch_card_id) for u in uses],
                 help_request_id=str(help_request.id) if help_request else None)
    return uses


def correct_punch_card(session: Session, actor: Actor, customer: Customer, card_id: int,
                       minutes: int, used_on: date | None, note: str | None) -> PunchCardUse:
    """Give `minutes` back to one card (a negative use, e.g. hours written off by mistake).
    A card never holds more than was bought; the reason is required."""
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
        raise DomainError(_l("Vul meer dan 0 uur in."))
    _check_use_date(used_on)
    note = _text(note, 300)
    if not note:
        raise DomainError(_l("Vul de reden van de correctie in."))
    cards = {c.id: c for c in _locked_cards(session, customer)}
    card = cards.get(card_id)
    if card is None:
        raise NotFound(_l("Deze strippenkaart bestaat niet."))
    used = _used_by_card(session, [card.id]).get(card.id, 0)
    if minutes > used:
        raise DomainError(_l("Er kan hoogstens %(hours)s terug op deze strippenkaart: meer is "
                             "er niet van afgeschreven.", hours=hours_text(max(0, used))))
    use = PunchCardUse(punch_card_id=card.id, minutes=-minutes, used_on=used_on, note=note)
    session.add(use)
    session.flush()
    audit.record(session, actor, "punch_card.corrected", card, customer_id=str(customer.id),
                 minutes=-minutes, used_on=used_on.isoformat())
    return use


# --- settling a help request with a punch card -----------------------------------------------

def approved_minutes_of(session: Session, help_request: HelpRequest) -> tuple[int, int]:
    """(minutes of approved hours, number of entries still waiting for approval) of a job, in
    one query. Corrections are entries too, so the sum is what was finally approved."""
    approved, waiting = 0, 0
    for status, minutes, count in session.execute(
            select(TimeEntry.status, func.sum(TimeEntry.minutes), func.count())
            .where(TimeEntry.help_request_id == help_request.id,
                   TimeEntry.status.in_([EntryStatus.APPROVED, EntryStatus.SUBMITTED]))
            .group_by(TimeEntry.status)):
        if status == EntryStatus.APPROVED:
            approved = int(minutes or 0)
        else:
            waiting = int(count)
    return approved, waiting


def settle_help_request_with_card(session: Session, actor: Actor,
                                  help_request: HelpRequest) -> list[PunchCardUse]:
    """Pay a done punch-card job from its customer's cards: the minutes of its approved hours
    are taken (oldest card first) and the job becomes "gefactureerd".

    Refused, nothing changed, when the job is not done, not on a punch card, has no customer,
    no approved hours, hours still waiting for approval (they would never be paid), or when
    the cards hold too little."""
    locked = session.scalar(select(HelpRequest).where(HelpRequest.id == help_request.id)
                            .with_for_update().execution_options(populate_existing=True))
    if locked is None:
        raise NotFound(_l("Deze hulpvraag bestaat niet."))
    help_request = locked
    if help_request.price_agreement != PriceAgreement.PUNCH_CARD:
        raise DomainError(_l("Deze klus is niet afgesproken op strippenkaart."))
    if help_request.status != RequestStatus.DONE:
        raise DomainError(_l("Alleen een uitgevoerde klus kan van de strippenkaart worden "
                             "afgeschreven; deze is ‘%(status)s’.",
                             status=helprequests.STATUS_LABELS[help_request.status]))
    if help_request.customer_id is None:
        raise DomainError(_l("Kies eerst de klant bij deze hulpvraag (Gegevens bewerken)."))
    customer = get_customer(session, help_request.customer_id)
    minutes, waiting = approved_minutes_of(session, help_request)
    if waiting:
        raise DomainError(_l("Er wachten nog uren van deze klus op goedkeuring. Keur ze eerst "
                             "goed of stuur ze terug."))
    if minutes <= 0:
        raise DomainError(_l("Deze klus heeft nog geen goedgekeurde uren om af te schrijven."))
    uses = use_punch_card(session, actor, customer, minutes,
                          min(help_request.done_on or date.today(), date.today()),
                          help_request=help_request,
                          note=str(_l("Klus %(ref)s", ref=help_request.reference)))
    helprequests.mark_invoiced(session, actor, help_request)
    return uses
