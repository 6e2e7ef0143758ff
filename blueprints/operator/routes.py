"""Operator pages under /beheer/."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from blueprints.operator import health, services
from blueprints.operator.forms import MunicipalityForm, PlanForm, TenantForm, ThresholdForm
from blueprints.operator.services import (
    all_tenants,
    municipalities_with_officers,
    municipality_choices,
)
from tenants import municipal, plans
from tenants.extensions import db
from tenants.mail import send_mail
from tenants.urls import absolute_url
from tenants.membership import NewTenant, create_tenant
from tenants.models import MunicipalRole, TenantKind
from tenants.suppression import MAX_THRESHOLD, PLATFORM_THRESHOLD, threshold_for
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


def _platform_threshold() -> int:
    return current_app.config.get("SUPPRESSION_THRESHOLD", PLATFORM_THRESHOLD)


def _municipalities_page(form: MunicipalityForm, status: int = 200):
    platform = _platform_threshold()
    return render_template("operator/municipalities.html", form=form,
                           municipalities=municipalities_with_officers(db.session),
                           threshold_form=ThresholdForm(), platform_threshold=platform,
                           max_threshold=MAX_THRESHOLD,
                           threshold_of=lambda m: threshold_for(m.suppression_threshold,
                                                                platform)), status


@bp.route("/gemeenten", methods=["GET"])
@require_operator
def municipalities():
    return _municipalities_page(MunicipalityForm())


@bp.route("/gemeenten", methods=["POST"])
@require_operator
def create_municipality():
    """A municipality and its first officer; the officer invites colleagues."""
    form = MunicipalityForm()
    if not form.validate_on_submit():
        return _municipalities_page(form, 400)
    max_age = current_app.config["INVITATION_MAX_AGE"]
    created, ok = run_service(
        lambda: municipal.create_municipality(
            db.session, current_actor(), form.cbs_code.data, form.name.data,
            form.officer_email.data, form.role.data, max_age),
        None, refused=form.cbs_code.errors.append)
    if not ok:
        return _municipalities_page(form, 400)
    municipality, _membership, token = created
    if token:
        role = municipal.ROLE_LABELS[MunicipalRole(form.role.data)]
        send_mail(form.officer_email.data.strip().lower(),
                  _("Uitnodiging voor gemeente %(name)s op Wijkwerk", name=municipality.name),
                  "invitation", tenant={"name": _("gemeente %(name)s", name=municipality.name)},
                  inviter="Wijkwerk", role=role,
                  link=absolute_url("auth.accept_municipal", token=token),
                  days=max_age.days)
    flash(_("Gemeente %(name)s heeft haar eerste medewerker.", name=municipality.name),
          "success")
    return redirect(url_for("operator.municipalities"))


@bp.route("/gemeenten/<int:municipality_id>/drempel", methods=["POST"])
@require_operator
def set_threshold(municipality_id: int):
    """Raise a municipality's suppression threshold (5 to 10): the portal, its exports and the
    municipal API use it at once."""
    form = ThresholdForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _municipalities_page(MunicipalityForm(formdata=None), 400)
    _result, ok = run_service(
        lambda: services.set_threshold(db.session, current_actor(), municipality_id,
                                       form.threshold.data, _platform_threshold()),
        lambda m: _("De drempel van gemeente %(name)s is nu %(n)s personen.", name=m.name,
                    n=threshold_for(m.suppression_threshold, _platform_threshold())))
    if not ok:
        return _municipalities_page(MunicipalityForm(formdata=None), 400)
    return redirect(url_for("operator.municipalities"))


@bp.route("/gezondheid", methods=["GET"])
@require_operator
def health_page():
    """Database, Redis, job queue, last backup and drill: the platform, no tenant's data."""
    config = current_app.config
    checks = health.report(db.session, config.get("BACKUP_STATUS_FILE"),
                           config.get("METRICS_TOKEN"), config.get("METRICS_ALLOW_LOOPBACK"))
    return render_template("operator/health.html", checks=checks)
