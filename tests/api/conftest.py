"""Fixtures of the API tests: a cooperative with staff, tokens made through the service, and
its books (customers, invoices, a payment) for the admin-only endpoints."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from blueprints.api import services as api
from blueprints.invoicing.models import (
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)
from blueprints.participants import services as participants
from tenants.actor import Actor
from tenants.models import Role, User
from tenants.tenancy import set_tenant, set_user, tenant_context
from tests.invoicing.doc_builders import (
    RESIDENT_LINES,
    L,
    customer,
    finance,
    housing,
    invoice,
    municipality,
)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def coop(make):
    """A tenant with an admin (two-factor) and a supervisor."""
    tenant = make.tenant(name="Buurtcoöperatie De Vaart")
    admin = make.member(tenant, Role.ADMIN, name="Anja Beheer")
    coach = make.member(tenant, Role.SUPERVISOR, name="Ahmed El Khatib")
    return tenant, admin, coach


@pytest.fixture
def issue(session):
    """`issue(user, tenant, name=..., lifetime=...)` makes a token the way the page does."""

    def make_token(user, tenant, name: str = "Koppeling", lifetime=api.TOKEN_LIFETIME) -> str:
        set_user(session, user.id)  # PostgreSQL: the user may read their own memberships
        row = session.scalar(select(User).where(User.id == user.id))
        _, _, value = api.create_token(session, Actor(user.id, user.email), row, tenant.id,
                                       name, lifetime=lifetime)
        session.commit()
        set_user(session, None)
        set_tenant(session, None)
        return value

    return make_token


@pytest.fixture
def person(session):
    """`person(tenant, coach, **fields)` registers a participant; returns its id."""

    def register(tenant, coach, **fields) -> int:
        actor = Actor(user_id=coach.id, email=coach.email)
        with tenant_context(session, tenant.id):
            p = participants.create_participant(session, actor, participants.ParticipantData(
                first_name=fields.pop("first_name", "Sandra"),
                last_name=fields.pop("last_name", "Verhoeven"), supervisor_id=coach.id,
                **fields))
            session.commit()
            return p.id

    return register


@pytest.fixture
def admin_api(client, coop, issue):
    """`api(path)` GETs /api/v1/<tenant>/<path> with the admin's token."""
    tenant, admin, _ = coop
    token = issue(admin, tenant)

    def get(path: str, **kw):
        return client.get(f"/api/v1/{tenant.slug}/{path}", headers=bearer(token), **kw)

    get.token = token
    return get


@pytest.fixture
def books(coop, session):
    """Finance settings, a resident, a housing corporation and a municipality; invoices of
    2025 and 2026 (sent, partly paid, paid, credited by a credit note) and a draft."""
    tenant, admin, coach = coop
    actor = Actor(admin.id, admin.email)
    with tenant_context(session, tenant.id):
        settings = finance(session)
        resident = customer(session, phone="06 12345678")
        corp = housing(session)
        town = municipality(session)
        fatma = participants.create_participant(session, actor, participants.ParticipantData(
            first_name="Fatma", last_name="Yilmaz"))
        garden = invoice(session, settings, resident, RESIDENT_LINES, number=1,
                         issued=date(2026, 3, 2), due=date(2026, 3, 16),
                         status=InvoiceStatus.PARTLY_PAID, period_start=date(2026, 2, 1),
                         period_end=date(2026, 2, 28))
        first_line = session.scalar(select(InvoiceLine).where(
            InvoiceLine.invoice_id == garden.id, InvoiceLine.position == 1))
        first_line.participant_id = fatma.id
        session.add(Payment(invoice_id=garden.id, paid_on=date(2026, 3, 10), amount_cents=5000,
                            method=PaymentMethod.BANK_TRANSFER, reference="NL-bank 123",
                            idempotency_key=f"k-{garden.id}"))
        garden.paid_cents = 5000
        porch = invoice(session, settings, corp, [L("Schoonmaak portiek", "10", 3000, "9")],
                        number=2, issued=date(2026, 4, 1), due=date(2026, 4, 15),
                        status=InvoiceStatus.PAID, paid_cents=32700)
        fees = invoice(session, settings, town, [L("Trajectvergoeding", "3", 45000, "0")],
                       number=3, issued=date(2026, 5, 1), due=date(2026, 5, 31),
                       buyer_reference="INK-2026-001", credited_cents=45000)
        credit = invoice(session, settings, town, [L("Trajectvergoeding", "1", 45000, "0")],
                         number=1, kind=InvoiceKind.CREDIT_NOTE, credits=fees,
                         issued=date(2026, 5, 20), due=None, buyer_reference="INK-2026-001")
        old = invoice(session, settings, corp, [L("Vorig jaar", "1", 1000)], number=9,
                      issued=date(2025, 12, 30))
        draft = invoice(session, settings, town, [L("Concept", "1", 1000)],
                        status=InvoiceStatus.DRAFT)
        session.commit()
        return {"garden": garden.id, "porch": porch.id, "fees": fees.id, "credit": credit.id,
                "old": old.id, "draft": draft.id, "resident": resident.id, "corp": corp.id,
                "town": town.id, "fatma": fatma.id}
