"""Invoices under concurrency, on PostgreSQL: numbers stay gapless and unique, a payment with
the same idempotency key counts once, a draft is finalised once, hours are billed once.

Threads with their own session and transaction start together at a barrier (the pattern of
tests/hours/test_concurrency.py)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from blueprints.invoicing import services
from blueprints.invoicing.models import Invoice, InvoiceHour, InvoiceStatus, Payment
from tenants.errors import DomainError
from tenants.tenancy import tenant_context
from tests.concurrency import run_together
from tests.invoicing.invoice_world import TODAY, coop, hours, job  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres


def _drafts(c, n, amount=1000):
    s = c.session
    with tenant_context(s, c.tenant.id):
        ids = []
        for k in range(n):
            draft = services.create_draft(s, c.actor, c.customer)
            services.add_fixed_line(s, c.actor, draft, f"Klus {k}", "1", "stuk", amount + k, "21")
            ids.append(draft.id)
        s.commit()
    return ids


def _load(session, invoice_id) -> Invoice:
    return session.scalar(select(Invoice).where(Invoice.id == invoice_id))


def _finalise(c, invoice_id, fail=False):
    def run(session):
        invoice = services.finalise(session, c.actor, _load(session, invoice_id), TODAY,
                                    today=TODAY)
        if fail:  # the number was drawn; the transaction goes back (e.g. a later error)
            raise DomainError("teruggedraaid na het trekken van het nummer")
        return invoice.number
    return run


def _sent_numbers(c):
    s = c.session
    s.expire_all()
    with tenant_context(s, c.tenant.id):
        return sorted(s.scalars(select(Invoice.number).where(Invoice.number.is_not(None))))


def test_fifty_parallel_finalisations_give_fifty_consecutive_numbers(app, coop):
    c = coop
    ids = _drafts(c, 50)
    results = run_together(app, c.tenant.id, *[_finalise(c, i) for i in ids])
    assert [r[0] for r in results] == ["ok"] * 50
    assert sorted(r[1] for r in results) == list(range(1, 51))
    assert _sent_numbers(c) == list(range(1, 51))


def test_rolled_back_finalisations_leave_no_gap(app, coop):
    c = coop
    ids = _drafts(c, 30)
    failing = set(ids[::4])  # 8 of 30 draw a number and roll back
    results = run_together(app, c.tenant.id, *[_finalise(c, i, fail=i in failing) for i in ids])
    assert sorted(r[0] for r in results) == ["ok"] * 22 + ["refused"] * 8
    assert _sent_numbers(c) == list(range(1, 23))  # consecutive among what was committed
    s = c.session
    with tenant_context(s, c.tenant.id):
        drafts = s.scalars(select(Invoice).where(Invoice.id.in_(failing))).all()
        assert {(d.status, d.number) for d in drafts} == {(InvoiceStatus.DRAFT, None)}
        # The next one continues the series.
        again = services.finalise(s, c.actor, drafts[0], TODAY, today=TODAY)
        assert again.number == 23
        s.rollback()


@pytest.mark.parametrize("hold", [0.0, 0.3])
def test_the_same_draft_finalised_twice_at_once_gets_one_number(app, coop, hold):
    c = coop
    [invoice_id] = _drafts(c, 1)
    results = run_together(app, c.tenant.id, _finalise(c, invoice_id), _finalise(c, invoice_id),
                           hold_first=hold)
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    assert "al verzonden" in next(r[1] for r in results if r[0] == "refused")
    assert _sent_numbers(c) == [1]


@pytest.mark.parametrize("hold", [0.0, 0.3])
def test_a_payment_submitted_twice_at_once_is_registered_once(app, coop, hold):
    c = coop
    [invoice_id] = _drafts(c, 1, amount=10000)  # € 121,00
    s = c.session
    with tenant_context(s, c.tenant.id):
        services.finalise(s, c.actor, _load(s, invoice_id), TODAY, today=TODAY)
        s.commit()

    def pay(session):
        payment = services.register_payment(session, c.actor, _load(session, invoice_id), 12100,
                                            TODAY, "overboeking", "NL12", "form-key-1",
                                            today=TODAY)
        return payment.id

    results = run_together(app, c.tenant.id, pay, pay, hold_first=hold)
    assert [r[0] for r in results] == ["ok", "ok"], results
    assert results[0][1] == results[1][1]  # the second got the first's payment back
    s.expire_all()
    with tenant_context(s, c.tenant.id):
        invoice = _load(s, invoice_id)
        assert (invoice.status, invoice.paid_cents) == (InvoiceStatus.PAID, 12100)
        assert s.scalar(select(func.count()).select_from(Payment)) == 1


def test_two_payments_at_once_never_pay_more_than_is_open(app, coop):
    c = coop
    [invoice_id] = _drafts(c, 1, amount=10000)
    s = c.session
    with tenant_context(s, c.tenant.id):
        services.finalise(s, c.actor, _load(s, invoice_id), TODAY, today=TODAY)
        s.commit()

    def pay(key):
        def run(session):
            return services.register_payment(session, c.actor, _load(session, invoice_id),
                                             8000, TODAY, "contant", None, key,
                                             today=TODAY).id
        return run

    results = run_together(app, c.tenant.id, pay("a"), pay("b"))
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    assert "hoger dan wat nog openstaat" in next(r[1] for r in results if r[0] == "refused")


@pytest.mark.parametrize("hold", [0.0, 0.3])
def test_the_same_hours_added_to_two_drafts_at_once_are_billed_once(app, coop, hold):
    c = coop
    s = c.session
    with tenant_context(s, c.tenant.id):
        garden = job(s, c.customer, price=2000)
        entry = hours(s, c.participant, c.trajectory, date(2026, 11, 10), 120, garden)
        s.commit()
        entry_id = entry.id
    first, second = _drafts(c, 2)

    def add(invoice_id):
        def run(session):
            return len(services.add_hours(session, c.actor, _load(session, invoice_id),
                                          [entry_id]))
        return run

    results = run_together(app, c.tenant.id, add(first), add(second), hold_first=hold)
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    assert "al op een (andere) conceptfactuur" in next(r[1] for r in results
                                                       if r[0] == "refused")
    s.expire_all()
    with tenant_context(s, c.tenant.id):
        assert s.scalar(select(func.count()).select_from(InvoiceHour)) == 1
