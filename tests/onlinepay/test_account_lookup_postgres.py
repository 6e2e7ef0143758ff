"""The Stripe account lookup on PostgreSQL, as the app role under row-level security: without a
tenant the app role sees no finance settings, yet the SECURITY DEFINER function answers the one
tenant id of an exact account id, and nothing else; only the app role may run it."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tenants.extensions import db
from tenants.stripe_accounts import tenant_of_account

pytestmark = pytest.mark.postgres

FUNCTION = "wijkwerk_tenant_of_stripe_account"


@pytest.fixture
def engine(app):
    with app.app_context():
        return db.engine


def test_the_lookup_crosses_tenants_for_one_id_only(shop, engine):
    account = f"acct_pg{shop.tenant_id}"
    shop.coop.settings.stripe_account_id = account
    shop.session.commit()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar().endswith("_app")
        # no tenant set: RLS shows the app role no finance settings at all
        assert conn.execute(text("SELECT count(*) FROM finance_settings")).scalar() == 0
        assert conn.execute(text(f"SELECT {FUNCTION}(:a)"), {"a": account}).scalar() == \
            shop.tenant_id
        assert conn.execute(text(f"SELECT {FUNCTION}(:a)"), {"a": "acct_none"}).scalar() is None
        assert conn.execute(text(f"SELECT {FUNCTION}(NULL)")).scalar() is None
    from sqlalchemy.orm import Session
    with Session(engine) as session:
        assert tenant_of_account(session, account) == shop.tenant_id


def test_the_function_is_the_owners_security_definer_and_not_public(engine):
    with engine.connect() as conn:
        me = conn.execute(text("SELECT current_user")).scalar()
        definer, owner, public, mine, result = conn.execute(text(
            "SELECT p.prosecdef, pg_get_userbyid(p.proowner), "
            "       has_function_privilege('public', p.oid, 'EXECUTE'), "
            "       has_function_privilege(current_user, p.oid, 'EXECUTE'), "
            "       pg_get_function_result(p.oid) "
            "  FROM pg_proc p WHERE p.proname = :n"), {"n": FUNCTION}).one()
        assert definer and owner != me and not public and mine
        assert result == "bigint"  # a tenant id, never a row
        roles = conn.execute(text(
            "SELECT DISTINCT unnest(roles)::text FROM pg_policies "
            "WHERE policyname = 'stripe_account_lookup'")).scalars().all()
        assert roles and me not in roles and "public" not in roles
