"""The hand-written date and money formats (tenants/formatting.py) write what Babel writes."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_currency, format_decimal
from flask_babel import force_locale, get_timezone

from tenants import formatting


def _amounts():
    rng = random.Random(11)
    yield from (0, 1, -1, 5, 99, 100, -100, 999_99, 1000_00, -1234_56, 10**12, -(10**12))
    for _ in range(500):
        yield rng.randint(-(10**11), 10**11)


def test_money_is_babels_in_both_languages(app):
    with app.test_request_context("/"):
        for lang, locale in formatting.BABEL_LOCALES.items():
            with force_locale(lang):
                for cents in _amounts():
                    expected = format_currency(Decimal(cents) / 100, "EUR", locale=locale)
                    assert formatting.format_money(cents) == expected, (lang, cents)
        assert formatting.format_money(123456) == "€\xa01.234,56"
        assert formatting.format_money(None) == ""


def test_dates_are_babels_in_both_languages(app):
    day = date(1, 1, 1)
    moments = [datetime(2026, 3, 29, 0, 59, tzinfo=timezone.utc),  # summer time starts
               datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc),
               datetime(2026, 12, 31, 23, 30),  # naive: UTC
               datetime(999, 5, 7, 8, 9, tzinfo=timezone.utc)]
    with app.test_request_context("/"):
        zone = get_timezone()
        for lang, locale in formatting.BABEL_LOCALES.items():
            pattern = formatting.DATE_PATTERNS[lang]
            with force_locale(lang):
                for days in (0, 9, 40, 400, 700_000, 738_000):
                    d = day + timedelta(days=days)
                    assert formatting.format_date(d) == babel_date(d, pattern, locale=locale)
                assert formatting.format_date("2026-11-22") == babel_date(
                    date(2026, 11, 22), pattern, locale=locale)
                for_rows = formatting.datetime_formatter()
                for moment in moments:
                    assert formatting.format_datetime(moment) == babel_datetime(
                        moment, f"{pattern} HH:mm", tzinfo=zone, locale=locale), moment
                    assert for_rows(moment) == formatting.format_datetime(moment)
                assert for_rows(None) == ""
        assert formatting.format_date(date(2026, 11, 22)) == "22-11-2026"
        assert formatting.format_date(None) == formatting.format_datetime(None) == ""


def _numbers():
    rng = random.Random(11)
    yield from (0, 1, 0.05, 0.15, 0.25, 2.25, 2.35, 0.5, 1.5, 2.5, 999.95, 1234.5, 7 / 3, 1e-7,
                1e16, 10**12, Decimal("2.25"), Decimal("1.005"), Decimal("0.00"), -1, -2.25,
                -0.04, Decimal("-1234.5"), float("nan"), float("inf"))
    for _ in range(300):
        yield rng.random() * 10 ** rng.randint(0, 8)
        yield rng.randint(0, 4000) / 60  # hours from minutes
        yield Decimal(rng.randint(0, 10**8)) / 1000


def test_numbers_are_babels_in_both_languages(app):
    with app.test_request_context("/"):
        for lang, locale in formatting.BABEL_LOCALES.items():
            with force_locale(lang):
                for value in _numbers():
                    for digits in (0, 1, 2):
                        fmt = "#,##0" + ("." + "0" * digits if digits else "")
                        expected = format_decimal(value, format=fmt, locale=locale)
                        assert formatting.format_number(value, digits) == expected, \
                            (lang, value, digits)
        assert formatting.format_number(1234.56) == "1.234,6"
        assert formatting.format_number(2.25) == "2,2"  # half to even, as Babel
        assert formatting.format_number(None) == ""
