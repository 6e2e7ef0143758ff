"""A customer's rates per kind of job or named item. The price of a job from them, the
customer's and the tenant's rate: blueprints.invoicing.services.prices.rate_for."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blueprints.customers.models import Customer, CustomerRate
from blueprints.customers.services.rules import RATE_UNITS, _text, clean_vat_rate
from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound
from tenants.money import MAX_PRICE_CENTS


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
    if price_cents > MAX_PRICE_CENTS:
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
