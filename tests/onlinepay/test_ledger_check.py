"""The ledger's second line of defence sees what it checks: PostgreSQL's deferred balance
trigger runs at COMMIT through row-level security, so the tenant that wrote must still be set
then. Tested as the app role, through the Stripe webhook's own path (onlinepay -> invoicing ->
budgets), with the Python balance check taken out of the way so that only the database stands.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from blueprints.budgets import ledger
from blueprints.budgets.models import LedgerEntry, LedgerTransaction, TransactionKind
from blueprints.invoicing.models import InvoiceStatus
from tenants.tenancy import set_tenant, tenant_context
from tests.onlinepay.conftest import checkout_session, deliver, event

pytestmark = pytest.mark.postgres


def _skewed_entries(monkeypatch):
    """Every ledger entry written one cent too high: the transaction no longer sums to zero,
    although ledger.post checked the amounts it was given."""
    real = ledger.LedgerEntry

    def skewed(**fields):
        fields["amount_cents"] += 1
        return real(**fields)

    monkeypatch.setattr(ledger, "LedgerEntry", skewed)


def test_an_unbalanced_budget_credit_from_the_webhook_is_refused_at_commit(
        client, shop, stripe_server, monkeypatch):
    _skewed_entries(monkeypatch)
    response = deliver(client, event("checkout.session.completed", checkout_session(shop)))
    assert response.status_code == 500  # Stripe delivers again later
    assert response.get_json() == {"error": "try again"}
    invoice = shop.fresh()
    assert (invoice.status, invoice.paid_cents) == (InvoiceStatus.SENT, 0)
    assert shop.payments() == [] and shop.balance() == 0
    assert shop.session.scalars(select(LedgerTransaction).where(
        LedgerTransaction.invoice_id == shop.invoice.id)).all() == []


def test_the_balanced_webhook_credit_still_commits(client, shop, stripe_server):
    response = deliver(client, event("checkout.session.completed", checkout_session(shop)))
    assert response.status_code == 200 and response.get_json()["outcome"] == "applied"
    assert shop.balance() == 4000


def test_switching_to_another_tenant_checks_what_the_first_one_wrote(make, session):
    """A transaction that writes under one tenant and then returns to another: the balance is
    checked before the switch, while the first tenant's rows are still visible."""
    first, other = make.tenant(), make.tenant()
    set_tenant(session, other.id)
    with pytest.raises(DBAPIError, match="does not balance"):
        with tenant_context(session, first.id):
            pool, earnings = ledger.pool_account(session), ledger.earnings_account(session)
            session.flush()
            tx = LedgerTransaction(idempotency_key="skewed", kind=TransactionKind.CORRECTION,
                                   description="", booked_on=date.today())
            session.add(tx)
            session.flush()
            session.add_all([LedgerEntry(transaction_id=tx.id, account_id=pool.id,
                                         amount_cents=100),
                             LedgerEntry(transaction_id=tx.id, account_id=earnings.id,
                                         amount_cents=-99)])
    session.rollback()
