"""Domain exceptions. Each carries a Dutch message (translatable) a page can show as it is."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule refused the action; `message` says why, for the user."""

    default_message = _l("Dit kan niet.")

    def __init__(self, message=None):
        # A plain str, evaluated now (in the request's language). Never the lazy string
        # itself: Flask-Babel's lazy strings declare themselves safe HTML, so a message that
        # carries user input (a file name, a code) would reach a page unescaped.
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class NotFound(DomainError):
    default_message = _l("Niet gevonden.")


class PermissionDenied(DomainError):
    default_message = _l("U heeft geen toegang tot deze pagina.")


class InvalidToken(DomainError):
    default_message = _l("Deze link is ongeldig of verlopen. Vraag een nieuwe aan.")


class InvalidCode(DomainError):
    default_message = _l("Deze code klopt niet. Probeer het opnieuw met de code die uw app nu toont.")


class WeakPassword(DomainError):
    default_message = _l("Dit wachtwoord is niet sterk genoeg.")


class TenantReadOnly(DomainError):
    default_message = _l(
        "Het abonnement van deze organisatie is verlopen: u kunt alles inzien, maar niets wijzigen."
    )
