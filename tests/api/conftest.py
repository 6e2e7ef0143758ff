"""Fixtures of the API tests: a cooperative with staff, tokens made through the service."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from blueprints.api import services as api
from blueprints.participants import services as participants
from tenants.actor import Actor
from tenants.models import Role, User
from tenants.tenancy import set_tenant, set_user, tenant_context


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
