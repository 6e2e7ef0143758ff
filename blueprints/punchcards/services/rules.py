"""What every punch-card service shares: limits and small helpers."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from blueprints.hours.formats import format_minutes
from tenants.errors import DomainError

MAX_PUNCH_CARD_HOURS = 1000

_HOURS = re.compile(r"^\d{1,4}(?:[.,]\d{1,2})?$")


def _text(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(_l("Een van de velden is te lang: hoogstens %(n)s tekens.", n=limit))
    return value or None


def hours_text(minutes: int) -> str:
    """Minutes for a message: 150 -> "2,5 uur"."""
    return str(_l("%(hours)s uur", hours=format_minutes(minutes)))
