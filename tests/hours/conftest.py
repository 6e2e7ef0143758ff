"""Fixtures for the hours tests: a cooperative with a coach, a participant with a login and a
running trajectory (see builders.py for the helpers)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tenants.actor import Actor
from tenants.models import Role, Tenant
from tenants.tenancy import tenant_context
from tests.hours.builders import World, add_person


@pytest.fixture
def world(make, session):
    tenant = make.tenant(name="Bewonerscoöperatie De Vaart")
    coach = make.member(tenant, Role.SUPERVISOR, name="Karin Smit")
    user = make.member(tenant, Role.PARTICIPANT, name="Sandra Verhoeven")
    coach_actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        person, trajectory = add_person(session, coach_actor, user=user, supervisor_id=coach.id)
        t = session.scalar(select(Tenant).where(Tenant.id == tenant.id))
        session.commit()
        yield World(session, t, coach, coach_actor, user, Actor(user_id=user.id, email=user.email),
                    person, trajectory)
    session.rollback()
