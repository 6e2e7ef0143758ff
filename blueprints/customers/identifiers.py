"""Dutch and EU identifiers on invoices, validated by python-stdnum and schwifty.

Each `clean_*` returns the compact form to store, None for empty input, and raises a
DomainError with a Dutch message when the value is not valid (checksum, length).
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from schwifty import IBAN, BIC
from schwifty.exceptions import SchwiftyException
from stdnum.eu import vat
from stdnum.exceptions import ValidationError
from stdnum.nl import postcode as nl_postcode

from tenants.errors import DomainError

_KVK = re.compile(r"^\d{8}$")
_OIN = re.compile(r"^\d{20}$")


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def clean_kvk(value: str | None) -> str | None:
    """A KvK number: exactly eight digits (spaces and dots ignored)."""
    value = _blank(value)
    if value is None:
        return None
    compact = re.sub(r"[\s.]", "", value)
    if not _KVK.match(compact):
        raise DomainError(_l("Een KvK-nummer heeft precies 8 cijfers."))
    return compact


def clean_oin(value: str | None) -> str | None:
    """An OIN (Organisatie-identificatienummer) of a public body: 20 digits."""
    value = _blank(value)
    if value is None:
        return None
    compact = re.sub(r"\s", "", value)
    if not _OIN.match(compact):
        raise DomainError(_l("Een OIN heeft precies 20 cijfers."))
    return compact


def clean_vat_id(value: str | None) -> str | None:
    """An EU VAT id with country prefix (NL…B01), checked by its checksum."""
    value = _blank(value)
    if value is None:
        return None
    try:
        compact = vat.validate(value)
    except ValidationError:
        raise DomainError(_l("Dit btw-nummer klopt niet. Een Nederlands btw-id ziet eruit als "
                             "NL123456789B01.")) from None
    if not compact[:2].isalpha():
        compact = "NL" + compact
    return compact.upper()


def clean_iban(value: str | None) -> str | None:
    """An IBAN, checked by its checksum, stored compact (NL91ABNA0417164300)."""
    value = _blank(value)
    if value is None:
        return None
    try:
        return IBAN(value).compact
    except (SchwiftyException, ValueError):
        raise DomainError(_l("Dit IBAN klopt niet: controleer de cijfers "
                             "(bijvoorbeeld NL91 ABNA 0417 1643 00).")) from None


def clean_bic(value: str | None) -> str | None:
    value = _blank(value)
    if value is None:
        return None
    try:
        return str(BIC(value.replace(" ", "").upper()))
    except (SchwiftyException, ValueError):
        raise DomainError(_l("Deze BIC klopt niet (bijvoorbeeld ABNANL2A).")) from None


def clean_postcode(value: str | None, country_code: str = "NL") -> str | None:
    """A Dutch postcode as 1234AB; other countries' codes are kept as typed."""
    value = _blank(value)
    if value is None:
        return None
    if (country_code or "NL").upper() != "NL":
        return value[:10]
    try:
        return nl_postcode.validate(value)
    except ValidationError:
        raise DomainError(_l("Een postcode ziet eruit als 1234 AB.")) from None


def format_iban(value: str | None) -> str:
    """An IBAN in groups of four for print (NL91 ABNA 0417 1643 00)."""
    if not value:
        return ""
    try:
        return IBAN(value).formatted
    except (SchwiftyException, ValueError):
        return value
