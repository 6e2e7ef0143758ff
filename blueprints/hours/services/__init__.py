"""Rules for hours (uren): logging, approval, corrections, returned-hours mail, settings.

- Minutes are integers. Hours are typed with a Dutch comma ("2,5") or as a clock ("2:30");
  an entry holds more than 0 and at most 24 hours, on a date not in the future and not before
  the participant's first trajectory.
- A participant logs only for themselves (the participant record linked to their login), only
  on their own trajectories, and only on help requests they are planned on. Staff log for
  anyone in the tenant. Self-logged entries are approved at once when the tenant says its
  participants' hours need no approval (`Tenant.hours_need_approval`).
- A trajectory that has ended (closed, or past its planned end on the day worked) takes no
  more hours from its participant (a clear message, nothing stored); staff may still record
  hours on it, with the reason in the note.
- Status flow: ingediend -> goedgekeurd, or ingediend -> teruggestuurd (with a reason) ->
  ingediend again after the participant fixed it. Approved entries never change: a correction
  is a new entry pointing at the approved one (`corrects_id`) with signed minutes, and needs
  approval itself. One open correction per entry at a time, so that two corrections can never
  both subtract the same hours.
- Concurrency: review and correction lock the rows they decide on (`SELECT … FOR UPDATE` on
  PostgreSQL; SQLite serialises writers) and the `version` column is an optimistic lock on top
  (a stale page or a lost race raises `ConcurrentChange`, never a 500). The week grid locks the
  participants it writes for and compares each row's snapshot with the one the page showed.
- Every hour has a payer, derived, never stored: the help request's customer, else the
  trajectory's funder, else its host organisation's (`blueprints.hours.services.payer`).
- Warnings are messages, never silent failures: see `blueprints.hours.checks`. The week grid
  is in `blueprints.hours.week`, the lists in `blueprints.hours.lists`.
Services flush, never commit; the caller commits.

The rules live in the modules of this package; this module re-exports them.
"""
from __future__ import annotations

from blueprints.hours.services.entries import (  # noqa: F401
    CLOSED_REQUESTS,
    MAX_NOTE,
    MAX_REASON,
    ConcurrentChange,
    EntryContext,
    EntryData,
    EntryLocked,
    NeedsReason,
    Saved,
    _clean_note,
    _entry_with_key,
    _repeated,
    check_entry,
    check_may_approve,
    ended_before,
    flush_or_conflict,
    log_hours,
    send_if_approved,
    set_open_status,
)
from blueprints.hours.services.review import (  # noqa: F401
    MAX_STATEMENT_DAYS,
    _check_version,
    _lock,
    _own_or_staff,
    _refuse_unless_submitted,
    approve_entries,
    approved_minutes,
    check_period,
    correct_entry,
    corrections_of,
    get_entry,
    notify_returned,
    record_statement,
    return_entry,
    update_entry,
    update_settings,
    withdraw_entry,
)
from blueprints.hours.services.payer import PAYER, join_payer, payers_of  # noqa: F401
