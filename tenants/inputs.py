"""Input parsed at the edge, once: integers, text, money and dates from query strings and forms.

Everything a visitor types reaches Python as a string, and a few ordinary-looking strings break
what comes after (each seen as a 500 on the running product):
- `str.isdigit()` is true for "²" and other Unicode digits that `int()` refuses or reads as a
  different number; only ASCII 0-9 is a digit here;
- `int()` refuses strings of more than 4,300 digits; a few more digits than the type holds
  never reach `int()` here;
- PostgreSQL refuses integers beyond 64 bits and NUL bytes in text (SQLite stores both);
- other control characters have no business in a name or a note (they break CSV, PDF and
  mail headers); tab, newline and carriage return are allowed.

The rule for query parameters of a list page: a value that does not parse is treated as
absent (the list shows unfiltered), never an error page. The `arg_*` helpers read
`request.args` that way. For forms, `tenants.forms.BaseForm` applies the same text rules to
every text field with a Dutch message. The `parse_*` functions raise `InvalidInput` (a
DomainError with a Dutch message) for services and views that must refuse instead.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from flask import request
from flask_babel import lazy_gettext as _l

from tenants import money
from tenants.errors import DomainError
from tenants.money import MAX_PRICE_CENTS

#: The range of the columns that hold ids (BIGINT) and of 32-bit INTEGER columns.
ID_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1
#: Dates outside these years are typing errors (and beyond what reports and PDFs handle).
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)
YEAR_MIN, YEAR_MAX = DATE_MIN.year, DATE_MAX.year

_INT = re.compile(r"-?[0-9]{1,19}", re.ASCII)
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
# Control characters (Unicode category Cc) except tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class InvalidInput(DomainError):
    default_message = _l("Deze invoer klopt niet.")


# --- pure parsers ---------------------------------------------------------------------------

def to_int(raw, *, min_value: int = 1, max_value: int = INT32_MAX) -> int | None:
    """`raw` as a whole number in [min_value, max_value], or None.

    ASCII digits with an optional minus sign only; at most 19 digits ever reach `int()`."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip()
        if not _INT.fullmatch(text):
            return None
        value = int(text)
    else:
        return None
    return value if min_value <= value <= max_value else None


def to_id(raw) -> int | None:
    """An object id (a positive BIGINT), or None."""
    return to_int(raw, min_value=1, max_value=ID_MAX)


def to_year(raw) -> int | None:
    return to_int(raw, min_value=YEAR_MIN, max_value=YEAR_MAX)


def to_date(raw) -> date | None:
    """An ISO date (2026-03-31) between 1900 and 2100, or None (also for 2026-02-30)."""
    if isinstance(raw, date):
        return raw if DATE_MIN <= raw <= DATE_MAX else None
    if not isinstance(raw, str):
        return None
    match = _DATE.fullmatch(raw.strip())
    if match is None:
        return None
    try:
        value = date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    return value if DATE_MIN <= value <= DATE_MAX else None


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text))


def normalise(text: str) -> str:
    """Unicode NFC: "é" typed as e + combining accent and as one character are the same."""
    return unicodedata.normalize("NFC", text)


def clean_text(raw, max_length: int) -> str | None:
    """`raw` as safe text (NFC, stripped) of at most `max_length`, or None when it is not."""
    if not isinstance(raw, str) or has_control_characters(raw):
        return None
    text = normalise(raw).strip()
    return text if len(text) <= max_length else None


CONTROL_MESSAGE = _l("Dit veld bevat een teken dat niet is toegestaan (een stuurteken). "
                     "Typ de tekst opnieuw zonder dat teken.")


def parse_text(raw, max_length: int, *, required: bool = False) -> str | None:
    """Text for storing: NFC, stripped, None when empty; refuses control characters and text
    longer than `max_length` with a Dutch message."""
    text = "" if raw is None else str(raw)
    if has_control_characters(text):
        raise InvalidInput(CONTROL_MESSAGE)
    text = normalise(text).strip()
    if len(text) > max_length:
        raise InvalidInput(_l("Hoogstens %(n)s tekens.", n=max_length))
    if not text:
        if required:
            raise InvalidInput(_l("Vul dit veld in."))
        return None
    return text


def parse_int(raw, *, min_value: int = 1, max_value: int = INT32_MAX,
              message=None) -> int | None:
    """A whole number typed in a form: None when empty, else in range or InvalidInput."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    value = to_int(raw, min_value=min_value, max_value=max_value)
    if value is None:
        raise InvalidInput(message or _l("Vul een heel getal in van %(low)s tot en met %(high)s.",
                                         low=min_value, high=max_value))
    return value


def parse_date(raw, *, message=None) -> date | None:
    """A date from a form: None when empty, else a real date between 1900 and 2100."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    value = to_date(raw)
    if value is None:
        raise InvalidInput(message or _l("Vul een bestaande datum in tussen 1900 en 2100."))
    return value


def parse_money(text, *, max_cents: int = MAX_PRICE_CENTS) -> int | None:
    """Euros as typed in Dutch to integer cents (None when empty): the kernel's money parser
    (tenants.money), which reads ASCII digits only and raises DomainError in Dutch."""
    return money.parse_money(None if text is None else str(text), max_cents=max_cents)


# --- query parameters of the current request --------------------------------------------------

def arg_int(name: str, *, min_value: int = 1, max_value: int = INT32_MAX) -> int | None:
    """?name= as a whole number in range; None when missing or not one."""
    return to_int(request.args.get(name), min_value=min_value, max_value=max_value)


def arg_id(name: str) -> int | None:
    """?name= as an object id; None when missing or not one (a filter that is then off)."""
    return to_id(request.args.get(name))


def arg_year(name: str) -> int | None:
    return to_year(request.args.get(name))


def arg_date(name: str) -> date | None:
    return to_date(request.args.get(name))


def arg_text(name: str, max_length: int = 100) -> str | None:
    """?name= as a search text: NFC, stripped, None when missing, empty, too long, or when it
    holds a control character (a NUL reaches PostgreSQL as an error, never as a search)."""
    text = clean_text(request.args.get(name), 10 * max_length)
    return text[:max_length] or None if text else None


def arg_choice(name: str, choices, default=None):
    """?name= when it is one of `choices`, else `default`."""
    value = request.args.get(name)
    return value if value in choices else default


def page_arg() -> int:
    """The ?page= number of a list, 1 when missing or not a positive whole number."""
    return arg_int("page") or 1
