"""Login (password, then code), logout, password reset, the account page, invitations.

`bp` lives in `blueprint`; importing the view modules here registers their views on it.
Failed passwords and codes are counted by `tenants.throttle` per account and address (or known
device), never so that the owner is locked out. Changing a factor needs a password (and code)
typed in the last RECENT_AUTH_SECONDS: the endpoints in RECENT_AUTH_REQUIRED send the user to
`/account/bevestigen` first.
"""
from __future__ import annotations

from blueprints.auth.routes import (  # noqa: F401  (each registers its views on bp)
    account,
    invitations,
    login,
)
from blueprints.auth.routes.blueprint import bp

__all__ = ["bp"]
