"""digest choices and sent items: per member and kind whether the daily e-mail tells them
(no row: the kind's default), and each item a member's digest mentioned, unique per (tenant,
member, kind, item) so that an item is never mentioned twice (blueprints/digests); both
tenant tables with RLS. The unique keys lead with tenant_id and user_id: the index each
digest reads by.

Revision ID: e3d0517f254a
Revises: a3c5e7d91b24
Create Date: 2026-12-03 07:43:09.427301

"""
from alembic import op
import sqlalchemy as sa
import tenants.db  # noqa: F401  (custom column types)
from tenants.rls import disable_rls, enable_rls


# revision identifiers, used by Alembic.
revision = 'e3d0517f254a'
down_revision = 'a3c5e7d91b24'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('digest_choices',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', tenants.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_digest_choices_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digest_choices_user_id_users')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_digest_choices')),
    sa.UniqueConstraint('tenant_id', 'user_id', 'kind', name=op.f('uq_digest_choices_tenant_id_user_id_kind'))
    )
    op.create_table('digest_sent_items',
    sa.Column('tenant_id', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('item', sa.String(length=80), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_digest_sent_items_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digest_sent_items_user_id_users')),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_digest_sent_items')),
    sa.UniqueConstraint('tenant_id', 'user_id', 'kind', 'item', name=op.f('uq_digest_sent_items_tenant_id_user_id_kind_item'))
    )
    enable_rls('digest_choices')
    enable_rls('digest_sent_items')


def downgrade():
    disable_rls('digest_sent_items')
    disable_rls('digest_choices')
    op.drop_table('digest_sent_items')
    op.drop_table('digest_choices')
