"""Routes of invoicing."""
from __future__ import annotations

from blueprints.invoicing import models  # noqa: F401  (registers the tables)
from tenants.web import tenant_blueprint

bp = tenant_blueprint("invoicing", __name__, url_prefix="/facturen")
