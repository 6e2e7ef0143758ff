"""Report periods: a month, quarter, year or custom dates, and the period to compare with."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from tenants.errors import DomainError
from tenants.formatting import format_date

KINDS = ("maand", "kwartaal", "jaar", "eigen")
COMPARISONS = ("vorige", "vorig_jaar")
KIND_LABELS = {"maand": _l("Maand"), "kwartaal": _l("Kwartaal"), "jaar": _l("Jaar"),
               "eigen": _l("Eigen periode")}
COMPARISON_LABELS = {"vorige": _l("Vorige periode"), "vorig_jaar": _l("Zelfde periode vorig jaar")}
MONTH_NAMES = (_l("januari"), _l("februari"), _l("maart"), _l("april"), _l("mei"), _l("juni"),
               _l("juli"), _l("augustus"), _l("september"), _l("oktober"), _l("november"),
               _l("december"))
MAX_DAYS = 3 * 366 + 1  # a custom period of at most three years


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both included."""
    kind: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.kind == "maand":
            return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        if self.kind == "kwartaal":
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        if self.kind == "jaar":
            return str(self.start.year)
        return f"{format_date(self.start)} – {format_date(self.end)}"


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))


def _int(value, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def choose(args, today: date) -> Period:
    """The period a GET form asks for (periode, jaar, maand, kwartaal, van, tot); missing or
    odd values fall back to the last full month, a month of this year, etc. Raises DomainError
    for custom dates that are missing, reversed or longer than three years."""
    kind = args.get("periode") if args.get("periode") in KINDS else "maand"
    last_month = today.replace(day=1) - timedelta(days=1)
    year = _int(args.get("jaar"), last_month.year if kind == "maand" else today.year,
                2000, 2100)
    if kind == "maand":
        month = _int(args.get("maand"), last_month.month, 1, 12)
        return Period(kind, date(year, month, 1), _month_end(year, month))
    if kind == "kwartaal":
        quarter = _int(args.get("kwartaal"), (today.month - 1) // 3 + 1, 1, 4)
        first = 3 * quarter - 2
        return Period(kind, date(year, first, 1), _month_end(year, first + 2))
    if kind == "jaar":
        return Period(kind, date(year, 1, 1), date(year, 12, 31))
    start, end = _date(args.get("van")), _date(args.get("tot"))
    if start is None or end is None:
        raise DomainError(_l("Vul bij een eigen periode een begin- en einddatum in."))
    if end < start:
        raise DomainError(_l("De einddatum ligt vóór de begindatum."))
    if (end - start).days + 1 > MAX_DAYS:
        raise DomainError(_l("Kies een periode van hoogstens drie jaar."))
    return Period(kind, start, end)


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def compared(period: Period, how: str) -> Period:
    """The period to compare with: the one before (a month, quarter or year before; for custom
    dates the same number of days just before), or the same dates a year earlier."""
    if how == "vorig_jaar":
        return Period(period.kind, _year_earlier(period.start), _year_earlier(period.end))
    if period.kind == "maand":
        end = period.start - timedelta(days=1)
        return Period("maand", end.replace(day=1), end)
    if period.kind == "kwartaal":
        end = period.start - timedelta(days=1)
        return Period("kwartaal", date(end.year, end.month - 2, 1), end)
    if period.kind == "jaar":
        return Period("jaar", date(period.start.year - 1, 1, 1), date(period.start.year - 1, 12, 31))
    end = period.start - timedelta(days=1)
    return Period("eigen", end - timedelta(days=period.days - 1), end)


def quarters(period: Period) -> list[Period]:
    """The calendar quarters that overlap the period, each cut to the period's dates (a month
    has one, a year four). A cut quarter keeps kind "kwartaal" only when it is whole."""
    result, start = [], period.start
    while start <= period.end:
        first = 3 * ((start.month - 1) // 3) + 1
        end = min(_month_end(start.year, first + 2), period.end)
        whole = start == date(start.year, first, 1) and end == _month_end(start.year, first + 2)
        result.append(Period("kwartaal" if whole else "eigen", start, end))
        start = end + timedelta(days=1)
    return result


def quarter_label(part: Period) -> str:
    """"Q2 2026", or for a cut quarter "Q2 2026 (deel)"."""
    name = f"Q{(part.start.month - 1) // 3 + 1} {part.start.year}"
    if part.kind == "kwartaal":
        return name
    return str(_l("%(quarter)s (deel)", quarter=name))
