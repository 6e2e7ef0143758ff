"""Intake: a request from the public page or entered by staff, its reference, and changes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blueprints.customers.models import Customer
from blueprints.helprequests.models import (
    HelpRequest,
    JobKind,
    Payer,
    PriceAgreement,
    RequestStatus,
    Source,
)
from blueprints.helprequests.services.rules import (
    _PHONE,
    COUNTER,
    VOG_BY_DEFAULT,
)
from blueprints.participants.services import (
    neighbourhood_id,
    normalise_postcode,
)
from tenants import audit
from tenants.actor import Actor
from tenants.bsn import BSN_MESSAGE, contains_bsn
from tenants.counters import current_number, next_number
from tenants.emails import is_email
from tenants.errors import DomainError, NotFound
from tenants.idempotency import clean_key
from tenants.money import MAX_PRICE_CENTS


@dataclass(frozen=True)
class PublicRequestData:
    """What a resident fills in on the public page."""

    name: str
    kind: JobKind
    description: str
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    phone: str | None = None
    email: str | None = None
    preferred_dates: str | None = None
    #: the form's key (tenants.idempotency): the same form sent again is the same request
    idempotency_key: str | None = None


@dataclass(frozen=True)
class RequestData:
    """A request as staff enter it (by phone, at the counter, from a partner)."""

    name: str
    kind: JobKind
    description: str
    source: Source = Source.PHONE
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    neighbourhood: str | None = None
    phone: str | None = None
    email: str | None = None
    preferred_dates: str | None = None
    partner_name: str | None = None
    payer: Payer = Payer.NOBODY
    price_agreement: PriceAgreement = PriceAgreement.FREE
    price_cents: int | None = None
    needs_vog: bool | None = None  # None: the default for the kind of job
    customer_id: int | None = None  # who gets the invoice (blueprints.customers)


def _text(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(_l("Een van de velden is te lang: hoogstens %(n)s tekens.", n=limit))
    return value or None


def _contact_values(data) -> dict:
    """The resident's name, address and contact, checked (shared by both ways in)."""
    name = _text(data.name, 120)
    if not name:
        raise DomainError(_l("Vul de naam in."))
    street = _text(data.street, 150)
    description = _text(data.description, 2000)
    if not description:
        raise DomainError(_l("Beschrijf waarbij hulp nodig is."))
    preferred = _text(data.preferred_dates, 300)
    city = _text(data.city, 80)
    for text in (name, street, description, preferred, city):
        if contains_bsn(text):
            raise DomainError(BSN_MESSAGE)
    phone = _text(data.phone, 30)
    if phone and not _PHONE.match(phone):
        raise DomainError(_l("Vul een geldig telefoonnummer in, bijvoorbeeld 06 12345678."))
    email = _text(data.email, 254)
    if email and not is_email(email):
        raise DomainError(_l("Vul een geldig e-mailadres in, zoals naam@example.org."))
    return {
        "requester_name": name, "street": street, "postcode": normalise_postcode(data.postcode),
        "city": city, "phone": phone, "email": email.lower() if email else None,
        "kind": data.kind, "description": description, "preferred_dates": preferred,
    }


def _customer_id(session: Session, customer_id: int | None, current: int | None) -> int | None:
    """The customer to link: looked up through the tenant-scoped query (another tenant's id
    is simply not found); an archived customer only when it is already the linked one."""
    if customer_id is None:
        return None
    customer = session.scalar(select(Customer).where(Customer.id == customer_id))
    if customer is None:
        raise DomainError(_l("Deze klant bestaat niet. Kies een klant uit de lijst."))
    if customer.archived_at is not None and customer.id != current:
        raise DomainError(_l("Klant %(name)s is gearchiveerd. Kies een andere klant, of haal "
                             "deze eerst uit het archief.", name=customer.name))
    return customer.id


def _staff_values(session: Session, data: RequestData,
                  current_customer_id: int | None = None) -> dict:
    values = _contact_values(data)
    if not values["street"]:
        raise DomainError(_l("Vul het adres in: straat en huisnummer."))
    partner = _text(data.partner_name, 150)
    if data.source == Source.PARTNER and not partner:
        raise DomainError(_l("Vul de naam van de partner in, bijvoorbeeld de woningcorporatie."))
    if contains_bsn(partner):
        raise DomainError(BSN_MESSAGE)
    price = data.price_cents
    if data.price_agreement == PriceAgreement.FREE:
        if data.payer != Payer.NOBODY:
            raise DomainError(_l("Bij een gratis klus betaalt niemand. Kies een andere "
                                 "prijsafspraak, of ‘niemand’ als betaler."))
        price = None
    elif data.payer == Payer.NOBODY:
        raise DomainError(_l("Kies wie betaalt: bij een betaalde klus is dat niet ‘niemand’."))
    if data.price_agreement in (PriceAgreement.FIXED, PriceAgreement.HOURLY) and not price:
        raise DomainError(_l("Vul de prijs in euro's in, bijvoorbeeld 25,00."))
    if price is not None and not 0 <= price <= MAX_PRICE_CENTS:
        raise DomainError(_l("Dit bedrag is te hoog. Controleer de prijs."))
    needs_vog = data.needs_vog if data.needs_vog is not None else data.kind in VOG_BY_DEFAULT
    customer_id = _customer_id(session, data.customer_id, current_customer_id)
    values.update({
        "source": data.source, "partner_name": partner if data.source == Source.PARTNER else None,
        "payer": data.payer, "price_agreement": data.price_agreement, "price_cents": price,
        "needs_vog": needs_vog,
        "neighbourhood_id": neighbourhood_id(session, _text(data.neighbourhood, 80)),
        "customer_id": customer_id,
    })
    return values


def next_reference(session: Session, today: date) -> str:
    """The next reference of the current tenant: 2026-0001, 2026-0002, … (no gaps)."""
    return f"{today.year}-{next_number(session, COUNTER):04d}"


def plausible_reference(session: Session, today: date) -> str:
    """What the next reference would be, without taking it (the honeypot's answer)."""
    return f"{today.year}-{current_number(session, COUNTER) + 1:04d}"


def _request_with_key(session: Session, key: str) -> HelpRequest | None:
    found = session.scalar(select(HelpRequest).where(HelpRequest.idempotency_key == key))
    if found is not None:
        found.repeated = True
    return found


def receive_request(session: Session, actor: Actor, data: PublicRequestData,
                    today: date | None = None) -> HelpRequest:
    """A resident's request from the public page. Needs a phone number or e-mail address.

    Looks nothing up (not the address, not the person): the answer is the same for everyone.
    The same form sent again (its idempotency key) returns the request it made the first time
    (`repeated` is then True) and takes no new reference. Raises DomainError with the first problem."""
    today = today or date.today()
    key = clean_key(data.idempotency_key)
    if key is not None and (earlier := _request_with_key(session, key)) is not None:
        return earlier
    values = _contact_values(data)
    if not values["street"]:
        raise DomainError(_l("Vul uw adres in: straat en huisnummer."))
    if not values["phone"] and not values["email"]:
        raise DomainError(_l("Vul een telefoonnummer of e-mailadres in, zodat we u kunnen "
                             "bereiken."))
    try:
        with session.begin_nested():  # the reference is given back if this one loses a race
            help_request = HelpRequest(
                reference=next_reference(session, today), source=Source.WEBSITE,
                payer=Payer.NOBODY, price_agreement=PriceAgreement.FREE,
                needs_vog=data.kind in VOG_BY_DEFAULT, status=RequestStatus.NEW,
                idempotency_key=key, **values)
            session.add(help_request)
            session.flush()
    except IntegrityError:
        earlier = _request_with_key(session, key) if key is not None else None
        if earlier is None:
            raise
        return earlier  # the same form, sent at the same moment, was stored first
    audit.record(session, actor, "help_request.received", help_request, kind=data.kind.value,
                 source=Source.WEBSITE.value)
    return help_request


def create_request(session: Session, actor: Actor, data: RequestData,
                   today: date | None = None) -> HelpRequest:
    """A request entered by staff, with who pays and the price agreement."""
    today = today or date.today()
    values = _staff_values(session, data)
    help_request = HelpRequest(reference=next_reference(session, today),
                               status=RequestStatus.NEW, **values)
    session.add(help_request)
    session.flush()
    audit.record(session, actor, "help_request.created", help_request, kind=data.kind.value,
                 source=data.source.value)
    return help_request


def update_request(session: Session, actor: Actor, help_request: HelpRequest,
                   data: RequestData) -> HelpRequest:
    """Correct a request; refused once it is invoiced or declined."""
    if help_request.status in (RequestStatus.INVOICED, RequestStatus.DECLINED):
        raise DomainError(_l("Een gefactureerde of afgewezen hulpvraag kan niet meer worden "
                             "gewijzigd."))
    values = _staff_values(session, data, help_request.customer_id)
    changed = sorted(k for k, v in values.items() if getattr(help_request, k) != v)
    for key, value in values.items():
        setattr(help_request, key, value)
    audit.record(session, actor, "help_request.updated", help_request, fields=changed)
    return help_request


def get_request(session: Session, help_request_id: int) -> HelpRequest:
    found = session.scalar(select(HelpRequest).where(HelpRequest.id == help_request_id))
    if found is None:
        raise NotFound(_l("Deze hulpvraag bestaat niet."))
    return found
