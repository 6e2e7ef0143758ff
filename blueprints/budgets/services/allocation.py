"""Allocation: what an invoice earns for the participants' budgets, and its reversal for a
credit note.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from blueprints.budgets import ledger
from blueprints.budgets.models import (
    AccountKind,
    AllocationMode,
    BudgetPolicy,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from blueprints.budgets.services.policy import get_policy
from blueprints.budgets.services.rules import AMSTERDAM, half_up
from blueprints.invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineSource,
    Payment,
)
from tenants import audit
from tenants.actor import Actor


def line_value(policy: BudgetPolicy, line: InvoiceLine) -> int:
    """What one invoice line is worth to a budget under the policy (cents, never negative)."""
    if policy.mode == AllocationMode.INVOICED_VALUE:
        value = line.net_cents
    elif policy.mode == AllocationMode.PERCENTAGE:
        value = half_up(line.net_cents * int(policy.percentage or 0), 100)
    elif policy.mode == AllocationMode.PER_HOUR:
        value = half_up((line.minutes or 0) * int(policy.cents_per_hour or 0), 60)
    else:
        value = 0
    return max(0, value)


def uncredited(value: int, invoice: Invoice) -> int:
    """`value` reduced by the share of the invoice already credited (half up)."""
    total = invoice.total_incl_cents or 0
    if total <= 0:
        return value if not invoice.credited_cents else 0
    remaining = max(0, total - (invoice.credited_cents or 0))
    return half_up(value * remaining, total)


def split_pool(value: int, pool_share_percent: int) -> tuple[int, int]:
    """(participant part, pool part) of an allocated value."""
    pool = half_up(value * int(pool_share_percent or 0), 100)
    return value - pool, pool


def _paid_on(session: Session, invoice: Invoice) -> date:
    """The day the invoice was paid: its last payment's date, else when it was marked paid."""
    day = session.scalar(select(func.max(Payment.paid_on)).where(Payment.invoice_id == invoice.id))
    if day is not None:
        return day
    moment: datetime | None = invoice.paid_at
    return moment.astimezone(AMSTERDAM).date() if moment is not None else date.today()


def allocate_invoice(session: Session, actor: Actor, invoice: Invoice) -> LedgerTransaction | None:
    """Credit the budgets for a paid invoice, once (key allocation:<invoice id>).

    Per line with a participant: the value under the policy, reduced by the share of the invoice
    already credited, the pool share split off. One transaction per invoice; None when there is
    nothing to credit (no such lines, mode "geen", all zero), or for a draft or credit note."""
    key = f"allocation:{invoice.id}"
    existing = ledger.transaction_by_key(session, key)
    if existing is not None:
        return existing
    if invoice.kind != InvoiceKind.INVOICE or invoice.status == InvoiceStatus.DRAFT:
        return None
    policy = get_policy(session)
    if policy.mode == AllocationMode.NONE:
        return None
    # A trajectory fee pays for the guidance, not for the participant's work: it earns no
    # budget. Hours, jobs and fixed lines attributed to a participant do.
    lines = list(session.scalars(select(InvoiceLine).where(
        InvoiceLine.invoice_id == invoice.id, InvoiceLine.participant_id.is_not(None),
        InvoiceLine.source != LineSource.TRAJECTORY_FEE)
        .order_by(InvoiceLine.position, InvoiceLine.id)))
    planned = []
    for line in lines:
        value = uncredited(line_value(policy, line), invoice)
        if value > 0:
            planned.append((line, value, *split_pool(value, policy.pool_share_percent)))
    if not planned:
        return None
    earnings = ledger.earnings_account(session)
    pool = ledger.pool_account(session) if any(p for *_, p in planned) else None
    entries: list[ledger.Entry] = []
    for line, value, mine, to_pool in planned:
        entries.append(ledger.Entry(earnings, -value, line.id))
        if mine:
            entries.append(ledger.Entry(ledger.participant_account(session, line.participant_id),
                                        mine, line.id))
        if to_pool:
            entries.append(ledger.Entry(pool, to_pool, line.id))
    tx = ledger.post(session, actor, key=key, kind=TransactionKind.ALLOCATION,
                     description=f"Factuur {invoice.number_text or invoice.id}",
                     booked_on=_paid_on(session, invoice), entries=entries,
                     invoice_id=invoice.id)
    if ledger.is_new(tx):
        audit.record(session, actor, "budget.allocated", invoice, transaction_id=tx.id,
                     lines=len(planned), total=sum(v for _, v, *_ in planned))
    return tx


def _allocated(session: Session, allocation: LedgerTransaction):
    """What an allocation put where: (its accounts by id, earned per invoice line, budget
    parts per line {account id: cents}, what earlier reversals took back per line)."""
    alloc_entries = ledger.entries_of(session, allocation)
    accounts = {a.id: a for a in session.scalars(select(LedgerAccount).where(
        LedgerAccount.id.in_({e.account_id for e in alloc_entries})))}
    earned: dict[int, int] = {}
    parts: dict[int, dict[int, int]] = {}
    for e in alloc_entries:
        if e.invoice_line_id is None:
            continue
        if accounts[e.account_id].kind == AccountKind.EARNINGS:
            earned[e.invoice_line_id] = earned.get(e.invoice_line_id, 0) - e.amount_cents
        elif accounts[e.account_id].kind in ledger.BUDGET_KINDS:
            share = parts.setdefault(e.invoice_line_id, {})
            share[e.account_id] = share.get(e.account_id, 0) + e.amount_cents
    reversed_before: dict[int, int] = {}
    for line_id, cents in session.execute(
            select(LedgerEntry.invoice_line_id, func.sum(LedgerEntry.amount_cents))
            .join(LedgerTransaction, and_(LedgerTransaction.tenant_id == LedgerEntry.tenant_id,
                                          LedgerTransaction.id == LedgerEntry.transaction_id))
            .join(LedgerAccount, and_(LedgerAccount.tenant_id == LedgerEntry.tenant_id,
                                      LedgerAccount.id == LedgerEntry.account_id))
            .where(LedgerTransaction.reverses_id == allocation.id,
                   LedgerAccount.kind == AccountKind.EARNINGS)
            .group_by(LedgerEntry.invoice_line_id)):
        reversed_before[line_id] = int(cents or 0)

    return accounts, earned, parts, reversed_before


def _targets(wanted: dict[int, int], earned: dict[int, int],
             reversed_before: dict[int, int]) -> dict[int, int]:
    """Per line what to take back now: what is wanted, never more than it earned minus earlier
    reversals; lines with nothing left out."""
    targets = {}
    for line_id, cents in wanted.items():
        cents = min(cents, earned.get(line_id, 0) - reversed_before.get(line_id, 0))
        if cents > 0:
            targets[line_id] = cents
    return targets


def _reversal_entries(session: Session, accounts: dict, parts: dict,
                      targets: dict[int, int]) -> list:
    """The entries taking `targets` back: a budget gives back at most its current balance, the
    rest is booked to the cooperative (no budget goes below zero)."""
    involved = [accounts[a] for line_id in targets for a in parts.get(line_id, {})]
    ledger.lock(session, involved)
    available = ledger.balances(session, involved)
    earnings = next(a for a in accounts.values() if a.kind == AccountKind.EARNINGS)
    cooperative = None
    entries: list[ledger.Entry] = []
    for line_id in sorted(targets):
        target = targets[line_id]
        entries.append(ledger.Entry(earnings, target, line_id))
        share = sorted(parts.get(line_id, {}).items())
        whole = sum(c for _, c in share)
        absorbed, left = 0, target
        for index, (account_id, cents) in enumerate(share):
            take = left if index == len(share) - 1 else min(left, half_up(target * cents, whole))
            left -= take
            give = min(take, max(0, available.get(account_id, 0)))
            available[account_id] = available.get(account_id, 0) - give
            absorbed += take - give
            if give:
                entries.append(ledger.Entry(accounts[account_id], -give, line_id))
        absorbed += left  # only when the line had no budget part (cannot happen in practice)
        if absorbed:
            cooperative = cooperative or ledger.cooperative_account(session)
            entries.append(ledger.Entry(cooperative, -absorbed, line_id))
    return entries


def reverse_for_credit_note(session: Session, actor: Actor,
                            credit_note: Invoice) -> LedgerTransaction | None:
    """Take back what the credited lines earned, once (key reversal:<credit note id>).

    Per credited line: credit amount / original line amount × what that line allocated (half
    up), never more than it allocated minus earlier reversals of it. A budget gives back at most
    its current balance; the rest is booked to the cooperative (it absorbs what was already
    spent), so no budget goes below zero. None when the invoice was not allocated yet (the
    allocation will account for the credit) or nothing is left to reverse."""
    key = f"reversal:{credit_note.id}"
    existing = ledger.transaction_by_key(session, key)
    if existing is not None:
        return existing
    if credit_note.kind != InvoiceKind.CREDIT_NOTE or credit_note.credits_invoice_id is None:
        return None
    allocation = ledger.transaction_by_key(session, f"allocation:{credit_note.credits_invoice_id}")
    if allocation is None:
        return None
    original = session.scalar(select(Invoice).where(Invoice.id == credit_note.credits_invoice_id))
    accounts, earned, parts, reversed_before = _allocated(session, allocation)
    credit_lines = list(session.scalars(select(InvoiceLine).where(
        InvoiceLine.invoice_id == credit_note.id).order_by(InvoiceLine.position, InvoiceLine.id)))
    wanted: dict[int, int] = {}
    if any(cl.credits_line_id for cl in credit_lines):
        originals = {line.id: line for line in session.scalars(select(InvoiceLine).where(
            InvoiceLine.id.in_({cl.credits_line_id for cl in credit_lines
                                if cl.credits_line_id in earned})))}
        for cl in credit_lines:
            line = originals.get(cl.credits_line_id)
            if line is None or not line.net_cents:
                continue
            wanted[line.id] = wanted.get(line.id, 0) + half_up(
                abs(cl.net_cents) * earned[line.id], abs(line.net_cents))
    elif original is not None and original.total_incl_cents:
        # A credit note without line references credits that share of the whole invoice.
        for line_id, cents in earned.items():
            wanted[line_id] = half_up(abs(credit_note.total_incl_cents) * cents,
                                      abs(original.total_incl_cents))
    targets = _targets(wanted, earned, reversed_before)
    if not targets:
        return None
    entries = _reversal_entries(session, accounts, parts, targets)
    number = credit_note.number_text or credit_note.id
    tx = ledger.post(session, actor, key=key, kind=TransactionKind.REVERSAL,
                     description=f"Creditnota {number} op factuur "
                                 f"{original.number_text if original else allocation.invoice_id}",
                     booked_on=credit_note.issue_date or date.today(), entries=entries,
                     invoice_id=credit_note.id, reverses_id=allocation.id)
    if ledger.is_new(tx):
        audit.record(session, actor, "budget.reversed", credit_note, transaction_id=tx.id,
                     total=sum(targets.values()),
                     absorbed=-sum(e.cents for e in entries
                                   if e.account.kind == AccountKind.COOPERATIVE))
    return tx


def reverse_for_refund(session: Session, actor: Actor, invoice: Invoice, amount_cents: int,
                       key: str, booked_on: date | None = None) -> LedgerTransaction | None:
    """Take back the refunded share of what a paid invoice put in budgets, once per `key`
    (one refund step of one payment): refund / invoice total x what each line allocated (half
    up), never more than the line allocated minus earlier reversals; budgets give back at most
    their balance, the cooperative absorbs the rest (as for a credit note). None when the
    invoice was never allocated (not paid in full before) or nothing is left to take back."""
    existing = ledger.transaction_by_key(session, key)
    if existing is not None:
        return existing
    allocation = ledger.transaction_by_key(session, f"allocation:{invoice.id}")
    if allocation is None or amount_cents <= 0 or not invoice.total_incl_cents:
        return None
    accounts, earned, parts, reversed_before = _allocated(session, allocation)
    wanted = {line_id: half_up(amount_cents * cents, abs(invoice.total_incl_cents))
              for line_id, cents in earned.items()}
    targets = _targets(wanted, earned, reversed_before)
    if not targets:
        return None
    entries = _reversal_entries(session, accounts, parts, targets)
    tx = ledger.post(session, actor, key=key, kind=TransactionKind.REVERSAL,
                     description=f"Terugbetaling op factuur {invoice.number_text or invoice.id}",
                     booked_on=booked_on or date.today(), entries=entries,
                     invoice_id=invoice.id, reverses_id=allocation.id)
    if ledger.is_new(tx):
        audit.record(session, actor, "budget.reversed", invoice, transaction_id=tx.id,
                     total=sum(targets.values()), refund=True,
                     absorbed=-sum(e.cents for e in entries
                                   if e.account.kind == AccountKind.COOPERATIVE))
    return tx
