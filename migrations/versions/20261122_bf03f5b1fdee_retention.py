"""tenant retention setting: tenants.retention_years (NULL = no anonymisation proposals)

Revision ID: bf03f5b1fdee
Revises: 3002953d785c
Create Date: 2026-11-22 11:54:54.518877

"""
from alembic import op
import sqlalchemy as sa
import tenants.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'bf03f5b1fdee'
down_revision = '3002953d785c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_years', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_column('retention_years')
