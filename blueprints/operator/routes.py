"""Operator pages under /beheer/."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from blueprints.operator import services
from blueprints.operator.forms import PlanForm, TenantForm
from blueprints.operator.services import all_tenants, municipality_choices
from tenants.extensions import db
from tenants.mail import send_mail
from tenants.urls import absolute_url
from tenants.membership import NewTenant, create_tenant
from tenants.models import TenantKind
from tenants import plans
from tenants.web import current_actor, flash_form_errors, require_operator, run_service

bp = Blueprint("operator", __name__, url_prefix="/beheer")


def _form() -> TenantForm:
    form = TenantForm()
    form.municipality.choices = municipality_choices(db.session)
    return form


def _plan_form() -> PlanForm:
    form = PlanForm()
    form.plan.choices = services.plan_choices()
    return form


def _page(form, status=200):
    rows = all_tenants(db.session)
    return render_template("operator/tenants.html", tenants=rows, form=form,
                           plan_choices=services.plan_choices(),
                           revenue=services.monthly_revenue(rows),
                           plan_names={k: p.name for k, p in plans.PLANS.items()}), status


@bp.route("/", methods=["GET"])
@require_operator
def tenants():
    return _page(_form())


@bp.route("/organisaties/<int:tenant_id>/abonnement", methods=["POST"])
@require_operator
def assign_plan(tenant_id: int):
    form = _plan_form()
    if form.validate_on_submit():
        run_service(lambda: services.assign_plan(
            db.session, current_actor(), tenant_id, form.plan.data, form.pilot_until.data,
            form.coupon.data), _("Het abonnement is opgeslagen."))
    else:
        flash_form_errors(form)
    return redirect(url_for("operator.tenants"))


@bp.route("/organisaties", methods=["POST"])
@require_operator
def create():
    form = _form()
    if not form.validate_on_submit():
        return _page(form, 400)
    data = NewTenant(slug=form.slug.data, name=form.name.data, kind=TenantKind(form.kind.data),
                     municipality_code=form.municipality.data, admin_email=form.admin_email.data)
    created, ok = run_service(lambda: create_tenant(db.session, current_actor(), data,
                                                    current_app.config["INVITATION_MAX_AGE"]),
                              None, refused=form.slug.errors.append)
    if not ok:
        return _page(form, 400)
    tenant, token = created
    if token:
        send_mail(data.admin_email.strip().lower(),
                  _("Uitnodiging voor %(name)s op Wijkwerk", name=tenant.name), "invitation",
                  tenant=tenant, inviter="Wijkwerk", role=_("Beheerder"),
                  link=absolute_url("auth.accept", tenant_slug=tenant.slug, token=token),
                  days=current_app.config["INVITATION_MAX_AGE"].days)
    flash(_("Organisatie %(name)s is aangemaakt.", name=tenant.name), "success")
    return redirect(url_for("operator.tenants"))
