"""Punch cards under concurrency (PostgreSQL): many uses at once never take more than the
cards hold, and a job is written off once however often the button is pressed."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from blueprints.customers import services
from blueprints.helprequests.models import HelpRequest, RequestStatus
from blueprints.punchcards import services as punchcards
from blueprints.punchcards.models import PunchCard, PunchCardUse
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.customers.builders import card, customer, punch_job
from tests.concurrency import run_together

pytestmark = pytest.mark.postgres


@pytest.fixture
def shop(make, session):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        c = customer(session, actor)
        card(session, actor, c, hours=2, bought_on=date(2026, 1, 5))
        card(session, actor, c, hours=3, bought_on=date(2026, 2, 5))
        session.commit()
        customer_id = c.id
    return tenant, actor, customer_id


def test_parallel_uses_never_take_more_than_the_cards_hold(app, session, shop):
    tenant, actor, customer_id = shop

    def use(s):
        c = services.get_customer(s, customer_id)
        return sum(u.minutes for u in punchcards.use_punch_card(s, actor, c, 60, date(2026, 3, 2)))

    results = run_together(app, tenant.id, *[use] * 8)
    assert sorted(r[0] for r in results) == ["ok"] * 5 + ["refused"] * 3, results
    assert all("te weinig op de strippenkaart" in r[1] for r in results if r[0] == "refused")
    with tenant_context(session, tenant.id):
        c = services.get_customer(session, customer_id)
        assert punchcards.customer_punch_balance(session, c) == 0
        for k in session.scalars(select(PunchCard)):
            assert punchcards.card_balance_minutes(session, k) == 0
    session.rollback()


def test_a_job_settled_twice_at_once_is_written_off_once(app, session, shop):
    tenant, actor, customer_id = shop
    with tenant_context(session, tenant.id):
        r = punch_job(session, actor, services.get_customer(session, customer_id),
                      minutes=(90,))
        session.commit()
        request_id = r.id

    def settle(s):
        job = s.scalar(select(HelpRequest).where(HelpRequest.id == request_id))
        return len(punchcards.settle_help_request_with_card(s, actor, job))

    results = run_together(app, tenant.id, settle, settle, hold_first=0.3)
    assert [r[0] for r in results] == ["ok", "refused"], results
    assert "Alleen een uitgevoerde klus" in results[1][1]
    with tenant_context(session, tenant.id):
        assert session.scalar(select(func.sum(PunchCardUse.minutes))) == 90
        assert session.scalar(select(HelpRequest.status).where(
            HelpRequest.id == request_id)) == RequestStatus.INVOICED
    session.rollback()
