"""Stripe delivers one Billing event several times at once: the state changes once (one event
row, one audit entry, one dunning mail), on PostgreSQL with the app's role. Each delivery runs
in its own thread, session and transaction (tests/concurrency.py)."""
from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from blueprints.billing import services
from tenants.models import AuditEvent, TenantStatus
from tenants.tenancy import tenant_context
from tests.billing.conftest import deliver, event, invoice, subscription
from tests.concurrency import run_together

pytestmark = pytest.mark.postgres


def test_parallel_deliveries_of_one_event_change_state_once(app, client, coop):
    deliver(client, event("customer.subscription.created", subscription(coop)))
    failed = event("invoice.payment_failed", invoice(coop))
    with app.app_context():
        config = current_app.config
        results = run_together(app, None, *[
            (lambda s: services.apply_event(s, failed, config)) for _ in range(4)])
    assert sorted(r[1] for r in results) == ["applied"] + ["duplicate"] * 3
    t = coop.tenant()
    assert (t.failed_payments, t.status) == (1, TenantStatus.ACTIVE)
    assert coop.events() == 2
    with tenant_context(coop.session, coop.tenant_id):
        assert coop.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "billing.payment_failed")) == 1


def test_different_events_about_one_tenant_apply_one_after_the_other(app, client, coop):
    deliver(client, event("customer.subscription.created", subscription(coop)))
    events = [event("invoice.payment_failed", invoice(coop)) for _ in range(3)]
    with app.app_context():
        config = current_app.config
        results = run_together(app, None, *[
            (lambda s, e=e: services.apply_event(s, e, config)) for e in events])
    assert [r[1] for r in results] == ["applied"] * 3
    assert coop.tenant().failed_payments == 3  # no lost update
