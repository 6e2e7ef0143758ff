"""The benchmark's path on PostgreSQL, tested as the app role: the app role cannot read the
tables behind the benchmark across tenants, the SECURITY DEFINER function can and returns a
distribution only (and the own value only for the transaction's tenant)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from tenants.extensions import db
from tests.network.benchmark_world import six_cooperatives

pytestmark = pytest.mark.postgres

TABLES = ("trajectories", "report_hours_monthly", "report_money_daily", "course_enrolments",
          "report_outflow_daily")
CALL = ("SELECT * FROM wijkwerk_aggregate_benchmark(CAST(:ids AS bigint[]), :a, :b, "
        "CAST(:weeks AS numeric), :minimum)")


def test_the_app_role_reads_no_row_across_tenants_but_the_function_works(app, make):
    tenants = six_cooperatives(app, make, 2014)
    ids = [t.id for t in tenants]
    params = {"ids": ids, "a": date(2014, 1, 1), "b": date(2014, 12, 31),
              "weeks": 365 / 7, "minimum": 5}
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar().endswith("_app")
        for table in TABLES:
            assert conn.execute(text(f"SELECT count(*) FROM {table} WHERE tenant_id = ANY("
                                     f"CAST(:ids AS bigint[]))"), {"ids": ids}).scalar() == 0
        rows = {r["figure"]: r for r in conn.execute(text(CALL), params).mappings()}
        assert set(rows["deelnemers"].keys()) == {"figure", "members", "q1", "median", "q3",
                                                  "own_value"}
        assert "tenant_id" not in rows["deelnemers"].keys()
        assert (rows["deelnemers"]["q1"], rows["deelnemers"]["median"],
                rows["deelnemers"]["q3"]) == (5.75, 9, 11.5)
        assert rows["deelnemers"]["own_value"] is None
        # a tenant set: its own rows only, and its own value from the function
        conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"),
                     {"t": str(tenants[3].id)})
        assert conn.execute(text("SELECT DISTINCT tenant_id FROM trajectories WHERE "
                                 "tenant_id = ANY(CAST(:ids AS bigint[]))"),
                            {"ids": ids}).scalars().all() == [tenants[3].id]
        rows = {r["figure"]: r for r in conn.execute(text(CALL), params).mappings()}
        assert rows["deelnemers"]["own_value"] == 10
        # the function's minimum cannot go below 5
        few = {r["figure"]: r for r in conn.execute(
            text(CALL), {**params, "ids": ids[:4], "minimum": 1}).mappings()}
        assert few["deelnemers"]["members"] == 4 and few["deelnemers"]["median"] is None
        assert few["deelnemers"]["own_value"] is None


def test_the_function_is_the_owners_security_definer_and_the_app_may_run_it(app):
    with app.app_context(), db.engine.connect() as conn:
        me = conn.execute(text("SELECT current_user")).scalar()
        definer, owner, public = conn.execute(text(
            "SELECT p.prosecdef, pg_get_userbyid(p.proowner), "
            "       has_function_privilege('public', p.oid, 'EXECUTE') "
            "  FROM pg_proc p WHERE p.proname = 'wijkwerk_aggregate_benchmark'")).one()
        assert definer and owner != me and not public
        assert conn.execute(text(
            "SELECT has_function_privilege(current_user, (SELECT oid FROM pg_proc WHERE "
            "proname = 'wijkwerk_aggregate_benchmark'), 'EXECUTE')")).scalar()
