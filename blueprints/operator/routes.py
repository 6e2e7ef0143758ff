"""Operator pages under /beheer/."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from blueprints.operator.forms import TenantForm
from blueprints.operator.services import all_tenants, municipality_choices
from tenants.extensions import db
from tenants.mail import send_mail
from tenants.urls import absolute_url
from tenants.membership import NewTenant, create_tenant
from tenants.models import TenantKind
from tenants.web import current_actor, require_operator, run_service

bp = Blueprint("operator", __name__, url_prefix="/beheer")


def _form() -> TenantForm:
    form = TenantForm()
    form.municipality.choices = municipality_choices(db.session)
    return form


@bp.route("/", methods=["GET"])
@require_operator
def tenants():
    return render_template("operator/tenants.html", tenants=all_tenants(db.session), form=_form())


@bp.route("/organisaties", methods=["POST"])
@require_operator
def create():
    form = _form()
    if not form.validate_on_submit():
        return render_template("operator/tenants.html", tenants=all_tenants(db.session),
                               form=form), 400
    data = NewTenant(slug=form.slug.data, name=form.name.data, kind=TenantKind(form.kind.data),
                     municipality_code=form.municipality.data, admin_email=form.admin_email.data)
    created, ok = run_service(lambda: create_tenant(db.session, current_actor(), data,
                                                    current_app.config["INVITATION_MAX_AGE"]),
                              None, refused=form.slug.errors.append)
    if not ok:
        return render_template("operator/tenants.html", tenants=all_tenants(db.session),
                               form=form), 400
    tenant, token = created
    if token:
        send_mail(data.admin_email.strip().lower(),
                  _("Uitnodiging voor %(name)s op Wijkwerk", name=tenant.name), "invitation",
                  tenant=tenant, inviter="Wijkwerk", role=_("Beheerder"),
                  link=absolute_url("auth.accept", tenant_slug=tenant.slug, token=token),
                  days=current_app.config["INVITATION_MAX_AGE"].days)
    flash(_("Organisatie %(name)s is aangemaakt.", name=tenant.name), "success")
    return redirect(url_for("operator.tenants"))
