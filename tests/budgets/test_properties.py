"""Property-based tests (hypothesis): whatever sequence of paid invoices, course approvals and
credit notes happens under whatever policy, every transaction sums to zero, no budget goes below
zero, balances are the sum of their entries, an approval is refused exactly when the budget is
short, and no line is reversed beyond what it earned. And the rounding of each allocation mode
is half up, exactly."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import and_, func, select

from blueprints.budgets import ledger, services
from blueprints.budgets.models import (
    AccountKind,
    AllocationMode,
    BudgetPolicy,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from blueprints.participants.models import Participant
from tenants.actor import Actor
from tenants.errors import DomainError
from tests.budgets.builders import credit_note, lines_of, paid_invoice

SYSTEM = Actor.system("test")
MODES = [AllocationMode.INVOICED_VALUE, AllocationMode.PERCENTAGE, AllocationMode.PER_HOUR]


def _decimal_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@given(net=st.integers(-10_000, 10_000_000), pct=st.integers(0, 100),
       minutes=st.one_of(st.none(), st.integers(0, 100_000)), per_hour=st.integers(1, 100_000),
       pool=st.integers(0, 100), total=st.integers(1, 10_000_000), credited=st.integers(0, 100))
def test_allocation_rounding_per_mode_is_half_up(net, pct, minutes, per_hour, pool, total,
                                                 credited):
    line = type("Line", (), {"net_cents": net, "minutes": minutes})()
    invoiced = BudgetPolicy(mode=AllocationMode.INVOICED_VALUE)
    percentage = BudgetPolicy(mode=AllocationMode.PERCENTAGE, percentage=pct)
    hourly = BudgetPolicy(mode=AllocationMode.PER_HOUR, cents_per_hour=per_hour)
    assert services.line_value(invoiced, line) == max(0, net)
    assert services.line_value(percentage, line) == max(0, _decimal_half_up(
        Decimal(net) * pct / 100))
    assert services.line_value(hourly, line) == _decimal_half_up(
        Decimal(minutes or 0) * per_hour / 60)
    value = services.line_value(percentage, line)
    mine, to_pool = services.split_pool(value, pool)
    assert mine + to_pool == value and to_pool == _decimal_half_up(Decimal(value) * pool / 100)
    invoice = type("Inv", (), {"total_incl_cents": total,
                               "credited_cents": total * credited // 100})()
    reduced = services.uncredited(value, invoice)
    assert 0 <= reduced <= value
    assert reduced == _decimal_half_up(Decimal(value) * (total - total * credited // 100) / total)


@given(n=st.integers(-10**12, 10**12), d=st.integers(1, 10**6))
def test_half_up_matches_decimal(n, d):
    assert services.half_up(n, d) == _decimal_half_up(Decimal(n) / Decimal(d))


EARN = st.tuples(st.just("earn"), st.integers(0, 1), st.integers(-500, 40_000),
                 st.one_of(st.none(), st.integers(0, 900)))
COURSE = st.tuples(st.just("course"), st.integers(0, 1), st.integers(1, 12_000), st.booleans())
CREDIT = st.tuples(st.just("credit"), st.integers(0, 50), st.integers(1, 100), st.booleans())
OPS = st.lists(st.one_of(EARN, EARN, COURSE, COURSE, CREDIT), min_size=1, max_size=24)
POLICIES = st.tuples(st.sampled_from(MODES), st.integers(0, 100), st.integers(1, 5_000),
                     st.integers(0, 100))


def _check_invariants(s, expected_refusal=None):
    unbalanced = s.execute(select(LedgerEntry.transaction_id, func.sum(LedgerEntry.amount_cents))
                           .group_by(LedgerEntry.transaction_id)
                           .having(func.sum(LedgerEntry.amount_cents) != 0)).all()
    assert unbalanced == []
    accounts = list(s.scalars(select(LedgerAccount)))
    entries = list(s.scalars(select(LedgerEntry)))
    by_hand: dict[int, int] = {}
    for e in entries:
        by_hand[e.account_id] = by_hand.get(e.account_id, 0) + e.amount_cents
    derived = ledger.balances(s, accounts)
    assert derived == {a.id: by_hand.get(a.id, 0) for a in accounts}
    for a in accounts:
        if a.kind in (AccountKind.PARTICIPANT, AccountKind.POOL):
            assert derived[a.id] >= 0, a.key
    assert sum(derived.values()) == 0
    # no invoice line is reversed beyond what it earned
    earnings = ledger.find_account(s, ledger.EARNINGS_KEY)
    if earnings is not None:
        per_line: dict[int, tuple[int, int]] = {}
        for line_id, kind, cents in s.execute(
                select(LedgerEntry.invoice_line_id, LedgerTransaction.kind,
                       LedgerEntry.amount_cents)
                .join(LedgerTransaction, and_(LedgerTransaction.tenant_id == LedgerEntry.tenant_id,
                                              LedgerTransaction.id == LedgerEntry.transaction_id))
                .where(LedgerEntry.account_id == earnings.id)):
            earned, back = per_line.get(line_id, (0, 0))
            if kind == TransactionKind.ALLOCATION:
                earned -= cents
            else:
                back += cents
            per_line[line_id] = (earned, back)
        assert all(0 <= back <= earned for earned, back in per_line.values())


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(policy=POLICIES, ops=OPS)
def test_any_sequence_keeps_the_ledger_sound(world, policy, ops):
    s = world.session
    mode, pct, per_hour, pool = policy
    try:
        services.save_policy(s, SYSTEM, mode=mode, percentage=pct, per_hour=per_hour,
                             pool_share_percent=pool)
        people = []
        for i in range(3):
            person = Participant(first_name=f"Deelnemer{i}", last_name="Eigenschap")
            s.add(person)
            people.append(person)
        s.flush()
        invoices = []  # (invoice, line, creditable cents left)
        for op in ops:
            if op[0] == "earn":
                _, who, net, minutes = op
                invoice = paid_invoice(s, world.customer.id, [
                    {"net": net, "participant": people[who].id, "minutes": minutes},
                    {"net": 1500}])
                services.allocate_invoice(s, SYSTEM, invoice)
                services.allocate_invoice(s, SYSTEM, invoice)  # a replay changes nothing
                line = lines_of(s, invoice)[0]
                invoices.append([invoice, line, max(0, net)])
            elif op[0] == "course":
                _, who, cost, from_pool = op
                course = services.create_course(s, SYSTEM, services.CourseData(
                    provider="ROC", title="Cursus", cost=cost))
                enrolment = services.propose_course(s, SYSTEM, people[who], course)
                key = ledger.POOL_KEY if from_pool else ledger.participant_key(people[who].id)
                before = ledger.balance(s, ledger.find_account(s, key))
                try:
                    with s.begin_nested():
                        services.approve_enrolment(s, SYSTEM, enrolment, from_pool=from_pool)
                    refused = False
                except DomainError:
                    refused = True
                assert refused == (before < cost), (before, cost)
                event("approval refused" if refused else "approved")
                after = ledger.balance(s, ledger.find_account(s, key))
                assert after == (before if refused else before - cost)
            elif invoices:
                _, which, percent, whole_invoice = op
                item = invoices[which % len(invoices)]
                invoice, line, left = item
                amount = min(left, max(1, left * percent // 100))
                if amount <= 0:
                    continue
                item[2] -= amount
                note = credit_note(s, invoice, [(line, amount)],
                                   without_line_refs=whole_invoice)
                if services.reverse_for_credit_note(s, SYSTEM, note) is not None:
                    event("reversed")
            _check_invariants(s)
        if ledger.balance(s, ledger.find_account(s, ledger.COOPERATIVE_KEY)) < 0:
            event("the cooperative absorbed spent budget")
    finally:
        s.rollback()
