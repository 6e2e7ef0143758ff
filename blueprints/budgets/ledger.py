"""A generic double-entry, append-only ledger on LedgerAccount / LedgerTransaction / LedgerEntry.

- `account()` gets or creates an account by its key, safe when two transactions create it at
  once (a savepoint around the insert; the loser reads the winner's row).
- `post()` writes one balanced transaction. It refuses an empty or unbalanced set of entries
  before writing anything, and is idempotent: a second call with the same key returns the first
  transaction and writes nothing, also when both calls race (UNIQUE (tenant_id,
  idempotency_key) decides; the loser reads the winner's row). Before a budget account (a
  participant's budget, the pool) is debited, its row is locked and its balance re-read, so two
  debits at once can never take it below zero.
- Balances are derived: the sum of an account's entries. `balances()` gives many in one query.
- Nothing is ever updated or deleted (the database refuses as well); a correction is a
  reversing transaction (`reverse()`).

Sign convention (see models.py): on a budget account a positive amount adds money.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blueprints.budgets.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.formatting import format_money

#: accounts that hold money and never go below zero
BUDGET_KINDS = frozenset({AccountKind.PARTICIPANT, AccountKind.POOL})

POOL_KEY = "pool"
EARNINGS_KEY = "earnings"
COURSES_KEY = "courses"
COOPERATIVE_KEY = "cooperative"


class UnbalancedTransaction(DomainError):
    default_message = _l("Deze boeking klopt niet: de bedragen tellen niet op tot nul.")


class InsufficientBalance(DomainError):
    """A debit would take a budget account below zero."""

    def __init__(self, account: LedgerAccount, balance: int, needed: int, message=None):
        self.account, self.balance, self.needed = account, balance, needed
        super().__init__(message or _l(
            "Het saldo is %(balance)s; er kan geen %(needed)s af.",
            balance=format_money(balance), needed=format_money(needed)))


@dataclass(frozen=True)
class Entry:
    """One line of a transaction to post: a signed amount on an account."""

    account: LedgerAccount
    cents: int
    invoice_line_id: int | None = None


def participant_key(participant_id: int) -> str:
    return f"participant:{int(participant_id)}"


# --- accounts --------------------------------------------------------------------------------

def find_account(session: Session, key: str) -> LedgerAccount | None:
    return session.scalar(select(LedgerAccount).where(LedgerAccount.key == key))


def account(session: Session, key: str, kind: AccountKind,
            participant_id: int | None = None) -> LedgerAccount:
    """The account with `key`, created when missing (race-safe)."""
    found = find_account(session, key)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            row = LedgerAccount(key=key, kind=kind, participant_id=participant_id)
            session.add(row)
            session.flush()
        return row
    except IntegrityError:
        pass  # another transaction created it first: use that one
    found = find_account(session, key)
    if found is None:  # pragma: no cover - the unique key said it exists
        raise RuntimeError(f"ledger account {key} vanished")
    return found


def participant_account(session: Session, participant_id: int) -> LedgerAccount:
    return account(session, participant_key(participant_id), AccountKind.PARTICIPANT,
                   participant_id=participant_id)


def pool_account(session: Session) -> LedgerAccount:
    return account(session, POOL_KEY, AccountKind.POOL)


def earnings_account(session: Session) -> LedgerAccount:
    return account(session, EARNINGS_KEY, AccountKind.EARNINGS)


def courses_account(session: Session) -> LedgerAccount:
    return account(session, COURSES_KEY, AccountKind.COURSES)


def cooperative_account(session: Session) -> LedgerAccount:
    return account(session, COOPERATIVE_KEY, AccountKind.COOPERATIVE)


def lock(session: Session, accounts: Iterable[LedgerAccount]) -> None:
    """Lock the accounts' rows until the end of the transaction (in id order: no deadlocks)."""
    ids = sorted({a.id for a in accounts})
    if ids:
        session.execute(select(LedgerAccount.id).where(LedgerAccount.id.in_(ids))
                        .order_by(LedgerAccount.id).with_for_update())


# --- balances --------------------------------------------------------------------------------

def balance(session: Session, acc: LedgerAccount | None) -> int:
    """The account's balance: the sum of its entries (0 for no account)."""
    if acc is None or acc.id is None:
        return 0
    return int(session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
                              .where(LedgerEntry.account_id == acc.id)) or 0)


def balances(session: Session, accounts: Iterable[LedgerAccount]) -> dict[int, int]:
    """Balances by account id, in one grouped query (0 for an account without entries)."""
    ids = sorted({a.id for a in accounts if a is not None and a.id is not None})
    result = dict.fromkeys(ids, 0)
    if ids:
        for account_id, total in session.execute(
                select(LedgerEntry.account_id, func.sum(LedgerEntry.amount_cents))
                .where(LedgerEntry.account_id.in_(ids)).group_by(LedgerEntry.account_id)):
            result[account_id] = int(total or 0)
    return result


# --- transactions ----------------------------------------------------------------------------

def transaction_by_key(session: Session, key: str) -> LedgerTransaction | None:
    return session.scalar(select(LedgerTransaction).where(
        LedgerTransaction.idempotency_key == key))


def entries_of(session: Session, transaction: LedgerTransaction) -> list[LedgerEntry]:
    return list(session.scalars(select(LedgerEntry).where(
        LedgerEntry.transaction_id == transaction.id).order_by(LedgerEntry.id)))


def _normalise(entries: Sequence) -> list[Entry]:
    out = []
    for item in entries:
        if not isinstance(item, Entry):
            acc, cents, *rest = item
            item = Entry(acc, cents, rest[0] if rest else None)
        if isinstance(item.cents, bool) or not isinstance(item.cents, int):
            raise UnbalancedTransaction(_l("Een bedrag in een boeking moet in hele centen zijn."))
        if item.account is None or item.account.id is None:
            raise UnbalancedTransaction(_l("Een boeking heeft een bestaande rekening nodig."))
        if item.cents != 0:
            out.append(item)
    return out


def check_debits(session: Session, entries: Sequence[Entry], message=None) -> None:
    """Lock every budget account the entries take money from, re-read its balance, and refuse
    (InsufficientBalance) when it would go below zero. `message(account, balance, needed)`
    may word the refusal."""
    net: dict[int, int] = {}
    accounts: dict[int, LedgerAccount] = {}
    for e in entries:
        if e.account.kind in BUDGET_KINDS:
            net[e.account.id] = net.get(e.account.id, 0) + e.cents
            accounts[e.account.id] = e.account
    debited = [accounts[i] for i, cents in net.items() if cents < 0]
    if not debited:
        return
    lock(session, debited)
    current = balances(session, debited)
    for acc in sorted(debited, key=lambda a: a.id):
        needed = -net[acc.id]
        if current[acc.id] < needed:
            raise InsufficientBalance(acc, current[acc.id], needed,
                                      message(acc, current[acc.id], needed) if message else None)


def _replayed(transaction: LedgerTransaction) -> LedgerTransaction:
    transaction.posted_now = False
    return transaction


def post(session: Session, actor: Actor, *, key: str, kind: TransactionKind, description: str,
         booked_on: date, entries: Sequence, invoice_id: int | None = None,
         enrolment_id: int | None = None, reverses_id: int | None = None,
         refusal=None) -> LedgerTransaction:
    """Post one balanced transaction, once per idempotency `key`.

    `entries`: `Entry` objects or tuples (account, cents[, invoice_line_id]); zero amounts are
    left out. Raises UnbalancedTransaction for an empty or unbalanced set and
    InsufficientBalance when a budget account would go below zero — before writing anything.
    With an existing `key` the existing transaction is returned and nothing is written."""
    existing = transaction_by_key(session, key)
    if existing is not None:
        return _replayed(existing)
    items = _normalise(entries)
    if not items:
        raise UnbalancedTransaction(_l("Deze boeking heeft geen bedragen."))
    if sum(e.cents for e in items) != 0:
        raise UnbalancedTransaction()
    check_debits(session, items, refusal)
    # Waiting for a lock may have let a parallel call with the same key finish first.
    existing = transaction_by_key(session, key)
    if existing is not None:
        return _replayed(existing)
    try:
        with session.begin_nested():
            tx = LedgerTransaction(
                idempotency_key=key[:80], kind=kind, description=(description or "")[:300],
                booked_on=booked_on, invoice_id=invoice_id, enrolment_id=enrolment_id,
                reverses_id=reverses_id, created_by_id=actor.user_id)
            session.add(tx)
            session.flush()
            session.add_all([LedgerEntry(transaction_id=tx.id, account_id=e.account.id,
                                         amount_cents=e.cents, invoice_line_id=e.invoice_line_id)
                             for e in items])
            session.flush()
    except IntegrityError:
        winner = transaction_by_key(session, key)
        if winner is None:
            raise
        return _replayed(winner)
    tx.posted_now = True  # not a column: tells the caller this call wrote it (is_new)
    audit.record(session, actor, "ledger.posted", tx, key=tx.idempotency_key, kind=kind.value,
                 total=sum(e.cents for e in items if e.cents > 0))
    return tx


def is_new(transaction: LedgerTransaction | None) -> bool:
    """Whether `post()` wrote this transaction just now (False for an idempotent replay)."""
    return bool(getattr(transaction, "posted_now", False))


def reverse(session: Session, actor: Actor, transaction: LedgerTransaction, key: str,
            description: str, booked_on: date | None = None,
            invoice_id: int | None = None,
            enrolment_id: int | None = None) -> LedgerTransaction:
    """Post the negated entries of `transaction` (a correction); once per `key`."""
    originals = entries_of(session, transaction)
    ids = {e.account_id for e in originals}
    accounts = {a.id: a for a in session.scalars(select(LedgerAccount).where(
        LedgerAccount.id.in_(ids)))} if ids else {}
    return post(session, actor, key=key, kind=TransactionKind.REVERSAL, description=description,
                booked_on=booked_on or date.today(),
                entries=[Entry(accounts[e.account_id], -e.amount_cents, e.invoice_line_id)
                         for e in originals],
                invoice_id=invoice_id, enrolment_id=enrolment_id, reverses_id=transaction.id)
