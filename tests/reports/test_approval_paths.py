"""Every way hours become approved reaches the summaries: staff approving a week grid at once,
a participant's own hours in a tenant that needs no approval, and a returned entry the
participant corrects there. Each time the summary equals the recount."""
from __future__ import annotations

from datetime import date

from blueprints.hours import services, week
from blueprints.hours.models import EntryStatus
from blueprints.reports import summaries
from blueprints.reports.models import HoursDaily
from tenants.models import Role
from tests.hours.builders import TODAY, data
from tests.hours.conftest import world  # noqa: F401  (the hours test world)

MONDAY = date(2026, 11, 16)


def _hours(s) -> dict:
    stored = summaries.stored(s)
    assert stored == summaries.counted(s)
    return stored[HoursDaily]


def test_every_approval_path_is_counted(world):
    s, t = world.session, world.trajectory
    try:
        result = week.log_week(s, world.coach_actor, world.tenant, Role.SUPERVISOR, MONDAY,
                               [week.GridCell(t.id, MONDAY, "4"),
                                week.GridCell(t.id, date(2026, 11, 17), "2")],
                               approve=True, today=TODAY)
        assert result.ok
        assert _hours(s) == {(MONDAY, "traject"): (240,), (date(2026, 11, 17), "traject"): (120,)}

        waiting = services.log_hours(s, world.actor, world.tenant, Role.PARTICIPANT,
                                     data(world, day=date(2026, 11, 18), hours="3"),
                                     today=TODAY).entry
        assert waiting.status == EntryStatus.SUBMITTED
        assert (date(2026, 11, 18), "traject") not in _hours(s)
        services.return_entry(s, world.coach_actor, waiting.id, "Welke klus was dit?")

        world.tenant.hours_need_approval = False
        own = services.log_hours(s, world.actor, world.tenant, Role.PARTICIPANT,
                                 data(world, day=date(2026, 11, 19), hours="1"),
                                 today=TODAY).entry
        assert own.status == EntryStatus.APPROVED
        assert _hours(s)[(date(2026, 11, 19), "traject")] == (60,)

        again = services.update_entry(s, world.actor, world.tenant, Role.PARTICIPANT,
                                      waiting.id, data(world, day=date(2026, 11, 18),
                                                       hours="2,5"), today=TODAY).entry
        assert again.status == EntryStatus.APPROVED
        assert _hours(s)[(date(2026, 11, 18), "traject")] == (150,)
    finally:
        s.rollback()
