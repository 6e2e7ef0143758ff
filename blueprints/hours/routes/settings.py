"""The tenant's hour settings (admins): whether hours need approval, the volunteer allowance."""
from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from blueprints.hours import services
from blueprints.hours.forms import SettingsForm
from blueprints.hours.routes.blueprint import _run_service, bp
from tenants.extensions import db
from tenants.models import Role
from tenants.money import amount_text
from tenants.web import current_actor, flash_form_errors, require_role


@bp.route("/uren/instellingen", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def settings():
    tenant = g.tenant
    form = SettingsForm()
    if request.method == "GET":
        form.hours_need_approval.data = tenant.hours_need_approval
        cents = tenant.volunteer_allowance_cents_per_hour
        form.allowance.data = amount_text(cents) if cents else ""
    if form.validate_on_submit():
        _result, ok = _run_service(lambda: services.update_settings(
            db.session, current_actor(), tenant, need_approval=form.hours_need_approval.data,
            rate=form.allowance.data), _("De instellingen voor uren zijn opgeslagen."))
        if ok:
            return redirect(url_for("hours.settings"))
    elif request.method == "POST":
        flash_form_errors(form)
    return render_template("hours/settings.html", form=form), \
        400 if request.method == "POST" else 200
