"""A world for the municipality tests: two municipalities; in the first two cooperatives that
can share (A, B) and one that never shares (C, with data); in the second one cooperative (D).
Summary rows are written straight to the tables (arranging data; the summaries' own tests
check how events keep them)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from blueprints.participants.models import Participant
from blueprints.reports import sharing
from blueprints.reports.models import HoursMonthly, OutflowDaily
from tenants.actor import Actor
from tenants.models import Municipality, MunicipalityMembership, Role, Tenant
from tenants.tenancy import tenant_context
from tests.municipalities import municipality_row


@dataclass
class World:
    m1: Municipality
    m2: Municipality
    a: Tenant
    b: Tenant
    c: Tenant
    d: Tenant
    admin_a: object
    admin_b: object
    officer1: object
    officer2: object


def add_people(session, n: int) -> list[int]:
    people = [Participant(first_name=f"Persoon{i}", last_name="Gemeentetest") for i in range(n)]
    session.add_all(people)
    session.flush()
    return [p.id for p in people]


def add_hours(session, month: date, hour_type: str, ids: list[int], minutes: int) -> None:
    session.add_all(HoursMonthly(month=month, hour_type=hour_type, participant_id=i,
                                 minutes=minutes) for i in ids)
    session.flush()


def add_outflow(session, day: date, outcome: str, n: int, kind: str = "basisbaan") -> None:
    session.add(OutflowDaily(day=day, kind=kind, outcome=outcome, trajectories=n))
    session.flush()


def share(session, tenant: Tenant, admin, template: str, from_month=date(2026, 1, 1)):
    with tenant_context(session, tenant.id):
        t = session.scalar(select(Tenant).where(Tenant.id == tenant.id))
        result = sharing.grant(session, Actor(user_id=admin.id, email=admin.email), t,
                               sharing.ShareData(template, from_month))
        session.commit()
        return result.id


@pytest.fixture
def world(make, session) -> World:
    m1, m2 = municipality_row("Gemeente Een"), municipality_row("Gemeente Twee")
    session.add_all([m1, m2])
    session.commit()
    tenants = [make.tenant(name=n) for n in ("Coöperatie Alfa", "Coöperatie Bèta",
                                             "Coöperatie Gamma Stil", "Coöperatie Delta")]
    for t, m in zip(tenants, (m1, m1, m1, m2)):
        row = session.get(Tenant, t.id)
        row.municipality_id = m.id
        t.municipality_id = m.id
    session.commit()
    a, b, c, d = tenants
    admin_a, admin_b = make.member(a, Role.ADMIN), make.member(b, Role.ADMIN)
    officer1, officer2 = make.user(totp=True), make.user(totp=True)
    session.add_all([MunicipalityMembership(user_id=officer1.id, municipality_id=m1.id),
                     MunicipalityMembership(user_id=officer2.id, municipality_id=m2.id)])
    session.commit()
    # March 2026: A 7 people traject hours, 2 people volunteer; B 9 traject, 6 volunteer;
    # C (never shares) 8 traject; D (other municipality) 8 traject. Outflow: A 6 paid work,
    # B 3 paid work and 7 education.
    for tenant, traject, volunteer in ((a, 7, 2), (b, 9, 6), (c, 8, 0), (d, 8, 0)):
        with tenant_context(session, tenant.id):
            ids = add_people(session, traject + volunteer)
            add_hours(session, date(2026, 3, 1), "traject", ids[:traject], 600)
            if volunteer:
                add_hours(session, date(2026, 3, 1), "vrijwilligerswerk", ids[traject:], 120)
            session.commit()
    for tenant, outflows in ((a, [("betaald_werk", 6)]), (b, [("betaald_werk", 3),
                                                               ("opleiding", 7)]),
                             (c, [("betaald_werk", 9)]), (d, [("betaald_werk", 9)])):
        with tenant_context(session, tenant.id):
            for outcome, n in outflows:
                add_outflow(session, date(2026, 3, 15), outcome, n)
            session.commit()
    for m in (m1, m2):
        session.refresh(m)
        session.expunge(m)
    return World(m1, m2, a, b, c, d, admin_a, admin_b, officer1, officer2)
