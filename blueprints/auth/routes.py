"""Login (password, then code), logout, password reset, the account page, invitations.

Failed passwords and codes are counted by `tenants.throttle` per account and address (or known
device), never so that the owner is locked out. Changing a factor needs a password (and code)
typed in the last RECENT_AUTH_SECONDS: the endpoints in RECENT_AUTH_REQUIRED send the user to
`/account/bevestigen` first.
"""
from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta

from flask import (
    Blueprint,
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
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer
from markupsafe import Markup

from blueprints.auth import services
from blueprints.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    NameForm,
    NewPasswordForm,
    ReauthForm,
)
from tenants import audit, throttle
from tenants.db import utcnow
from tenants.errors import DomainError
from tenants.extensions import db, limiter
from tenants.identity import (
    check_reset_token,
    enable_totp,
    new_recovery_codes,
    new_totp_secret,
    normalize_email,
    provisioning_uri,
    qr_svg,
    sha256,
    unused_recovery_code_count,
)
from tenants.mail import send_mail
from tenants.membership import (
    accept_invitation,
    membership_in,
    open_invitation,
    requires_two_factor,
    tenant_by_slug,
)
from tenants.models import User
from tenants.sessions import (
    authenticated_at,
    open_sessions,
    renew_session,
    revoke_all_sessions,
    revoke_session,
)
from tenants.tenancy import set_user
from tenants.urls import absolute_url, referrer_path, safe_redirect_target
from tenants.web import client_ip, current_actor

log = logging.getLogger(__name__)
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


# --- recent authentication before a factor changes -----------------------------------------

def recently_authenticated() -> bool:
    """The current session's user typed their password (and code) in the last minutes."""
    at = authenticated_at(db.session, session.get("sid"))
    limit = timedelta(seconds=current_app.config["RECENT_AUTH_SECONDS"])
    return at is not None and utcnow() - at <= limit


@bp.before_app_request
def _require_recent_authentication():
    methods = RECENT_AUTH_REQUIRED.get(request.endpoint or "")
    if not methods or request.method not in methods or not current_user.is_authenticated:
        return None
    if recently_authenticated():
        return None
    back = request.full_path if request.method == "GET" else referrer_path()
    flash(_("Bevestig eerst met uw wachtwoord dat u het bent. Daarna kunt u de wijziging doen."),
          "info")
    return redirect(url_for("auth.reauthenticate", next=back or url_for("auth.account")))


@bp.route("/account/bevestigen", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LIMIT_LOGIN_PER_IP"], methods=["POST"])
def reauthenticate():
    next_url = _safe_next(request.args.get("next")) or url_for("auth.account")
    form = ReauthForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        _too_many_attempts("login", user.email, user.email)
        if user.has_totp:
            _too_many_attempts("2fa", f"user:{user.id}", user.email)
        try:
            services.confirm_identity(db.session, current_actor(), user, form.password.data,
                                      form.code.data, replay_protection=_replay_protection())
        except DomainError as exc:
            failed_code = isinstance(exc, services.InvalidCode)
            throttle.record_failure("2fa" if failed_code else "login",
                                    f"user:{user.id}" if failed_code else user.email,
                                    _source(user.email))
            db.session.commit()  # the security-log entry and the spent step stay
            (form.code if failed_code else form.password).errors.append(exc.message)
        else:
            session["sid"] = renew_session(db.session, user, session.get("sid"),
                                           ip=client_ip(), user_agent=request.user_agent.string)
            db.session.commit()
            return redirect(next_url)
    return render_template("auth/reauthenticate.html", form=form, needs_code=user.has_totp,
                           next_url=next_url)


def _factor_changed(action: str) -> int:
    return services.factor_changed(db.session, current_actor(), current_user, action,
                                   keep_token=session.get("sid"))


# --- account -------------------------------------------------------------------------------

@bp.route("/account")
@login_required
def account():
    return render_template(
        "auth/account.html",
        name_form=NameForm(name=current_user.name),
        password_form=ChangePasswordForm(),
        confirm_form=ConfirmForm(),
        sessions=open_sessions(db.session, current_user),
        current_sid=session.get("sid"),
        recovery_left=unused_recovery_code_count(db.session, current_user),
        two_factor_required=requires_two_factor(db.session, current_user),
    )


@bp.route("/account/naam", methods=["POST"])
@login_required
def change_name():
    form = NameForm()
    if form.validate_on_submit():
        current_user.name = form.name.data.strip()
        db.session.commit()
        flash(_("Uw naam is opgeslagen."), "success")
    else:
        for error in form.name.errors:
            flash(error, "error")
    return redirect(url_for("auth.account"))


@bp.route("/account/wachtwoord", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            ended = services.change_password(db.session, current_actor(), current_user,
                                             form.current.data, form.password.data,
                                             keep_token=session.get("sid"))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for("auth.account"))
        db.session.commit()
        flash(ngettext("Uw wachtwoord is gewijzigd. %(num)s andere sessie is beëindigd.",
                       "Uw wachtwoord is gewijzigd. %(num)s andere sessies zijn beëindigd.",
                       ended), "success")
    else:
        for field in form:
            for error in field.errors:
                flash(error, "error")
    return redirect(url_for("auth.account"))


@bp.route("/account/sessies/beeindigen", methods=["POST"])
@login_required
def end_other_sessions():
    if ConfirmForm().validate_on_submit():
        ended = revoke_all_sessions(db.session, current_user, except_token=session.get("sid"))
        audit.record_security(db.session, "sessions.revoked", user_id=current_user.id,
                              email=current_user.email, ip=request.remote_addr, count=ended)
        db.session.commit()
        flash(ngettext("%(num)s andere sessie is beëindigd.", "%(num)s andere sessies zijn beëindigd.",
                       ended), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/meldingen", methods=["POST"])
@login_required
def email_notifications():
    """Turn e-mail notifications (planned jobs, returned hours) on or off for this account."""
    if ConfirmForm().validate_on_submit():
        current_user.notify_by_email = request.form.get("enabled") == "1"
        db.session.commit()
        flash(_("U krijgt weer e-mails over uw klussen en uren.") if current_user.notify_by_email
              else _("U krijgt geen e-mails meer over uw klussen en uren."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/tweestaps", methods=["GET", "POST"])
@login_required
def enrol_totp():
    next_url = _safe_next(request.args.get("next"))
    secret = session.get("enrol_secret")
    if not secret:
        secret = session["enrol_secret"] = new_totp_secret()
    form = CodeForm()
    if form.validate_on_submit():
        replacing = current_user.has_totp
        try:
            codes = enable_totp(db.session, current_user, secret, form.code.data,
                                replay_protection=_replay_protection())
        except DomainError as exc:
            db.session.rollback()
            form.code.errors.append(exc.message)
        else:
            _factor_changed("2fa.replaced" if replacing else "2fa.enabled")
            db.session.commit()
            session.pop("enrol_secret", None)
            return render_template("auth/recovery_codes.html", codes=codes,
                                   next_url=next_url or url_for("core.index"))
    uri = provisioning_uri(current_user, secret)
    svg = qr_svg(uri).replace(
        "<svg ", '<svg role="img" aria-label="QR-code voor uw authenticator-app" ', 1)
    return render_template("auth/enrol_totp.html", form=form, secret=secret, qr=Markup(svg),
                           already=current_user.has_totp)


@bp.route("/account/herstelcodes", methods=["POST"])
@login_required
def regenerate_recovery_codes():
    if not ConfirmForm().validate_on_submit() or not current_user.has_totp:
        return redirect(url_for("auth.account"))
    codes = new_recovery_codes(db.session, current_user)
    _factor_changed("2fa.recovery_codes_renewed")
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes,
                           next_url=url_for("auth.account"))


@bp.route("/account/tweestaps/uitzetten", methods=["POST"])
@login_required
def disable_totp():
    if ConfirmForm().validate_on_submit():
        try:
            services.turn_off_two_factor(db.session, current_actor(), current_user,
                                         keep_token=session.get("sid"))
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Tweestapsverificatie staat uit."), "success")
    return redirect(url_for("auth.account"))


# --- invitations ---------------------------------------------------------------------------

@bp.route("/uitnodiging/<slug:tenant_slug>/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LIMIT_FORMS_PER_IP"], methods=["POST"])
def accept(tenant_slug: str, token: str):
    tenant = tenant_by_slug(db.session, tenant_slug)
    if tenant is None:
        return render_template("auth/reset_invalid.html",
                               message=_("Deze uitnodiging is ongeldig, verlopen of al gebruikt.")), 400
    try:
        invitation = open_invitation(db.session, tenant, token)
    except DomainError as exc:
        return render_template("auth/reset_invalid.html", message=exc.message), 400
    if current_user.is_authenticated:
        form = ConfirmForm()
        if form.validate_on_submit():
            try:
                accept_invitation(db.session, current_actor(), tenant, token, current_user)
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "error")
                return redirect(url_for("core.index"))
            db.session.commit()
            flash(_("Welkom bij %(name)s.", name=tenant.name), "success")
            return redirect(url_for("dashboard.index", tenant_slug=tenant.slug))
        already = membership_in(db.session, tenant, current_user) is not None
        return render_template("auth/accept.html", tenant=tenant, invitation=invitation,
                               form=form, already=already)
    existing = services.user_by_email(db.session, invitation.email)
    if existing is not None:
        session["login_next"] = request.path
        flash(_("U heeft al een account. Log in om de uitnodiging aan te nemen."), "info")
        return redirect(url_for("auth.login"))
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = services.register_invited_user(db.session, invitation.email, form.name.data,
                                                  form.password.data)
            accept_invitation(db.session, current_actor(), tenant, token, user)
        except DomainError as exc:
            db.session.rollback()
            form.password.errors.append(exc.message)
            return render_template("auth/accept.html", tenant=tenant, invitation=invitation,
                                   form=form, already=False)
        db.session.commit()
        session["login_next"] = url_for("dashboard.index", tenant_slug=tenant.slug)
        return _complete_login(user, "invitation")
    return render_template("auth/accept.html", tenant=tenant, invitation=invitation, form=form,
                           already=False)
