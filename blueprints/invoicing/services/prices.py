"""The price of a job for a customer (`rate_for`): the customer's rate for that kind of job,
else the customer's hourly rate, else the tenant's (FinanceSettings)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.customers.models import Customer
from blueprints.customers.services import rates_of
from blueprints.invoicing.models import FinanceSettings
from tenants.vat import VatRate

#: what FinanceSettings holds by default, for a tenant that has not saved its settings yet
DEFAULT_HOURLY_RATE_CENTS = 2500
DEFAULT_VAT_RATE = VatRate.HIGH.value


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
