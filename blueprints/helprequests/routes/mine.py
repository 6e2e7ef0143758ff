"""A participant's own jobs, and their e-mail notification setting."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.helprequests import services
from blueprints.helprequests.forms import ButtonForm, NotificationForm
from blueprints.helprequests.models import HelpRequest
from blueprints.helprequests.routes.blueprint import bp
from blueprints.participants import services as participant_services
from tenants.extensions import db
from tenants.models import Role
from tenants.web import (
    allowed_when_read_only,
    current_actor,
    get_or_404,
    require_role,
    run_service,
    submit,
)


# --- the participant's own jobs --------------------------------------------------------------

@bp.route("/mijn/klussen")
@require_role(Role.PARTICIPANT)
def my_jobs():
    participant = participant_services.participant_for_user(db.session, current_user)
    jobs = services.jobs_of(db.session, participant) if participant is not None else []
    return render_template("helprequests/mine.html", p=participant, jobs=jobs,
                           form=NotificationForm(formdata=None), done_form=ButtonForm(),
                           kind_labels=services.KIND_LABELS, today=date.today(),
                           duration_text=services.duration_text)


@bp.route("/mijn/klussen/<int:help_request_id>/klaar", methods=["POST"])
@require_role(Role.PARTICIPANT)
def my_job_done(help_request_id: int):
    """"Klaar": the participant reports their job done, then writes its hours."""
    participant = participant_services.participant_for_user(db.session, current_user)
    if participant is None:
        abort(404)
    help_request = get_or_404(HelpRequest, help_request_id)
    ok = submit(ButtonForm(), lambda: services.report_own_job_done(
        db.session, current_actor(), participant.id, help_request),
        _("Gemeld: de klus is klaar. Schrijf hieronder uw uren als u dat nog niet deed."))
    if ok:
        return redirect(url_for("hours.mine", klus=help_request_id) + "#schrijven-kop")
    return redirect(url_for("helprequests.my_jobs"))


@bp.route("/mijn/klussen/meldingen", methods=["POST"])
@require_role(Role.PARTICIPANT)
@allowed_when_read_only
def notifications():
    """Turn e-mail notifications on or off (a setting of the user's own account)."""
    form = NotificationForm()
    if form.validate_on_submit() and form.enabled.data in ("0", "1"):
        enabled = form.enabled.data == "1"
        run_service(lambda: services.set_email_notifications(
            db.session, current_actor(), current_user._get_current_object(), enabled),
            _("U krijgt weer een e-mail als u wordt ingepland.") if enabled
            else _("U krijgt geen e-mail meer als u wordt ingepland."))
    else:
        flash(_("Dat lukte niet. Probeer het opnieuw."), "error")
    return redirect(url_for("helprequests.my_jobs"))
