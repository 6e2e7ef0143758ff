"""platform subscription: the tenant's Stripe customer and subscription state on `tenants`
(a platform table: the operator reads it across tenants; no personal data), the operator's pilot
and discount, and `billing_events`, one row per Stripe Billing event applied (UNIQUE event id;
a platform table without tenant_id, like `tenants`: the tenant is found by its customer).

Revision ID: d9296667a8c6
Revises: 2eed24d8a3ae
Create Date: 2026-12-03 08:33:48.408718

"""
from alembic import op
import sqlalchemy as sa
import tenants.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'd9296667a8c6'
down_revision = "2eed24d8a3ae"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('billing_events',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('event_id', sa.String(length=80), nullable=False),
    sa.Column('type', sa.String(length=80), nullable=False),
    sa.Column('customer', sa.String(length=40), nullable=False),
    sa.Column('received_at', tenants.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_billing_events_event_id'))
    )
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stripe_customer_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('stripe_subscription_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('subscription_status', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('subscription_event_at', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('subscription_renews_at', tenants.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('subscription_monthly_cents', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('failed_payments', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('open_invoice_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('purchase_order', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('pilot_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('stripe_coupon', sa.String(length=60), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_tenants_stripe_customer_id'), ['stripe_customer_id'])



def downgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_tenants_stripe_customer_id'), type_='unique')
        batch_op.drop_column('stripe_coupon')
        batch_op.drop_column('pilot_until')
        batch_op.drop_column('purchase_order')
        batch_op.drop_column('open_invoice_url')
        batch_op.drop_column('failed_payments')
        batch_op.drop_column('subscription_monthly_cents')
        batch_op.drop_column('subscription_renews_at')
        batch_op.drop_column('subscription_event_at')
        batch_op.drop_column('subscription_status')
        batch_op.drop_column('stripe_subscription_id')
        batch_op.drop_column('stripe_customer_id')

    op.drop_table('billing_events')
