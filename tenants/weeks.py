"""ISO weeks, as the hours and planning pages name them: "2026-W48" in the URL, its Monday
inside."""
from __future__ import annotations

import re
from datetime import date, timedelta

YEAR_MIN, YEAR_MAX = 1900, 2100  # tenants.inputs' range of dates
_WEEK = re.compile(r"^([0-9]{4})-W([0-9]{2})$", re.ASCII)


def monday_of(day: date) -> date:
    """The Monday of the ISO week `day` falls in."""
    return day - timedelta(days=day.weekday())


def parse_week(text: str | None, today: date) -> date:
    """"2026-W48" -> the Monday of that ISO week; anything else (missing, malformed, a week 53
    the year lacks, a year outside 1900-2100 whose neighbouring weeks a page cannot show) ->
    this week's Monday."""
    match = _WEEK.match((text or "").strip())
    if match and YEAR_MIN <= int(match.group(1)) <= YEAR_MAX:
        try:
            return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            pass
    return monday_of(today)


def week_key(monday: date) -> str:
    """The ISO week of `monday` as written in a URL: 2026-W48."""
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"
