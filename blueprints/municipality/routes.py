"""The municipality's start page."""
from __future__ import annotations

from flask import g, render_template

from blueprints.municipality.services import tenants_in
from tenants.extensions import db
from tenants.web import municipality_blueprint

bp = municipality_blueprint("municipality", __name__)


@bp.route("/")
def index():
    return render_template("municipality/index.html", tenants=tenants_in(db.session, g.municipality))
