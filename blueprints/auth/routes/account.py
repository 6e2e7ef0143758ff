"""Recent authentication before a factor changes, and the account page: name, password,
sessions, notifications, the second factor and recovery codes."""
from __future__ import annotations

from datetime import timedelta

from flask import (
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
from flask_login import current_user, login_required
from markupsafe import Markup

from blueprints.auth import services
from blueprints.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    NameForm,
    ReauthForm,
)
from blueprints.auth.routes.blueprint import (
    RECENT_AUTH_REQUIRED,
    _replay_protection,
    _safe_next,
    _source,
    _too_many_attempts,
    bp,
)
from tenants import audit, throttle
from tenants.db import utcnow
from tenants.errors import DomainError
from tenants.extensions import db, limiter
from tenants.identity import (
    enable_totp,
    new_recovery_codes,
    new_totp_secret,
    provisioning_uri,
    qr_svg,
    unused_recovery_code_count,
)
from tenants.membership import (
    memberships_for_user,
    requires_two_factor,
)
from tenants.sessions import (
    authenticated_at,
    open_sessions,
    renew_session,
    revoke_all_sessions,
)
from tenants.urls import referrer_path
from tenants.web import client_ip, current_actor

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
        memberships=memberships_for_user(db.session, current_user),
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
