"""Network pages: members of the national association only."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from tenants.extensions import db
from tenants.models import NetworkMembership
from tenants.web import refuse

bp = Blueprint("network", __name__, url_prefix="/netwerk")


@bp.before_request
@login_required
def require_network_member():
    member = db.session.scalar(
        select(NetworkMembership).where(NetworkMembership.user_id == current_user.id))
    if member is None:
        refuse(404, "not a network member")
    return None


@bp.route("/")
def index():
    return render_template("network/index.html")
