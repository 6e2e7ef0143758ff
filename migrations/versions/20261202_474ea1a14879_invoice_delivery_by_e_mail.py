"""invoice delivery by e-mail: invoices.delivery_status (wachtrij / verzonden / mislukt, NULL
for an invoice made final without sending — every invoice sent before this revision, since
none of them was mailed), delivered_to, delivered_at, delivery_error. Columns on an existing
tenant table: its RLS policy covers them; no new index (read with the invoice by id).

Revision ID: 474ea1a14879
Revises: 375bee80bd09
Create Date: 2026-12-02 15:12:35.562979

"""
from alembic import op
import sqlalchemy as sa
import tenants.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '474ea1a14879'
down_revision = '375bee80bd09'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_status', sa.Enum('wachtrij', 'verzonden', 'mislukt', name='delivery_status', native_enum=False, create_constraint=True, length=32), nullable=True))
        batch_op.add_column(sa.Column('delivered_to', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', tenants.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('delivery_error', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_column('delivery_error')
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('delivered_to')
        batch_op.drop_column('delivery_status')
