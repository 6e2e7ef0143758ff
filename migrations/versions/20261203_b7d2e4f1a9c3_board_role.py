"""board role: memberships.role and invitations.role also take "bestuur" (a board member reads
the reports and nothing personal; tenants/web.py lets it in only where a view says so). The
CHECK constraints of the non-native enum are replaced. No new tables: RLS unchanged.

Revision ID: b7d2e4f1a9c3
Revises: a5b16dd73fe5
Create Date: 2026-12-03 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa  # noqa: F401
import tenants.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'b7d2e4f1a9c3'
down_revision = 'a5b16dd73fe5'
branch_labels = None
depends_on = None

OLD_ROLES = ("admin", "supervisor", "participant")
NEW_ROLES = OLD_ROLES + ("bestuur",)
TABLES = ("memberships", "invitations")


def _role_check(values):
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"role IN ({quoted})"


def _replace(values):
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_role'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_role'), _role_check(values))


def upgrade():
    _replace(NEW_ROLES)


def downgrade():
    # A board member would otherwise be left without a valid role: they go, with their
    # invitations (the board role gave them nothing to keep). On PostgreSQL the tables hide
    # other tenants' rows even from their owner (FORCE'd RLS): lifted for these statements.
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgres:
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"DELETE FROM {table} WHERE role = 'bestuur'")
        if postgres:
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    _replace(OLD_ROLES)
