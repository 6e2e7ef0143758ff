"""One participant's hours for staff: the list with totals, logging for them, and the hour
statement PDF."""
from __future__ import annotations

from datetime import date

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.hours import checks, lists, services
from blueprints.hours import pdf as statement
from blueprints.hours.forms import PeriodForm, StaffEntryForm
from blueprints.hours.routes.blueprint import (
    _date_arg,
    _entry_data,
    _entry_form,
    _flash_and_redirect,
    _labels,
    _load_participant,
    _page,
    _role,
    _run_service,
    _saved_messages,
    bp,
)
from blueprints.hours.rows import participant_rows
from blueprints.participants import services as participant_services
from blueprints.participants.models import ParticipantStatus
from tenants.errors import DomainError
from tenants.extensions import db
from tenants.models import Role
from tenants.web import current_actor, flash_form_errors, require_role


@bp.route("/uren/deelnemer/<int:participant_id>", methods=["GET", "POST"])
@require_role(Role.SUPERVISOR)
def participant(participant_id: int):
    p = _load_participant(participant_id)
    if request.method == "GET":
        participant_services.record_view(db.session, current_actor(), p, "hours")
    form, trajectories, _requests = _entry_form(StaffEntryForm, p.id)
    form.submit.label.text = _("Uren schrijven voor %(name)s", name=p.first_name)
    if form.validate_on_submit():
        back = url_for("hours.participant", participant_id=participant_id)  # before the commit
        messages, ok = _run_service(lambda: _saved_messages(services.log_hours(
            db.session, current_actor(), g.tenant, _role(), _entry_data(form, p.id),
            approve=form.approve.data), own=False), None)
        if ok:
            return _flash_and_redirect(messages, back)
    elif request.method == "POST":
        flash_form_errors(form)
    today = date.today()
    start = _date_arg("van") or date(today.year, 1, 1)
    end = _date_arg("tot") or today
    rows, total = lists.participant_entries(db.session, p.id, start, end, page=_page())
    period = PeriodForm(formdata=None, van=start, tot=end)
    # On a GET, rendered before the commit that stores the view in the audit log: a commit
    # expires every loaded object, and the page would reload each one.
    html = render_template(
        "hours/participant.html", p=p, form=form, trajectories=trajectories, rows=rows,
        total=total, page=_page(), pages=max(1, -(-total // lists.PAGE_SIZE)),
        args={"van": start.isoformat(), "tot": end.isoformat()}, start=start, end=end,
        totals=lists.approved_totals(db.session, p.id, start, end), period_form=period,
        warnings=checks.entry_warnings(db.session, g.tenant, [r.entry for r in rows],
                                       known=[p, *trajectories]),
        anonymised=p.status == ParticipantStatus.ANONYMISED, participant_rows=participant_rows,
        **_labels())
    if request.method == "GET":
        db.session.commit()
    return html, 400 if request.method == "POST" else 200


@bp.route("/uren/verklaring/<int:participant_id>.pdf")
@require_role(Role.SUPERVISOR)
def statement_pdf(participant_id: int):
    p = _load_participant(participant_id)
    today = date.today()
    try:
        start, end = services.check_period(_date_arg("van") or date(today.year, 1, 1),
                                           _date_arg("tot") or today)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("hours.participant", participant_id=p.id))
    services.record_statement(db.session, current_actor(), p, start, end)
    data = statement.statement_data(db.session, p, start, end, signer_name=current_user.name,
                                    today=today)
    db.session.commit()
    filename = f"urenverklaring-{p.id}-{start.isoformat()}-{end.isoformat()}.pdf"
    return Response(statement.statement_pdf(data), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"})
