"""report hours per place: report_hours_places_daily, approved minutes and entries per tenant,
work date, hour type, wijk and host organisation (0 for none; each as it is now: the reports
blueprint moves the minutes when a place changes), kept exact by the hours_approved event and
the flush of a changed place (blueprints/reports/subscribers.py). The report's hours per wijk
and per host organisation and the hours drill-down's total and count read it instead of the
period's time entries. Its unique key leads with tenant_id (the index the report reads by);
RLS like every tenant table. Existing hours reach it with `flask reports rebuild`.

Revision ID: c4f2a7e91d05
Revises: b4377a97208f
Create Date: 2026-12-04 15:50:00.000000

"""
from alembic import op
import sqlalchemy as sa
import tenants.db  # noqa: F401  (custom column types)
from tenants.rls import disable_rls, enable_rls


# revision identifiers, used by Alembic.
revision = 'c4f2a7e91d05'
down_revision = 'b4377a97208f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_hours_places_daily',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('hour_type', sa.String(length=30), nullable=False),
    sa.Column('wijk_id', sa.BigInteger(), nullable=False),
    sa.Column('host_id', sa.BigInteger(), nullable=False),
    sa.Column('minutes', sa.BigInteger(), nullable=False),
    sa.Column('entries', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                            name=op.f('fk_report_hours_places_daily_tenant_id_tenants'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_report_hours_places_daily')),
    sa.UniqueConstraint('tenant_id', 'day', 'hour_type', 'wijk_id', 'host_id',
                        name='uq_report_hours_places_daily')
    )
    enable_rls('report_hours_places_daily')


def downgrade():
    disable_rls('report_hours_places_daily')
    op.drop_table('report_hours_places_daily')
