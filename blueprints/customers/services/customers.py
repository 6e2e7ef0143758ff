"""Customers: create, change, archive, and read them."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import Session

from blueprints.customers.identifiers import clean_kvk, clean_oin, clean_postcode, clean_vat_id
from blueprints.customers.models import Customer, CustomerKind
from blueprints.customers.services.rules import (
    _COUNTRY,
    _PHONE,
    MAX_PAYMENT_TERM_DAYS,
    PAGE_SIZE,
    _kind,
    _now,
    _text,
    clean_profile,
    clean_vat_rate,
)
from tenants import audit, hooks
from tenants.actor import Actor
from tenants.emails import is_email
from tenants.errors import DomainError, NotFound
from tenants.money import parse_money
from tenants.vat import VatRate


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
    #: EinvoiceProfile value; None: the default for the kind (a municipality: SI-UBL 2.0)
    einvoice_profile: str | None = None
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
    if email and not is_email(email):
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
    hourly = parse_money(data.hourly_rate)
    vat_rate = clean_vat_rate(data.default_vat_rate)
    term = data.payment_term_days
    if term is not None and not 0 <= term <= MAX_PAYMENT_TERM_DAYS:
        raise DomainError(_l("Een betaaltermijn is 0 tot en met %(n)s dagen.",
                             n=MAX_PAYMENT_TERM_DAYS))
    wants_ubl = data.wants_ubl if data.wants_ubl is not None \
        else kind == CustomerKind.MUNICIPALITY
    profile = clean_profile(data.einvoice_profile, kind)
    if vat_rate and VatRate(vat_rate).needs_customer_vat_id and not vat_id:
        raise DomainError(_l("Btw verlegd en een intracommunautaire levering vermelden het "
                             "btw-id van de klant. Vul het btw-identificatienummer in."))
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
        "wants_ubl": bool(wants_ubl), "einvoice_profile": profile,
        "notes": _text(data.notes, 2000),
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
    """Hide a customer from lists and pickers. Refused while something still holds the
    customer (tenants.hooks.customer_archivable: punch cards refuse while prepaid hours are
    left, which belong to the customer and should be used or corrected first)."""
    if customer.archived_at is not None:
        raise DomainError(_l("Deze klant is al gearchiveerd."))
    hooks.customer_archivable.ask(session, customer)
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


def payer_choices(session: Session, keep: int | None = None) -> list[tuple[int, str]]:
    """The customers a trajectory or host organisation may be funded by (tenants.hooks
    .payer_choices): not archived, by name, plus `keep` (the current funder) even when
    archived. One query."""
    condition = Customer.archived_at.is_(None)
    if keep is not None:
        condition = or_(condition, Customer.id == keep)
    return [(row.id, row.name) for row in session.execute(
        select(Customer.id, Customer.name).where(condition)
        .order_by(func.lower(Customer.name), Customer.id))]


#: Up to this many customers a picker is a select; above it, a search (a select of 800
#: customers was 70% of the invoice list's CPU and grows with the tenant). Used by the
#: invoice pickers and the help-request form.
CUSTOMER_SELECT_LIMIT = 50
CUSTOMER_SEARCH_LIMIT = 20


@cache
def _choice_statement(limit: int):
    return (select(Customer.id, Customer.name).where(Customer.archived_at.is_(None))
            .order_by(func.lower(Customer.name), Customer.id).limit(limit + 1))


def customers_for_choice(session: Session,
                         limit: int = CUSTOMER_SELECT_LIMIT) -> list[Row] | None:
    """Customers that can be picked (not archived), by name in any case, as rows of `.id` and
    `.name` (what a select needs; not the whole customer); None when there are more than
    `limit` (the page then offers `search_customers` instead). One bounded query."""
    rows = session.execute(_choice_statement(limit)).all()
    return None if len(rows) > limit else rows


def search_customers(session: Session, text: str,
                     limit: int = CUSTOMER_SEARCH_LIMIT) -> list[Customer]:
    """Customers (not archived) whose name contains `text`, any case, by name; at most
    `limit`. `%` and `_` in the text are matched literally."""
    text = (text or "").strip()
    if not text:
        return []
    return list(session.scalars(
        select(Customer).where(Customer.archived_at.is_(None),
                               Customer.name.icontains(text, autoescape=True))
        .order_by(func.lower(Customer.name), Customer.id).limit(limit)))


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    #: minutes left on the customer's punch cards; None when the customer has no card
    punch_minutes: int | None


def list_customers(session: Session, search: str | None = None,
                   kind: CustomerKind | str | None = None, include_archived: bool = False,
                   page: int = 1, per_page: int = PAGE_SIZE) -> tuple[list[CustomerRow], int]:
    """One page of customers by name, with their punch-card balance: three queries whatever the
    number of customers or cards (the balances of the page's customers in one, answered by
    punch cards through tenants.hooks.customer_prepaid_minutes)."""
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
    customers = list(session.scalars(stmt.order_by(func.lower(Customer.name), Customer.id)
                                     .limit(per_page).offset((page - 1) * per_page)))
    balances = hooks.customer_prepaid_minutes.ask(session, [c.id for c in customers]) \
        if customers else {}
    return [CustomerRow(c, balances.get(c.id)) for c in customers], total
