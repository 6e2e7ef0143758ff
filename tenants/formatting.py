"""Dutch formats for the interface: 22-11-2026, € 1.234,56 (English as second locale)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_currency, format_decimal
from flask_babel import get_locale, get_timezone

DATE_PATTERNS = {"nl": "dd-MM-yyyy", "en": "dd/MM/yyyy"}
BABEL_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def _lang() -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in DATE_PATTERNS else "nl"


def format_date(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(get_timezone()).date()
    return _babel_date(value, DATE_PATTERNS[_lang()], locale=BABEL_LOCALES[_lang()])


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    lang = _lang()
    return _babel_datetime(value, f"{DATE_PATTERNS[lang]} HH:mm", tzinfo=get_timezone(),
                           locale=BABEL_LOCALES[lang])


def format_money(cents: int | None) -> str:
    """Integer cents as money: 123456 -> '€ 1.234,56' (nl)."""
    if cents is None:
        return ""
    return format_currency(Decimal(int(cents)) / 100, "EUR", locale=BABEL_LOCALES[_lang()])


def format_number(value, digits: int = 1) -> str:
    if value is None:
        return ""
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=BABEL_LOCALES[_lang()])


def register(app) -> None:
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_money, "money")
    app.add_template_filter(format_number, "number")
