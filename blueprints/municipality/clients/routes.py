"""The municipality's client pages, colleagues and API tokens (/gemeente/<cbs_code>/clienten,
/collegas, /api-sleutels),
and the cooperative's and participant's side of the ground for sharing
(/<tenant>/deelnemers/<id>/gemeente-delen…, /<tenant>/mijn/gemeente-delen/…)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.auth import services as auth_services
from blueprints.municipality import progress, sharing, tokens
from blueprints.municipality.clients.forms import (
    EndShareForm,
    InviteOfficerForm,
    MunicipalTokenForm,
    RevokeForm,
    ShareForm,
)
from blueprints.participants import services as participant_services
from blueprints.participants.models import Participant
from blueprints.trajectories import services as trajectory_services
from tenants import municipal
from tenants.db import utcnow
from tenants.extensions import db
from tenants.mail import send_mail
from tenants.models import MunicipalRole, Role
from tenants.urls import absolute_url
from tenants.web import (
    current_actor,
    flash_form_errors,
    get_or_404,
    municipality_blueprint,
    refuse,
    require_role,
    run_service,
    submit,
    tenant_blueprint,
)

bp = municipality_blueprint("municipality_clients", __name__)
shares_bp = tenant_blueprint("municipality_shares", __name__)


# --- the consulent's clients ---------------------------------------------------------------

def _consulent_only() -> None:
    """A beleid officer sees no client at all: the pages do not exist for them."""
    if g.municipal_role != MunicipalRole.CONSULENT.value:
        refuse(404, "not a consulent")


@bp.route("/clienten")
def clients():
    _consulent_only()
    rows = progress.clients_of(db.session, g.municipality, g.municipal_role, date.today())
    return render_template("municipality/clients/index.html", clients=rows,
                           ground_labels=sharing.GROUND_LABELS)


@bp.route("/clienten/<slug:tenant_slug>/<int:participant_id>")
def client(tenant_slug: str, participant_id: int):
    _consulent_only()
    result, ok = run_service(
        lambda: progress.client_progress(db.session, current_actor(), g.municipality,
                                         g.municipal_role, tenant_slug, participant_id,
                                         date.today()), None)
    return render_template(
        "municipality/clients/show.html", p=result, parts=sharing.PARTS,
        ground_labels=sharing.GROUND_LABELS, kind_labels=trajectory_services.KIND_LABELS,
        status_labels=trajectory_services.STATUS_LABELS,
        outcome_labels=trajectory_services.OUTCOME_LABELS, ladder=trajectory_services.LADDER)


# --- colleagues ----------------------------------------------------------------------------

def _colleagues_page(form: InviteOfficerForm, status: int = 200):
    return render_template(
        "municipality/clients/colleagues.html", form=form,
        officers=municipal.officers(db.session, g.municipality),
        invitations=municipal.open_invitations(db.session, g.municipality),
        role_labels=municipal.ROLE_LABELS), status


@bp.route("/collegas")
def colleagues():
    return _colleagues_page(InviteOfficerForm())


@bp.route("/collegas", methods=["POST"])
def invite_colleague():
    form = InviteOfficerForm()
    if not form.validate_on_submit():
        return _colleagues_page(form, 400)
    max_age = current_app.config["INVITATION_MAX_AGE"]
    inviter = municipal.membership_of(db.session, g.municipality, current_user)
    municipality = g.municipality
    result, ok = run_service(
        lambda: municipal.invite_colleague(db.session, current_actor(), municipality, inviter,
                                           form.email.data, form.role.data, max_age),
        None, refused=form.email.errors.append)
    if not ok:
        return _colleagues_page(form, 400)
    invitation, token = result
    send_mail(invitation.email,
              _("Uitnodiging voor gemeente %(name)s op Wijkwerk", name=municipality.name),
              "invitation", tenant={"name": _("gemeente %(name)s", name=municipality.name)},
              inviter=current_user.name,
              role=str(municipal.ROLE_LABELS[MunicipalRole(form.role.data)]),
              link=absolute_url("auth.accept_municipal", token=token), days=max_age.days)
    flash(_("Uitnodiging verstuurd naar %(email)s.", email=invitation.email), "success")
    return redirect(url_for("municipality_clients.colleagues"))


@bp.route("/collegas/uitnodiging/<int:invitation_id>/intrekken", methods=["POST"])
def revoke_invitation(invitation_id: int):
    form = EndShareForm()
    if form.validate_on_submit():
        run_service(lambda: municipal.revoke_invitation(db.session, current_actor(),
                                                        g.municipality, invitation_id),
                    _("Uitnodiging ingetrokken."))
    return redirect(url_for("municipality_clients.colleagues"))


# --- API tokens ----------------------------------------------------------------------------

def _tokens_page(form: MunicipalTokenForm, status: int = 200):
    return render_template(
        "municipality/clients/api_tokens.html", form=form,
        listings=tokens.tokens_of(db.session, g.municipality), now=utcnow(),
        role_labels=municipal.ROLE_LABELS), status


@bp.route("/api-sleutels", methods=["GET", "POST"])
def api_tokens():
    """The municipality's tokens for the read-only municipal API; making one needs a recent
    password (and code): RECENT_AUTH_REQUIRED in blueprints/auth."""
    form = MunicipalTokenForm()
    if not form.is_submitted():
        return _tokens_page(form)
    if not form.validate_on_submit():
        return _tokens_page(form, 400)
    membership = municipal.membership_of(db.session, g.municipality, current_user)
    days = form.lifetime.data
    municipality = g.municipality
    result, ok = run_service(
        lambda: tokens.create_token(db.session, current_actor(), municipality, membership,
                                    form.name.data,
                                    timedelta(days=int(days)) if days else None),
        None, refused=form.name.errors.append)
    if not ok:
        return _tokens_page(form, 400)
    token, value = result
    shown = {"name": token.name, "expires_at": token.expires_at, "role": token.role}
    auth_services.factor_changed(db.session, current_actor(), current_user, "api.token_created",
                                 keep_token=session.get("sid"))
    db.session.commit()
    return render_template("municipality/clients/api_token_created.html", token=shown,
                           value=value, role_labels=municipal.ROLE_LABELS)


@bp.route("/api-sleutels/<int:token_id>/intrekken", methods=["POST"])
def revoke_api_token(token_id: int):
    form = RevokeForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        run_service(lambda: tokens.revoke_token(db.session, current_actor(), g.municipality,
                                                token_id),
                    lambda token: _("De API-sleutel %(name)s is ingetrokken.", name=token.name))
    return redirect(url_for("municipality_clients.api_tokens"))


# --- the cooperative records the ground; the participant withdraws consent -----------------

@shares_bp.route("/deelnemers/<int:participant_id>/gemeente-delen", methods=["POST"])
@require_role(Role.SUPERVISOR)
def record_share(participant_id: int):
    participant = get_or_404(Participant, participant_id)
    form = ShareForm()
    data = sharing.NewShare(form.ground.data, form.reference.data, form.scope.data or [],
                            form.starts_on.data, form.ends_on.data)
    submit(form, lambda: sharing.record_share(db.session, current_actor(), participant, data,
                                              date.today()),
           _("Vastgelegd: de voortgang wordt gedeeld met de gemeente."))
    return redirect(url_for("participants.show", participant_id=participant_id)
                    + "#gemeente-delen")


@shares_bp.route("/deelnemers/<int:participant_id>/gemeente-delen/<int:share_id>/beeindigen",
                 methods=["POST"])
@require_role(Role.SUPERVISOR)
def end_share(participant_id: int, share_id: int):
    participant = get_or_404(Participant, participant_id)
    form = EndShareForm()
    submit(form, lambda: sharing.end_share(db.session, current_actor(), participant, share_id,
                                           date.today()),
           _("Beëindigd: de gemeente ziet de voortgang niet meer."))
    return redirect(url_for("participants.show", participant_id=participant_id)
                    + "#gemeente-delen")


@shares_bp.route("/mijn/gemeente-delen/<int:share_id>/intrekken", methods=["POST"])
@require_role(Role.PARTICIPANT)
def withdraw(share_id: int):
    participant = participant_services.participant_for_user(db.session, current_user)
    if participant is None:
        refuse(404, "no participant record")
    form = EndShareForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        run_service(lambda: sharing.withdraw_consent(db.session, current_actor(), participant,
                                                     share_id, date.today()),
                    _("Uw toestemming is ingetrokken: de gemeente ziet uw voortgang niet "
                      "meer."))
    return redirect(url_for("trajectories.my_page") + "#gedeeld")
