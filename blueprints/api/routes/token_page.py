"""The API-token page (`/account/api-tokens`, with a login session): staff make, see and revoke
their own tokens. The JSON API itself is blueprints/api/blueprint.py and resources/."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from blueprints.api import services
from blueprints.auth import services as auth_services
from blueprints.api.fields import MAX_ID
from blueprints.api.forms import CreateTokenForm, RevokeTokenForm
from tenants import audit
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.extensions import db
from tenants.web import current_actor

tokens_bp = Blueprint("api_tokens", __name__)


def _refused_page(status: int, message, reason: str):
    """Log refused access, then answer with the error page and `message`."""
    audit.record_security(db.session, "access.refused", user_id=current_user.id,
                          email=current_user.email, ip=request.remote_addr, path=request.path,
                          status=status, reason=reason)
    db.session.commit()
    return render_template("error.html", code=status, message=message), status


def _tokens_page(form: CreateTokenForm, status: int = 200):
    return render_template(
        "api/tokens.html", form=form, listings=services.tokens_of(db.session, current_user),
        now=utcnow(), can_create=bool(form.tenant.choices),
    ), status


def _tenant_choice(value: str | None) -> int:
    """The chosen tenant id; anything but ASCII digits within 63 bits is no tenant (0)."""
    value = value or ""
    if value.isascii() and value.isdigit() and len(value) <= 19 and int(value) <= MAX_ID:
        return int(value)
    return 0


@tokens_bp.route("/account/api-tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = CreateTokenForm()
    form.tenant.choices = [(str(m.tenant_id), m.tenant.name)
                           for m in services.eligible_memberships(db.session, current_user)]
    if request.method == "GET" or not form.validate_on_submit():
        return _tokens_page(form, 200 if request.method == "GET" else 400)
    days = int(form.lifetime.data)
    try:
        token, tenant, value = services.create_token(
            db.session, current_actor(), current_user, _tenant_choice(form.tenant.data),
            form.name.data, lifetime=timedelta(days=days))
    except NotFound as exc:
        db.session.rollback()
        return _refused_page(404, exc.message, "api token for a tenant of someone else")
    except PermissionDenied as exc:
        db.session.rollback()
        return _refused_page(403, exc.message, "api token for a role below supervisor")
    except DomainError as exc:
        db.session.rollback()
        form.name.errors.append(exc.message)
        return _tokens_page(form, 400)
    # Read before the commit: afterwards the row is expired, and outside its tenant it cannot
    # be loaded again (row-level security).
    shown = {"name": token.name, "expires_at": token.expires_at, "tenant": tenant.name}
    auth_services.factor_changed(db.session, current_actor(), current_user, "api.token_created",
                                 keep_token=session.get("sid"))
    db.session.commit()
    return render_template("api/token_created.html", token=shown, value=value)


@tokens_bp.route("/account/api-tokens/<int:token_id>/intrekken", methods=["POST"])
@login_required
def revoke(token_id: int):
    if not RevokeTokenForm().validate_on_submit():
        return redirect(url_for("api_tokens.tokens"))
    if token_id > MAX_ID:
        abort(404)
    try:
        token = services.revoke_token(db.session, current_actor(), current_user, token_id)
    except NotFound:
        db.session.rollback()
        abort(404)
    name = token.name  # before the commit: see tokens()
    db.session.commit()
    flash(_("De API-sleutel %(name)s is ingetrokken.", name=name), "success")
    return redirect(url_for("api_tokens.tokens"))
