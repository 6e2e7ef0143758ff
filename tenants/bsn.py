"""The BSN guard: Wijkwerk has no legal ground to store a burgerservicenummer, so free text that
holds one is refused before it is saved (notes, reasons, goals, help request texts, imports).

A candidate is nine digits, optionally split by single spaces, dots or dashes, not part of a
longer number; it is a BSN when `stdnum.nl.bsn` accepts it (length and the elfproef). The text
is first normalised the way a reader sees it, so that what looks like a BSN is one to the guard:
NFKC (full-width and other compatibility digits become 0-9, a no-break space a space), format
characters (Unicode category Cf: zero-width space, joiners, direction marks, soft hyphen) removed,
and decimal digits of any script read as 0-9.
"""
from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from stdnum.nl import bsn

__all__ = ["BSN_MESSAGE", "contains_bsn", "normalise"]

BSN_MESSAGE = _l("Dit lijkt op een burgerservicenummer (BSN). Wijkwerk bewaart geen BSN: "
                 "haal het nummer weg.")

_CANDIDATE = re.compile(r"(?<![0-9])([0-9](?:[ .-]?[0-9]){8})(?![0-9])", re.ASCII)


def _visible_char(char: str) -> str:
    if unicodedata.category(char) == "Cf":
        return ""
    if not char.isascii() and unicodedata.category(char) == "Nd":
        return str(unicodedata.decimal(char))
    return char


def normalise(text: str) -> str:
    """`text` as the guard reads it: NFKC, no format characters, ASCII digits."""
    return "".join(_visible_char(c) for c in unicodedata.normalize("NFKC", text))


def contains_bsn(text: str | None) -> bool:
    """True when `text` holds a number that `stdnum.nl.bsn` accepts as a BSN."""
    if not text:
        return False
    for match in _CANDIDATE.finditer(normalise(text)):
        if bsn.is_valid(match.group(1)):
            return True
    return False
