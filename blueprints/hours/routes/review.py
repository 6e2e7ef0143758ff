"""Review by staff: the approval list, approving, returning an entry with a reason, and
correcting approved hours."""
from __future__ import annotations

import logging

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from blueprints.hours import checks, lists, services
from blueprints.hours.formats import format_minutes
from blueprints.hours.forms import ApproveForm, CorrectionForm, ReturnForm, ReviewFilterForm
from blueprints.hours.models import EntryStatus
from blueprints.hours.routes.blueprint import (
    _date_arg,
    _int,
    _labels,
    _load_entry,
    _load_participant,
    _page,
    _role,
    _run_service,
    _safe_next,
    _staff_choices,
    _supervisor_arg,
    bp,
)
from blueprints.hours.rows import review_rows
from tenants.extensions import db
from tenants.models import Role
from tenants.urls import absolute_url
from tenants.web import current_actor, flash_form_errors, require_role

log = logging.getLogger(__name__)

REVIEW_STATUSES = {"ingediend": EntryStatus.SUBMITTED, "teruggestuurd": EntryStatus.RETURNED,
                   "goedgekeurd": EntryStatus.APPROVED, "alle": None}


@bp.route("/uren/")
@require_role(Role.SUPERVISOR)
def review():
    status_arg = request.args.get("status", "ingediend")
    status_arg = status_arg if status_arg in REVIEW_STATUSES else "ingediend"
    supervisor_id = _supervisor_arg()
    f = lists.ReviewFilter(status=REVIEW_STATUSES[status_arg], supervisor_id=supervisor_id,
                           start=_date_arg("van"), end=_date_arg("tot"))
    form = ReviewFilterForm(formdata=None, status=status_arg,
                            begeleider=str(supervisor_id or ""), van=f.start, tot=f.end)
    form.status.choices = [("ingediend", _("Wacht op goedkeuring")),
                           ("teruggestuurd", _("Teruggestuurd")),
                           ("goedgekeurd", _("Goedgekeurd")), ("alle", _("Alle"))]
    form.begeleider.choices = _staff_choices()
    rows, total = lists.review_list(db.session, f, page=_page())
    args = {"status": status_arg, "begeleider": str(supervisor_id or ""),
            **{k: request.args[k] for k in ("van", "tot") if request.args.get(k)}}
    return render_template(
        "hours/review.html", form=form, rows=rows, total=total, page=_page(),
        pages=max(1, -(-total // lists.PAGE_SIZE)), args=args,
        # the rows carry their participant: the warnings need not read them again
        warnings=checks.entry_warnings(db.session, g.tenant, [r.entry for r in rows],
                                       known=[r.participant for r in rows]),
        this_url=request.full_path,
        is_admin=_role() == Role.ADMIN, review_rows=review_rows, **_labels())


@bp.route("/uren/goedkeuren", methods=["POST"])
@require_role(Role.SUPERVISOR)
def approve():
    back = _safe_next(request.form.get("next"), url_for("hours.review"))
    form = ApproveForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    # "Alle wachtende uren op deze pagina" sends every waiting row; otherwise the ticked ones.
    chosen = request.form.getlist("page_entry" if request.form.get("alles") else "entry")
    expected = {}
    for raw in chosen:
        entry_id = _int(raw)
        if entry_id is not None:
            expected[entry_id] = _int(request.form.get(f"version-{entry_id}"))
    _run_service(lambda: services.approve_entries(db.session, current_actor(), expected),
                 lambda entries: ngettext("%(num)s regel uren is goedgekeurd.",
                                          "%(num)s regels uren zijn goedgekeurd.", len(entries)))
    return redirect(back)


@bp.route("/uren/<int:entry_id>/terugsturen", methods=["POST"])
@require_role(Role.SUPERVISOR)
def return_entry(entry_id: int):
    entry = _load_entry(entry_id)
    back = _safe_next(request.form.get("next"), url_for("hours.review"))
    form = ReturnForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    _result, ok = _run_service(lambda: services.return_entry(
        db.session, current_actor(), entry.id, form.reason.data, _int(form.version.data)),
        _("De uren zijn teruggestuurd naar de deelnemer."))
    if not ok:
        return redirect(back)
    try:
        if services.notify_returned(db.session, entry, absolute_url("hours.mine")):
            flash(_("De deelnemer krijgt hierover een e-mail."), "info")
    except Exception:
        log.exception("Mail about returned hours failed")
        flash(_("De e-mail aan de deelnemer kon niet worden verstuurd."), "warning")
    return redirect(back)


@bp.route("/uren/<int:entry_id>/corrigeren", methods=["GET", "POST"])
@require_role(Role.SUPERVISOR)
def correct(entry_id: int):
    entry = _load_entry(entry_id)
    original = _load_entry(entry.corrects_id) if entry.corrects_id else entry
    corrections = services.corrections_of(db.session, [original.id])[original.id]
    form = CorrectionForm()
    if request.method == "GET":
        form.hours.data = format_minutes(services.approved_minutes(original, corrections))
    if form.validate_on_submit():
        _result, ok = _run_service(lambda: services.correct_entry(
            db.session, current_actor(), _role(), original.id, form.hours.data, form.reason.data),
            _("De correctie is ingediend; zij wacht op goedkeuring."))
        if ok:
            return redirect(url_for("hours.participant", participant_id=original.participant_id))
    elif request.method == "POST":
        flash_form_errors(form)
    participant = _load_participant(original.participant_id)
    return render_template("hours/correct.html", form=form, entry=original, p=participant,
                           corrections=corrections, **_labels()), \
        400 if request.method == "POST" else 200
