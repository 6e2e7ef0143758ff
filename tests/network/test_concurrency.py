"""Meeting places under concurrency (PostgreSQL): the meeting's row lock hands out the last
places in arrival order, once each, and a lapsed offer passes on once however many workers
look at it."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from blueprints.network import services
from blueprints.network.models import Registration
from tenants.db import utcnow
from tenants.extensions import db
from tenants.models import NetworkMembership, NetworkRole
from tests.concurrency import run_together
from tests.network.builders import meeting, network_member, person, register, states

pytestmark = pytest.mark.postgres


def test_thirty_people_for_the_last_ten_places(app, make):
    user = network_member(app, make)
    m = meeting(app, capacity=12)
    register(app, user, m, person("vooraf-1"), person("vooraf-2"))  # 10 places left
    tenant = make.tenant()  # run_together sets a tenant; the network's tables ignore it
    member = NetworkMembership(user_id=user.id, role=NetworkRole.MEMBER)
    who = SimpleNamespace(id=user.id)
    people = [person(f"gelijk-{i}") for i in range(30)]

    def registers(p):
        return lambda s: services.register(s, member, who, m, [p])[0].status.value

    results = run_together(app, tenant.id, *[registers(p) for p in people])
    assert [r[0] for r in results] == ["ok"] * 30
    assert sorted(r[1] for r in results) == ["confirmed"] * 10 + ["waiting"] * 20
    with app.app_context():
        rows = db.session.scalars(select(Registration).where(Registration.meeting_id == m)
                                  .order_by(Registration.position)).all()
        assert len(rows) == 32  # nobody lost
        assert {r.email for r in rows} >= {p.email for p in people}
        assert [r.status.value for r in rows] == ["confirmed"] * 12 + ["waiting"] * 20
        assert [r.position for r in rows] == list(range(1, 33))  # one queue, no gaps, no ties


def test_a_lapsed_offer_passes_on_once_when_two_workers_run_at_once(app, make):
    user = network_member(app, make)
    m = meeting(app, capacity=1)
    first, second, *_ = register(app, user, m, *[person(i) for i in range(1, 5)])
    with app.app_context():
        services.cancel(db.session, first)
        db.session.get(Registration, second).offer_expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    tenant = make.tenant()
    now = utcnow()
    run_together(app, tenant.id, *[lambda s: services.lapse_offers(s, now=now)] * 4)
    assert [s for _n, s in states(app, m)] == ["cancelled", "lapsed", "offered", "waiting"]


def test_cancellations_at_once_offer_each_freed_place_to_a_different_person(app, make):
    user = network_member(app, make)
    m = meeting(app, capacity=3)
    ids = register(app, user, m, *[person(i) for i in range(1, 8)])
    tenant = make.tenant()
    run_together(app, tenant.id, *[(lambda rid: lambda s: services.cancel(s, rid).id)(rid)
                                   for rid in ids[:3]])
    assert [s for _n, s in states(app, m)] == ["cancelled"] * 3 + ["offered"] * 3 + ["waiting"]
