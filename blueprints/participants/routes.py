"""Participant pages (placeholder while being built)."""
from __future__ import annotations

from blueprints.participants import models  # noqa: F401
from tenants.web import tenant_blueprint

bp = tenant_blueprint("participants", __name__)
