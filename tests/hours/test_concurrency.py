"""Two supervisors approving and correcting the same week at once lose nothing and never
count twice; the loser gets a clear Dutch message, not a 500.

The parallel tests run on PostgreSQL (TEST_DATABASE_URL): threads with their own app context
and session start together at a barrier; where the overlap must be certain, one holds its row
lock until the other is waiting on it. The stale-write test runs on both databases.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from blueprints.hours import services, week
from blueprints.hours.models import EntryStatus, TimeEntry
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.models import AuditEvent, Role, Tenant
from tenants.tenancy import set_tenant, tenant_context
from tests.concurrency import engine_of, run_together
from tests.hours.builders import TODAY, entry

MONDAY = date(2026, 11, 23)
S = Role.SUPERVISOR


@pytest.fixture
def two_coaches(world, make):
    other = make.member(world.tenant, Role.SUPERVISOR, name="Ahmed El Khatib")
    return world.coach_actor, Actor(user_id=other.id, email=other.email)


def _week_of_entries(world, n=5):
    s = world.session
    with tenant_context(s, world.tenant.id):
        ids = [entry(s, world.participant, world.trajectory, MONDAY + timedelta(days=i % 3),
                     60 + i).id for i in range(n)]
        approved = entry(s, world.participant, world.trajectory, MONDAY, 480,
                         status=EntryStatus.APPROVED)
        s.commit()
        return ids, approved.id


@pytest.mark.postgres
@pytest.mark.parametrize("hold", [0.0, 0.3])
def test_two_supervisors_approving_the_same_week_approve_each_entry_once(app, world,
                                                                         two_coaches, hold):
    a, b = two_coaches
    ids, _ = _week_of_entries(world)
    seen = {i: 1 for i in ids}  # both pages showed version 1
    results = run_together(
        app, world.tenant.id,
        lambda s: [e.id for e in services.approve_entries(s, a, seen)],
        lambda s: [e.id for e in services.approve_entries(s, b, seen)], hold_first=hold)
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["ok", "refused"], results
    loser = next(r[1] for r in results if r[0] == "refused")
    assert loser.startswith("Iemand anders heeft deze uren net verwerkt")
    winner = a if results[0][0] == "ok" else b
    s = world.session
    s.expire_all()
    with tenant_context(s, world.tenant.id):
        rows = s.scalars(select(TimeEntry).where(TimeEntry.id.in_(ids))).all()
        assert {(e.status, e.reviewed_by_id, e.version) for e in rows} == {
            (EntryStatus.APPROVED, winner.user_id, 2)}
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "hours.approved")) == len(ids)


@pytest.mark.postgres
def test_approving_and_returning_the_same_entry_at_once_has_one_outcome(app, world, two_coaches):
    a, b = two_coaches
    ids, _ = _week_of_entries(world, n=1)
    results = run_together(
        app, world.tenant.id,
        lambda s: services.approve_entries(s, a, {ids[0]: None}) and "approved",
        lambda s: services.return_entry(s, b, ids[0], "Verkeerde dag") and "returned",
        hold_first=0.3)
    assert [r[0] for r in results] == ["ok", "refused"]
    assert "al goedgekeurd" in results[1][1]  # B waited for A's lock, then saw the approval
    s = world.session
    s.expire_all()
    with tenant_context(s, world.tenant.id):
        e = s.scalar(select(TimeEntry).where(TimeEntry.id == ids[0]))
        assert (e.status, e.return_reason) == (EntryStatus.APPROVED, None)


@pytest.mark.postgres
@pytest.mark.parametrize("hold", [0.0, 0.3])
def test_two_supervisors_correcting_the_same_hours_subtract_once(app, world, two_coaches, hold):
    a, b = two_coaches
    _, approved_id = _week_of_entries(world, n=0)
    results = run_together(
        app, world.tenant.id,
        lambda s: services.correct_entry(s, a, S, approved_id, "6", "pauze").minutes,
        lambda s: services.correct_entry(s, b, S, approved_id, "6", "pauze").minutes,
        hold_first=hold)
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    assert next(r[1] for r in results if r[0] == "ok") == -120
    assert "wacht al een correctie" in next(r[1] for r in results if r[0] == "refused")
    s = world.session
    s.expire_all()
    with tenant_context(s, world.tenant.id):
        corrections = s.scalars(select(TimeEntry).where(
            TimeEntry.corrects_id == approved_id)).all()
        assert [c.minutes for c in corrections] == [-120]
        services.approve_entries(s, a, {corrections[0].id: None})
        s.commit()
        assert s.scalar(select(func.sum(TimeEntry.minutes)).where(
            TimeEntry.status == EntryStatus.APPROVED,
            (TimeEntry.id == approved_id) | (TimeEntry.corrects_id == approved_id))) == 360


@pytest.mark.postgres
def test_approving_and_correcting_the_same_week_at_once_loses_nothing(app, world, two_coaches):
    """Each supervisor approves the week and corrects the approved Monday, in two steps, at
    the same time: every entry ends approved once, the Monday is corrected once."""
    a, b = two_coaches
    ids, approved_id = _week_of_entries(world)
    seen = {i: 1 for i in ids}

    def review(actor):
        def run(s):
            outcome = []
            for step in (lambda: services.approve_entries(s, actor, seen),
                         lambda: services.correct_entry(s, actor, S, approved_id, "7", "x")):
                try:
                    with s.begin_nested():
                        step()
                    outcome.append("ok")
                except DomainError as exc:
                    outcome.append(exc.message)
            return outcome
        return run

    results = run_together(app, world.tenant.id, review(a), review(b))
    steps = [r[1] for r in results]
    assert sorted(step[0] == "ok" for step in steps) == [False, True]
    assert sorted(step[1] == "ok" for step in steps) == [False, True]
    s = world.session
    s.expire_all()
    with tenant_context(s, world.tenant.id):
        assert {e.status for e in s.scalars(select(TimeEntry).where(TimeEntry.id.in_(ids)))} \
            == {EntryStatus.APPROVED}
        assert [c.minutes for c in s.scalars(select(TimeEntry).where(
            TimeEntry.corrects_id == approved_id))] == [-60]


@pytest.mark.postgres
def test_two_people_saving_the_same_paper_sheet_at_once_count_it_once(app, world, two_coaches):
    a, b = two_coaches
    s = world.session
    with tenant_context(s, world.tenant.id):
        seen = week.week_grid(s, MONDAY).rows[0].snapshot
        tenant = s.scalar(select(Tenant).where(Tenant.id == world.tenant.id))
        s.expunge(tenant)
    t = world.trajectory.id
    cells = [week.GridCell(t, MONDAY, "4"), week.GridCell(t, MONDAY + timedelta(days=1), "3")]

    def save(actor):
        def run(session):
            result = week.log_week(session, actor, session.merge(tenant, load=False), S, MONDAY,
                                   cells, snapshots={t: seen}, today=TODAY)
            if not result.ok:
                raise DomainError(next(iter(result.row_errors.values())))
            return len(result.saved)
        return run

    results = run_together(app, world.tenant.id, save(a), save(b), hold_first=0.3)
    assert [r[0] for r in results] == ["ok", "refused"]
    assert "Iemand anders heeft intussen uren" in results[1][1]
    s.expire_all()
    with tenant_context(s, world.tenant.id):
        assert s.scalar(select(func.sum(TimeEntry.minutes)).where(
            TimeEntry.trajectory_id == t)) == 7 * 60


def test_a_write_over_a_changed_row_is_a_clear_message_on_both_databases(app, world):
    """The version column: a session that read an entry before another committed a change
    cannot write over it; the service turns the ORM's StaleDataError into a Dutch message."""
    ids, _ = _week_of_entries(world, n=1)
    engine = engine_of(app)
    with Session(engine, expire_on_commit=False) as first, Session(engine) as second:
        set_tenant(first, world.tenant.id)
        set_tenant(second, world.tenant.id)
        mine = first.scalar(select(TimeEntry).where(TimeEntry.id == ids[0]))
        first.commit()  # the read is done (its copy kept); no transaction or lock stays open
        services.approve_entries(second, world.coach_actor, {ids[0]: 1})
        second.commit()
        mine.status = EntryStatus.RETURNED
        mine.return_reason = "te laat"
        with pytest.raises(services.ConcurrentChange, match="Iemand anders"):
            services.flush_or_conflict(first)
        first.rollback()
    s = world.session
    s.expire_all()
    with tenant_context(s, world.tenant.id):
        e = s.scalar(select(TimeEntry).where(TimeEntry.id == ids[0]))
        assert (e.status, e.version) == (EntryStatus.APPROVED, 2)
