"""E-mail addresses as forms, services and imports accept them: checked by email-validator (the
library WTForms' `Email` validator uses too), never by a home-made regex.

Only the syntax and the domain's form are checked, not whether the domain receives mail (no DNS
lookup from inside a request or an import of a thousand rows).
"""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

__all__ = ["is_email"]


def is_email(text: str | None) -> bool:
    """True when `text` is a deliverable-looking address ("naam@example.org")."""
    if not text:
        return False
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True
