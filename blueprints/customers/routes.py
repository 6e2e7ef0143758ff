"""Routes of customers."""
from __future__ import annotations

from blueprints.customers import models  # noqa: F401  (registers the tables)
from tenants.web import tenant_blueprint

bp = tenant_blueprint("customers", __name__, url_prefix="/klanten")
