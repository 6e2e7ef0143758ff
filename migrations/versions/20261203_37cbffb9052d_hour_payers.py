"""hour payers: trajectories and host organisations get an optional payer_customer_id, the
customer their hours are billed to when no help request's customer pays them
(blueprints.hours.services.payer). A composite FK (tenant_id, payer_customer_id) keeps the link
inside the tenant. invoice_lines get period_start: an hours line shows the period worked
(period_start – supply_date), not only its last day. No new tables: RLS unchanged; no index
(hours are looked up by entry, the payer is read through the trajectory and host each entry
already joins).

Revision ID: 37cbffb9052d
Revises: df8305dfc654
Create Date: 2026-12-03 07:40:47.299106

"""
from alembic import op
import sqlalchemy as sa
import tenants.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '37cbffb9052d'
down_revision = "df8305dfc654"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('host_organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payer_customer_id', sa.BigInteger(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_host_organisations_tenant_id_payer_customer_id_customers'), 'customers', ['tenant_id', 'payer_customer_id'], ['tenant_id', 'id'])

    with op.batch_alter_table('trajectories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payer_customer_id', sa.BigInteger(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_trajectories_tenant_id_payer_customer_id_customers'), 'customers', ['tenant_id', 'payer_customer_id'], ['tenant_id', 'id'])

    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_start', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_column('period_start')

    with op.batch_alter_table('trajectories', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_trajectories_tenant_id_payer_customer_id_customers'), type_='foreignkey')
        batch_op.drop_column('payer_customer_id')

    with op.batch_alter_table('host_organisations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_host_organisations_tenant_id_payer_customer_id_customers'), type_='foreignkey')
        batch_op.drop_column('payer_customer_id')
