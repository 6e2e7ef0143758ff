"""The cross-tenant path on PostgreSQL, tested as the app role: it does not widen what the app
role sees; the SECURITY DEFINER functions are the only way across and return aggregates only."""
from __future__ import annotations

import os
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from tenants.extensions import db
from tenants.tenancy import send_settings
from tests.municipality.share_world import share

pytestmark = pytest.mark.postgres

FUNCTIONS = ("wijkwerk_aggregate_hours", "wijkwerk_aggregate_outflow", "wijkwerk_report_shares",
             "wijkwerk_aggregate_hours_months", "wijkwerk_aggregate_outflow_months")
TABLES = ("report_hours_monthly", "report_outflow_daily", "report_shares")


@pytest.fixture
def engine(app):
    with app.app_context():
        return db.engine


def test_without_a_tenant_the_app_role_still_sees_no_row(world, session, engine):
    share(session, world.a, world.admin_a, "uren")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar().endswith("_app")
        for table in TABLES:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
        # with a tenant set: that tenant's rows only
        send_settings(conn, tenant_id=world.a.id)
        tenants = conn.execute(text("SELECT DISTINCT tenant_id FROM report_hours_monthly")
                               ).scalars().all()
        assert tenants == [world.a.id]


def test_the_functions_return_aggregates_only(world, engine):
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT * FROM wijkwerk_aggregate_hours(CAST(:ids AS bigint[]), :a, :b)"),
            {"ids": [world.a.id, world.b.id], "a": date(2026, 3, 1),
             "b": date(2026, 3, 31)}).mappings().all()
    assert set(rows[0].keys()) == {"tenant_id", "hour_type", "people", "minutes"}
    by_key = {(r["tenant_id"], r["hour_type"]): (r["people"], r["minutes"]) for r in rows}
    assert by_key[(world.a.id, "traject")] == (7, 4200)
    assert by_key[(world.b.id, None)] == (15, 9 * 600 + 6 * 120)
    assert world.c.id not in {r["tenant_id"] for r in rows}


def test_the_months_functions_give_the_period_and_each_month_as_the_others_do(world, engine):
    """wijkwerk_aggregate_*_months (migration 9c4e1a7b2d05): the period's rows (month NULL) and
    each month's are those of wijkwerk_aggregate_* over the period and over that month."""
    ids, first, last = [world.a.id, world.b.id], date(2026, 1, 1), date(2026, 3, 31)
    months = [(date(2026, m, 1), date(2026, m, d)) for m, d in ((1, 31), (2, 28), (3, 31))]
    with engine.connect() as conn:
        for name, key, value in (("hours", "hour_type", "minutes"),
                                 ("outflow", "outcome", "trajectories")):
            rows = conn.execute(text(
                f"SELECT * FROM wijkwerk_aggregate_{name}_months(CAST(:ids AS bigint[]), :a, "
                ":b)"), {"ids": ids, "a": first, "b": last}).mappings().all()
            assert rows, name
            got = {(r["month"], r["tenant_id"], r[key]): tuple(r.values())[3:] for r in rows}
            want = {}
            for month, (a, b) in [(None, (first, last)), *((m[0], m) for m in months)]:
                for r in conn.execute(text(
                        f"SELECT * FROM wijkwerk_aggregate_{name}(CAST(:ids AS bigint[]), :a, "
                        ":b)"), {"ids": ids, "a": a, "b": b}).mappings():
                    want[(month, r["tenant_id"], r[key])] = tuple(r.values())[2:]
            assert got == want, name
            assert world.c.id not in {r["tenant_id"] for r in rows}
            assert "participant_id" not in rows[0] and value in rows[0]


def test_the_functions_are_the_owners_security_definers_and_only_the_app_may_run_them(engine):
    with engine.connect() as conn:
        me = conn.execute(text("SELECT current_user")).scalar()
        for name in FUNCTIONS:
            definer, owner, public = conn.execute(text(
                "SELECT p.prosecdef, pg_get_userbyid(p.proowner), "
                "       has_function_privilege('public', p.oid, 'EXECUTE') "
                "  FROM pg_proc p WHERE p.proname = :n"), {"n": name}).one()
            assert definer and owner != me and not public, name
            assert conn.execute(text("SELECT has_function_privilege(current_user, "
                                     "(SELECT oid FROM pg_proc WHERE proname = :n), "
                                     "'EXECUTE')"), {"n": name}).scalar()
        # the owner's read-everything policy is for the owner alone
        roles = conn.execute(text(
            "SELECT DISTINCT unnest(roles)::text FROM pg_policies "
            "WHERE policyname = 'aggregate_reader'")).scalars().all()
        assert roles and me not in roles and "public" not in roles


def test_only_the_owner_and_the_app_role_may_execute_them(engine):
    url = os.environ["TEST_MIGRATIONS_DATABASE_URL"].replace("postgresql://",
                                                             "postgresql+psycopg://", 1)
    owner = create_engine(url)
    try:
        with owner.connect() as conn:
            for name in FUNCTIONS:
                acl = conn.execute(text(
                    "SELECT array_to_string(proacl, ',') FROM pg_proc WHERE proname = :n"),
                    {"n": name}).scalar()
                grantees = {entry.split("=")[0].strip('"') for entry in acl.split(",")}
                # no entry for PUBLIC (it would read "=X/owner")
                assert grantees == {os.environ["TEST_MIGRATIONS_DATABASE_URL"].split("//")[1]
                                    .split(":")[0],
                                    os.environ["TEST_DATABASE_URL"].split("//")[1]
                                    .split(":")[0]}, (name, acl)
    finally:
        owner.dispose()
