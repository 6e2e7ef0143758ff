"""aggregate months in one call: on PostgreSQL two more SECURITY DEFINER functions of the
cross-tenant path (tenants/aggregates.py), `wijkwerk_aggregate_hours_months` and
`wijkwerk_aggregate_outflow_months`, which return a period's aggregates per tenant and row
together with those of each of its months (month NULL: the whole period), so that the
municipality portal reads a quarter or a year in one statement instead of one per month (the
period suppression needs each month's own table). The same sums and counts of people as
wijkwerk_aggregate_hours / wijkwerk_aggregate_outflow of df8305dfc654 (kept: an older app
still calls them), never a row of a person; owned by the owner role (who alone has the
aggregate_reader policy on the tables they read), EXECUTE for the app role only, nothing for
PUBLIC. No table changes: RLS unchanged. SQLite runs the same queries as plain SQL.

Revision ID: 9c4e1a7b2d05
Revises: c4f2a7e91d05
Create Date: 2026-12-04 15:55:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9c4e1a7b2d05'
down_revision = 'c4f2a7e91d05'
branch_labels = None
depends_on = None


FUNCTIONS = (
    ('wijkwerk_aggregate_hours_months', 'bigint[], date, date'),
    ('wijkwerk_aggregate_outflow_months', 'bigint[], date, date'),
)

_DEFINER = "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public"

AGGREGATE_PATH = [
    # Hours per tenant and hour type (hour_type NULL: all types) for the whole period (month
    # NULL) and for each of its months, with the number of distinct people whose minutes in
    # that period or month add up to more than zero. Never a participant id.
    f"""CREATE FUNCTION wijkwerk_aggregate_hours_months(tenant_ids bigint[], first_day date,
        last_day date)
    RETURNS TABLE (month date, tenant_id bigint, hour_type text, people bigint, minutes bigint)
    {_DEFINER} AS $$
      WITH hours AS (
        SELECT h.tenant_id, h.month, h.hour_type::text AS hour_type, h.participant_id,
               h.minutes
          FROM report_hours_monthly h
         WHERE h.tenant_id = ANY(tenant_ids) AND h.month BETWEEN first_day AND last_day),
      person AS (
        SELECT x.tenant_id, x.month, x.hour_type, x.participant_id, sum(x.minutes) AS minutes
          FROM hours x GROUP BY x.tenant_id, x.month, x.hour_type, x.participant_id
        UNION ALL
        SELECT x.tenant_id, x.month, NULL, x.participant_id, sum(x.minutes)
          FROM hours x GROUP BY x.tenant_id, x.month, x.participant_id
        UNION ALL
        SELECT x.tenant_id, NULL, x.hour_type, x.participant_id, sum(x.minutes)
          FROM hours x GROUP BY x.tenant_id, x.hour_type, x.participant_id
        UNION ALL
        SELECT x.tenant_id, NULL, NULL, x.participant_id, sum(x.minutes)
          FROM hours x GROUP BY x.tenant_id, x.participant_id)
      SELECT p.month, p.tenant_id, p.hour_type, count(*) FILTER (WHERE p.minutes > 0),
             sum(p.minutes)::bigint
        FROM person p GROUP BY p.month, p.tenant_id, p.hour_type
    $$""",
    # Ended trajectories per tenant and outcome (one trajectory, one person), for the whole
    # period (month NULL) and for each of its months.
    f"""CREATE FUNCTION wijkwerk_aggregate_outflow_months(tenant_ids bigint[], first_day date,
        last_day date)
    RETURNS TABLE (month date, tenant_id bigint, outcome text, trajectories bigint)
    {_DEFINER} AS $$
      WITH days AS (
        SELECT o.tenant_id, date_trunc('month', o.day)::date AS month, o.outcome::text AS outcome,
               o.trajectories
          FROM report_outflow_daily o
         WHERE o.tenant_id = ANY(tenant_ids) AND o.day BETWEEN first_day AND last_day)
      SELECT d.month, d.tenant_id, d.outcome, sum(d.trajectories)::bigint
        FROM days d GROUP BY d.month, d.tenant_id, d.outcome
      UNION ALL
      SELECT NULL, d.tenant_id, d.outcome, sum(d.trajectories)::bigint
        FROM days d GROUP BY d.tenant_id, d.outcome
    $$""",
    *(f"REVOKE ALL ON FUNCTION {name}({args}) FROM PUBLIC" for name, args in FUNCTIONS),
    # EXECUTE for the role(s) the owner grants table access to (deploy/postgres/roles.sql's
    # default privileges: the app role), whatever its name in this installation: as in
    # df8305dfc654.
    "DO $$ DECLARE r text; BEGIN "
    "FOR r IN SELECT DISTINCT grantee FROM information_schema.role_table_grants "
    "WHERE table_schema = 'public' AND table_name = 'tenants' AND privilege_type = 'SELECT' "
    "AND grantee NOT IN (current_user, 'PUBLIC') LOOP "
    + " ".join(f"EXECUTE format('GRANT EXECUTE ON FUNCTION {name}({args}) TO %I', r);"
               for name, args in FUNCTIONS)
    + " END LOOP; END $$",
]


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for statement in AGGREGATE_PATH:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for name, args in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}({args})")
