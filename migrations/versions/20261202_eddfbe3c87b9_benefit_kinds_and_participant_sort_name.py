"""benefit kinds and participant sort name: participants.benefit also takes IOAW, IOAZ, Bbz,
WIA, ZW and Anw (the CHECK constraint of the non-native enum is replaced); participants get
sort_name, the last name without tussenvoegsels ("de Boer" under B), filled for existing rows,
with an index leading with tenant_id. No new tables: RLS unchanged.

Revision ID: eddfbe3c87b9
Revises: 5bc9730cd14a
Create Date: 2026-12-02 14:46:20.127105

"""
from alembic import op
import sqlalchemy as sa
import tenants.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'eddfbe3c87b9'
down_revision = '5bc9730cd14a'
branch_labels = None
depends_on = None

OLD_BENEFITS = ("bijstand", "ww", "wajong", "geen")
NEW_BENEFITS = ("bijstand", "ioaw", "ioaz", "bbz", "ww", "wajong", "wia", "zw", "anw", "geen")

# A frozen copy of blueprints.participants.models.TUSSENVOEGSELS as of this revision.
_PREFIXES = frozenset({
    "van", "de", "der", "den", "het", "'t", "’t", "te", "ten", "ter", "in", "op", "aan", "bij",
    "uit", "onder", "over", "voor", "la", "le", "les", "du", "da", "di", "del", "della", "dos",
    "das", "do", "von", "vom", "zu", "zum", "zur", "d'", "l'", "v.d.", "vd", "v/d", "el", "al",
})


def _sort_key(last_name):
    words = (last_name or "").split()
    i = 0
    while i < len(words) - 1 and words[i].casefold() in _PREFIXES:
        i += 1
    return " ".join(words[i:]).casefold()[:120]


def _benefit_check(values):
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"benefit IN ({quoted})"


def _fill_sort_names():
    """Existing participants get their sort name. On PostgreSQL the table hides other tenants'
    rows even from its owner (FORCE'd RLS): lifted for these statements, in this transaction."""
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE participants NO FORCE ROW LEVEL SECURITY")
    rows = bind.execute(sa.text("SELECT tenant_id, id, last_name FROM participants")).all()
    if rows:
        bind.execute(
            sa.text("UPDATE participants SET sort_name = :s WHERE tenant_id = :t AND id = :i"),
            [{"s": _sort_key(name), "t": tenant_id, "i": pid} for tenant_id, pid, name in rows])
    if postgres:
        op.execute("ALTER TABLE participants FORCE ROW LEVEL SECURITY")


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_participants_benefit'), type_='check')
        batch_op.create_check_constraint(op.f('ck_participants_benefit'),
                                         _benefit_check(NEW_BENEFITS))
        batch_op.add_column(sa.Column('sort_name', sa.String(length=120), nullable=False,
                                      server_default=''))
        batch_op.create_index('ix_participants_tenant_sort_name',
                              ['tenant_id', 'sort_name', 'first_name'], unique=False)
    _fill_sort_names()


def downgrade():
    op.execute("UPDATE participants SET benefit = 'bijstand' "
               "WHERE benefit IN ('ioaw', 'ioaz', 'bbz')")
    op.execute("UPDATE participants SET benefit = 'geen' WHERE benefit IN ('wia', 'zw', 'anw')")
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index('ix_participants_tenant_sort_name')
        batch_op.drop_column('sort_name')
        batch_op.drop_constraint(op.f('ck_participants_benefit'), type_='check')
        batch_op.create_check_constraint(op.f('ck_participants_benefit'),
                                         _benefit_check(OLD_BENEFITS))
