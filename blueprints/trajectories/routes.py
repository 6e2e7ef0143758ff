"""Trajectory pages (placeholder while being built)."""
from __future__ import annotations

from blueprints.trajectories import models  # noqa: F401
from tenants.web import tenant_blueprint

bp = tenant_blueprint("trajectories", __name__, url_prefix="/trajecten")
