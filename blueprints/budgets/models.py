"""The allocation policy, the ledger (accounts, transactions, entries), courses and approvals.

Ledger sign convention: an entry's `amount_cents` is signed and the entries of one transaction
sum to zero. On a budget account (a participant's budget, the pool) a positive amount adds
money; the balance is the sum of its entries and never goes below zero. The counter-accounts
(`earnings`: what paid invoices brought in; `courses`: what courses cost; `cooperative`: what
the cooperative itself absorbs) carry the opposite sign. Transactions and entries are
append-only in the database; a correction is a reversing transaction.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import Base, TenantScoped, tenant_fk, utcnow
from tenants.models import _enum


class AllocationMode(str, enum.Enum):
    #: nothing is credited to budgets
    NONE = "geen"
    #: the invoiced value (excl. VAT) of the participant's lines
    INVOICED_VALUE = "gefactureerde_waarde"
    #: a percentage of that value
    PERCENTAGE = "percentage"
    #: a fixed amount per invoiced approved hour
    PER_HOUR = "per_uur"


class UnspentOnEnd(str, enum.Enum):
    #: the budget stays with the participant
    STAYS = "blijft"
    #: it moves to the collective pool when the trajectory ends
    TO_POOL = "naar_pot"


class BudgetPolicy(TenantScoped, Base):
    """The tenant's allocation rule (one row per tenant)."""

    __tablename__ = "budget_policies"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_budget_policies_tenant"),)

    mode: Mapped[AllocationMode] = mapped_column(_enum(AllocationMode, "allocation_mode"),
                                                 default=AllocationMode.INVOICED_VALUE)
    #: PERCENTAGE mode: whole percent 0–100
    percentage: Mapped[int | None]
    #: PER_HOUR mode: cents per invoiced hour
    cents_per_hour: Mapped[int | None]
    #: share (whole percent 0–100) of each allocation that goes to the collective pool
    pool_share_percent: Mapped[int] = mapped_column(default=0)
    unspent_on_end: Mapped[UnspentOnEnd] = mapped_column(_enum(UnspentOnEnd, "unspent_on_end"),
                                                         default=UnspentOnEnd.STAYS)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccountKind(str, enum.Enum):
    #: a participant's training budget
    PARTICIPANT = "deelnemer"
    #: the collective pool
    POOL = "pot"
    #: counter-account: earnings of paid invoices
    EARNINGS = "opbrengst"
    #: counter-account: course costs
    COURSES = "cursussen"
    #: counter-account: what the cooperative absorbs (a reversal beyond a spent budget)
    COOPERATIVE = "cooperatie"


class LedgerAccount(TenantScoped, Base):
    """An account. `key` is unique per tenant: "participant:<id>", "pool", "earnings", …"""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key"),
        tenant_fk("participant_id", "participants.id"),
        # a participant's account: the budget overview and the proposals join by it
        Index("ix_ledger_accounts_tenant_participant", "tenant_id", "participant_id"),
    )

    key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[AccountKind] = mapped_column(_enum(AccountKind, "account_kind"))
    participant_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TransactionKind(str, enum.Enum):
    #: earnings of a paid invoice credited to budgets
    ALLOCATION = "toekenning"
    #: a course paid from a budget
    COURSE = "cursus"
    #: a reversal (credit note, correction)
    REVERSAL = "terugboeking"
    #: unspent budget moved to the pool at the end of a trajectory
    TO_POOL = "naar_pot"
    #: a manual correction by an admin
    CORRECTION = "correctie"


class LedgerTransaction(TenantScoped, Base):
    """A balanced set of entries. Applied once per idempotency key."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        tenant_fk("invoice_id", "invoices.id"),
        tenant_fk("reverses_id", "ledger_transactions.id"),
        Index("ix_ledger_transactions_tenant_date", "tenant_id", "booked_on"),
    )

    idempotency_key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[TransactionKind] = mapped_column(_enum(TransactionKind, "transaction_kind"))
    description: Mapped[str] = mapped_column(String(300))
    booked_on: Mapped[date] = mapped_column(Date)
    #: the invoice (or credit note) that caused it
    invoice_id: Mapped[int | None]
    #: the course enrolment it paid (no FK: enrolments reference transactions)
    enrolment_id: Mapped[int | None]
    reverses_id: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerEntry(TenantScoped, Base):
    """One signed amount on one account; the entries of a transaction sum to zero."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        tenant_fk("transaction_id", "ledger_transactions.id"),
        tenant_fk("account_id", "ledger_accounts.id"),
        Index("ix_ledger_entries_tenant_account", "tenant_id", "account_id"),
        # the entries of a transaction: the balance check at commit runs once per entry
        Index("ix_ledger_entries_tenant_transaction", "tenant_id", "transaction_id"),
    )

    transaction_id: Mapped[int]
    account_id: Mapped[int]
    amount_cents: Mapped[int]
    #: for allocations: the invoice line that earned it (what earned the budget)
    invoice_line_id: Mapped[int | None]


class Course(TenantScoped, Base):
    """A course in the tenant's catalogue."""

    __tablename__ = "courses"
    __table_args__ = (Index("ix_courses_tenant_title", "tenant_id", "title"),)

    provider: Mapped[str] = mapped_column(String(150))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    cost_cents: Mapped[int]
    hours: Mapped[int | None]
    leads_to_certificate: Mapped[bool] = mapped_column(default=False)
    leads_to_praktijkverklaring: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EnrolmentStatus(str, enum.Enum):
    #: voorgesteld by a supervisor
    PROPOSED = "voorgesteld"
    #: goedgekeurd by an admin: the cost is debited
    APPROVED = "goedgekeurd"
    #: afgewezen
    DECLINED = "afgewezen"
    #: ingetrokken before a decision
    WITHDRAWN = "ingetrokken"
    #: geannuleerd after approval (the course did not take place): the cost is refunded
    CANCELLED = "geannuleerd"


class CourseEnrolment(TenantScoped, Base):
    """A course proposed for a participant, approved (and paid) or declined."""

    __tablename__ = "course_enrolments"
    __table_args__ = (
        tenant_fk("participant_id", "participants.id"),
        tenant_fk("course_id", "courses.id"),
        tenant_fk("transaction_id", "ledger_transactions.id"),
        Index("ix_course_enrolments_tenant_status", "tenant_id", "status"),
    )

    participant_id: Mapped[int]
    course_id: Mapped[int]
    status: Mapped[EnrolmentStatus] = mapped_column(_enum(EnrolmentStatus, "enrolment_status"),
                                                    default=EnrolmentStatus.PROPOSED)
    #: the course's cost when proposed (the catalogue price may change later)
    cost_cents: Mapped[int]
    motivation: Mapped[str | None] = mapped_column(Text)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    transaction_id: Mapped[int | None]
    starts_on: Mapped[date | None] = mapped_column(Date)
