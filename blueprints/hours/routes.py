"""Hours pages (being built)."""
from __future__ import annotations

from blueprints.hours import models  # noqa: F401
from tenants.web import tenant_blueprint

bp = tenant_blueprint("hours", __name__)
