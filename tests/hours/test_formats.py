"""How hours are typed and shown: Dutch comma, clock notation, limits, weeks, type names."""
from __future__ import annotations

from datetime import date

import pytest

from blueprints.hours.formats import (
    format_minutes,
    parse_minutes,
    parse_rate_cents,
    type_label,
)
from blueprints.hours.models import HourType
from tenants.errors import DomainError
from tenants.weeks import parse_week, week_key


@pytest.mark.parametrize("typed,minutes", [
    ("2,5", 150), ("2.5", 150), ("2:30", 150), ("2", 120), ("0,25", 15), (",5", 30),
    ("8 uur", 480), ("1,33", 80), ("24", 1440), (" 7:05 ", 425), ("3u", 180),
])
def test_hours_are_typed_with_a_dutch_comma_or_as_a_clock(typed, minutes):
    assert parse_minutes(typed) == minutes


@pytest.mark.parametrize("typed,message", [
    ("", "Vul het aantal uren in"), ("twee", "Vul het aantal uren in"),
    ("2,5,5", "Vul het aantal uren in"), ("-1", "Vul het aantal uren in"),
    ("0", "meer dan 0 en hoogstens 24"), ("24,5", "meer dan 0 en hoogstens 24"),
    ("25", "meer dan 0 en hoogstens 24"), ("2:75", "Vul het aantal uren in"),
])
def test_hours_outside_the_limits_are_refused_in_dutch(typed, message):
    with pytest.raises(DomainError, match=message):
        parse_minutes(typed)


def test_zero_is_allowed_only_for_a_correction():
    assert parse_minutes("0", allow_zero=True) == 0


@pytest.mark.parametrize("minutes,text", [(150, "2,5"), (480, "8"), (-90, "-1,5"), (20, "0,33"),
                                          (135, "2,25"), (0, "0")])
def test_minutes_read_as_hours_with_a_comma(minutes, text):
    assert format_minutes(minutes) == text


def test_iso_weeks():
    today = date(2026, 11, 25)
    assert parse_week("2026-W48", today) == date(2026, 11, 23)
    assert parse_week("2026-W53", today) == date(2026, 12, 28)  # 2026 starts on a Thursday
    assert parse_week("2025-W53", today) == date(2026, 11, 23)  # no such week: this week
    assert parse_week("rommel", today) == date(2026, 11, 23)
    assert parse_week("2020-W53", today) == date(2020, 12, 28)
    assert week_key(date(2026, 11, 23)) == "2026-W48"
    assert week_key(date(2027, 1, 4)) == "2027-W01"


def test_tegenprestatie_is_renamed_by_date():
    assert type_label(HourType.COUNTER_PERFORMANCE, date(2025, 6, 1)) == "Tegenprestatie"
    assert type_label(HourType.COUNTER_PERFORMANCE, date(2026, 6, 1)) == \
        "Tegenprestatie / maatschappelijke participatie"
    assert type_label(HourType.COUNTER_PERFORMANCE, date(2027, 1, 1)) == \
        "Maatschappelijke participatie"
    assert type_label(HourType.VOLUNTEER) == "Vrijwilligerswerk"


@pytest.mark.parametrize("typed,cents", [("2,50", 250), ("€ 2,50", 250), ("3", 300), ("", None),
                                         ("0", None), ("5.6", 560)])
def test_allowance_rate_in_euros(typed, cents):
    assert parse_rate_cents(typed) == cents


@pytest.mark.parametrize("typed", ["abc", "25,00", "-1"])
def test_allowance_rate_refuses_nonsense(typed):
    with pytest.raises(DomainError):
        parse_rate_cents(typed)
