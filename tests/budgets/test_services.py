"""Budget rules without HTTP: the ledger, allocation per mode with the pool share, reversal for
credit notes (the cooperative absorbs what was spent), course approvals never below zero, the
end of a trajectory, the policy's validation, the yearly overview and the privacy export."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from blueprints.budgets import ledger, lists, services
from blueprints.budgets.models import (
    AccountKind,
    AllocationMode,
    BudgetPolicy,
    CourseEnrolment,
    EnrolmentStatus,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
    UnspentOnEnd,
)
from blueprints.invoicing.models import InvoiceStatus, LineSource
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Outcome
from tenants.errors import DomainError, PermissionDenied
from tests.budgets.builders import (
    account_balance,
    add_person,
    budget,
    course,
    credit_note,
    fund,
    lines_of,
    own_invoice,
    paid_invoice,
    set_policy,
)


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _entries(session, tx):
    return [(e.account_id, e.amount_cents, e.invoice_line_id)
            for e in ledger.entries_of(session, tx)]


def _kinds(session, tx) -> dict:
    """{account kind: Σ amount} of a transaction."""
    out: dict = {}
    for e in ledger.entries_of(session, tx):
        kind = session.scalar(select(services.LedgerAccount.kind).where(
            services.LedgerAccount.id == e.account_id))
        out[kind] = out.get(kind, 0) + e.amount_cents
    return out


# --- the ledger ------------------------------------------------------------------------------

def test_post_refuses_empty_and_unbalanced_sets_before_writing(world):
    s, actor = world.session, world.admin_actor
    pool, earnings = ledger.pool_account(s), ledger.earnings_account(s)
    before = _count(s, LedgerTransaction), _count(s, LedgerEntry)
    with pytest.raises(DomainError, match="geen bedragen"):
        ledger.post(s, actor, key="x:1", kind=TransactionKind.CORRECTION, description="Test",
                    booked_on=date(2026, 3, 1), entries=[])
    with pytest.raises(DomainError, match="tellen niet op tot nul"):
        ledger.post(s, actor, key="x:1", kind=TransactionKind.CORRECTION, description="Test",
                    booked_on=date(2026, 3, 1), entries=[(pool, 500), (earnings, -400)])
    assert (_count(s, LedgerTransaction), _count(s, LedgerEntry)) == before


def test_post_is_idempotent_and_balances_are_derived(world):
    s, actor = world.session, world.admin_actor
    pool, earnings = ledger.pool_account(s), ledger.earnings_account(s)
    first = ledger.post(s, actor, key="x:2", kind=TransactionKind.CORRECTION, description="Test",
                        booked_on=date(2026, 3, 1), entries=[(pool, 500), (earnings, -500)])
    again = ledger.post(s, actor, key="x:2", kind=TransactionKind.CORRECTION,
                        description="Anders", booked_on=date(2026, 3, 2),
                        entries=[(pool, 900), (earnings, -900)])
    assert again.id == first.id
    assert ledger.balance(s, pool) == 500
    assert ledger.balances(s, [pool, earnings]) == {pool.id: 500, earnings.id: -500}
    assert ledger.account(s, "pool", AccountKind.POOL).id == pool.id  # get, not create


def test_a_budget_account_never_goes_below_zero(world):
    s, actor = world.session, world.admin_actor
    pool, courses = ledger.pool_account(s), ledger.courses_account(s)
    with pytest.raises(ledger.InsufficientBalance, match="er kan geen"):
        ledger.post(s, actor, key="x:3", kind=TransactionKind.COURSE, description="Test",
                    booked_on=date(2026, 3, 1), entries=[(pool, -1), (courses, 1)])
    assert ledger.transaction_by_key(s, "x:3") is None


def test_reverse_posts_the_negated_entries(world):
    s, actor = world.session, world.admin_actor
    tx = fund(s, actor, world.customer.id, world.participant, 4000)
    back = ledger.reverse(s, actor, tx, "correctie:1", "Verkeerde factuur")
    assert back.reverses_id == tx.id and back.kind == TransactionKind.REVERSAL
    assert sorted(a for _, a, _ in _entries(s, back)) == sorted(-a for _, a, _ in _entries(s, tx))
    assert budget(s, world.participant) == 0


def test_ledger_rows_are_append_only(world):
    s = world.session
    tx = fund(s, world.admin_actor, world.customer.id, world.participant, 1000)
    s.commit()
    entry = ledger.entries_of(s, tx)[0]
    with pytest.raises(DBAPIError):
        s.execute(text("UPDATE ledger_entries SET amount_cents = 0 WHERE id = :id"),
                  {"id": entry.id})
    s.rollback()
    with pytest.raises(DBAPIError):
        s.execute(text("DELETE FROM ledger_transactions WHERE id = :id"), {"id": tx.id})
    s.rollback()


# --- allocation ------------------------------------------------------------------------------

def test_the_default_policy_credits_the_invoiced_value_per_line(world):
    s, actor = world.session, world.admin_actor
    other, _ = add_person(s, world.coach_actor, "Ahmed", "El Khatib")
    invoice = paid_invoice(s, world.customer.id, [
        {"net": 5000, "participant": world.participant.id},
        {"net": 2550, "participant": other.id},
        {"net": 1234, "participant": world.participant.id},
        {"net": 9999},  # materials: nobody's work
    ])
    tx = services.allocate_invoice(s, actor, invoice)
    assert tx.kind == TransactionKind.ALLOCATION and tx.invoice_id == invoice.id
    assert tx.idempotency_key == f"allocation:{invoice.id}"
    assert budget(s, world.participant) == 6234 and budget(s, other) == 2550
    assert account_balance(s, "earnings") == -8784
    lines = lines_of(s, invoice)
    earned_by = {line_id for _, amount, line_id in _entries(s, tx) if amount > 0}
    assert earned_by == {lines[0].id, lines[1].id, lines[2].id}
    # Replaying (a second payment event, a double click) credits once.
    count = _count(s, LedgerEntry)
    assert services.allocate_invoice(s, actor, invoice).id == tx.id
    assert _count(s, LedgerEntry) == count and budget(s, world.participant) == 6234


@pytest.mark.parametrize("net,pct,expected", [
    (10000, 50, 5000), (333, 33, 110), (50, 1, 1), (49, 1, 0), (150, 1, 2), (12345, 100, 12345),
    (12345, 0, 0),
])
def test_percentage_mode_rounds_half_up(world, net, pct, expected):
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, AllocationMode.PERCENTAGE, percentage=str(pct))
    invoice = own_invoice(world, net)
    tx = services.allocate_invoice(s, actor, invoice)
    assert budget(s, world.participant) == expected
    assert (tx is None) == (expected == 0)


@pytest.mark.parametrize("minutes,per_hour,expected", [
    (90, "7,50", 1125), (1, "7,50", 13), (20, "10", 333), (30, "0,01", 1), (None, "7,50", 0),
])
def test_per_hour_mode_pays_per_invoiced_hour(world, minutes, per_hour, expected):
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, AllocationMode.PER_HOUR, per_hour=per_hour)
    invoice = paid_invoice(s, world.customer.id, [
        {"net": 99999, "participant": world.participant.id, "minutes": minutes}])
    services.allocate_invoice(s, actor, invoice)
    assert budget(s, world.participant) == expected


def test_a_pool_share_is_split_off_per_line(world):
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, pool="25")
    invoice = paid_invoice(s, world.customer.id, [
        {"net": 1001, "participant": world.participant.id},
        {"net": 2, "participant": world.participant.id}])
    tx = services.allocate_invoice(s, actor, invoice)
    # 25% of 1001 = 250.25 → 250 to the pool; of 2 = 0.5 → 1 (half up)
    assert account_balance(s, "pool") == 251
    assert budget(s, world.participant) == 751 + 1
    assert sum(a for _, a, _ in _entries(s, tx)) == 0


def test_a_credit_note_before_payment_is_respected(world):
    s, actor = world.session, world.admin_actor
    invoice = own_invoice(world, 10000)
    credit_note(s, invoice, [(lines_of(s, invoice)[0], 4000)])  # 40% credited, then paid
    assert services.reverse_for_credit_note(s, actor, _credit_of(s, invoice)) is None
    services.allocate_invoice(s, actor, invoice)
    assert budget(s, world.participant) == 6000


def _credit_of(s, invoice):
    from blueprints.invoicing.models import Invoice

    return s.scalar(select(Invoice).where(Invoice.credits_invoice_id == invoice.id)
                    .order_by(Invoice.number.desc()))


def test_nothing_to_allocate_gives_no_transaction(world):
    s, actor = world.session, world.admin_actor
    assert services.allocate_invoice(s, actor, paid_invoice(
        s, world.customer.id, [{"net": 5000}])) is None
    draft = paid_invoice(s, world.customer.id, [{"net": 5000, "participant": world.participant.id}],
                         status=InvoiceStatus.DRAFT)
    assert services.allocate_invoice(s, actor, draft) is None
    set_policy(s, actor, AllocationMode.NONE)
    assert services.allocate_invoice(s, actor, paid_invoice(
        s, world.customer.id, [{"net": 5000, "participant": world.participant.id}])) is None
    assert _count(s, LedgerTransaction) == 0


def test_a_trajectory_fee_earns_no_budget(world):
    """A municipality's fee per participant pays for the guidance, not for their work."""
    s, actor = world.session, world.admin_actor
    invoice = paid_invoice(s, world.customer.id, [
        {"net": 45000, "participant": world.participant.id,
         "source": LineSource.TRAJECTORY_FEE, "description": "Trajectvergoeding november"},
        {"net": 3000, "participant": world.participant.id},
    ])
    services.allocate_invoice(s, actor, invoice)
    assert budget(s, world.participant) == 3000


# --- credit notes ----------------------------------------------------------------------------

def test_a_credit_note_takes_back_what_the_line_earned(world):
    s, actor = world.session, world.admin_actor
    invoice = paid_invoice(s, world.customer.id, [
        {"net": 8000, "participant": world.participant.id}, {"net": 2000}])
    services.allocate_invoice(s, actor, invoice)
    note = credit_note(s, invoice, [(lines_of(s, invoice)[0], 2000)])  # a quarter of the line
    tx = services.reverse_for_credit_note(s, actor, note)
    assert tx.kind == TransactionKind.REVERSAL and tx.invoice_id == note.id
    assert tx.idempotency_key == f"reversal:{note.id}"
    assert budget(s, world.participant) == 6000
    assert _kinds(s, tx) == {AccountKind.EARNINGS: 2000, AccountKind.PARTICIPANT: -2000}
    assert services.reverse_for_credit_note(s, actor, note).id == tx.id  # once


def test_what_was_spent_already_is_absorbed_by_the_cooperative(world):
    s, actor = world.session, world.admin_actor
    invoice = own_invoice(world, 10000)
    services.allocate_invoice(s, actor, invoice)
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, actor, "80"), "Veiligheid op de bouw")
    services.approve_enrolment(s, actor, enrolment)
    assert budget(s, world.participant) == 2000
    tx = services.reverse_for_credit_note(
        s, actor, credit_note(s, invoice, [(lines_of(s, invoice)[0], 10000)]))
    assert budget(s, world.participant) == 0  # never below zero
    assert _kinds(s, tx) == {AccountKind.EARNINGS: 10000, AccountKind.PARTICIPANT: -2000,
                             AccountKind.COOPERATIVE: -8000}


def test_credit_notes_never_reverse_more_than_the_line_allocated(world):
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, pool="10")
    invoice = own_invoice(world, 3000)
    services.allocate_invoice(s, actor, invoice)
    line = lines_of(s, invoice)[0]
    first = services.reverse_for_credit_note(s, actor, credit_note(s, invoice, [(line, 2000)]))
    assert _kinds(s, first) == {AccountKind.EARNINGS: 2000, AccountKind.PARTICIPANT: -1800,
                                AccountKind.POOL: -200}
    second = services.reverse_for_credit_note(s, actor, credit_note(s, invoice, [(line, 2000)]))
    assert _kinds(s, second)[AccountKind.EARNINGS] == 1000  # only what was left
    assert budget(s, world.participant) == 0 and account_balance(s, "pool") == 0
    third = services.reverse_for_credit_note(s, actor, credit_note(s, invoice, [(line, 100)]))
    assert third is None


def test_a_credit_note_without_line_references_credits_its_share(world):
    s, actor = world.session, world.admin_actor
    invoice = paid_invoice(s, world.customer.id, [
        {"net": 6000, "participant": world.participant.id}, {"net": 4000}])
    services.allocate_invoice(s, actor, invoice)
    note = credit_note(s, invoice, [(lines_of(s, invoice)[1], 5000)], without_line_refs=True)
    services.reverse_for_credit_note(s, actor, note)
    assert budget(s, world.participant) == 3000  # half the invoice credited: half the budget


# --- courses ---------------------------------------------------------------------------------

def test_approval_debits_the_budget(world):
    s, actor = world.session, world.admin_actor
    fund(s, actor, world.customer.id, world.participant, 30000)
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, actor, "249,50"), "Wil de bouw in",
                                        date(2026, 5, 1))
    assert enrolment.cost_cents == 24950 and enrolment.status == EnrolmentStatus.PROPOSED
    services.approve_enrolment(s, actor, enrolment)
    assert enrolment.status == EnrolmentStatus.APPROVED and enrolment.transaction_id
    assert budget(s, world.participant) == 5050
    assert account_balance(s, "courses") == 24950
    with pytest.raises(DomainError, match="al goedgekeurd"):
        services.approve_enrolment(s, actor, enrolment)


def test_approval_beyond_the_budget_is_refused_and_changes_nothing(world):
    s, actor = world.session, world.admin_actor
    fund(s, actor, world.customer.id, world.participant, 2000)
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, actor, "250"))
    s.commit()
    transactions = _count(s, LedgerTransaction)
    with pytest.raises(DomainError) as refused:
        services.approve_enrolment(s, actor, enrolment)
    assert refused.value.message.replace("\xa0", " ") == \
        "Het budget van Fatma Yilmaz is € 20,00; de cursus kost € 250,00."
    s.rollback()
    assert enrolment.status == EnrolmentStatus.PROPOSED and enrolment.transaction_id is None
    assert _count(s, LedgerTransaction) == transactions and budget(s, world.participant) == 2000


def test_a_cancelled_course_is_refunded_once_to_where_it_came_from(world):
    s, actor = world.session, world.admin_actor
    fund(s, actor, world.customer.id, world.participant, 30000)
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, actor, "250"))
    with pytest.raises(DomainError, match="Alleen een goedgekeurde cursus"):
        services.cancel_enrolment(s, actor, enrolment, "Gaat niet door")
    services.approve_enrolment(s, actor, enrolment)
    assert budget(s, world.participant) == 5000
    with pytest.raises(DomainError, match="Schrijf waarom"):
        services.cancel_enrolment(s, actor, enrolment, " ")
    with pytest.raises(PermissionDenied):
        services.cancel_enrolment(s, world.coach_actor, enrolment, "Gaat niet door")
    services.cancel_enrolment(s, actor, enrolment, "De cursus is vervallen")
    assert enrolment.status == EnrolmentStatus.CANCELLED
    assert enrolment.decline_reason == "De cursus is vervallen"
    assert budget(s, world.participant) == 30000 and account_balance(s, "courses") == 0
    with pytest.raises(DomainError, match="Alleen een goedgekeurde cursus"):
        services.cancel_enrolment(s, actor, enrolment, "Nog eens")
    assert budget(s, world.participant) == 30000


def test_a_cancelled_course_paid_by_the_pool_goes_back_to_the_pool(world):
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, pool="50")
    fund(s, actor, world.customer.id, world.participant, 60000)  # 300 each
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, actor, "100"))
    services.approve_enrolment(s, actor, enrolment, from_pool=True)
    assert account_balance(s, "pool") == 20000
    services.cancel_enrolment(s, actor, enrolment, "Vervallen")
    assert account_balance(s, "pool") == 30000 and budget(s, world.participant) == 30000


def test_a_participant_without_a_budget_is_refused_too(world):
    s, actor = world.session, world.admin_actor
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, actor, "25"))
    with pytest.raises(DomainError, match=r"is €\s0,00; de cursus kost €\s25,00"):
        services.approve_enrolment(s, actor, enrolment)


def test_the_pool_can_pay_a_course(world):
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, pool="50")
    fund(s, actor, world.customer.id, world.participant, 10000)  # 5000 each
    first = services.propose_course(s, world.coach_actor, world.participant,
                                    course(s, actor, "40", title="Taalcursus"))
    services.approve_enrolment(s, actor, first, from_pool=True)
    assert account_balance(s, "pool") == 1000 and budget(s, world.participant) == 5000
    second = services.propose_course(s, world.coach_actor, world.participant,
                                     course(s, actor, "20", title="EHBO"))
    with pytest.raises(DomainError, match=r"De gezamenlijke pot is €\s10,00; de cursus kost"):
        services.approve_enrolment(s, actor, second, from_pool=True)


def test_only_an_admin_decides(world):
    s = world.session
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, world.admin_actor))
    with pytest.raises(PermissionDenied):
        services.approve_enrolment(s, world.coach_actor, enrolment)
    with pytest.raises(PermissionDenied):
        services.decline_enrolment(s, world.coach_actor, enrolment, "Te duur")
    with pytest.raises(PermissionDenied):
        course(s, world.coach_actor, title="Zelf bedacht")


def test_decline_needs_a_reason_and_withdraw_ends_a_proposal(world):
    s, actor = world.session, world.admin_actor
    vca = course(s, actor)
    enrolment = services.propose_course(s, world.coach_actor, world.participant, vca)
    with pytest.raises(DomainError, match="Schrijf waarom"):
        services.decline_enrolment(s, actor, enrolment, "  ")
    services.decline_enrolment(s, actor, enrolment, "Eerst de taalcursus")
    assert enrolment.status == EnrolmentStatus.DECLINED
    with pytest.raises(DomainError, match="al afgehandeld"):
        services.withdraw_enrolment(s, world.coach_actor, enrolment)
    again = services.propose_course(s, world.coach_actor, world.participant, vca)
    services.withdraw_enrolment(s, world.coach_actor, again)
    assert again.status == EnrolmentStatus.WITHDRAWN


def test_proposals_are_checked(world):
    s, actor = world.session, world.admin_actor
    vca = course(s, actor)
    services.propose_course(s, world.coach_actor, world.participant, vca)
    with pytest.raises(DomainError, match="al voorgesteld"):
        services.propose_course(s, world.coach_actor, world.participant, vca)
    with pytest.raises(DomainError, match="BSN"):
        services.propose_course(s, world.coach_actor, world.participant,
                                course(s, actor, title="EHBO"), "BSN 111222333")
    old = course(s, actor, title="Oud")
    old.active = False
    with pytest.raises(DomainError, match="niet meer in de catalogus"):
        services.propose_course(s, world.coach_actor, world.participant, old)


@pytest.mark.parametrize("cost,hours,message", [
    ("abc", "16", "Vul een bedrag in euro"), ("0", "16", "groter dan € 0"),
    ("-5", "16", "Vul een bedrag in euro"), ("", "16", "Vul de kosten van de cursus in"),
    ("250", "veel", "heel getal"), ("250", "0", "van 1 tot"),
])
def test_course_input_is_checked(world, cost, hours, message):
    s = world.session
    with pytest.raises(DomainError, match=message):
        services.create_course(s, world.admin_actor, services.CourseData(
            provider="ROC", title="VCA", cost=cost, hours=hours))
    assert services.courses(s) == []


def test_a_new_price_does_not_change_a_proposal(world):
    s, actor = world.session, world.admin_actor
    vca = course(s, actor, "250")
    enrolment = services.propose_course(s, world.coach_actor, world.participant, vca)
    services.update_course(s, actor, vca, services.CourseData(
        provider=vca.provider, title=vca.title, cost="300"))
    assert vca.cost_cents == 30000 and enrolment.cost_cents == 25000


# --- the policy ------------------------------------------------------------------------------

def test_the_default_policy_is_invoiced_value_and_stays(world):
    policy = services.get_policy(world.session)
    assert (policy.mode, policy.pool_share_percent, policy.unspent_on_end) == (
        AllocationMode.INVOICED_VALUE, 0, UnspentOnEnd.STAYS)
    assert "gefactureerde waarde" in services.policy_summary(policy)


@pytest.mark.parametrize("kw,message", [
    (dict(mode=AllocationMode.PERCENTAGE, percentage="150"), "van 0 tot en met 100"),
    (dict(mode=AllocationMode.PERCENTAGE, percentage="abc"), "van 0 tot en met 100"),
    (dict(mode=AllocationMode.PERCENTAGE, percentage=""), "van 0 tot en met 100"),
    (dict(mode=AllocationMode.PER_HOUR, per_hour="0"), "groter is dan € 0"),
    (dict(mode=AllocationMode.PER_HOUR, per_hour="abc"), "bedrag in euro"),
    (dict(mode=AllocationMode.INVOICED_VALUE, pool_share_percent="101"), "pot"),
    (dict(mode="anders"), "Kies hoe"),
    (dict(mode=AllocationMode.NONE, unspent_on_end="weg"), "ongebruikt budget"),
])
def test_policy_input_is_checked_and_nothing_saved(world, kw, message):
    s = world.session
    with pytest.raises(DomainError, match=message):
        services.save_policy(s, world.admin_actor, **kw)
    assert s.scalar(select(BudgetPolicy)) is None


def test_saving_the_policy_twice_keeps_one_row(world):
    s = world.session
    set_policy(s, world.admin_actor, AllocationMode.PERCENTAGE, percentage="80", pool="5")
    set_policy(s, world.admin_actor, AllocationMode.PER_HOUR, per_hour="7.50",
               unspent=UnspentOnEnd.TO_POOL)
    assert _count(s, BudgetPolicy) == 1
    policy = services.get_policy(s)
    assert (policy.mode, policy.cents_per_hour, policy.percentage, policy.pool_share_percent) \
        == (AllocationMode.PER_HOUR, 750, None, 0)


# --- the end of a trajectory -----------------------------------------------------------------

def test_unspent_budget_moves_to_the_pool_when_the_last_trajectory_ends(world):
    s, actor = world.session, world.admin_actor
    set_policy(s, actor, unspent=UnspentOnEnd.TO_POOL)
    fund(s, actor, world.customer.id, world.participant, 7000)
    trajectories.end_trajectory(s, world.coach_actor, world.trajectory, Outcome.PAID_WORK,
                                date.today(), "24", "vast contract")
    assert budget(s, world.participant) == 0 and account_balance(s, "pool") == 7000
    tx = ledger.transaction_by_key(s, f"to-pool:{world.trajectory.id}")
    assert tx.kind == TransactionKind.TO_POOL


def test_budget_stays_by_default_and_while_another_trajectory_runs(world):
    s, actor = world.session, world.admin_actor
    fund(s, actor, world.customer.id, world.participant, 7000)
    trajectories.end_trajectory(s, world.coach_actor, world.trajectory, Outcome.VOLUNTEERING,
                                date.today())
    assert budget(s, world.participant) == 7000
    set_policy(s, actor, unspent=UnspentOnEnd.TO_POOL)
    other, first = add_person(s, world.coach_actor, "Ahmed", "El Khatib")
    second = trajectories.create_trajectory(
        s, world.coach_actor, other, trajectories.TrajectoryData(
            kind=first.kind, starts_on=date(2026, 2, 1), hours_per_week="8",
            funding=first.funding))
    fund(s, actor, world.customer.id, other, 3000)
    trajectories.end_trajectory(s, world.coach_actor, first, Outcome.VOLUNTEERING, date.today())
    assert budget(s, other) == 3000  # the second trajectory is still in intake
    trajectories.end_trajectory(s, world.coach_actor, second, Outcome.VOLUNTEERING, date.today())
    assert budget(s, other) == 0 and account_balance(s, "pool") == 3000


# --- the yearly overview and the privacy export ----------------------------------------------

def test_yearly_overview_adds_up(world):
    s, actor = world.session, world.admin_actor
    world.participant.first_name = "=HYPERLINK(\"http://x\")"
    invoice = own_invoice(world, 10000)
    services.allocate_invoice(s, actor, invoice)
    enrolment = services.propose_course(s, world.coach_actor, world.participant,
                                        course(s, actor, "30"))
    services.approve_enrolment(s, actor, enrolment)
    services.reverse_for_credit_note(s, actor, credit_note(
        s, invoice, [(lines_of(s, invoice)[0], 1000)]))
    year = date.today().year
    [row] = [r for r in lists.yearly_overview(s, year) if r.participant_id == world.participant.id]
    assert (row.opening, row.earned, row.spent, row.reversed, row.closing) == (
        0, 10000, 3000, 1000, 6000)
    assert row.closing == row.opening + row.earned - row.to_pool - row.spent - row.reversed
    csv_text = lists.export_yearly(s, actor, year, "csv").decode("utf-8-sig")
    assert "Beginsaldo;Verdiend;Naar de pot;Cursussen;Teruggeboekt;Eindsaldo" in csv_text
    assert "'=HYPERLINK" in csv_text and ";100,00;0,00;30,00;10,00;60,00" in csv_text
    sheet = openpyxl.load_workbook(io.BytesIO(lists.export_yearly(s, actor, year, "xlsx"))).active
    values = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert values[0].startswith("=HYPERLINK") and float(values[-1]) == 60.0
    assert sheet.cell(row=2, column=1).data_type == "s"  # text, not a formula
    assert lists.yearly_overview(s, year - 1) == [] or all(
        r.participant_id != world.participant.id for r in lists.yearly_overview(s, year - 1))
    [next_year] = [r for r in lists.yearly_overview(s, year + 1)
                   if r.participant_id == world.participant.id]
    assert (next_year.opening, next_year.earned, next_year.closing) == (6000, 0, 6000)


def test_the_privacy_export_holds_the_budget_and_erasure_keeps_the_ledger(world, tmp_path):
    from blueprints.privacy import services as privacy

    s, actor = world.session, world.admin_actor
    fund(s, actor, world.customer.id, world.participant, 5000)
    services.propose_course(s, world.coach_actor, world.participant, course(s, actor),
                            "Fatma wil graag heftruck rijden")
    content = privacy.export_participant(s, actor, world.participant, tmp_path)
    data = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("gegevens.json"))
    assert data["opleidingsbudget"]["saldo_cent"] == 5000
    assert data["opleidingsbudget"]["boekingen"][0]["bedrag_cent"] == 5000
    assert data["opleidingsbudget"]["boekingen"][0]["factuur"].startswith("F2026-")
    assert data["opleidingsbudget"]["cursussen"][0]["cursus"] == "VCA Basis"
    trajectories.end_trajectory(s, world.coach_actor, world.trajectory, Outcome.MOVED,
                                date.today())
    entries = _count(s, LedgerEntry)
    privacy.erase_participant(s, actor, world.participant, tmp_path)
    assert _count(s, LedgerEntry) == entries and budget(s, world.participant) == 5000
    enrolment = s.scalar(select(CourseEnrolment).where(
        CourseEnrolment.participant_id == world.participant.id))
    assert enrolment.motivation is None  # free text about the person goes


def test_an_allocation_is_booked_on_the_day_of_the_last_payment(world):
    from blueprints.invoicing.models import Payment, PaymentMethod

    s = world.session
    invoice = own_invoice(world, 1000)
    for day, key in ((date(2025, 12, 20), "a"), (date(2025, 12, 31), "b")):
        s.add(Payment(invoice_id=invoice.id, paid_on=day, amount_cents=605,
                      method=PaymentMethod.BANK_TRANSFER,
                      idempotency_key=f"pay:{invoice.id}:{key}"))
    s.flush()
    assert services.allocate_invoice(s, world.admin_actor, invoice).booked_on == date(2025, 12, 31)
