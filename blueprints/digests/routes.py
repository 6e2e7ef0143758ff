"""The digest's pages: each member chooses what their daily e-mail tells them; admins send the
reminders for all overdue invoices in one go (the digest mail links here)."""
from __future__ import annotations

from datetime import date

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints.digests import jobs as _jobs  # noqa: F401  (registers the digest's jobs)
from blueprints.digests import services
from blueprints.digests.forms import ChoicesForm, ConfirmForm
from tenants.extensions import db
from tenants.models import Role
from tenants.web import current_actor, require_role, run_service, tenant_blueprint

bp = tenant_blueprint("digests", __name__, url_prefix="/dagelijkse-mail")


@bp.route("/", methods=["GET", "POST"], endpoint="settings")
@require_role(Role.PARTICIPANT)
def settings_page():
    role = g.membership.role
    kinds = services.kinds_for(role)
    form = ChoicesForm()
    form.kinds.choices = [(k.key, str(k.label)) for k in kinds]
    if form.validate_on_submit():
        chosen = set(form.kinds.data or ())
        _result, ok = run_service(
            lambda: services.save_choices(db.session, current_actor(), current_user.id, role,
                                          chosen),
            _("Uw keuze voor de dagelijkse e-mail is opgeslagen."))
        if ok:
            return redirect(url_for("digests.settings"))
    elif not form.is_submitted():
        current = services.choices(db.session, current_user.id, role)
        form.kinds.data = [k for k, on in current.items() if on]
    return render_template("digests/settings.html", form=form,
                           participant=role == Role.PARTICIPANT)


@bp.route("/herinneringen", methods=["GET", "POST"], endpoint="reminders")
@require_role(Role.ADMIN)
def reminders_page():
    today = date.today()
    form = ConfirmForm()
    if form.validate_on_submit():
        batch, ok = run_service(
            lambda: services.send_reminders(db.session, current_actor(), today), None)
        if ok:
            if batch.sent:
                flash(ngettext("%(num)s herinnering verstuurd.", "%(num)s herinneringen verstuurd.",
                               len(batch.sent)), "success")
            if batch.skipped:
                flash(_("Niet verstuurd: %(numbers)s.", numbers=", ".join(batch.skipped)),
                      "error")
            if not batch.sent and not batch.skipped:
                flash(_("Er waren geen achterstallige facturen om te herinneren."), "info")
        return redirect(url_for("invoicing.overdue"))
    rows = services.remindable(db.session, today)
    return render_template("digests/reminders.html", form=form, rows=rows)
