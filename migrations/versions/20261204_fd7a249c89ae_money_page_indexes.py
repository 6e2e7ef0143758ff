"""indexes for the money pages at 100x data, each leading with tenant_id: a participant's
ledger account by participant (the budget overview and the course proposals joined every
participant to every account of the tenant); a customer's invoices by date, which replaces the
index by customer (the customer statement's opening balance read every invoice of the tenant
before its start), with the id, kind, status and amount so that the opening balance is read
from the index alone; a payment by invoice with its date and amount, which replaces the index by
invoice (the opening balance's payments read every payment of the tenant before the start);
and the invoice list's narrow index (status, issue date, id, kind and the
three amounts), which replaces the index by status: the list's order and its sums are read
from it without reading the invoice rows. No new tables: RLS unchanged.

Revision ID: fd7a249c89ae
Revises: 624b7ca6c446
Create Date: 2026-12-04 16:05:00.000000

"""
from alembic import op
import sqlalchemy as sa
import tenants.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'fd7a249c89ae'
down_revision = '624b7ca6c446'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_tenant_customer_date', ['tenant_id', 'customer_id', 'issue_date', 'id', 'kind', 'status', 'total_incl_cents'], unique=False)
        batch_op.create_index('ix_invoices_tenant_list', ['tenant_id', 'status', 'issue_date', 'id', 'kind', 'total_incl_cents', 'credited_cents', 'paid_cents'], unique=False)
        batch_op.drop_index('ix_invoices_tenant_customer')
        batch_op.drop_index('ix_invoices_tenant_status')

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_tenant_invoice_date', ['tenant_id', 'invoice_id', 'paid_on', 'amount_cents'], unique=False)
        batch_op.drop_index('ix_payments_tenant_invoice')

    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_accounts_tenant_participant', ['tenant_id', 'participant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_accounts_tenant_participant')

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_tenant_invoice', ['tenant_id', 'invoice_id'], unique=False)
        batch_op.drop_index('ix_payments_tenant_invoice_date')

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_tenant_status', ['tenant_id', 'status'], unique=False)
        batch_op.create_index('ix_invoices_tenant_customer', ['tenant_id', 'customer_id'], unique=False)
        batch_op.drop_index('ix_invoices_tenant_list')
        batch_op.drop_index('ix_invoices_tenant_customer_date')
