"""Rules for help requests (hulpvragen / klussen): intake, the status flow, planning, suggestions.

- A request comes in through the public page (`receive_request`, no account) or is entered by
  staff (`create_request`: by phone, at the counter, from a partner). Each gets a reference
  `<year>-<n>` from a per-tenant counter, consecutive without gaps. Nothing is ever looked up by
  the resident's address: the public page answers the same whoever asks.
- Status flow: nieuw -> ingepland -> uitgevoerd -> gefactureerd; nieuw or ingepland ->
  afgewezen, with a reason the resident is told. A planned job may be planned again (another
  date, other participants). `mark_invoiced` is the only way to "gefactureerd": the invoicing
  feature calls it.
- Planning needs participants with a running trajectory, and a valid VOG when the job asks for
  one. `suggest` ranks who could do a job on a date and says why (see its docstring).
- The audit log gets every step, never the resident's personal data.
"""
from __future__ import annotations

from blueprints.helprequests.services.flow import (
    decline_request,
    mark_done,
    report_own_job_done,
    mark_invoiced,
    plan_request,
)
from blueprints.helprequests.services.intake import (
    PublicRequestData,
    RequestData,
    create_request,
    get_request,
    next_reference,
    plausible_reference,
    receive_request,
    update_request,
)
from blueprints.helprequests.services.notifications import (
    accounts_to_notify,
    inbox_users,
    set_email_notifications,
)
from blueprints.helprequests.services.queries import (
    RequestFilter,
    RequestRow,
    Undated,
    help_requests_of,
    jobs_of,
    list_requests,
    plannable_participants,
    request_detail,
    undated_requests,
    week_planning,
)
from blueprints.helprequests.services.rules import (
    COUNTER,
    KIND_LABELS,
    MAX_PARTICIPANTS,
    PAGE_SIZE,
    PAYER_LABELS,
    PRICE_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    TRANSITIONS,
    VOG_BY_DEFAULT,
    duration_text,
    vog_valid_on,
)
from blueprints.helprequests.services.suggestions import (
    PENALTY_BUSY_THAT_DAY,
    PENALTY_NO_HOURS_LEFT,
    PENALTY_UNAVAILABLE_DAY,
    SCORE_AVAILABLE_DAY,
    SCORE_HOURS_LEFT_MAX,
    SCORE_LIVES_HERE,
    SCORE_SKILL,
    SCORE_WORKED_HERE,
    SKILL_REASONS,
    SKILL_WORDS,
    WEEKDAYS,
    Suggestion,
    rank,
    suggest,
)
# re-exported as before the split (callers use services.neighbourhood_id)
from blueprints.participants.services import neighbourhood_id

__all__ = [
    "COUNTER",
    "KIND_LABELS",
    "MAX_PARTICIPANTS",
    "PAGE_SIZE",
    "PAYER_LABELS",
    "PENALTY_BUSY_THAT_DAY",
    "PENALTY_NO_HOURS_LEFT",
    "PENALTY_UNAVAILABLE_DAY",
    "PRICE_LABELS",
    "SCORE_AVAILABLE_DAY",
    "SCORE_HOURS_LEFT_MAX",
    "SCORE_LIVES_HERE",
    "SCORE_SKILL",
    "SCORE_WORKED_HERE",
    "SKILL_REASONS",
    "SKILL_WORDS",
    "SOURCE_LABELS",
    "STATUS_LABELS",
    "TRANSITIONS",
    "VOG_BY_DEFAULT",
    "WEEKDAYS",
    "PublicRequestData",
    "RequestData",
    "RequestFilter",
    "RequestRow",
    "Suggestion",
    "Undated",
    "accounts_to_notify",
    "create_request",
    "decline_request",
    "duration_text",
    "get_request",
    "inbox_users",
    "help_requests_of",
    "jobs_of",
    "list_requests",
    "mark_done",
    "report_own_job_done",
    "mark_invoiced",
    "neighbourhood_id",
    "next_reference",
    "plan_request",
    "plannable_participants",
    "plausible_reference",
    "rank",
    "receive_request",
    "request_detail",
    "set_email_notifications",
    "suggest",
    "undated_requests",
    "update_request",
    "vog_valid_on",
    "week_planning",
]
