"""Team pages of a tenant (admins only): members, invitations, roles. (The audit log is its own
feature, blueprints.auditlog: it names people and things of the features above.)"""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from blueprints.team.forms import ROLE_CHOICES, ConfirmForm, InviteForm, RoleForm
from tenants.errors import DomainError, NotFound
from tenants.extensions import db
from tenants.mail import send_mail
from tenants.urls import absolute_url
from tenants.membership import (
    change_role,
    get_invitation,
    get_membership,
    invite,
    members,
    open_invitations,
    remove_member,
    revoke_invitation,
)
from tenants.models import Role
from tenants.web import current_actor, flash_form_errors, require_role, tenant_blueprint

bp = tenant_blueprint("team", __name__, url_prefix="/team")
ROLE_LABELS = dict(ROLE_CHOICES)


def _exists_or_404(getter, object_id: int) -> None:
    """Another tenant's (or no) object answers 404 before anything else is looked at."""
    try:
        getter(db.session, object_id)
    except NotFound:
        abort(404)



@bp.route("/", endpoint="members")
@require_role(Role.ADMIN)
def members_page():
    return render_template("team/members.html", members=members(db.session),
                           invitations=open_invitations(db.session), invite_form=InviteForm(),
                           role_form=RoleForm(), confirm_form=ConfirmForm())


@bp.route("/uitnodigen", methods=["POST"])
@require_role(Role.ADMIN)
def invite_member():
    form = InviteForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("team.members"))
    try:
        _invitation, token = invite(db.session, current_actor(), g.tenant, form.email.data,
                          Role(form.role.data), current_app.config["INVITATION_MAX_AGE"])
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("team.members"))
    db.session.commit()
    send_mail(form.email.data.strip().lower(),
              _("Uitnodiging voor %(name)s op Wijkwerk", name=g.tenant.name), "invitation",
              tenant=g.tenant, inviter=current_actor().email, role=ROLE_LABELS[form.role.data],
              link=absolute_url("auth.accept", tenant_slug=g.tenant.slug, token=token),
              days=current_app.config["INVITATION_MAX_AGE"].days)
    flash(_("Uitnodiging verstuurd naar %(email)s.", email=form.email.data.strip().lower()),
          "success")
    return redirect(url_for("team.members"))


@bp.route("/uitnodiging/<int:invitation_id>/intrekken", methods=["POST"])
@require_role(Role.ADMIN)
def revoke(invitation_id: int):
    _exists_or_404(get_invitation, invitation_id)
    if ConfirmForm().validate_on_submit():
        try:
            revoke_invitation(db.session, current_actor(), invitation_id)
        except NotFound as exc:
            db.session.rollback()
            return render_template("error.html", code=404, message=exc.message), 404
        db.session.commit()
        flash(_("Uitnodiging ingetrokken."), "success")
    return redirect(url_for("team.members"))


@bp.route("/lid/<int:membership_id>/rol", methods=["POST"])
@require_role(Role.ADMIN)
def set_role(membership_id: int):
    _exists_or_404(get_membership, membership_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("team.members"))
    try:
        membership = change_role(db.session, current_actor(), membership_id, Role(form.role.data))
    except NotFound as exc:
        db.session.rollback()
        return render_template("error.html", code=404, message=exc.message), 404
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("team.members"))
    name = membership.user.name
    db.session.commit()
    flash(_("De rol van %(name)s is nu %(role)s.", name=name,
            role=ROLE_LABELS[form.role.data]), "success")
    return redirect(url_for("team.members"))


@bp.route("/lid/<int:membership_id>/verwijderen", methods=["POST"])
@require_role(Role.ADMIN)
def remove(membership_id: int):
    _exists_or_404(get_membership, membership_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("team.members"))
    try:
        remove_member(db.session, current_actor(), membership_id)
    except NotFound as exc:
        db.session.rollback()
        return render_template("error.html", code=404, message=exc.message), 404
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("team.members"))
    db.session.commit()
    flash(_("Het lid is verwijderd; de toegang is direct beëindigd."), "success")
    return redirect(url_for("team.members"))

