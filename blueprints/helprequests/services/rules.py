"""What every help-request service shares: labels and the status transitions. Money and ISO
weeks are the kernel's (tenants.money, tenants.weeks).
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from blueprints.helprequests.models import JobKind, Payer, PriceAgreement, RequestStatus, Source
from blueprints.participants.models import Participant
from tenants.formatting import format_number
from tenants.jobkinds import JOB_KIND_LABELS

PAGE_SIZE = 25
COUNTER = "help_request"
MAX_PARTICIPANTS = 10
#: how long a planned job may take, in minutes (a quarter of an hour to a long day)
MIN_DURATION, MAX_DURATION = 15, 12 * 60


def duration_text(minutes: int | None) -> str:
    """90 -> "1,5 uur" (nl) / "1.5 hours" (en); None -> ""."""
    from flask_babel import gettext
    from tenants.formatting import format_number

    if not minutes:
        return ""
    hours = minutes / 60
    return gettext("%(hours)s uur", hours=format_number(hours, 0 if hours == int(hours) else 1))

KIND_LABELS = JOB_KIND_LABELS
STATUS_LABELS = {
    RequestStatus.NEW: _l("Nieuw"), RequestStatus.PLANNED: _l("Ingepland"),
    RequestStatus.DONE: _l("Uitgevoerd"), RequestStatus.INVOICED: _l("Gefactureerd"),
    RequestStatus.DECLINED: _l("Afgewezen"),
}
SOURCE_LABELS = {
    Source.WEBSITE: _l("Website"), Source.PHONE: _l("Telefoon"), Source.COUNTER: _l("Balie"),
    Source.PARTNER: _l("Partner (woningcorporatie, gemeente)"),
}
PAYER_LABELS = {
    Payer.RESIDENT: _l("De bewoner"), Payer.HOUSING: _l("De woningcorporatie"),
    Payer.MUNICIPALITY: _l("De gemeente"), Payer.NOBODY: _l("Niemand"),
}
PRICE_LABELS = {
    PriceAgreement.FREE: _l("Gratis"), PriceAgreement.FIXED: _l("Vaste prijs"),
    PriceAgreement.HOURLY: _l("Uurtarief"),
    PriceAgreement.PUNCH_CARD: _l("Strippenkaart (vooraf betaald)"),
}
TRANSITIONS = {
    RequestStatus.NEW: {RequestStatus.PLANNED, RequestStatus.DECLINED},
    RequestStatus.PLANNED: {RequestStatus.PLANNED, RequestStatus.DONE, RequestStatus.DECLINED},
    RequestStatus.DONE: {RequestStatus.INVOICED},
    RequestStatus.INVOICED: set(),
    RequestStatus.DECLINED: set(),
}

#: Gezelschap means time alone with someone who may be vulnerable: a VOG is asked by default
#: (DOMAIN.md). Staff can change it per request.
VOG_BY_DEFAULT = frozenset({JobKind.COMPANY})


_PHONE = re.compile(r"^\+?[0-9(][0-9 ()\-./]{5,28}$")


def vog_valid_on(participant: Participant, day: date) -> bool:
    """A VOG is present and not due for renewal on `day` (renewal about every 3 years)."""
    return bool(participant.vog_present) and (
        participant.vog_renewal_due is None or participant.vog_renewal_due > day)


def _hours_text(hours: Decimal) -> str:
    return format_number(hours, 0 if hours == hours.to_integral_value() else 1)
