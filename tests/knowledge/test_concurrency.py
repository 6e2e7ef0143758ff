"""On PostgreSQL: two quick taps cannot overspend a member's vote budget."""
from __future__ import annotations

import pytest

from blueprints.knowledge import services
from tenants.extensions import db
from tests.concurrency import run_together
from tests.helpers import ON_POSTGRES
from tests.knowledge.builders import actor, ask

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="row locks are PostgreSQL's")


def test_the_last_vote_is_spent_once(app, make, network):
    _admin, members = network
    voter = members[0]
    ids = [ask(app, members[1]) for _ in range(6)]
    with app.test_request_context():
        for question_id in ids[:4]:
            services.vote(db.session, actor(voter), question_id)
        db.session.commit()
        db.session.remove()
    tenant = make.tenant()
    results = run_together(
        app, tenant.id,
        lambda s: services.vote(s, actor(voter), ids[4]).id,
        lambda s: services.vote(s, actor(voter), ids[5]).id,
        hold_first=0.5)
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    with app.app_context():
        assert services.votes_left(db.session, voter.id) == 0
        db.session.remove()
