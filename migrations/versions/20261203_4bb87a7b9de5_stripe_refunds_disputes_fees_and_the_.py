"""stripe refunds, disputes, fees and the account lookup: payments.refunded_cents (paid back
through Stripe so far) and payments.fee_cents (Stripe's fee from the balance transaction);
invoices.dispute_status and disputed_at (a bank dispute of an online payment); on PostgreSQL
the narrow lookup of a tenant by its Stripe account id (tenants/stripe_accounts.py) for events
that carry no tenant (account.application.deauthorized): a SECURITY DEFINER function owned by
the owner role returning one tenant id, a SELECT policy on finance_settings for the owner role
alone, EXECUTE for the app role only (the pattern of migration df8305dfc654).

Revision ID: 4bb87a7b9de5
Revises: d9296667a8c6
Create Date: 2026-12-03 08:56:22.033197

"""
from alembic import op
import sqlalchemy as sa
import tenants.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '4bb87a7b9de5'
down_revision = "d9296667a8c6"
branch_labels = None
depends_on = None

FUNCTION = ('wijkwerk_tenant_of_stripe_account', 'text')

LOOKUP_PATH = [
    "CREATE POLICY stripe_account_lookup ON finance_settings FOR SELECT TO CURRENT_USER "
    "USING (true)",
    # One tenant id for an exact account id; NULL when none or more than one tenant holds it.
    """CREATE FUNCTION wijkwerk_tenant_of_stripe_account(account text) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      SELECT CASE WHEN count(*) = 1 THEN min(f.tenant_id) END
        FROM finance_settings f
       WHERE f.stripe_account_id = account AND account IS NOT NULL
    $$""",
    "REVOKE ALL ON FUNCTION wijkwerk_tenant_of_stripe_account(text) FROM PUBLIC",
    # EXECUTE for the role(s) the owner grants table access to (the app role), as df8305dfc654
    "DO $$ DECLARE r text; BEGIN "
    "FOR r IN SELECT DISTINCT grantee FROM information_schema.role_table_grants "
    "WHERE table_schema = 'public' AND table_name = 'tenants' AND privilege_type = 'SELECT' "
    "AND grantee NOT IN (current_user, 'PUBLIC') LOOP "
    "EXECUTE format('GRANT EXECUTE ON FUNCTION wijkwerk_tenant_of_stripe_account(text) "
    "TO %I', r); END LOOP; END $$",
]


def upgrade():
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dispute_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('disputed_at', tenants.db.UTCDateTime(timezone=True),
                                      nullable=True))

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refunded_cents', sa.BigInteger(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('fee_cents', sa.BigInteger(), nullable=True))

    if op.get_bind().dialect.name == 'postgresql':
        for statement in LOOKUP_PATH:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS wijkwerk_tenant_of_stripe_account(text)")
        op.execute("DROP POLICY IF EXISTS stripe_account_lookup ON finance_settings")

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_column('fee_cents')
        batch_op.drop_column('refunded_cents')

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_column('disputed_at')
        batch_op.drop_column('dispute_status')
