"""Migration helpers for layer 2 of tenancy: PostgreSQL row-level security, append-only tables.

Call `enable_rls("table")` in the migration that creates a tenant table (created with
`tenants.citus.create_table`, so that on Citus it is distributed before its foreign keys). On SQLite these are
no-ops (for RLS) or triggers (for append-only); on PostgreSQL they enable and FORCE row-level
security with a policy keyed on the transaction-local setting `app.tenant_id` (NULLIF: an unset
transaction-local setting reads as '' afterwards, and a bare cast would fail).
"""
from __future__ import annotations

from alembic import op

from tenants.citus import allow_triggers

TENANT_MATCH = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint"
USER_MATCH = "user_id = NULLIF(current_setting('app.user_id', true), '')::bigint"


def _dialect() -> str:
    return op.get_bind().dialect.name


def enable_rls(table: str, *, own_rows_by_user: bool = False) -> None:
    """Enable and force RLS on `table` with the tenant policy.

    `own_rows_by_user` adds a SELECT-only policy letting a user read their own rows in every
    tenant (memberships: the tenant switch).
    """
    if _dialect() != "postgresql":
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} "
        f"USING ({TENANT_MATCH}) WITH CHECK ({TENANT_MATCH})"
    )
    if own_rows_by_user:
        op.execute(f"CREATE POLICY own_rows ON {table} FOR SELECT USING ({USER_MATCH})")


def disable_rls(table: str) -> None:
    if _dialect() != "postgresql":
        return
    op.execute(f"DROP POLICY IF EXISTS own_rows ON {table}")
    op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def make_append_only(table: str) -> None:
    """Refuse UPDATE and DELETE on `table` in the database itself."""
    if _dialect() == "postgresql":
        allow_triggers()  # Citus: triggers on distributed tables need the setting
        op.execute(
            "CREATE OR REPLACE FUNCTION wijkwerk_refuse_change() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION wijkwerk_refuse_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only'); END"
            )


def drop_append_only(table: str) -> None:
    if _dialect() == "postgresql":
        allow_triggers()
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
