"""The schema: made by migrations only, keyed by tenant, ready to distribute by tenant."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tenants.db import Base, TenantScoped
from tenants.extensions import db


def tenant_tables():
    return [m.local_table for m in Base.registry.mappers if issubclass(m.class_, TenantScoped)]


def test_migrations_build_exactly_the_models(app):
    with app.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={
                "compare_type": True}), Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_tenant_tables_lead_their_keys_with_tenant_id():
    for table in tenant_tables():
        pk = [c.name for c in table.primary_key.columns]
        assert pk[0] == "tenant_id", f"{table.name}: primary key {pk}"
        for constraint in table.constraints:
            cols = [c.name for c in getattr(constraint, "columns", [])]
            if constraint.__class__.__name__ == "UniqueConstraint":
                assert "tenant_id" in cols, f"{table.name}: unique {cols} lacks tenant_id"
        for index in table.indexes:
            if index.unique:
                assert "tenant_id" in [c.name for c in index.columns], table.name


def test_every_index_of_a_tenant_table_leads_with_tenant_id():
    """A query of one tenant then never reads another tenant's rows (ENGINEERING.md). The
    exceptions look across tenants by design: a user's own memberships (the tenant switch), and
    the report shares granted to a municipality (read only by tenants/aggregates.py)."""
    for table in tenant_tables():
        for index in table.indexes:
            if index.name in ("ix_memberships_user_id", "ix_report_shares_municipality_id"):
                continue
            first = next(iter(index.expressions))
            assert getattr(first, "name", None) == "tenant_id", f"{table.name}: {index.name}"


def test_references_between_tenant_tables_include_tenant_id():
    names = {t.name for t in tenant_tables()}
    for table in tenant_tables():
        for fk in table.foreign_key_constraints:
            target = fk.referred_table.name
            if target in names:
                local = [c.name for c in fk.columns]
                assert local[0] == "tenant_id", f"{table.name} -> {target} via {local}"
