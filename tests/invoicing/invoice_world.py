"""Builders for the invoice tests: a cooperative with complete finance settings, customers,
participants with running trajectories, jobs and approved hours written straight to the tables
(arranging data, not exercising the rules)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from blueprints.customers.models import Customer, CustomerKind
from blueprints.helprequests.models import (
    Assignment,
    HelpRequest,
    JobKind,
    Payer,
    PriceAgreement,
    RequestStatus,
    Source,
)
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.invoicing.models import FinanceSettings
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.models import Role, Tenant
from tenants.tenancy import tenant_context
from tests.hours.builders import add_person

TODAY = date(2026, 11, 25)
PERIOD = (date(2026, 11, 1), date(2026, 11, 30))


@dataclass
class Coop:
    session: object
    tenant: Tenant
    admin: object
    actor: Actor
    settings: FinanceSettings
    customer: Customer
    participant: object
    trajectory: object


def finance(session, **kw) -> FinanceSettings:
    """Complete finance settings (everything an invoice needs)."""
    values = dict(legal_name="Bewonerscoöperatie De Vaart U.A.", street="Vaartweg 12",
                  postcode="1234AB", city="Lelystad", kvk_number="12345678",
                  vat_id="NL123456789B01", iban="NL91ABNA0417164300",
                  email="facturen@devaart.example.org", invoice_prefix="F", credit_prefix="C",
                  payment_term_days=14, hourly_rate_cents=2500, default_vat_rate="21")
    values.update(kw)
    settings = session.scalar(select(FinanceSettings))
    if settings is None:
        settings = FinanceSettings(**values)
        session.add(settings)
    else:
        for key, value in values.items():
            setattr(settings, key, value)
    session.flush()
    return settings


def customer(session, name="Mevrouw Peters", kind=CustomerKind.RESIDENT, **kw) -> Customer:
    values = dict(street="Lindenlaan 4", postcode="1234CD", city="Lelystad",
                  email="peters@example.org")
    values.update(kw)
    c = Customer(kind=kind, name=name, **values)
    session.add(c)
    session.flush()
    return c


def municipality(session, name="Gemeente Lelystad", **kw) -> Customer:
    kw.setdefault("oin", "00000001234567890000")
    kw.setdefault("buyer_reference", "INK-2026-001")
    kw.setdefault("email", "crediteuren@lelystad.example.org")
    return customer(session, name, CustomerKind.MUNICIPALITY, **kw)


_refs = iter(range(1, 100000))


def job(session, cust, *, agreement=PriceAgreement.HOURLY, price=None,
        status=RequestStatus.DONE, kind=JobKind.GARDEN, people=(), done_on=date(2026, 11, 10),
        **kw) -> HelpRequest:
    r = HelpRequest(reference=f"2026-{next(_refs):04d}",
                    requester_name=cust.name if cust else "Mevrouw Jansen", kind=kind,
                    description=kw.pop("description", "Heg knippen in de achtertuin"),
                    source=Source.PHONE, payer=Payer.RESIDENT, price_agreement=agreement,
                    price_cents=price, customer_id=cust.id if cust else None, status=status,
                    done_on=done_on if status in (RequestStatus.DONE,
                                                  RequestStatus.INVOICED) else None, **kw)
    session.add(r)
    session.flush()
    for person in people:
        session.add(Assignment(help_request_id=r.id, participant_id=person.id))
    session.flush()
    return r


def hours(session, person, trajectory, day, minutes, help_request=None, *,
          status=EntryStatus.APPROVED, hour_type=HourType.TRAJECTORY, **kw) -> TimeEntry:
    e = TimeEntry(participant_id=person.id, trajectory_id=trajectory.id, work_date=day,
                  minutes=minutes, hour_type=hour_type, status=status,
                  help_request_id=help_request.id if help_request else None,
                  reviewed_at=utcnow() if status != EntryStatus.SUBMITTED else None, **kw)
    session.add(e)
    session.flush()
    return e


@pytest.fixture
def coop(make, session):
    tenant = make.tenant(name="Bewonerscoöperatie De Vaart")
    admin = make.member(tenant, Role.ADMIN, name="Karin Smit")
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        settings = finance(session)
        person, trajectory = add_person(session, actor)
        c = customer(session)
        t = session.scalar(select(Tenant).where(Tenant.id == tenant.id))
        session.commit()
        yield Coop(session, t, admin, actor, settings, c, person, trajectory)
    session.rollback()
