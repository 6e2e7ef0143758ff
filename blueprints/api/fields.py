"""Marshmallow fields of the API: how one value is read from a query and written into an answer,
and how the OpenAPI document describes it (apispec reads the same field).

Query values are parsed strictly, once, here: ASCII digits only (`str.isdigit()` is true for
`²`, and `int()` accepts Arabic-Indic digits and refuses more than 4,300 digits), within the
range of the column; dates as YYYY-MM-DD; text without control characters (PostgreSQL refuses NUL
bytes). A value that does not parse is a 400 problem naming the parameter, never a 500.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import marshmallow as ma
from marshmallow import fields, validate

from blueprints.invoicing import money

#: the largest id: our keys are signed 64-bit integers
MAX_ID = (1 << 63) - 1
_ASCII_INT = re.compile(r"[0-9]{1,18}")
_ASCII_ID = re.compile(r"[0-9]{1,19}")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: the same rule for the document (ECMA-262 and Python agree on it)
NO_CONTROL_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"

ID_DESCRIPTION = ("Een getal van hoogstens 63 bits, als tekst (JavaScript kan het niet exact als "
                  "getal bewaren).")


class Id(fields.String):
    """An id written as text (63 bits: more than a JavaScript number holds exactly)."""

    def __init__(self, **kwargs):
        metadata = {"pattern": "^[0-9]+$", "description": ID_DESCRIPTION,
                    **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(value)


class IdParam(fields.String):
    """An id in a query: ASCII digits, at most 63 bits; read as an int."""

    default_error_messages = {"invalid": "Geen id: alleen cijfers 0-9, hoogstens 63 bits."}

    def __init__(self, **kwargs):
        metadata = {"pattern": "^[0-9]{1,19}$", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _ASCII_ID.fullmatch(text) or int(text) > MAX_ID:
            raise self.make_error("invalid")
        return int(text)


class AsciiInteger(fields.Integer):
    """An integer in a query: ASCII digits only (no sign, no spaces), then the validators."""

    default_error_messages = {"invalid": "Geen geheel getal: alleen cijfers 0-9."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not (isinstance(value, str) and _ASCII_INT.fullmatch(value)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class UpToNextYear(validate.Range):
    """A year from `first` up to and including next year (read when it is checked, so the
    document and the check move on by themselves on New Year's Day)."""

    def __init__(self, first: int):
        super().__init__(min=first, max=None)

    @property
    def max(self) -> int:
        return date.today().year + 1

    @max.setter
    def max(self, value) -> None:  # Range.__init__ assigns it; the property decides
        pass


class Day(fields.Date):
    """A date as YYYY-MM-DD (RFC 3339 full-date); in a query, exactly that form."""

    default_error_messages = {"invalid": "Geen datum JJJJ-MM-DD."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class MomentParam(fields.DateTime):
    """An ISO 8601 moment in a query; without an offset it is UTC, a date alone is midnight
    UTC. A '+' of the offset that was not URL-encoded arrives as a space."""

    default_error_messages = {"invalid": "Geen moment volgens ISO 8601."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        text = value.strip().replace(" ", "+")
        if not text or len(text) > 40 or not text.isascii():
            raise self.make_error("invalid")
        try:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            return moment.astimezone(timezone.utc)
        except (ValueError, OverflowError):  # year 1 at +14:00 is before year 1 in UTC
            raise self.make_error("invalid") from None


class Text(fields.String):
    """Free text in a query: no control characters (a NUL byte would reach the database)."""

    default_error_messages = {"control": "Tekst met een stuurteken."}

    def __init__(self, **kwargs):
        metadata = {"pattern": NO_CONTROL_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if _CONTROL.search(text):
            raise self.make_error("control")
        return text


class Choice(fields.Enum):
    """One of an enumeration's values; written from a member or from its value."""

    def __init__(self, enum, **kwargs):
        super().__init__(enum, by_value=fields.String, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else self.enum(value).value


class Quantity(fields.String):
    """A line's quantity as text with two decimals."""

    def __init__(self, **kwargs):
        super().__init__(metadata={"pattern": "^[0-9]+\\.[0-9]{2}$", "examples": ["2.50"],
                                   "description": "Het aantal, als tekst met twee decimalen."},
                         **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else format(money.quantity(value), "f")


class Items(fields.List):
    """A list in an answer; a missing list (NULL in the database) is written as []."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value or [], attr, obj, **kwargs)


def values_of(choices) -> validate.OneOf:
    """Strings from a fixed list (stored as text, not as an enumeration)."""
    return validate.OneOf(list(choices))


class Answer(ma.Schema):
    """Base of every answer schema: each declared field is always there (required in the
    document; an empty value is null), and nothing else is."""

    def on_bind_field(self, field_name, field_obj):
        field_obj.required = True


class View:
    """An object as an answer schema reads it: the named extra values, then `obj`'s own."""

    def __init__(self, obj, **extra):
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._obj, name)


def ref(object_id, name) -> dict | None:
    """A reference to another object: its id and name; None when there is none."""
    return {"id": object_id, "name": name} if object_id else None
