"""network benchmark: network_organisations.benchmark_since (a cooperative's explicit choice to
share its yearly figures in the network's benchmark; NULL = not sharing, cleared when it leaves
the network); on PostgreSQL the benchmark's path across tenants (tenants/aggregates.py,
`benchmark`): a SECURITY DEFINER function owned by the owner role that computes each taking
part cooperative's yearly figures and returns only their distribution (members, quartiles,
median; nothing from fewer than 5) and the value of the transaction's own tenant
(`app.tenant_id`); a SELECT policy for the owner role alone on the further tables it reads,
EXECUTE for the app role only (the pattern of df8305dfc654). No new tenant table.

Revision ID: edd7a6b567d1
Revises: 4bb87a7b9de5
Create Date: 2026-12-03 09:10:00.000000

"""
from alembic import op
import sqlalchemy as sa
import tenants.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'edd7a6b567d1'
down_revision = "4bb87a7b9de5"
branch_labels = None
depends_on = None


#: the tables the function reads beyond those of df8305dfc654 (report_hours_monthly and
#: report_outflow_daily have their aggregate_reader policy there already)
READ_TABLES = ('report_money_daily', 'trajectories', 'course_enrolments')

FUNCTIONS = (
    ('wijkwerk_aggregate_benchmark', 'bigint[], date, date, numeric, integer'),
)

_DEFINER = "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public"

AGGREGATE_PATH = [
    *(f"CREATE POLICY aggregate_reader ON {t} FOR SELECT TO CURRENT_USER USING (true)"
      for t in READ_TABLES),
    # Per figure: how many cooperatives have a value and, from `minimum` (never below 5) on,
    # the quartiles and median of their values and the value of the transaction's own tenant.
    # A cooperative's own figures never leave the function otherwise; never a person's row.
    # Definitions (the network's benchmark page shows them in words):
    # - deelnemers: distinct participants with a trajectory running in the period;
    # - uren_per_week: approved minutes / 60 / people with approved hours / weeks;
    # - omzet_per_uur: invoiced minus credited (excl. VAT, cents) / approved hours;
    # - opleiding_per_deelnemer: approved course enrolments decided in the period (cents) /
    #   deelnemers;
    # - uitstroom_*: trajectories ended in the period per destination / trajectories running
    #   in the period, in percent.
    f"""CREATE FUNCTION wijkwerk_aggregate_benchmark(tenant_ids bigint[], first_day date,
        last_day date, weeks numeric, minimum integer)
    RETURNS TABLE (figure text, members bigint, q1 double precision,
                   median double precision, q3 double precision, own_value double precision)
    {_DEFINER} AS $$
      WITH traj AS (
        SELECT t.tenant_id, count(DISTINCT t.participant_id) AS people,
               count(*) AS trajectories
          FROM trajectories t
         WHERE t.tenant_id = ANY(tenant_ids) AND t.starts_on <= last_day
           AND (t.outcome_on IS NULL OR t.outcome_on >= first_day)
         GROUP BY t.tenant_id),
      person AS (
        SELECT h.tenant_id, h.participant_id, sum(h.minutes) AS minutes
          FROM report_hours_monthly h
         WHERE h.tenant_id = ANY(tenant_ids) AND h.month BETWEEN first_day AND last_day
         GROUP BY h.tenant_id, h.participant_id),
      hours AS (
        SELECT p.tenant_id, count(*) FILTER (WHERE p.minutes > 0) AS workers,
               sum(p.minutes) AS minutes
          FROM person p GROUP BY p.tenant_id),
      money AS (
        SELECT m.tenant_id, sum(m.invoiced_cents - m.credited_cents) AS revenue
          FROM report_money_daily m
         WHERE m.tenant_id = ANY(tenant_ids) AND m.day BETWEEN first_day AND last_day
         GROUP BY m.tenant_id),
      training AS (
        SELECT e.tenant_id, sum(e.cost_cents) AS spent
          FROM course_enrolments e
         WHERE e.tenant_id = ANY(tenant_ids) AND e.status = 'goedgekeurd'
           AND e.decided_at >= first_day AND e.decided_at < last_day + 1
         GROUP BY e.tenant_id),
      outflow AS (
        SELECT o.tenant_id,
               sum(o.trajectories) FILTER (WHERE o.outcome IN ('betaald_werk', 'zelfstandig'))
                 AS werk,
               sum(o.trajectories) FILTER (WHERE o.outcome = 'opleiding') AS opleiding,
               sum(o.trajectories) FILTER (WHERE o.outcome = 'vast_vrijwilligerswerk')
                 AS vrijwilligerswerk,
               sum(o.trajectories) FILTER (WHERE o.outcome NOT IN (
                 'betaald_werk', 'zelfstandig', 'opleiding', 'vast_vrijwilligerswerk'))
                 AS overig
          FROM report_outflow_daily o
         WHERE o.tenant_id = ANY(tenant_ids) AND o.day BETWEEN first_day AND last_day
         GROUP BY o.tenant_id),
      figures (tenant_id, figure, value) AS (
        SELECT t.tenant_id, 'deelnemers', t.people::double precision
          FROM traj t WHERE t.people > 0
        UNION ALL
        SELECT t.tenant_id, 'opleiding_per_deelnemer',
               coalesce(s.spent, 0)::double precision / t.people
          FROM traj t LEFT JOIN training s ON s.tenant_id = t.tenant_id WHERE t.people > 0
        UNION ALL
        SELECT h.tenant_id, 'uren_per_week',
               h.minutes::double precision / 60 / h.workers / weeks::double precision
          FROM hours h WHERE h.workers > 0
        UNION ALL
        SELECT h.tenant_id, 'omzet_per_uur',
               coalesce(m.revenue, 0)::double precision / (h.minutes::double precision / 60)
          FROM hours h LEFT JOIN money m ON m.tenant_id = h.tenant_id WHERE h.minutes > 0
        UNION ALL
        SELECT t.tenant_id, d.figure, 100 * coalesce(d.ended, 0)::double precision
                                      / t.trajectories
          FROM traj t LEFT JOIN outflow o ON o.tenant_id = t.tenant_id
          CROSS JOIN LATERAL (VALUES ('uitstroom_werk', o.werk),
                                     ('uitstroom_opleiding', o.opleiding),
                                     ('uitstroom_vrijwilligerswerk', o.vrijwilligerswerk),
                                     ('uitstroom_overig', o.overig)) AS d (figure, ended)
         WHERE t.trajectories > 0)
      SELECT f.figure, count(*),
             CASE WHEN count(*) >= greatest(minimum, 5)
                  THEN percentile_cont(0.25) WITHIN GROUP (ORDER BY f.value) END,
             CASE WHEN count(*) >= greatest(minimum, 5)
                  THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY f.value) END,
             CASE WHEN count(*) >= greatest(minimum, 5)
                  THEN percentile_cont(0.75) WITHIN GROUP (ORDER BY f.value) END,
             CASE WHEN count(*) >= greatest(minimum, 5)
                  THEN max(f.value) FILTER (WHERE f.tenant_id =
                       NULLIF(current_setting('app.tenant_id', true), '')::bigint) END
        FROM figures f GROUP BY f.figure
    $$""",
    *(f"REVOKE ALL ON FUNCTION {name}({args}) FROM PUBLIC" for name, args in FUNCTIONS),
    # EXECUTE for the role(s) the owner grants table access to (deploy/postgres/roles.sql's
    # default privileges: the app role), whatever its name in this installation.
    "DO $$ DECLARE r text; BEGIN "
    "FOR r IN SELECT DISTINCT grantee FROM information_schema.role_table_grants "
    "WHERE table_schema = 'public' AND table_name = 'tenants' AND privilege_type = 'SELECT' "
    "AND grantee NOT IN (current_user, 'PUBLIC') LOOP "
    + " ".join(f"EXECUTE format('GRANT EXECUTE ON FUNCTION {name}({args}) TO %I', r);"
               for name, args in FUNCTIONS)
    + " END LOOP; END $$",
]


def upgrade():
    with op.batch_alter_table('network_organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('benchmark_since', tenants.db.UTCDateTime(timezone=True),
                                      nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        for statement in AGGREGATE_PATH:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for name, args in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}({args})")
        for table in READ_TABLES:
            op.execute(f"DROP POLICY IF EXISTS aggregate_reader ON {table}")
    with op.batch_alter_table('network_organisations', schema=None) as batch_op:
        batch_op.drop_column('benchmark_since')
