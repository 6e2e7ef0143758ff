"""Fixtures for the budget tests: a cooperative with an admin, a coach, and a participant with a
login and an active trajectory (see builders.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tenants.actor import Actor
from tenants.models import Role, Tenant
from tenants.tenancy import tenant_context
from tests.budgets.builders import World, add_person, customer


@pytest.fixture
def world(make, session):
    tenant = make.tenant(name="Bewonerscoöperatie ONS")
    admin = make.member(tenant, Role.ADMIN, name="Marloes Jansen")
    coach = make.member(tenant, Role.SUPERVISOR, name="Karin Smit")
    user = make.member(tenant, Role.PARTICIPANT, name="Fatma Yilmaz")
    admin_actor = Actor(user_id=admin.id, email=admin.email)
    coach_actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        person, trajectory = add_person(session, coach_actor, user=user)
        buyer = customer(session)
        t = session.scalar(select(Tenant).where(Tenant.id == tenant.id))
        session.commit()
        yield World(session, t, admin, admin_actor, coach, coach_actor, user, person,
                    trajectory, buyer)
    session.rollback()
