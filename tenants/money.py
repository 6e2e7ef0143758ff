"""Money as people type and read it: integer cents inside, Dutch amounts outside (Babel).

`parse_money("€ 1.234,56")` -> 123456 reads an amount typed in a form; `format_money(123456)`
-> "€ 1.234,56" shows one (tenants.formatting, the template filter `money`); `amount_text`
-> "1234,56" writes one into an input field or a CSV cell. Every feature uses these, so an
amount reads and prints the same on every page, export and import.
"""
from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from flask_babel import lazy_gettext as _l

from tenants.errors import DomainError
from tenants.formatting import format_money

__all__ = ["MAX_PRICE_CENTS", "amount_text", "format_money", "parse_money"]

#: € 100.000: anything above, typed into a price or amount field, is a typing error
MAX_PRICE_CENTS = 10_000_000
#: Amounts are read as nl_NL writes them (a dot between thousands, a comma before cents).
LOCALE = "nl_NL"
# ASCII digits only: Decimal() would also read other scripts' digits ("١٢").
_TYPED = re.compile(r"[0-9][0-9.,]{0,19}", re.ASCII)
_DOT_DECIMALS = re.compile(r"[0-9]+\.[0-9]{2}", re.ASCII)


def parse_money(text: str | None, *, max_cents: int = MAX_PRICE_CENTS) -> int | None:
    """Euros as typed in Dutch ("25", "12,50", "€ 1.234,5") to integer cents; None when empty.

    A dot is a thousands separator (in groups of three, as Babel's strict parser wants), a comma
    the decimal one, at most two decimals. Without a comma, a dot followed by exactly two digits
    at the end ("25.00") is read as the decimal point, as an English speaker types it;
    "12.500" stays twelve thousand five hundred. Raises DomainError for anything else, and for
    an amount above `max_cents`."""
    value = (text or "").replace("€", "").replace("\u00a0", "").strip().replace(" ", "")
    if not value:
        return None
    if "," not in value and _DOT_DECIMALS.fullmatch(value):
        value = value.replace(".", ",")
    refused = DomainError(_l("Vul een bedrag in euro's in, bijvoorbeeld 25 of 12,50."))
    if not _TYPED.fullmatch(value) or value[-1] in ".,":
        raise refused
    try:
        amount = parse_decimal(value, locale=LOCALE, strict=True)
    except NumberFormatError:
        raise refused from None
    if amount.as_tuple().exponent < -2:
        raise refused
    cents = int(amount * 100)
    if cents > max_cents:
        raise DomainError(_l("Dit bedrag is te hoog. Controleer de prijs."))
    return cents


def amount_text(cents: int | None) -> str:
    """Cents as a plain Dutch amount, no currency sign nor grouping: 123456 -> "1234,56",
    -1234 -> "-12,34"; "" for None. For input fields (parse_money reads it back) and CSV."""
    if cents is None:
        return ""
    return format_decimal(Decimal(int(cents)) / 100, format="0.00", locale=LOCALE)
