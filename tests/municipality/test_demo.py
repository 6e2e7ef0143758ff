"""The demo shares client progress: ONS Breda three participants with Breda (the demo
participant among them, by consent), the Kluswinkel one with Lelystad, Landgraaf none; the demo
officers are consulenten."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from blueprints.municipality.models import ProgressShare
from tenants.membership import tenant_by_slug
from tenants.models import MunicipalityMembership, MunicipalRole, User
from tenants.tenancy import tenant_context


@pytest.fixture(scope="module")
def seeded(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return runner


@pytest.mark.parametrize("slug, shared", [("ons-breda", 3), ("kluswinkel-lelystad", 1),
                                          ("vrijwilligerscentrale-landgraaf", 0)])
def test_the_demo_shares_a_few_clients(seeded, session, slug, shared):
    tenant = tenant_by_slug(session, slug)
    with tenant_context(session, tenant.id):
        shares = session.scalars(select(ProgressShare)).all()
    assert len(shares) == shared
    assert all(s.municipality_id == tenant.municipality_id for s in shares)
    assert seeded.invoke(args=["seed-demo"]).exit_code == 0  # idempotent
    with tenant_context(session, tenant.id):
        assert len(session.scalars(select(ProgressShare)).all()) == shared


def test_the_demo_officers_are_consulenten(seeded, session):
    roles = session.scalars(select(MunicipalityMembership.role).join(
        User, User.id == MunicipalityMembership.user_id).where(
        User.email.in_(["gemeente@breda.example.org", "gemeente@lelystad.example.org"]))).all()
    assert roles == [MunicipalRole.CONSULENT] * 2
