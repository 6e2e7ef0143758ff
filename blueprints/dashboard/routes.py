"""The start page of a tenant: what each role comes to do first."""
from __future__ import annotations

from flask import g, render_template

from blueprints.dashboard.services import team_counts
from tenants.extensions import db
from tenants.models import Role
from tenants.web import tenant_blueprint

bp = tenant_blueprint("dashboard", __name__)


@bp.route("/")
def index():
    counts = team_counts(db.session) if g.membership.role == Role.ADMIN else None
    return render_template("dashboard/index.html", counts=counts)
