"""help request time and duration: help_requests get planned_at (the time of day the job
starts) and duration_minutes (how long it takes), both optional and set when planning.
No new tables: RLS unchanged; no index (never searched on).

Revision ID: a3c5e7d91b24
Revises: 8fe4599315cc
Create Date: 2026-12-02 15:58:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c5e7d91b24'
down_revision = '8fe4599315cc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_at', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('duration_minutes', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_column('duration_minutes')
        batch_op.drop_column('planned_at')
