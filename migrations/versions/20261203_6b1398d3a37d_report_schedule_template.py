"""report schedule template: report_schedules.template, the report template (sjabloon) of the
scheduled PDF; the existing schedules get the standard template ("standaard"), which they sent
until now. No new table: RLS unchanged.

Revision ID: 6b1398d3a37d
Revises: 28a26a86d1da
Create Date: 2026-12-03 17:59:23.007179

"""
from alembic import op
import sqlalchemy as sa
import tenants.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '6b1398d3a37d'
down_revision = '28a26a86d1da'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template', sa.String(length=20), server_default='standaard', nullable=False))


def downgrade():
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.drop_column('template')
