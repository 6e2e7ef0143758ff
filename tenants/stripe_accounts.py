"""Which tenant a Stripe connected account belongs to: the one narrow lookup across tenants that
is not an aggregate.

Stripe sends some events about a cooperative's connected account with nothing of ours in them:
`account.application.deauthorized` (the cooperative disconnected the platform; the account's
metadata can no longer be read) carries only the account id in `event.account`. To act on it
the webhook must find the tenant whose finance settings hold that account id, before any tenant
is set — a read across tenants.

Why this is allowed (ENGINEERING.md, "Cross-tenant reads": through a narrow service, never by
weakening the app role):
- it answers one question, by an exact key, with one tenant id or None: no row, no column of
  any tenant's data leaves it, and it cannot list or enumerate anything;
- the key is an account id that only Stripe (through a signed webhook) and the tenant itself
  know; the caller then works inside that tenant's context as usual (RLS applies again);
- an id held by more than one tenant (never, as accounts are created per tenant) answers None.

On PostgreSQL the finance settings are under FORCE'd row-level security and the app role sees
nothing without a tenant; the lookup goes through the SECURITY DEFINER function
`wijkwerk_tenant_of_stripe_account(text) RETURNS bigint` (migration 4bb87a7b9de5), owned by the
owner role, which alone has a SELECT policy (`stripe_account_lookup`) on finance_settings; the
app role may EXECUTE it and nothing more. On SQLite the same query runs as plain SQL.
tests/kernel/test_architecture.py lists this module as the one user of the function.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

__all__ = ["tenant_of_account"]

_POSTGRES = "SELECT wijkwerk_tenant_of_stripe_account(:account)"
_PLAIN = ("SELECT min(tenant_id), count(*) FROM finance_settings "
          "WHERE stripe_account_id = :account")


def tenant_of_account(session: Session, account_id: str | None) -> int | None:
    """The id of the tenant whose Stripe account is `account_id`, or None (unknown, empty, or
    claimed by more than one tenant)."""
    if not isinstance(account_id, str) or not account_id.startswith("acct_") \
            or len(account_id) > 40:
        return None
    if session.get_bind().dialect.name == "postgresql":
        found = session.execute(text(_POSTGRES), {"account": account_id}).scalar()
        return int(found) if found is not None else None
    tenant_id, count = session.execute(text(_PLAIN), {"account": account_id}).one()
    return int(tenant_id) if count == 1 else None
