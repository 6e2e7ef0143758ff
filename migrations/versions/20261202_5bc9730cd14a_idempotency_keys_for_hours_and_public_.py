"""idempotency keys for hours and public help requests: a hidden random key per form,
UNIQUE per tenant, so that a retried submit stores one row (NULL for rows made otherwise;
both databases allow many NULLs under a unique constraint). No new tables: RLS unchanged.

Revision ID: 5bc9730cd14a
Revises: 6dcce21668a8
Create Date: 2026-12-02 10:02:54.921332

"""
from alembic import op
import sqlalchemy as sa
import tenants.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '5bc9730cd14a'
down_revision = "6dcce21668a8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_help_requests_tenant_id_idempotency_key'), ['tenant_id', 'idempotency_key'])

    with op.batch_alter_table('time_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_time_entries_tenant_id_idempotency_key'), ['tenant_id', 'idempotency_key'])



def downgrade():
    with op.batch_alter_table('time_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_time_entries_tenant_id_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')

    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_help_requests_tenant_id_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')

