"""Routes of budgets."""
from __future__ import annotations

from blueprints.budgets import models  # noqa: F401  (registers the tables)
from tenants.web import tenant_blueprint

bp = tenant_blueprint("budgets", __name__, url_prefix="/budgetten")
