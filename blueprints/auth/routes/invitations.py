"""Accepting an invitation to a cooperative."""
from __future__ import annotations

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
from flask_login import current_user

from blueprints.auth import services
from blueprints.auth.forms import (
    AcceptInvitationForm,
    ConfirmForm,
)
from blueprints.auth.routes.blueprint import (
    _complete_login,
    bp,
)
from tenants import municipal
from tenants.errors import DomainError
from tenants.extensions import db, limiter
from tenants.membership import (
    accept_invitation,
    membership_in,
    open_invitation,
    tenant_by_slug,
)
from tenants.web import current_actor

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


@bp.route("/uitnodiging/gemeente/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LIMIT_FORMS_PER_IP"], methods=["POST"])
def accept_municipal(token: str):
    """Accept an invitation to work for a municipality (tenants.municipal). Two-factor is
    asked for at once: every municipality account must use it."""
    try:
        invitation = municipal.open_invitation(db.session, token)
    except DomainError as exc:
        return render_template("auth/reset_invalid.html", message=exc.message), 400
    municipality = invitation.municipality
    portal = url_for("municipality.index", cbs_code=municipality.cbs_code)
    if current_user.is_authenticated:
        form = ConfirmForm()
        already = municipal.membership_of(db.session, municipality, current_user) is not None
        if form.validate_on_submit():
            try:
                municipal.accept_invitation(db.session, current_actor(), token, current_user)
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "error")
                return redirect(url_for("core.index"))
            db.session.commit()
            flash(_("Welkom bij gemeente %(name)s.", name=municipality.name), "success")
            return redirect(portal)
        return render_template("auth/accept_municipal.html", municipality=municipality,
                               invitation=invitation, form=form, already=already)
    if services.user_by_email(db.session, invitation.email) is not None:
        session["login_next"] = request.path
        flash(_("U heeft al een account. Log in om de uitnodiging aan te nemen."), "info")
        return redirect(url_for("auth.login"))
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = services.register_invited_user(db.session, invitation.email, form.name.data,
                                                  form.password.data)
            municipal.accept_invitation(db.session, current_actor(), token, user)
        except DomainError as exc:
            db.session.rollback()
            form.password.errors.append(exc.message)
            return render_template("auth/accept_municipal.html", municipality=municipality,
                                   invitation=invitation, form=form, already=False)
        db.session.commit()
        session["login_next"] = portal
        return _complete_login(user, "invitation")
    return render_template("auth/accept_municipal.html", municipality=municipality,
                           invitation=invitation, form=form, already=False)
