"""Where nothing is suppressed, the municipality's figures equal the cooperative's own report
for the same period: both come from summaries kept by the same events."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from blueprints.hours.models import HourType
from blueprints.reports import services
from blueprints.reports.periods import Period
from blueprints.trajectories.models import Outcome, TrajectoryKind
from tenants import aggregates
from tenants.actor import Actor
from tenants.models import Role, Tenant
from tenants.suppression import TOTAL
from tenants.tenancy import tenant_context
from tests.hours.builders import add_person
from tests.invoicing.invoice_world import customer, finance
from tests.reports.builders import Coop, end, log


@pytest.fixture
def six(make, session):
    tenant = make.tenant(name="Coöperatie Zes")
    admin = make.member(tenant, Role.ADMIN)
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        finance(session)
        people = [add_person(session, actor, first=f"Deelnemer{i}", last="Zes",
                             kind=TrajectoryKind.SOCIAL_JOB) for i in range(6)]
        c = customer(session)
        t = session.scalar(select(Tenant).where(Tenant.id == tenant.id))
        session.commit()
        yield Coop(session, t, admin, actor, c, people)
    session.rollback()


def test_figures_equal_the_cooperatives_own_report(six):
    s = six.session
    for who in range(6):
        log(six, who, date(2026, 3, 3), "2,5")
        log(six, who, date(2026, 4, 7), "1,5", HourType.VOLUNTEER)
        log(six, who, date(2026, 5, 12), "3")
    for who in range(5):
        end(six, who, Outcome.PAID_WORK, date(2026, 5, 20))
    s.commit()
    quarter = Period("kwartaal", date(2026, 4, 1), date(2026, 6, 30))
    with tenant_context(s, six.tenant.id):
        (own,) = services.figures(s, quarter)
        s.rollback()
    shares = {six.tenant.id: date(2026, 1, 1)}
    requester = aggregates.Requester("platform", None)
    (hours,) = aggregates.aggregate(s, requester, "uren", shares, [(quarter.start, quarter.end)],
                                    [t.value for t in HourType], 5)
    (outflow,) = aggregates.aggregate(s, requester, "uitstroom", shares,
                                      [(quarter.start, quarter.end)], [o.value for o in Outcome], 5)
    s.commit()
    assert all(c.shown for c in hours.table.cells.values())
    assert {k: hours.table.cell(k, TOTAL).value for k in own.hours} == own.hours
    assert hours.table.cell(TOTAL, TOTAL).value == sum(own.hours.values()) == 6 * 270
    assert {k: outflow.table.cell(k, TOTAL).value for k in own.outflow} == own.outflow
    assert outflow.table.cell(TOTAL, six.tenant.id).value == own.outflow_total == 5
