"""e-invoice profile, tax number, allowances: customers get einvoice_profile (si-ubl or
peppol: one UBL file cannot claim both); finance_settings get tax_number (omzetbelastingnummer,
the seller tax registration an e-invoice carries without a VAT id, e.g. under the KOR);
invoices and invoice lines get a discount (allowance_cents, allowance_reason; an invoice's
allowance also its VAT rate).

Existing customers: a municipality (a Dutch public body) keeps SI-UBL 2.0, which is what every
e-invoice claimed until now; every other customer gets Peppol BIS Billing 3.0.
No new tables: RLS unchanged; no index (never searched on).

Revision ID: 79fce8c58dfb
Revises: 37cbffb9052d
Create Date: 2026-12-03 07:58:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '79fce8c58dfb'
down_revision = "37cbffb9052d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('einvoice_profile', sa.String(length=10),
                                      server_default='peppol', nullable=False))
    op.execute("UPDATE customers SET einvoice_profile = 'si-ubl' WHERE kind = 'gemeente'")

    with op.batch_alter_table('finance_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tax_number', sa.String(length=20), nullable=True))

    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allowance_cents', sa.BigInteger(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('allowance_reason', sa.String(length=100), nullable=True))

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allowance_cents', sa.BigInteger(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('allowance_reason', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('allowance_vat_rate', sa.String(length=12), nullable=True))


def downgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_column('allowance_vat_rate')
        batch_op.drop_column('allowance_reason')
        batch_op.drop_column('allowance_cents')

    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_column('allowance_reason')
        batch_op.drop_column('allowance_cents')

    with op.batch_alter_table('finance_settings', schema=None) as batch_op:
        batch_op.drop_column('tax_number')

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('einvoice_profile')
