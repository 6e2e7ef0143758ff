"""Login (password, then code), logout, password reset, the account page, invitations."""
from __future__ import annotations

import time

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
)
from tenants import audit
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
from tenants.sessions import open_sessions, revoke_all_sessions, revoke_session
from tenants.tenancy import set_user
from tenants.web import current_actor

bp = Blueprint("auth", __name__)
PENDING_MAX_AGE = 300  # seconds between the password step and the code step


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _account_key() -> str:
    return "login:" + normalize_email(request.form.get("email", ""))[:254]


def _replay_protection() -> bool:
    return current_app.config["TOTP_REPLAY_PROTECTION"]


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
        return redirect(url_for("auth.enrol_totp", next=next_url))
    return redirect(next_url or url_for("core.index"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LIMIT_LOGIN_PER_IP"], methods=["POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=_account_key,
               deduct_when=lambda response: response.status_code != 302)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    if request.method == "GET" and request.args.get("next"):
        session["login_next"] = _safe_next(request.args.get("next"))
    if form.validate_on_submit():
        try:
            user = services.check_password_login(db.session, current_actor(), form.email.data,
                                                  form.password.data)
        except DomainError as exc:
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


def _pending_key() -> str:
    return f"2fa:{session.get('pending_user')}"


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=_pending_key,
               deduct_when=lambda response: response.status_code != 302)
def login_code():
    user = _pending_user()
    if user is None:
        session.pop("pending_user", None)
        flash(_("Log opnieuw in: de stap met de code duurde te lang."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            method = services.check_second_factor(db.session, current_actor(), user,
                                                  form.code.data,
                                                  replay_protection=_replay_protection())
        except DomainError as exc:
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
            send_mail(user.email, _("Nieuw wachtwoord voor Wijkwerk"), "password_reset",
                      user=user, link=url_for("auth.reset_password", token=token, _external=True),
                      minutes=int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 60))
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
        try:
            codes = enable_totp(db.session, current_user, secret, form.code.data,
                                replay_protection=_replay_protection())
        except DomainError as exc:
            db.session.rollback()
            form.code.errors.append(exc.message)
        else:
            audit.record_security(db.session, "2fa.enabled", user_id=current_user.id,
                                  email=current_user.email, ip=request.remote_addr)
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
    audit.record_security(db.session, "2fa.recovery_codes_renewed", user_id=current_user.id,
                          email=current_user.email, ip=request.remote_addr)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes,
                           next_url=url_for("auth.account"))


@bp.route("/account/tweestaps/uitzetten", methods=["POST"])
@login_required
def disable_totp():
    if ConfirmForm().validate_on_submit():
        try:
            services.turn_off_two_factor(db.session, current_actor(), current_user)
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
