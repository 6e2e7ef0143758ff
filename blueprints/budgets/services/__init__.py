"""Rules for training budgets: the allocation policy, crediting paid invoices, reversing for
credit notes, the course catalogue, proposals and approvals, and unspent budget at the end of a
trajectory. The bookkeeping itself is in ledger.py (double entry, append-only, idempotent).

Accounts: "participant:<id>" (a participant's budget), "pool" (the collective pool), and the
counter-accounts "earnings", "courses", "cooperative". Transactions and their keys:
- allocation:<invoice id>   a paid invoice: +budget (+pool share) / −earnings, one entry pair
                            per invoice line that has a participant (the line is "what earned it");
- reversal:<credit note id> a credit note after the allocation: +earnings / −budget, and where
                            the budget was already spent, −cooperative (the cooperative absorbs it,
                            no budget goes below zero);
- course:<enrolment id>     an approved course: −budget, −pool, or both (the budget as far as
                            it goes, the rest from the pool) / +courses;
- to-pool:<trajectory id>   the end of the last running trajectory under the "naar de pot" rule.

Stored descriptions name invoices and courses, never the participant: the ledger is kept for
seven years and stays readable after a participant is anonymised.

Services flush, never commit; they take the session, the actor and plain values.
"""
from __future__ import annotations

from blueprints.budgets.services.allocation import (
    allocate_invoice,
    line_value,
    reverse_for_credit_note,
    reverse_for_refund,
    split_pool,
    uncredited,
)
from blueprints.budgets.services.courses import (
    CourseData,
    courses,
    create_course,
    get_course,
    update_course,
)
from blueprints.budgets.services.enrolments import (
    approve_enrolment,
    cancel_enrolment,
    decline_enrolment,
    get_enrolment,
    propose_course,
    request_course,
    withdraw_enrolment,
)
from blueprints.budgets.services.policy import get_policy, policy_summary, save_policy
from blueprints.budgets.services.rules import (
    AMSTERDAM,
    KIND_LABELS,
    MAX_COURSE_HOURS,
    MODE_LABELS,
    PAGE_SIZE,
    STATUS_LABELS,
    UNSPENT_LABELS,
    half_up,
)
from blueprints.budgets.services.trajectory_end import handle_trajectory_end

# re-exported as before the split (callers use services.<name>)
from blueprints.budgets.models import LedgerAccount

__all__ = [
    "AMSTERDAM",
    "KIND_LABELS",
    "MAX_COURSE_HOURS",
    "MODE_LABELS",
    "PAGE_SIZE",
    "STATUS_LABELS",
    "UNSPENT_LABELS",
    "CourseData",
    "LedgerAccount",
    "allocate_invoice",
    "approve_enrolment",
    "cancel_enrolment",
    "courses",
    "create_course",
    "decline_enrolment",
    "get_course",
    "get_enrolment",
    "get_policy",
    "half_up",
    "handle_trajectory_end",
    "line_value",
    "policy_summary",
    "propose_course",
    "request_course",
    "reverse_for_credit_note",
    "reverse_for_refund",
    "save_policy",
    "split_pool",
    "uncredited",
    "update_course",
    "withdraw_enrolment",
]
