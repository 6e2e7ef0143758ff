"""Login (password, then code), logout and password reset."""
from __future__ import annotations

import logging
import time

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from blueprints.auth import services
from blueprints.auth.forms import (
    CodeForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
)
from blueprints.auth.routes.blueprint import (
    PENDING_MAX_AGE,
    _complete_login,
    _replay_protection,
    _safe_next,
    _source,
    _too_many_attempts,
    bp,
)
from tenants import audit, throttle
from tenants.errors import DomainError
from tenants.extensions import db, limiter
from tenants.identity import (
    check_reset_token,
    normalize_email,
    unused_recovery_code_count,
)
from tenants.mail import send_mail
from tenants.models import User
from tenants.sessions import (
    revoke_session,
)
from tenants.urls import absolute_url
from tenants.web import current_actor

log = logging.getLogger(__name__)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LIMIT_LOGIN_PER_IP"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    if request.method == "GET" and request.args.get("next"):
        session["login_next"] = _safe_next(request.args.get("next"))
    if form.validate_on_submit():
        email = normalize_email(form.email.data)
        _too_many_attempts("login", email, email)
        try:
            user = services.check_password_login(db.session, current_actor(), email,
                                                  form.password.data)
        except DomainError as exc:
            throttle.record_failure("login", email, _source(email))
            db.session.commit()  # keep the security-log entry
            form.password.errors.append(exc.message)
            return render_template("auth/login.html", form=form)
        if user.has_totp:
            session["pending_user"] = user.id
            session["pending_at"] = int(time.time())
            db.session.commit()
            return redirect(url_for("auth.login_code"))
        return _complete_login(user, "password")
    return render_template("auth/login.html", form=form)


def _pending_user() -> User | None:
    user_id = session.get("pending_user")
    started = session.get("pending_at", 0)
    if not user_id or time.time() - started > PENDING_MAX_AGE:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_active and user.has_totp else None


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LIMIT_LOGIN_PER_IP"], methods=["POST"])
def login_code():
    user = _pending_user()
    if user is None:
        session.pop("pending_user", None)
        flash(_("Log opnieuw in: de stap met de code duurde te lang."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        _too_many_attempts("2fa", f"user:{user.id}", user.email)
        try:
            method = services.check_second_factor(db.session, current_actor(), user,
                                                  form.code.data,
                                                  replay_protection=_replay_protection())
        except DomainError as exc:
            throttle.record_failure("2fa", f"user:{user.id}", _source(user.email))
            db.session.commit()
            form.code.errors.append(exc.message)
            return render_template("auth/login_code.html", form=form)
        if method == "recovery":
            flash(_("U logde in met een herstelcode. Er zijn er nog %(n)s over.",
                    n=unused_recovery_code_count(db.session, user)), "warning")
        return _complete_login(user, method)
    return render_template("auth/login_code.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        audit.record_security(db.session, "logout", user_id=current_user.id,
                              email=current_user.email, ip=request.remote_addr)
    revoke_session(db.session, session.get("sid"))
    db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("U bent uitgelogd."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LIMIT_FORMS_PER_IP"], methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        found = services.request_password_reset(
            db.session, current_actor(), form.email.data,
            current_app.config["PASSWORD_RESET_MAX_AGE"])
        db.session.commit()
        if found:
            user, token = found
            try:
                send_mail(user.email, _("Nieuw wachtwoord voor Wijkwerk"), "password_reset",
                          user=user, link=absolute_url("auth.reset_password", token=token),
                          minutes=int(current_app.config["PASSWORD_RESET_MAX_AGE"]
                                      .total_seconds() // 60))
            except Exception:  # noqa: BLE001 - same answer for every address; the log says why
                log.exception("Sending a password reset mail failed")
        flash(_("Als dit e-mailadres bij ons bekend is, ontvangt u binnen enkele minuten een "
                "e-mail met een link om een nieuw wachtwoord te kiezen."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LIMIT_FORMS_PER_IP"], methods=["POST"])
def reset_password(token: str):
    try:
        check_reset_token(db.session, token)
    except DomainError as exc:
        return render_template("auth/reset_invalid.html", message=exc.message), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(db.session, current_actor(), token, form.password.data)
        except DomainError as exc:
            db.session.rollback()
            form.password.errors.append(exc.message)
            return render_template("auth/reset_password.html", form=form)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        flash(_("Uw wachtwoord is gewijzigd. Log in met uw nieuwe wachtwoord."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
