"""Idempotency keys for forms that create something: a retried submit is stored once.

A form that makes a row (hours, a help request) carries a hidden random key, made when the
form is shown. The row stores it, unique per tenant (`UNIQUE (tenant_id, idempotency_key)`).
When the same form comes back — the person pressed again after a timeout, or the database
went away between the commit and the answer — the service finds the row with that key and
returns it instead of making a second one.

The key is only a guard against doubles, not a credential: a value that is not one this
module could have made is dropped (the submit then works as without a key), so a hostile
value never reaches the database or an error message.
"""
from __future__ import annotations

import re
import secrets

from wtforms import HiddenField

#: the column's length
MAX_LENGTH = 64
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_key() -> str:
    """A fresh key: 192 random bits, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


def clean_key(value) -> str | None:
    """`value` when it looks like a key this module makes, else None."""
    return value if isinstance(value, str) and _KEY.match(value) else None


class IdempotencyKeyField(HiddenField):
    """A hidden field holding a new key when the form is shown and the posted key when it
    comes back; `data` is None for a missing or malformed key."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("default", new_key)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = clean_key(valuelist[0]) if valuelist else None
