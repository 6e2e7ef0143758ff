"""The job queue (tenants.jobs): tenant context, retries, the schedule, the configuration."""
from __future__ import annotations

import os
import socket
import subprocess
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tenants import jobs
from tenants.config import load_config
from tenants.counters import current_number, next_number
from tenants.extensions import db
from tenants.models import Membership
from tenants.tenancy import tenant_context
from tests.helpers import require_program, test_config


@contextmanager
def queued_app(db_dir, queue_dir, **overrides):
    """The app as it runs outside tests: jobs wait in a SQLite queue until a consumer runs
    them (stepped by `jobs.run_pending`). The suite's app gets its inline queue back after."""
    from app import create_app

    previous = jobs._state["app"]
    settings = {"JOBS_BACKEND": "sqlite", "JOBS_IMMEDIATE": False,
                "JOBS_SQLITE_PATH": str(queue_dir / "jobs.sqlite3"), **overrides}
    cfg = test_config(db_dir, **settings)
    try:
        yield create_app(cfg)
    finally:
        jobs.init_app(previous)


def later(**delta) -> datetime:
    return datetime.now(timezone.utc) + timedelta(**delta)


# --- jobs declared for these tests ----------------------------------------------------------

@jobs.tenant_task(name="test_members_of_tenant")
def members_of_tenant() -> list[int]:
    """The user ids of the current tenant's memberships (an ordinary scoped query)."""
    return sorted(db.session.scalars(select(Membership.user_id)))


@jobs.tenant_task(name="test_draw_number")
def draw_number(name: str) -> int:
    return next_number(db.session, name)


_failures = {"left": 0}


@jobs.tenant_task(name="test_flaky_draw", retries=2, retry_delay=60, retry_backoff=2)
def flaky_draw(name: str) -> int:
    """Draws a number, then fails while `_failures["left"]` says so (the draw rolls back)."""
    number = next_number(db.session, name)
    if _failures["left"]:
        _failures["left"] -= 1
        raise RuntimeError("temporary failure")
    return number


def _number(session, tenant_id, name):
    with tenant_context(session, tenant_id):
        value = current_number(session, name)
    session.rollback()
    return value


# --- tests ------------------------------------------------------------------------------------

def test_a_job_for_tenant_a_sees_only_tenant_a(app, make):
    a, b = make.tenant(), make.tenant()
    in_a, in_b = make.member(a), make.member(b)

    assert members_of_tenant(a.id).get() == [in_a.id]
    assert members_of_tenant(b.id).get() == [in_b.id]


def test_queued_tenant_jobs_run_in_their_tenant_and_commit(app, make, session, db_dir,
                                                           tmp_path):
    a, b = make.tenant(), make.tenant()
    in_a = make.member(a)
    with queued_app(db_dir, tmp_path):
        result_a = members_of_tenant(a.id)
        drawn = draw_number(a.id, "jobs-test")
        assert result_a.get() is None  # waiting in the queue, not run
        assert jobs.huey.pending_count() == 2

        assert jobs.run_pending() == 2
        assert result_a.get() == [in_a.id]
        assert drawn.get() == 1
    assert _number(session, a.id, "jobs-test") == 1  # committed under tenant A
    assert _number(session, b.id, "jobs-test") == 0


def test_a_failing_job_rolls_back_and_is_retried_later(app, make, session, db_dir, tmp_path):
    tenant = make.tenant()
    _failures["left"] = 1
    with queued_app(db_dir, tmp_path):
        result = flaky_draw(tenant.id, "flaky")
        jobs.run_pending()
        assert _number(session, tenant.id, "flaky") == 0  # the failed try left nothing
        assert jobs.huey.scheduled_count() == 1  # the retry waits for its delay
        assert jobs.run_pending(later(seconds=30)) == 0  # not yet: 60 s delay
        assert jobs.run_pending(later(minutes=2)) == 1
        assert result.get() == 1
    assert _number(session, tenant.id, "flaky") == 1


def test_the_daily_clean_up_is_a_periodic_task_that_runs_the_registered_hooks(app):
    night = datetime(2030, 3, 4, 2, 30)
    due = [task.name for task in jobs.huey.read_periodic(night)]
    assert "daily_cleanup" in due
    assert "daily_cleanup" not in [t.name for t in jobs.huey.read_periodic(night.replace(hour=3))]

    seen = []
    jobs.every_day("test.hook", lambda: seen.append(bool(db.engine)))
    jobs.every_day("test.broken", lambda: 1 / 0)
    try:
        assert "test.hook" in jobs.daily_cleanup.call_local()
    finally:
        jobs._daily.pop("test.hook"), jobs._daily.pop("test.broken")
    assert seen == [True]  # ran inside an app context, despite the broken one


def test_configuration_picks_the_queue_by_environment(tmp_path):
    assert load_config("development", env={})["JOBS_BACKEND"] == "sqlite"
    assert load_config("development", env={})["JOBS_IN_PROCESS"] is True
    production = load_config("production", env={
        "SECRET_KEY": "x" * 40, "BASE_URL": "https://wijkwerk.example.nl",
        "REDIS_URL": "redis://r:6379/0"})
    assert (production["JOBS_BACKEND"], production["JOBS_IN_PROCESS"],
            production["JOBS_IMMEDIATE"]) == ("redis", False, False)
    testing = load_config("testing", env={})
    assert (testing["JOBS_BACKEND"], testing["JOBS_IMMEDIATE"]) == ("memory", True)


def test_the_sqlite_queue_file_is_private(app, db_dir, tmp_path):
    with queued_app(db_dir, tmp_path):
        mode = os.stat(tmp_path / "jobs.sqlite3").st_mode & 0o777
    assert mode == 0o600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url():
    require_program("redis-server")
    port = _free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_tenant_job_runs_through_redis(app, make, db_dir, redis_url):
    a = make.tenant()
    in_a = make.member(a)
    previous = jobs._state["app"]
    from app import create_app

    try:
        create_app(test_config(db_dir, JOBS_BACKEND="redis", JOBS_IMMEDIATE=False,
                               JOBS_REDIS_URL=redis_url))
        jobs.huey.flush()
        result = members_of_tenant(a.id)
        assert jobs.huey.pending_count() == 1
        assert jobs.run_pending() == 1
        assert result.get() == [in_a.id]
    finally:
        jobs.init_app(previous)
