"""Layer 2 of tenancy on PostgreSQL, tested as the app role (a superuser would prove nothing)."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tenants.extensions import db
from tenants.tenancy import configure_setting, send_settings, setting_mode
from tenants.models import Role
from tests.helpers import login

pytestmark = pytest.mark.postgres

TENANT_TABLES_SQL = """
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
       (SELECT count(*) FROM pg_policies p WHERE p.tablename = c.relname
                                             AND p.schemaname = 'public') AS policies
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p')
"""


@pytest.fixture
def engine(app):
    with app.app_context():
        return db.engine


def _in_tenant(conn, tenant_id):
    send_settings(conn, tenant_id=tenant_id)  # set_config or SET LOCAL, as the app does


@pytest.fixture
def a_and_b(make):
    a, b = make.tenant(), make.tenant()
    make.member(a, Role.SUPERVISOR)
    make.member(a, Role.PARTICIPANT)
    make.member(b, Role.SUPERVISOR)
    return a, b


def test_the_app_role_is_ordinary_and_owns_nothing(engine):
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
        assert row == (False, False)
        owned = conn.execute(text(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user")).scalar()
        assert owned == 0


def test_every_tenant_table_has_forced_rls_and_a_policy(engine):
    with engine.connect() as conn:
        rows = conn.execute(text(TENANT_TABLES_SQL)).all()
    assert {"memberships", "invitations", "audit_events"} <= {r[0] for r in rows}
    for name, enabled, forced, policies in rows:
        assert enabled and forced and policies >= 1, name


@pytest.mark.parametrize("table", ["memberships", "audit_events", "invitations"])
def test_raw_sql_in_tenant_b_sees_none_of_a(engine, a_and_b, table):
    a, b = a_and_b
    with engine.begin() as conn:
        _in_tenant(conn, b.id)
        tenants_seen = set(conn.execute(text(f"SELECT DISTINCT tenant_id FROM {table}")).scalars())
        assert a.id not in tenants_seen
        assert tenants_seen <= {b.id}
    with engine.begin() as conn:
        _in_tenant(conn, a.id)
        if table == "memberships":
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 2


def test_raw_sql_with_no_tenant_sees_nothing(engine, a_and_b):
    with engine.begin() as conn:
        for table in ("memberships", "audit_events", "invitations"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0
        _in_tenant(conn, None)  # set, then empty: reads '' and must not fail the cast
        assert conn.execute(text("SELECT count(*) FROM memberships")).scalar() == 0


def test_writing_a_row_for_a_while_b_is_set_fails(engine, a_and_b, make):
    a, b = a_and_b
    user = make.user()
    with pytest.raises(DBAPIError, match="row-level security"):
        with engine.begin() as conn:
            _in_tenant(conn, b.id)
            conn.execute(text(
                "INSERT INTO memberships (tenant_id, id, user_id, role, created_at) "
                "VALUES (:a, 42, :u, 'admin', now())"), {"a": a.id, "u": user.id})


def test_updates_cannot_reach_or_move_rows_across_tenants(engine, a_and_b):
    a, b = a_and_b
    with engine.begin() as conn:
        _in_tenant(conn, b.id)
        changed = conn.execute(text(
            "UPDATE memberships SET role = 'admin' WHERE tenant_id = :a"), {"a": a.id}).rowcount
        assert changed == 0
    with pytest.raises(DBAPIError):
        with engine.begin() as conn:
            _in_tenant(conn, b.id)
            conn.execute(text("UPDATE memberships SET tenant_id = :a"), {"a": a.id})


def test_a_pooled_connection_forgets_the_tenant_after_a_request(app, client, make):
    from sqlalchemy import create_engine, pool

    tenant = make.tenant()
    user = make.member(tenant, Role.SUPERVISOR)
    login(client, user)
    with app.app_context():
        url = db.engine.url
    single = create_engine(url, poolclass=pool.QueuePool, pool_size=1, max_overflow=0)
    with app.app_context():
        original = db.engines[None] if hasattr(db, "engines") else None
        with db.engine.connect() as conn:
            configure_setting(single, setting_mode(conn))
    # Serve a request on a one-connection pool, then reuse that very connection.
    app.extensions["sqlalchemy"]._app_engines[app][None] = single
    try:
        assert client.get(f"/{tenant.slug}/").status_code == 200
        with single.connect() as conn:
            assert conn.execute(text("SELECT current_setting('app.tenant_id', true)")).scalar() in ("", None)
            assert conn.execute(text("SELECT count(*) FROM memberships")).scalar() == 0
    finally:
        app.extensions["sqlalchemy"]._app_engines[app][None] = original
        single.dispose()


def test_a_user_sees_only_their_own_memberships_across_tenants(engine, make):
    a, b = make.tenant(), make.tenant()
    coach = make.member(a, Role.SUPERVISOR)
    make.member(b, Role.SUPERVISOR, user=coach)
    make.member(b, Role.PARTICIPANT)
    with engine.begin() as conn:
        send_settings(conn, user_id=coach.id)
        rows = conn.execute(text("SELECT tenant_id, user_id FROM memberships")).all()
    assert {r.user_id for r in rows} == {coach.id}
    assert {r.tenant_id for r in rows} == {a.id, b.id}
