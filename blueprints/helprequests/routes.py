"""Help request pages (being built)."""
from __future__ import annotations

from blueprints.helprequests import models  # noqa: F401
from tenants.web import tenant_blueprint

bp = tenant_blueprint("helprequests", __name__)
