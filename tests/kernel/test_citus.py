"""Citus support that runs everywhere: the distribution script is generated from the models and
covers every table; the migration helpers are plain migrations without Citus (both databases).
On a real cluster: deploy/citus/verify.sh (by hand, not in CI)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import create_engine, inspect

from tenants import citus
from tenants.db import Base
from tenants.extensions import db
from tests.helpers import ON_POSTGRES, PG_OWNER_URL

ROOT = Path(__file__).resolve().parents[2]


def test_every_table_is_a_reference_table_or_distributed_on_tenant_id(app):
    reference, distributed = citus.tables_by_kind()
    assert set(reference) | set(distributed) == set(Base.metadata.tables)
    assert not set(reference) & set(distributed)
    for name in distributed:
        assert "tenant_id" in Base.metadata.tables[name].c, name
    assert {"tenants", "users", "municipalities", "user_sessions", "security_events"} <= set(
        reference)
    assert distributed[0] == citus.COLOCATE_WITH == "memberships"
    sql = citus.distribute_sql()
    assert sql.count("create_distributed_table(") == len(distributed)
    assert sql.count(f"colocate_with => '{citus.COLOCATE_WITH}'") == len(distributed) - 1
    assert sql.count("create_reference_table(") == len(reference)
    # one transaction, triggers allowed, keys dropped before and added after distributing
    order = [sql.index(s) for s in ("BEGIN;", "citus.enable_unsafe_triggers = on",
                                    "DROP CONSTRAINT", "create_reference_table(",
                                    "create_distributed_table(", "ADD CONSTRAINT", "COMMIT;")]
    assert order == sorted(order)


def test_a_new_model_table_is_in_the_script_by_its_tenant_column(app):
    metadata = sa.MetaData()
    sa.Table("memberships", metadata, sa.Column("tenant_id", sa.BigInteger))
    sa.Table("zones", metadata, sa.Column("id", sa.BigInteger))
    sa.Table("visits", metadata, sa.Column("tenant_id", sa.BigInteger))
    assert citus.tables_by_kind(metadata) == (["zones"], ["memberships", "visits"])
    sql = citus.distribute_sql(metadata)
    assert "create_reference_table('zones')" in sql
    assert "create_distributed_table('visits', 'tenant_id', colocate_with => 'memberships')" in sql


def test_the_committed_script_is_the_generated_one(app):
    committed = (ROOT / "deploy/postgres/distribute.sql").read_text()
    assert committed == citus.distribute_sql(), (
        "regenerate: flask --app app citus distribute-sql > deploy/postgres/distribute.sql")


def test_the_cli_prints_it(app):
    result = app.test_cli_runner().invoke(args=["citus", "distribute-sql"])
    assert result.exit_code == 0 and result.output == citus.distribute_sql()


@pytest.fixture
def owner_engine(app, tmp_path):
    """An engine that may create tables: the owner role on PostgreSQL, a scratch SQLite file."""
    if ON_POSTGRES:
        url = PG_OWNER_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    else:
        url = f"sqlite:///{tmp_path}/scratch.sqlite3"
    engine = create_engine(url)
    yield engine
    engine.dispose()


def test_the_helpers_make_a_distributed_table_with_its_keys(app, owner_engine):
    """Without Citus a plain migration; on a Citus coordinator (deploy/citus/verify.sh) the
    same calls create the tables, distribute them co-located, and add the composite key."""
    with owner_engine.connect() as conn:
        trans = conn.begin()
        on_citus = citus.present(conn)
        try:
            with Operations.context(MigrationContext.configure(conn)):
                citus.create_table(
                    "citus_probe_parents",
                    sa.Column("tenant_id", sa.BigInteger, nullable=False),
                    sa.Column("id", sa.BigInteger, nullable=False),
                    sa.PrimaryKeyConstraint("tenant_id", "id"))
                citus.create_table(
                    "citus_probe_children",
                    sa.Column("tenant_id", sa.BigInteger, nullable=False),
                    sa.Column("id", sa.BigInteger, nullable=False),
                    sa.Column("parent_id", sa.BigInteger, nullable=False),
                    sa.PrimaryKeyConstraint("tenant_id", "id"),
                    sa.ForeignKeyConstraint(
                        ["tenant_id", "parent_id"],
                        ["citus_probe_parents.tenant_id", "citus_probe_parents.id"],
                        name="fk_citus_probe_children_parent", ondelete="CASCADE"))
                citus.allow_triggers()
            if on_citus:
                kinds = dict(conn.execute(sa.text(
                    "SELECT table_name::text, citus_table_type FROM citus_tables "
                    "WHERE table_name::text LIKE 'citus_probe_%'")).all())
                assert kinds == {"citus_probe_parents": "distributed",
                                 "citus_probe_children": "distributed"}
            keys = inspect(conn).get_foreign_keys("citus_probe_children")
            assert [(k["constrained_columns"], k["referred_table"]) for k in keys] == [
                (["tenant_id", "parent_id"], "citus_probe_parents")]
            assert keys[0]["options"].get("ondelete") == "CASCADE"
        finally:
            trans.rollback()


@pytest.mark.postgres
def test_the_scripts_function_step_rewrites_every_sql_function_so_that_it_still_answers(
        app, owner_engine):
    """Step 5 (the cross-tenant SQL functions as PL/pgSQL) needs no Citus: run it on the
    migrated database in a transaction that is rolled back. A function returning one value
    (`wijkwerk_tenant_of_stripe_account`) broke it once ("cannot use RETURN QUERY in a
    non-SETOF function"), found only on a cluster."""
    sql = citus.distribute_sql()
    step = sql[sql.index("-- 5."):sql.index("COMMIT;")]
    with owner_engine.connect() as conn:
        trans = conn.begin()
        try:
            names = conn.execute(sa.text(
                "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
                "AND proname LIKE 'wijkwerk\\_%' ORDER BY proname")).scalars().all()
            assert "wijkwerk_tenant_of_stripe_account" in names
            conn.connection.driver_connection.execute(step)  # no placeholders: % is SQL here
            languages = dict(conn.execute(sa.text(
                "SELECT p.proname, l.lanname FROM pg_proc p JOIN pg_language l "
                "ON l.oid = p.prolang WHERE p.pronamespace = 'public'::regnamespace "
                "AND p.proname LIKE 'wijkwerk\\_%'")).all())
            assert set(languages) == set(names)
            assert set(languages.values()) == {"plpgsql"}
            assert conn.scalar(sa.text(
                "SELECT wijkwerk_tenant_of_stripe_account('acct_nobody_has_this')")) is None
        finally:
            trans.rollback()


def test_a_foreign_key_on_a_column_is_refused_where_it_cannot_be_split(monkeypatch):
    monkeypatch.setattr(citus, "present", lambda bind=None: True)
    import alembic.op

    monkeypatch.setattr(alembic.op, "create_table", lambda *a, **k: None, raising=False)
    with pytest.raises(ValueError, match="ForeignKeyConstraint"):
        citus.create_table("x", sa.Column("tenant_id", sa.BigInteger,
                                          sa.ForeignKey("tenants.id")))


def test_roles_sql_sets_the_citus_setting_only_where_citus_is():
    text = (ROOT / "deploy/postgres/roles.sql").read_text()
    guard = text.index("\\if :citus_present")
    setting = text.index("citus.propagate_set_commands")
    assert guard < setting < text.index("\\endif", guard)
    assert os.access(ROOT / "deploy/citus/verify.sh", os.X_OK)
