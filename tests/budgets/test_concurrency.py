"""Budgets under concurrency, on PostgreSQL (TEST_DATABASE_URL): parallel course approvals never
take a budget below zero; a replayed allocation credits once; the database itself refuses an
unbalanced transaction at commit. Threads start together at a barrier, each with its own session
and transaction (the pattern of tests/hours/test_concurrency.py)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from blueprints.budgets import ledger, services
from blueprints.budgets.models import (
    CourseEnrolment,
    EnrolmentStatus,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
)
from blueprints.invoicing.models import Invoice
from tenants.db import new_id
from tenants.models import AuditEvent
from tests.concurrency import run_together
from tests.budgets.builders import add_person, budget, course, fund, own_invoice, paid_invoice

pytestmark = pytest.mark.postgres


def test_twenty_parallel_approvals_never_take_the_budget_below_zero(app, world):
    s = world.session
    fund(s, world.admin_actor, world.customer.id, world.participant, 10000)  # € 100
    ids = [services.propose_course(s, world.coach_actor, world.participant,
                                   course(s, world.admin_actor, "30", title=f"Cursus {i}")).id
           for i in range(20)]
    s.commit()

    def approve(enrolment_id):
        return lambda session: services.approve_enrolment(
            session, world.admin_actor, services.get_enrolment(session, enrolment_id)).id

    results = run_together(app, world.tenant.id, *[approve(i) for i in ids])
    approved = [r for r in results if r[0] == "ok"]
    refused = [r[1].replace("\xa0", " ") for r in results if r[0] == "refused"]
    assert len(approved) == 10000 // 3000 == 3
    assert len(refused) == 17
    assert all(m.startswith("Het budget van Fatma Yilmaz is € ")
               and m.endswith("; de cursus kost € 30,00.") for m in refused), refused
    s.expire_all()
    assert budget(s, world.participant) == 1000
    statuses = s.scalars(select(CourseEnrolment.status).where(CourseEnrolment.id.in_(ids))).all()
    assert sorted(statuses).count(EnrolmentStatus.APPROVED) == 3


@pytest.mark.parametrize("hold", [0.0, 0.3])
def test_a_replayed_allocation_credits_once(app, world, hold):
    s = world.session
    invoice = own_invoice(world, 4500)
    s.commit()
    invoice_id = invoice.id

    def allocate(session):
        row = session.scalar(select(Invoice).where(Invoice.id == invoice_id))
        return services.allocate_invoice(session, world.admin_actor, row).id

    results = run_together(app, world.tenant.id, allocate, allocate, hold_first=hold)
    assert [r[0] for r in results] == ["ok", "ok"]
    assert results[0][1] == results[1][1]  # the loser returns the winner's transaction
    s.expire_all()
    assert budget(s, world.participant) == 4500
    assert services.allocate_invoice(s, world.admin_actor, invoice).id == results[0][1]
    assert s.scalar(select(func.count()).select_from(LedgerTransaction).where(
        LedgerTransaction.invoice_id == invoice_id)) == 1
    assert s.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "budget.allocated", AuditEvent.object_id == str(invoice_id))) == 1


def test_two_first_allocations_for_a_new_participant_make_one_account(app, world):
    s = world.session
    person, _ = add_person(s, world.coach_actor, "Ahmed", "El Khatib")
    invoices = [paid_invoice(s, world.customer.id, [{"net": 1000 * (i + 1),
                                                     "participant": person.id}]).id
                for i in range(2)]
    s.commit()

    def allocate(invoice_id):
        def action(session):
            row = session.scalar(select(Invoice).where(Invoice.id == invoice_id))
            return services.allocate_invoice(session, world.admin_actor, row).id
        return action

    run_together(app, world.tenant.id, *[allocate(i) for i in invoices])
    s.expire_all()
    assert s.scalar(select(func.count()).select_from(LedgerAccount).where(
        LedgerAccount.participant_id == person.id)) == 1
    assert budget(s, person) == 3000


def test_an_approval_and_a_credit_note_at_once_keep_the_budget_at_or_above_zero(app, world):
    from tests.budgets.builders import credit_note, lines_of

    s = world.session
    invoice = own_invoice(world, 5000)
    services.allocate_invoice(s, world.admin_actor, invoice)
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, world.admin_actor, "40"))
    note = credit_note(s, invoice, [(lines_of(s, invoice)[0], 5000)])
    s.commit()
    note_id, enrolment_id = note.id, enrolment.id

    def approve(session):
        return services.approve_enrolment(session, world.admin_actor,
                                          services.get_enrolment(session, enrolment_id)).id

    def reverse(session):
        row = session.scalar(select(Invoice).where(Invoice.id == note_id))
        return services.reverse_for_credit_note(session, world.admin_actor, row).id

    results = run_together(app, world.tenant.id, approve, reverse)
    s.expire_all()
    assert budget(s, world.participant) == 0
    cooperative = ledger.find_account(s, ledger.COOPERATIVE_KEY)
    absorbed = -ledger.balance(s, cooperative)
    # Either the course was paid first (the cooperative absorbs € 40) or the credit note took
    # the whole budget first (the approval is refused, nothing absorbed).
    assert (results[0][0], absorbed) in {("ok", 4000), ("refused", 0)}, results


def test_the_database_refuses_an_unbalanced_transaction_at_commit(app, world):
    s = world.session
    pool = ledger.pool_account(s)
    s.commit()
    tx_id = new_id()
    # The world fixture has set the tenant (and with it RLS's app.tenant_id) on this session.
    s.execute(text(
        "INSERT INTO ledger_transactions (tenant_id, id, idempotency_key, kind, description, "
        "booked_on, created_at) VALUES (:t, :id, 'raw:1', 'correctie', 'Los', :d, now())"),
        {"t": world.tenant.id, "id": tx_id, "d": date(2026, 3, 1)})
    s.execute(text(
        "INSERT INTO ledger_entries (tenant_id, id, transaction_id, account_id, amount_cents) "
        "VALUES (:t, :id, :tx, :acc, 100)"),
        {"t": world.tenant.id, "id": new_id(), "tx": tx_id, "acc": pool.id})
    with pytest.raises(DBAPIError, match="does not balance"):
        s.commit()
    s.rollback()
    assert s.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.transaction_id == tx_id)) == 0
