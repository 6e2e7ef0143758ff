"""The week grid without HTTP: its rows, saving all or nothing, per-cell errors, two people
typing the same paper sheet."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from blueprints.hours import week
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Outcome, TrajectoryKind, TrajectoryStatus
from tenants.errors import PermissionDenied
from tenants.models import Role
from tests.hours.builders import TODAY, add_person, entry

MONDAY = date(2026, 11, 23)
S = Role.SUPERVISOR


def cells(*items):
    return [week.GridCell(t.id, MONDAY + timedelta(days=d), hours) for t, d, hours in items]


def end(trajectory, outcome, on):
    """Ended on `on` (set directly: the service refuses dates after the real today)."""
    trajectory.status, trajectory.outcome, trajectory.outcome_on = \
        TrajectoryStatus.ENDED, outcome, on


def count(session):
    return session.scalar(select(func.count()).select_from(TimeEntry))


def test_rows_are_the_trajectories_running_that_week(world, make):
    s, actor = world.session, world.coach_actor
    other_coach = make.member(world.tenant, Role.SUPERVISOR)
    mine = world.participant
    theirs, t2 = add_person(s, actor, "Kees", "de Graaf", supervisor_id=other_coach.id)
    ended, t3 = add_person(s, actor, "Ali", "Demir", starts_on=date(2026, 2, 2))
    end(t3, Outcome.PAID_WORK, MONDAY + timedelta(days=1))  # ended during the week: a row
    gone, t4 = add_person(s, actor, "Els", "Bakker", starts_on=date(2026, 2, 2))
    end(t4, Outcome.MOVED, MONDAY - timedelta(days=1))  # ended before it: none
    trajectories.create_trajectory(s, actor, theirs, trajectories.TrajectoryData(
        kind=TrajectoryKind.VOLUNTEER, starts_on=MONDAY, hours_per_week="4",
        funding=t2.funding))  # still in intake: no row
    names = [r.participant.full_name for r in week.week_grid(s, MONDAY).rows]
    assert sorted(names) == ["Ali Demir", "Kees de Graaf", "Sandra Verhoeven"]
    assert [r.participant.id for r in week.week_grid(s, MONDAY, world.coach.id).rows] == [mine.id]
    assert [r.participant.id for r in week.week_grid(s, MONDAY, other_coach.id).rows] == [
        theirs.id]
    assert "Els Bakker" not in names


def test_a_trajectory_past_its_planned_end_before_the_week_has_no_row(world):
    s, actor = world.session, world.coach_actor
    add_person(s, actor, "Piet", "Jansen", planned_end_on=MONDAY - timedelta(days=1))
    add_person(s, actor, "Rob", "Vos", planned_end_on=MONDAY + timedelta(days=2))
    names = {r.participant.full_name for r in week.week_grid(s, MONDAY).rows}
    assert "Piet Jansen" not in names and "Rob Vos" in names
    # in the grid the day after the end needs a reason, which the grid cannot take
    rob = next(r.trajectory for r in week.week_grid(s, MONDAY).rows
               if r.participant.full_name == "Rob Vos")
    result = week.log_week(s, actor, world.tenant, S, MONDAY, cells((rob, 3, "2")),
                           today=TODAY + timedelta(days=3))
    assert "met een reden bij de uren van de deelnemer" in result.errors[
        (rob.id, MONDAY + timedelta(days=3))]
    assert count(s) == 0


def test_the_grid_shows_what_is_written_and_saves_new_cells(world):
    s = world.session
    t = world.trajectory
    entry(s, world.participant, t, MONDAY, 120, status=EntryStatus.APPROVED)
    grid = week.week_grid(s, MONDAY, world.coach.id)
    row = grid.rows[0]
    assert [e.minutes for e in row.entries[MONDAY]] == [120] and len(grid.days) == 7
    result = week.log_week(s, world.coach_actor, world.tenant, S, MONDAY,
                           cells((t, 1, "4"), (t, 2, "3,5")),
                           types={t.id: HourType.TRAINING}, snapshots={t.id: row.snapshot},
                           today=TODAY)
    assert result.ok and [e.minutes for e in result.saved] == [240, 210]
    assert {e.status for e in result.saved} == {EntryStatus.SUBMITTED}
    assert {e.hour_type for e in result.saved} == {HourType.TRAINING}
    assert result.warnings == []  # 2 + 4 + 3,5 = 9,5 of the agreed 12


def test_direct_approval_and_week_warnings(world):
    s, t = world.session, world.trajectory
    result = week.log_week(s, world.coach_actor, world.tenant, S, MONDAY,
                           cells((t, 0, "8"), (t, 1, "8")), approve=True, today=TODAY)
    assert {e.status for e in result.saved} == {EntryStatus.APPROVED}
    assert {e.reviewed_by_id for e in result.saved} == {world.coach.id}
    assert result.warnings == ["Sandra Verhoeven: Week 2026-W48: 16 uur geschreven op dit "
                               "traject, meer dan de afgesproken 12 uur per week."]


def test_any_wrong_cell_saves_nothing_and_says_which(world):
    s, t = world.session, world.trajectory
    before = count(s)
    result = week.log_week(s, world.coach_actor, world.tenant, S, MONDAY,
                           cells((t, 0, "4"), (t, 1, "twee"), (t, 4, "3")), today=TODAY)
    assert not result.ok and result.saved == []
    assert result.errors[(t.id, MONDAY + timedelta(days=1))].startswith("Vul het aantal uren")
    assert "toekomst" in result.errors[(t.id, MONDAY + timedelta(days=4))]  # Friday > Wednesday
    assert (t.id, MONDAY) not in result.errors
    assert count(s) == before


def test_two_people_typing_the_same_sheet_do_not_count_it_twice(world):
    s, t = world.session, world.trajectory
    seen = week.week_grid(s, MONDAY).rows[0].snapshot
    first = week.log_week(s, world.coach_actor, world.tenant, S, MONDAY, cells((t, 0, "4")),
                          snapshots={t.id: seen}, today=TODAY)
    assert first.ok
    second = week.log_week(s, world.coach_actor, world.tenant, S, MONDAY, cells((t, 0, "4")),
                           snapshots={t.id: seen}, today=TODAY)
    assert not second.ok and second.saved == []
    assert "Iemand anders heeft intussen uren" in second.row_errors[t.id]
    assert s.scalar(select(func.sum(TimeEntry.minutes)).where(
        TimeEntry.trajectory_id == t.id)) == 240


def test_only_staff_fill_a_week_grid(world):
    with pytest.raises(PermissionDenied):
        week.log_week(world.session, world.actor, world.tenant, Role.PARTICIPANT, MONDAY,
                      cells((world.trajectory, 0, "1")), today=TODAY)


def test_a_cell_of_another_week_or_an_unknown_trajectory_is_refused(world):
    t = world.trajectory
    result = week.log_week(world.session, world.coach_actor, world.tenant, S, MONDAY,
                           [week.GridCell(t.id, MONDAY - timedelta(days=1), "2"),
                            week.GridCell(987654321, MONDAY, "2")], today=TODAY)
    assert len(result.errors) == 2 and not result.saved
