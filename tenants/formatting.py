"""Dutch formats for the interface: 22-11-2026, € 1.234,56 (English as second locale).

A list page formats a few hundred dates and amounts, and Babel parses its locale and pattern on
every call (about 15 µs a date, 60 µs an amount). The fixed date patterns are therefore written
out by hand (`DATE_FORMATS`, the same text as Babel's `DATE_PATTERNS`), and money is formatted
from the locale's separators and currency prefix and suffix, taken from Babel once per locale.
tests/core/test_formatting.py checks both against Babel over many values.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from babel.numbers import format_currency, format_decimal
from flask.globals import _cv_app
from flask_babel import get_locale, get_timezone

DATE_PATTERNS = {"nl": "dd-MM-yyyy", "en": "dd/MM/yyyy"}
#: DATE_PATTERNS as str.format: the same text, without Babel's pattern interpreter.
DATE_FORMATS = {"nl": "{0.day:02d}-{0.month:02d}-{0.year:04d}",
                "en": "{0.day:02d}/{0.month:02d}/{0.year:04d}"}
BABEL_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def _lang() -> str:
    locale = None
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        babel_ctx = app_ctx.g.__dict__.get("_flask_babel")  # Flask-Babel's per-request cache
        locale = babel_ctx.__dict__.get("babel_locale") if babel_ctx is not None else None
        if locale is None:
            locale = get_locale()
    return locale.language if locale is not None and locale.language in DATE_PATTERNS else "nl"


def format_date(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(get_timezone()).date()
    return DATE_FORMATS[_lang()].format(value)


def format_datetime(value: datetime | None) -> str:
    """In the request's time zone; a naive value is UTC (as Babel takes it)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(get_timezone())
    return DATE_FORMATS[_lang()].format(value) + f" {value.hour:02d}:{value.minute:02d}"


def datetime_formatter():
    """`format_datetime` with the request's time zone and language looked up once: for the rows
    of a list (each lookup goes through Flask-Babel's context, ~20 µs a row)."""
    zone, pattern, utc = get_timezone(), DATE_FORMATS[_lang()], timezone.utc

    def format_one(value: datetime | None) -> str:
        if value is None:
            return ""
        if value.tzinfo is None:
            value = value.replace(tzinfo=utc)
        value = value.astimezone(zone)
        return pattern.format(value) + f" {value.hour:02d}:{value.minute:02d}"
    return format_one


@cache
def _money_shape(lang: str) -> tuple[str, str, str, str, str, str]:
    """(prefix, suffix, negative prefix, negative suffix, group, decimal) of the locale's
    euro amounts, read off Babel's own rendering of one amount."""
    locale = BABEL_LOCALES[lang]
    digits = format_decimal(Decimal("1234567.89"), format="#,##0.00", locale=locale)
    positive = format_currency(Decimal("1234567.89"), "EUR", locale=locale)
    negative = format_currency(Decimal("-1234567.89"), "EUR", locale=locale)
    prefix, suffix = positive.split(digits)
    negative_prefix, negative_suffix = negative.split(digits)
    return prefix, suffix, negative_prefix, negative_suffix, digits[1], digits[-3]


def format_money(cents: int | None) -> str:
    """Integer cents as money: 123456 -> '€ 1.234,56' (nl), the text Babel writes."""
    if cents is None:
        return ""
    cents = int(cents)
    prefix, suffix, negative_prefix, negative_suffix, group, decimal = _money_shape(_lang())
    euros, rest = divmod(abs(cents), 100)
    text = f"{euros:,}".replace(",", group) + f"{decimal}{rest:02d}"
    if cents < 0:
        return negative_prefix + text + negative_suffix
    return prefix + text + suffix


@cache
def _quantum(digits: int) -> Decimal:
    return Decimal(1).scaleb(-digits)


def format_number(value, digits: int = 1) -> str:
    """A number with `digits` decimals and the locale's separators: 1234.5 -> '1.234,5' (nl),
    the text Babel writes (rounded half to even on the decimal text, as Babel does); negative
    numbers and other types go to Babel itself."""
    if value is None:
        return ""
    if type(value) in (int, float, Decimal) and value >= 0 and 0 <= digits <= 6:
        number = Decimal(str(value)) if type(value) is float else Decimal(value)
        if number.is_finite():
            text = f"{number.quantize(_quantum(digits), ROUND_HALF_EVEN):,.{digits}f}"
            _p, _s, _np, _ns, group, decimal = _money_shape(_lang())
            return text.replace(",", "\0").replace(".", decimal).replace("\0", group)
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=BABEL_LOCALES[_lang()])


def register(app) -> None:
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_money, "money")
    app.add_template_filter(format_number, "number")
