"""The session's "last seen": written at most once a minute, committed whatever the page does,
in a statement of its own that never waits for another request (issue #11, target 4).

Time passes by moving the stored timestamps back: a session "created 3 hours ago, last seen 100
minutes ago" is what a reader clicking every 100 minutes for 3 hours would have.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, select, text, update

from tenants.db import utcnow
from tenants.extensions import db
from tenants.models import Role, UserSession
from tenants.sessions import TOUCH_EVERY, touch_session
from tests.helpers import ON_POSTGRES, login


@pytest.fixture
def reader(make, client):
    tenant = make.tenant()
    user = make.member(tenant, Role.SUPERVISOR)
    login(client, user)
    return tenant, user


def _row(session, user) -> UserSession:
    session.expire_all()
    row = session.scalar(select(UserSession).where(UserSession.user_id == user.id,
                                                   UserSession.revoked_at.is_(None)))
    session.rollback()
    return row


def _age(session, user, *, minutes: int) -> None:
    """Let `minutes` pass for this login: created and last seen that much earlier."""
    row = _row(session, user)
    session.execute(update(UserSession).where(UserSession.id == row.id).values(
        created_at=row.created_at - timedelta(minutes=minutes),
        last_seen_at=row.last_seen_at - timedelta(minutes=minutes)))
    session.commit()


def _touches(app):
    """Count the UPDATEs of user_sessions sent while the context is open."""
    with app.app_context():
        engine = db.engine
    updates = []

    def on_execute(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE USER_SESSIONS"):
            updates.append(statement)

    class Counter:
        def __enter__(self):
            event.listen(engine, "before_cursor_execute", on_execute)
            return updates

        def __exit__(self, *_exc):
            event.remove(engine, "before_cursor_execute", on_execute)

    return Counter()


def test_a_reader_stays_logged_in_past_the_idle_limit_of_the_login(app, client, session,
                                                                    reader):
    tenant, user = reader
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    step = idle - timedelta(minutes=20)  # 100 minutes between two clicks: within the limit
    pages = [f"/{tenant.slug}/", f"/{tenant.slug}/deelnemers/", f"/{tenant.slug}/"]
    for path in pages:
        _age(session, user, minutes=int(step.total_seconds() // 60))
        response = client.get(path)
        assert response.status_code == 200, f"logged out on {path}"
        row = _row(session, user)
        # Committed, and by this GET: read back from another connection.
        assert utcnow() - row.last_seen_at < timedelta(seconds=30)
    assert utcnow() - row.created_at > idle * 2  # the login is older than twice the idle limit


def test_the_touch_is_committed_when_the_page_rolls_back(client, session, reader):
    """A page that fails (404 inside the tenant: rolled back) still keeps the login alive."""
    tenant, user = reader
    _age(session, user, minutes=90)
    assert client.get(f"/{tenant.slug}/deelnemers/1/").status_code == 404
    assert utcnow() - _row(session, user).last_seen_at < timedelta(seconds=30)


def test_the_touch_happens_at_most_once_a_minute(app, client, session, reader):
    tenant, user = reader
    with _touches(app) as updates:
        for _ in range(3):
            assert client.get(f"/{tenant.slug}/").status_code == 200
    assert updates == []  # logged in moments ago: nothing to write
    _age(session, user, minutes=2)
    with _touches(app) as updates:
        for _ in range(3):
            assert client.get(f"/{tenant.slug}/").status_code == 200
    assert len(updates) == 1
    assert utcnow() - _row(session, user).last_seen_at < timedelta(seconds=30)


def test_touch_session_writes_only_a_stale_row(app, session, reader):
    _tenant, user = reader
    row = _row(session, user)
    with app.app_context():
        engine = db.engine
    now = utcnow()
    assert touch_session(engine, row.id, now=now) is False  # seen less than a minute ago
    assert touch_session(engine, row.id, now=now + TOUCH_EVERY + timedelta(seconds=1)) is True
    assert touch_session(engine, row.id, now=now + TOUCH_EVERY + timedelta(seconds=2)) is False


@pytest.mark.postgres
def test_the_touch_never_waits_for_a_row_another_request_holds(app, client, session, reader):
    """Another transaction holds the session row (a request of the same login in the middle of
    something): the page answers at once, the touch is skipped, and the next request makes it."""
    tenant, user = reader
    _age(session, user, minutes=5)
    row_id = _row(session, user).id
    with app.app_context():
        engine = db.engine
    holder = engine.connect()
    holder.begin()
    holder.execute(text("SELECT id FROM user_sessions WHERE id = :id FOR UPDATE"), {"id": row_id})
    done = threading.Event()
    result = {}

    def request():
        result["status"] = client.get(f"/{tenant.slug}/").status_code
        done.set()

    thread = threading.Thread(target=request)
    try:
        thread.start()
        assert done.wait(10), "the page waited for the session row"
        assert result["status"] == 200
    finally:
        holder.rollback()
        holder.close()
        thread.join(10)
    assert utcnow() - _row(session, user).last_seen_at > timedelta(minutes=4)  # skipped
    assert client.get(f"/{tenant.slug}/").status_code == 200
    assert utcnow() - _row(session, user).last_seen_at < timedelta(seconds=30)


@pytest.mark.postgres
def test_the_touch_never_waits_for_another_logins_session_write(app, make, client, session,
                                                               reader):
    """Another login's request has written its own session row and not yet committed (a login,
    a logout, a touch). On PostgreSQL that row is none of this touch's business; on Citus
    `user_sessions` is a reference table whose FOR UPDATE locks the whole shard, so the touch
    gives up after its lock_timeout instead of waiting. Either way the page answers at once and
    a later request keeps the login alive."""
    tenant, user = reader
    other = make.member(tenant, Role.PARTICIPANT)
    login(app.test_client(), other)
    other_id = _row(session, other).id
    _age(session, user, minutes=5)
    with app.app_context():
        engine = db.engine
    holder = engine.connect()
    holder.begin()
    holder.execute(text("UPDATE user_sessions SET user_agent = user_agent WHERE id = :id"),
                   {"id": other_id})
    done = threading.Event()
    result = {}

    def request():
        started = time.monotonic()
        result["status"] = client.get(f"/{tenant.slug}/").status_code
        result["seconds"] = time.monotonic() - started
        done.set()

    thread = threading.Thread(target=request)
    try:
        thread.start()
        assert done.wait(10), "the page waited for another login's session write"
        assert result["status"] == 200
        assert result["seconds"] < 3
    finally:
        holder.rollback()
        holder.close()
        thread.join(10)
    _age(session, user, minutes=2)
    assert client.get(f"/{tenant.slug}/").status_code == 200
    assert utcnow() - _row(session, user).last_seen_at < timedelta(seconds=30)


@pytest.mark.postgres
def test_in_the_set_local_form_the_touch_gives_up_on_a_held_lock(app, session, reader):
    """The touch's guard for Citus, on any PostgreSQL: an engine in the set_local form (the one
    Citus needs), a lock the touch would wait for (the table itself, as Citus's shard lock on
    the reference table is): skipped within its lock_timeout, made once the lock is gone."""
    from tenants import tenancy
    from tests.helpers import PG_URL

    _tenant, user = reader
    row = _row(session, user)
    engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    tenancy.configure_setting(engine, tenancy.SET_LOCAL)
    holder = engine.connect()
    holder.begin()
    holder.execute(text("LOCK TABLE user_sessions IN EXCLUSIVE MODE"))
    try:
        started = time.monotonic()
        touched = touch_session(engine, row.id, now=utcnow() + TOUCH_EVERY * 2)
        elapsed = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    try:
        assert touched is False
        assert elapsed < 2
        assert touch_session(engine, row.id, now=utcnow() + TOUCH_EVERY * 2) is True
    finally:
        engine.dispose()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's single writer")
def test_on_sqlite_the_touch_waits_not_for_its_own_request(app, client, session, reader):
    """A request that has written before it first asks for the user: the touch is left to the
    next request instead of waiting for this one's write lock."""
    from tenants.sessions import resolve_session  # noqa: F401 - the path under test
    from tenants.web import _load_user

    tenant, user = reader
    _age(session, user, minutes=5)
    with app.test_request_context(f"/{tenant.slug}/"):
        from flask import session as cookie

        with client.session_transaction() as stored:
            cookie.update(stored)
        db.session.execute(text("UPDATE tenants SET name = name WHERE id = :id"),
                           {"id": tenant.id})
        assert _load_user(str(user.id)).id == user.id  # returned at once
        db.session.rollback()
    assert utcnow() - _row(session, user).last_seen_at > timedelta(minutes=4)
