"""Privacy pages of a tenant (admins only): a participant's audit trail, export and erasure, and
the retention setting with its anonymisation proposals."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from flask import current_app, g, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from blueprints.participants.models import Participant, ParticipantStatus
from blueprints.participants.services import record_view
from blueprints.privacy.forms import EraseForm, ExportForm, RetentionForm
from blueprints.privacy.services import (
    TRAIL_PAGE_SIZE,
    erase_participant,
    export_participant,
    participant_audit_trail,
    retention_proposals,
    running_trajectories,
    set_retention,
)
from blueprints.privacy.rows import trail_rows
from tenants import inputs
from tenants.extensions import db
from tenants.models import Role
from tenants.storage import uploads_root
from tenants.web import (
    allowed_when_read_only,
    current_actor,
    get_or_404,
    require_role,
    run_service,
    tenant_blueprint,
)

bp = tenant_blueprint("privacy", __name__, url_prefix="/privacy")


def storage_root() -> Path:
    """Where uploaded files live: `<instance>/uploads`, one folder per tenant inside."""
    return uploads_root(current_app.instance_path)


def _participant(participant_id: int) -> Participant:
    return get_or_404(Participant, participant_id)  # the scoped query: another tenant's is 404


def _back_url(participant_id: int) -> str | None:
    """The participant's file, when the participants blueprint offers that page."""
    try:
        return url_for("participants.show", participant_id=participant_id)
    except BuildError:
        return None


@bp.route("/deelnemer/<int:participant_id>/auditlog", endpoint="audit_trail")
@require_role(Role.ADMIN)
def audit_trail(participant_id: int):
    participant = _participant(participant_id)
    before = inputs.arg_id("voor")
    events = participant_audit_trail(db.session, participant, before_id=before,
                                     limit=TRAIL_PAGE_SIZE + 1)
    more = len(events) > TRAIL_PAGE_SIZE
    record_view(db.session, current_actor(), participant, "auditlog")
    # Rendered before the commit: the commit expires every loaded object, and reading the
    # events after it would reload them one by one (a statement per event).
    page = render_template("privacy/audit_trail.html", participant=participant,
                           events=events[:TRAIL_PAGE_SIZE],
                           next_before=events[TRAIL_PAGE_SIZE - 1].id if more else None,
                           export_form=ExportForm(), back_url=_back_url(participant.id),
                           trail_rows=trail_rows)
    db.session.commit()
    return page


@bp.route("/deelnemer/<int:participant_id>/export", methods=["POST"], endpoint="export")
@allowed_when_read_only
@require_role(Role.ADMIN)
def export(participant_id: int):
    participant = _participant(participant_id)
    if not ExportForm().validate_on_submit():
        return redirect(url_for("privacy.audit_trail", participant_id=participant.id))
    content = export_participant(db.session, current_actor(), participant, storage_root())
    db.session.commit()
    response = send_file(io.BytesIO(content), mimetype="application/zip", as_attachment=True,
                         download_name=f"deelnemer-{participant_id}.zip", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/deelnemer/<int:participant_id>/anonimiseren", methods=["GET", "POST"],
          endpoint="erase")
@require_role(Role.ADMIN)
def erase(participant_id: int):
    participant = _participant(participant_id)
    form = EraseForm()
    status = 200
    if form.validate_on_submit():
        _result, ok = run_service(
            lambda: erase_participant(db.session, current_actor(), participant, storage_root(),
                                      date.today()),
            lambda erased: _("De persoonsgegevens zijn gewist. De deelnemer heet voortaan "
                             "%(code)s.", code=erased.pseudonym))
        if ok:
            return redirect(url_for("privacy.audit_trail", participant_id=participant_id))
        status = 400
    elif form.is_submitted():
        status = 400
    running = running_trajectories(db.session, participant) \
        if participant.status != ParticipantStatus.ANONYMISED else []
    return render_template("privacy/erase.html", participant=participant, form=form,
                           running=running, back_url=_back_url(participant.id)), status


@bp.route("/bewaartermijn", methods=["GET", "POST"], endpoint="retention")
@require_role(Role.ADMIN)
def retention():
    tenant = g.tenant
    form = RetentionForm(data={"years": tenant.retention_years})
    status = 200
    if form.validate_on_submit():
        _result, ok = run_service(
            lambda: set_retention(db.session, current_actor(), tenant, form.years.data),
            _("De bewaartermijn is opgeslagen.") if form.years.data else
            _("Er worden geen voorstellen tot anonimiseren meer gedaan."),
            refused=form.years.errors.append)
        if ok:
            return redirect(url_for("privacy.retention"))
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template("privacy/retention.html", form=form, tenant=tenant,
                           proposals=retention_proposals(db.session, tenant, date.today()),
                           today=date.today()), status
