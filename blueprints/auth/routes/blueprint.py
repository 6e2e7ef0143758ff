"""The auth blueprint and what its views share: safe `next` targets, known devices, failure
counting and completing a login."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_user
from itsdangerous import BadData, URLSafeTimedSerializer

from blueprints.auth import services
from tenants import audit, throttle
from tenants.extensions import db
from tenants.identity import (
    normalize_email,
    sha256,
)
from tenants.membership import (
    requires_two_factor,
)
from tenants.models import User
from tenants.tenancy import set_user
from tenants.urls import safe_redirect_target
from tenants.web import client_ip

bp = Blueprint("auth", __name__)
PENDING_MAX_AGE = 300  # seconds between the password step and the code step

#: Endpoints (and their methods) that change a factor: they need the password, and the code
#: where two-factor is on, typed in the last RECENT_AUTH_SECONDS (the one place this is set).
RECENT_AUTH_REQUIRED = {
    "auth.enrol_totp": {"GET", "POST"},
    "auth.regenerate_recovery_codes": {"POST"},
    "auth.disable_totp": {"POST"},
    "auth.change_password": {"POST"},
    "api_tokens.tokens": {"POST"},
    "municipality_clients.api_tokens": {"POST"},
}

# A browser that logged in to an account before is a known device for it: its failed attempts
# count for the device instead of the shared address (OWASP's device cookies).
DEVICE_SALT = "wijkwerk.known-device"
DEVICE_MAX_AGE = timedelta(days=365)
DEVICE_ACCOUNTS = 5


def _safe_next(target: str | None) -> str | None:
    return safe_redirect_target(target)


def _replay_protection() -> bool:
    return current_app.config["TOTP_REPLAY_PROTECTION"]


# --- known devices and failure counting ------------------------------------------------------

def _device_cookie_name() -> str:
    return "__Host-wijkwerk-device" if current_app.config["SESSION_COOKIE_SECURE"] \
        else "wijkwerk_device"


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)


def _device() -> dict | None:
    raw = request.cookies.get(_device_cookie_name())
    if not raw:
        return None
    try:
        data = _device_serializer().loads(raw, max_age=int(DEVICE_MAX_AGE.total_seconds()))
    except BadData:
        return None
    if (not isinstance(data, dict) or not isinstance(data.get("d"), str)
            or not isinstance(data.get("a"), list)):
        return None
    return data


def _account_tag(email: str) -> str:
    return sha256(normalize_email(email))[:16]


def _source(email: str) -> str:
    """Who is trying: this browser when it logged in to `email` before, else its address."""
    device = _device()
    if device and _account_tag(email) in device["a"]:
        return f"device:{device['d']}"
    return f"ip:{client_ip()}"


def _remember_device(response, email: str):
    device = _device() or {"d": secrets.token_urlsafe(16), "a": []}
    tag = _account_tag(email)
    accounts = [tag] + [a for a in device["a"] if a != tag]
    value = _device_serializer().dumps({"d": device["d"], "a": accounts[:DEVICE_ACCOUNTS]})
    response.set_cookie(_device_cookie_name(), value,
                        max_age=int(DEVICE_MAX_AGE.total_seconds()), path="/",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True,
                        samesite="Lax")
    return response


def _too_many_attempts(kind: str, account: str, email: str):
    """Refuse (429) when this address or device failed too often for `account`."""
    if not throttle.is_blocked(kind, account, _source(email)):
        return None
    audit.record_security(db.session, f"{kind}.throttled", email=normalize_email(email)[:254],
                          ip=client_ip())
    db.session.commit()
    abort(429)


def _complete_login(user: User, method: str):
    next_url = _safe_next(session.get("login_next"))
    lang = session.get("lang")
    session.clear()  # a new session at login
    token = services.open_session(db.session, user, ip=request.remote_addr,
                                  user_agent=request.user_agent.string, method=method)
    session["sid"] = token
    if lang:
        session["lang"] = lang
    login_user(user)
    set_user(db.session, user.id)  # PostgreSQL: the user may now read their own memberships
    db.session.commit()
    if not user.has_totp and requires_two_factor(db.session, user):
        flash(_("Uw rol vraagt om tweestapsverificatie. Stel die nu in."), "warning")
        return _remember_device(redirect(url_for("auth.enrol_totp", next=next_url)), user.email)
    return _remember_device(redirect(next_url or url_for("core.index")), user.email)
