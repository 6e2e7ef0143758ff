"""Builders for the customer tests: customers, punch cards, and a done punch-card job with
approved hours."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from blueprints.customers import services
from blueprints.customers.models import CustomerKind
from blueprints.helprequests.models import Payer, PriceAgreement, RequestStatus
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.punchcards import services as punchcards
from tenants.actor import Actor
from tenants.models import AuditEvent, Role
from tenants.tenancy import tenant_context
from tests.helprequests.builders import job, person

BOUGHT = date(2026, 1, 5)
DONE_ON = date(2026, 3, 2)


def customer(session, actor, name="Mevrouw Peters", kind=CustomerKind.RESIDENT, **kw):
    return services.create_customer(session, actor, services.CustomerData(
        kind=kind, name=name, **kw))


def municipality(session, actor, name="Gemeente Lelystad", **kw):
    kw.setdefault("oin", "00000001002220647000")
    kw.setdefault("street", "Stadhuisplein 2")
    kw.setdefault("postcode", "8232 ZX")
    kw.setdefault("city", "Lelystad")
    return customer(session, actor, name=name, kind=CustomerKind.MUNICIPALITY, **kw)


def card(session, actor, who, hours=10, price_cents=25000, bought_on=BOUGHT, note=None):
    return punchcards.sell_punch_card(session, actor, who, hours, price_cents, bought_on, note)


def punch_job(session, actor, who, minutes=(90,), status=EntryStatus.APPROVED,
              done=True):
    """A punch-card job of `who`, done on DONE_ON, with time entries of `minutes`."""
    r = job(session, actor, payer=Payer.RESIDENT, price_agreement=PriceAgreement.PUNCH_CARD,
            customer_id=who.id if who is not None else None)
    worker = person(session, actor, "Fatma", "Yilmaz", active=False)
    if done:
        r.status, r.done_on = RequestStatus.DONE, DONE_ON
    for m in minutes:
        session.add(TimeEntry(participant_id=worker.id, help_request_id=r.id, work_date=DONE_ON,
                              minutes=m, hour_type=HourType.TRAJECTORY, status=status))
    session.flush()
    return r


@pytest.fixture
def world(make, session):
    """(session, actor): an admin of a new tenant, inside its context."""
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        yield session, actor
    session.rollback()


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def audited(session, action) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
