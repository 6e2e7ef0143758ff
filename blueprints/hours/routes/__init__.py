"""Hours pages: "my hours" for participants (phone first); for staff the approval list, a
participant's hours with logging for them, the week grid, corrections, the hour statement PDF
and (admins) the tenant's hour settings.

`bp` lives in `blueprint`; importing the view modules here registers their views on it.
"""
from __future__ import annotations

from blueprints.hours.routes import (  # noqa: F401  (each registers its views on bp)
    grid,
    own,
    participant,
    review,
    settings,
)
from blueprints.hours.routes.blueprint import bp

__all__ = ["bp"]
