"""Rules for participants, host organisations, exemptions and consents.

- No BSN: free-text fields refuse anything that looks like one (nine digits passing the
  elfproef), with a message that says why.
- Dates make sense: born in the past, VOG not dated in the future; a VOG is renewed about
  every 3 years, so the renewal date defaults to three years after the VOG date.
- An exemption is recorded as the municipality decided it: article, obligations, period.
- Consent is given and withdrawn with dates; a withdrawn consent is never deleted.
- Every view of and change to a participant's file is written to the audit log.
"""
from __future__ import annotations

from blueprints.participants.services.exemptions import (
    active_exemption,
    add_exemption,
    consents_of,
    exemptions_of,
    give_consent,
    has_consent,
    withdraw_consent,
)
from blueprints.participants.services.host_organisations import (
    HostData,
    check_payer,
    create_host,
    get_host,
    hosts,
    payer_name,
    payer_options,
    update_host,
)
from blueprints.participants.services.participants import (
    FREE_TEXT_FIELDS,
    ParticipantData,
    ParticipantFile,
    create_participant,
    get_participant,
    link_account,
    linkable_accounts,
    neighbourhood_id,
    participant_file,
    participant_for_user,
    record_view,
    target_groups,
    update_participant,
)
from blueprints.participants.services.queries import (
    ParticipantFilter,
    ParticipantRow,
    filter_choices,
    filtered,
    list_participants,
    neighbourhood_choices,
    neighbourhoods,
    staff,
)
from blueprints.participants.services.rules import (
    BENEFIT_LABELS,
    CONSENT_KINDS,
    DAYS,
    EXEMPTION_ARTICLES,
    HOST_KINDS,
    OBLIGATIONS,
    PAGE_SIZE,
    TARGET_GROUPS,
    VOG_VALID_YEARS,
    normalise_postcode,
)
# re-exported as before the split (the BSN guard is the kernel's)
from tenants.bsn import BSN_MESSAGE, contains_bsn

__all__ = [
    "BENEFIT_LABELS",
    "BSN_MESSAGE",
    "CONSENT_KINDS",
    "DAYS",
    "EXEMPTION_ARTICLES",
    "FREE_TEXT_FIELDS",
    "HOST_KINDS",
    "OBLIGATIONS",
    "PAGE_SIZE",
    "TARGET_GROUPS",
    "VOG_VALID_YEARS",
    "HostData",
    "ParticipantData",
    "ParticipantFile",
    "ParticipantFilter",
    "ParticipantRow",
    "active_exemption",
    "add_exemption",
    "check_payer",
    "consents_of",
    "contains_bsn",
    "create_host",
    "create_participant",
    "exemptions_of",
    "filter_choices",
    "filtered",
    "get_host",
    "get_participant",
    "give_consent",
    "has_consent",
    "hosts",
    "link_account",
    "linkable_accounts",
    "list_participants",
    "neighbourhood_choices",
    "neighbourhood_id",
    "neighbourhoods",
    "normalise_postcode",
    "participant_file",
    "participant_for_user",
    "payer_name",
    "payer_options",
    "record_view",
    "staff",
    "target_groups",
    "update_host",
    "update_participant",
    "withdraw_consent",
]
