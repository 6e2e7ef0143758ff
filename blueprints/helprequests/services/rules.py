"""What every help-request service shares: labels, the status transitions, and the small
parsers (money, ISO weeks).
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from blueprints.helprequests.models import JobKind, Payer, PriceAgreement, RequestStatus, Source
from blueprints.participants.models import Participant
from tenants.errors import DomainError
from tenants.formatting import format_number

PAGE_SIZE = 25
COUNTER = "help_request"
MAX_PARTICIPANTS = 10

KIND_LABELS = {
    JobKind.GROCERIES: _l("Boodschappen"), JobKind.GARDEN: _l("Tuin"),
    JobKind.FENCE: _l("Schutting"), JobKind.SMALL_REPAIR: _l("Klein technisch"),
    JobKind.CLEANING: _l("Schoonmaak"), JobKind.COMPANY: _l("Gezelschap"),
    JobKind.OTHER: _l("Anders"),
}
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
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MONEY = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
MAX_PRICE_CENTS = 10_000_000  # € 100.000: anything above is a typing error


# --- small parsers ---------------------------------------------------------------------------

def parse_money(text: str | None) -> int | None:
    """Euros as typed in Dutch ("25", "12,50", "€ 1.234,5") to integer cents; None when empty.

    A dot is a thousands separator, a comma the decimal one (at most two decimals). Without a
    comma, a dot followed by exactly two digits at the end ("25.00") is read as the decimal
    point, as an English speaker types it; "12.500" stays twelve thousand five hundred."""
    value = (text or "").replace("€", "").replace("\u00a0", "").strip().replace(" ", "")
    if not value:
        return None
    if "," not in value and re.fullmatch(r"\d+\.\d{2}", value):
        value = value.replace(".", ",")
    match = _MONEY.match(value)
    if match is None:
        raise DomainError(_l("Vul een bedrag in euro's in, bijvoorbeeld 25 of 12,50."))
    euros = int(match.group(1).replace(".", ""))
    cents = int((match.group(2) or "0").ljust(2, "0"))
    total = euros * 100 + cents
    if total > MAX_PRICE_CENTS:
        raise DomainError(_l("Dit bedrag is te hoog. Controleer de prijs."))
    return total


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week(text: str | None, today: date) -> date:
    """The Monday of an ISO week written as 2026-W48; this week when missing or invalid."""
    match = _WEEK.match((text or "").strip())
    if match:
        try:
            return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            pass
    return monday_of(today)


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def vog_valid_on(participant: Participant, day: date) -> bool:
    """A VOG is present and not due for renewal on `day` (renewal about every 3 years)."""
    return bool(participant.vog_present) and (
        participant.vog_renewal_due is None or participant.vog_renewal_due > day)


def _hours_text(hours: Decimal) -> str:
    return format_number(hours, 0 if hours == hours.to_integral_value() else 1)
