"""Hours as people type and read them: minutes from "2,5" or "2:30" and back, ISO weeks,
month names, and the names of hour types and statuses (tegenprestatie is renamed by date)."""
from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.dates import format_date as babel_format_date
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from blueprints.hours.models import EntryStatus, HourType, TimeEntry  # noqa: F401
from blueprints.trajectories.models import Trajectory, TrajectoryKind, TrajectoryStatus
from tenants.errors import DomainError

MAX_MINUTES = 24 * 60
MAX_RATE_CENTS = 2000  # € 20 an hour: anything above is a typing error

STATUS_LABELS = {
    EntryStatus.SUBMITTED: _l("Wacht op goedkeuring"),
    EntryStatus.APPROVED: _l("Goedgekeurd"),
    EntryStatus.RETURNED: _l("Teruggestuurd"),
}
_TYPE_LABELS = {
    HourType.TRAJECTORY: _l("Trajectwerk"),
    HourType.VOLUNTEER: _l("Vrijwilligerswerk"),
    HourType.TRAINING: _l("Scholing (leeruren)"),
}
#: Tegenprestatie becomes "maatschappelijke participatie" on 1 January 2027; 2026 is a
#: transition year (DOMAIN.md). Newest first: the first whose date has come applies.
_COUNTER_PERFORMANCE_LABELS = (
    (date(2027, 1, 1), _l("Maatschappelijke participatie")),
    (date(2026, 1, 1), _l("Tegenprestatie / maatschappelijke participatie")),
    (date.min, _l("Tegenprestatie")),
)
HOUR_TYPES = (HourType.TRAJECTORY, HourType.VOLUNTEER, HourType.COUNTER_PERFORMANCE,
              HourType.TRAINING)



def type_label(hour_type: HourType, on: date | None = None) -> str:
    """The name of an hour type on a date (tegenprestatie is renamed from 2027)."""
    if hour_type == HourType.COUNTER_PERFORMANCE:
        on = on or date.today()
        return str(next(label for start, label in _COUNTER_PERFORMANCE_LABELS if on >= start))
    return str(_TYPE_LABELS[hour_type])


def type_choices(on: date | None = None) -> list[tuple[str, str]]:
    return [(t.value, type_label(t, on)) for t in HOUR_TYPES]


def format_minutes(minutes: int | None) -> str:
    """150 -> "2,5"; 480 -> "8"; -90 -> "-1,5"; 20 -> "0,33" (hours, Dutch decimal comma)."""
    if minutes is None:
        return ""
    hours = (Decimal(int(minutes)) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)
    text = format(hours.normalize(), "f") if hours != hours.to_integral_value() \
        else str(hours.to_integral_value())
    return text.replace(".", ",")


_DECIMAL_HOURS = re.compile(r"^\d{1,2}(?:[.,]\d{1,2})?$|^[.,]\d{1,2}$")
_CLOCK_HOURS = re.compile(r"^(\d{1,2}):([0-5]\d)$")


def parse_minutes(text: str | None, *, allow_zero: bool = False) -> int:
    """Hours as typed ("2,5", "2.5", "2:30", "2,5 uur") -> minutes; more than 0 and at most 24
    hours (0 allowed with `allow_zero`, for a correction to nothing). Raises DomainError."""
    raw = re.sub(r"\s*(uur|u)$", "", (text or "").strip().lower()).replace(" ", "")
    if not raw:
        raise DomainError(_l("Vul het aantal uren in, bijvoorbeeld 2,5 of 2:30."))
    clock = _CLOCK_HOURS.match(raw)
    if clock:
        minutes = int(clock.group(1)) * 60 + int(clock.group(2))
    elif _DECIMAL_HOURS.match(raw):
        try:
            hours = Decimal(raw.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern already checked it
            raise DomainError(_l("Vul het aantal uren in, bijvoorbeeld 2,5 of 2:30."))
        minutes = int((hours * 60).quantize(Decimal(1), ROUND_HALF_UP))
    else:
        raise DomainError(_l("Vul het aantal uren in, bijvoorbeeld 2,5 of 2:30."))
    if minutes > MAX_MINUTES or minutes < 0 or (minutes == 0 and not allow_zero):
        raise DomainError(_l("Vul meer dan 0 en hoogstens 24 uur in."))
    return minutes


def parse_rate_cents(text: str | None) -> int | None:
    """A volunteer allowance per hour in euros ("2,50", "€ 2,50") -> cents; empty or 0 -> None."""
    raw = (text or "").replace("€", "").replace(" ", "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"\d{1,3}(?:[.,]\d{1,2})?", raw):
        raise DomainError(_l("Vul het bedrag per uur in euro's in, bijvoorbeeld 2,50."))
    cents = int((Decimal(raw.replace(",", ".")) * 100).quantize(Decimal(1)))
    if cents > MAX_RATE_CENTS:
        raise DomainError(_l("Een vrijwilligersvergoeding van meer dan € 20 per uur klopt vast "
                             "niet. Controleer het bedrag."))
    return cents or None


def _lang() -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in ("nl", "en") else "nl"


def month_label(day: date) -> str:
    return babel_format_date(day, "MMMM yyyy", locale={"nl": "nl_NL", "en": "en_GB"}[_lang()])


def trajectory_end(trajectory: Trajectory) -> date | None:
    if trajectory.status == TrajectoryStatus.ENDED and trajectory.outcome_on:
        return trajectory.outcome_on
    return trajectory.planned_end_on


def default_type(trajectory: Trajectory, help_request_id: int | None = None) -> HourType:
    """The hour type an entry gets when none is chosen: work on a help request is trajectory
    work; otherwise it follows the kind of trajectory."""
    if help_request_id is not None:
        return HourType.TRAJECTORY
    return {TrajectoryKind.VOLUNTEER: HourType.VOLUNTEER,
            TrajectoryKind.COUNTER_PERFORMANCE: HourType.COUNTER_PERFORMANCE}.get(
        trajectory.kind, HourType.TRAJECTORY)


def day_label(day: date, long: bool = False) -> str:
    """"ma 23-11" (column heads), or "maandag 23 november 2026" (labels for screen readers)."""
    return babel_format_date(day, "EEEE d MMMM yyyy" if long else "EEE d-M",
                             locale={"nl": "nl_NL", "en": "en_GB"}[_lang()])
