"""audit events by participant and action: the index (tenant_id, participant_id) becomes
(tenant_id, participant_id, action, at). The participant page lists the municipality's views of
the person's progress (action municipality.progress_viewed, newest first, at most 10); by
(tenant, person) alone SQLite preferred ix_audit_events_tenant_at to skip the sort and walked the
tenant's whole log (0.6 s at 100x data). The wider index serves the audit trail's lookups by
person as the old one did (its leading columns), so it replaces it. No new table: RLS unchanged.

Revision ID: b4377a97208f
Revises: 6b1398d3a37d
Create Date: 2026-12-04 15:42:45.899525

"""
from alembic import op
import sqlalchemy as sa  # noqa: F401
import tenants.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'b4377a97208f'
down_revision = '6b1398d3a37d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_tenant_participant_action',
                              ['tenant_id', 'participant_id', 'action', 'at'], unique=False)
        batch_op.drop_index('ix_audit_events_tenant_participant')


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_tenant_participant',
                              ['tenant_id', 'participant_id'], unique=False)
        batch_op.drop_index('ix_audit_events_tenant_participant_action')
