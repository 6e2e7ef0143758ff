"""Summaries stay exact when transactions race (PostgreSQL): hours approved at the same moment
for the same day add up, also when the day's summary row does not exist yet and several
transactions try to insert it (one wins, the others add to it)."""
from __future__ import annotations

from datetime import date

import pytest

from blueprints.hours import services as hours
from blueprints.reports import summaries
from blueprints.reports.models import HoursDaily
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.concurrency import run_together
from tests.reports.builders import TODAY

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("hold_first", [0.0, 0.4])
def test_racing_approvals_on_a_new_day_all_count(app, coop, hold_first):
    day = date(2026, 9, 14)

    def approve_one(who):
        person, trajectory = coop.people[who]

        def action(session):
            return hours.log_hours(session, coop.actor, coop.tenant, Role.ADMIN, hours.EntryData(
                participant_id=person.id, trajectory_id=trajectory.id, work_date=day,
                hours="1,5"), approve=True, today=TODAY).entry.id
        return action

    results = run_together(app, coop.tenant.id, *[approve_one(i) for i in (0, 1, 2, 0)],
                           hold_first=hold_first)
    assert [r[0] for r in results] == ["ok"] * 4
    s = coop.session
    s.rollback()
    with tenant_context(s, coop.tenant.id):
        assert summaries.stored(s)[HoursDaily] == {(day, "traject"): (360,)}
        assert summaries.stored(s) == summaries.counted(s)
    s.rollback()
