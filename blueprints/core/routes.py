"""Home redirect, health check, language switch and the chooser between tenants."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import literal, select

from blueprints.core.services import Place, places_for
from tenants.extensions import db
from tenants.throttle import store_state
from tenants.urls import safe_redirect_target

bp = Blueprint("core", __name__)


def place_url(place: Place) -> str:
    if place.kind == "tenant":
        return url_for("dashboard.index", tenant_slug=place.key)
    if place.kind == "municipality":
        return url_for("municipality.index", cbs_code=place.key)
    if place.kind == "network":
        return url_for("network.index")
    return url_for("operator.tenants")


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    places = places_for(db.session, current_user)
    last = session.get("last_tenant")
    for place in places:
        if place.kind == "tenant" and place.key == last:
            return redirect(place_url(place))
    if len(places) == 1:
        return redirect(place_url(places[0]))
    return redirect(url_for("core.choose"))


@bp.route("/kies-organisatie")
@login_required
def choose():
    places = places_for(db.session, current_user)
    return render_template("core/choose.html", places=places, place_url=place_url)


@bp.route("/taal", methods=["POST"])
def set_language():
    lang = request.form.get("lang")
    if lang in ("nl", "en"):
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_redirect_target(request.form.get("next")) or url_for("core.index"))


@bp.route("/healthz")
def healthz():
    try:
        db.session.scalar(select(literal(1)))
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        db.session.rollback()
        return jsonify(status="database unavailable"), 503
    # Redis down is no outage: limits count per process meanwhile. Still 200, but said.
    limits = store_state()
    return jsonify(status="degraded" if limits == "degraded" else "ok", rate_limits=limits)
