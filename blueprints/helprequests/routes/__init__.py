"""Help request pages: the public page where residents ask for help (no account), the staff
inbox with intake and planning, the week planning, and a participant's own jobs.

`bp` lives in `blueprint`; importing the view modules here registers their views on it.
"""
from __future__ import annotations

from blueprints.helprequests.routes import (  # noqa: F401  (each registers its views on bp)
    intake,
    mine,
    planning,
    public,
)
from blueprints.helprequests.routes.blueprint import bp

__all__ = ["bp"]
