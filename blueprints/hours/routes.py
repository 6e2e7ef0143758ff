"""Hours pages: "my hours" for participants (phone first); for staff the approval list, a
participant's hours with logging for them, the week grid, corrections, the hour statement PDF
and (admins) the tenant's hour settings."""
from __future__ import annotations

import logging
import re
from datetime import date, timedelta

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints.hours import checks, lists, services, week
from blueprints.hours import pdf as statement
from blueprints.hours.formats import (
    HOUR_TYPES,
    STATUS_LABELS,
    day_label,
    format_minutes,
    trajectory_end,
    type_label,
)
from blueprints.hours.forms import (
    ApproveForm,
    CorrectionForm,
    EntryForm,
    PeriodForm,
    ReturnForm,
    ReviewFilterForm,
    SettingsForm,
    StaffEntryForm,
    WeekForm,
    WithdrawForm,
)
from blueprints.hours.models import EntryStatus, HourType
from blueprints.participants import services as participant_services
from blueprints.participants.models import ParticipantStatus
from blueprints.trajectories.models import TrajectoryStatus
from blueprints.trajectories.services import KIND_LABELS
from tenants import inputs
from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.extensions import db
from tenants.formatting import format_date
from tenants.models import Role
from tenants.money import amount_text
from tenants.web import current_actor, require_role, tenant_blueprint
from tenants.urls import absolute_url
from tenants.weeks import monday_of, parse_week, week_key

bp = tenant_blueprint("hours", __name__)
log = logging.getLogger(__name__)
OWN_PAGE_SIZE = 25


@bp.app_template_filter("hours_from_minutes")
def hours_from_minutes(minutes) -> str:
    return format_minutes(minutes)


# --- helpers --------------------------------------------------------------------------------

def _role() -> Role:
    return g.membership.role


def _is_staff() -> bool:
    return _role().rank >= Role.SUPERVISOR.rank


def _int(value: str | None) -> int | None:
    """An id or a version number posted by a form; None when it is not one."""
    return inputs.to_id(value)


_date_arg = inputs.arg_date
_page = inputs.page_arg


def _safe_next(target: str | None, fallback: str) -> str:
    prefix = f"/{g.tenant.slug}/"
    if target and target.startswith(prefix) and "\\" not in target and "//" not in target:
        return target
    return fallback


def _flash_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


def _refused(exc: DomainError) -> None:
    db.session.rollback()
    if isinstance(exc, NotFound):
        abort(404)
    if isinstance(exc, PermissionDenied):
        abort(403)
    flash(exc.message, "error")


def _load_participant(participant_id: int):
    try:
        return participant_services.get_participant(db.session, participant_id)
    except NotFound:
        abort(404)


def _load_entry(entry_id: int):
    try:
        return services.get_entry(db.session, current_actor(), _role(), entry_id)
    except NotFound:
        abort(404)


def _trajectory_label(t) -> str:
    end = trajectory_end(t)
    until = format_date(end) if end else "…"
    return f"{KIND_LABELS[t.kind]} ({format_date(t.starts_on)} – {until})"


def _entry_form(form_class, participant_id: int, **kw):
    """An entry form with this participant's trajectories and help requests to choose from."""
    form = form_class(**kw)
    trajectories = lists.trajectories_for_hours(db.session, participant_id)
    form.trajectory.choices = [(str(t.id), _trajectory_label(t)) for t in trajectories]
    requests = lists.help_requests_for_hours(db.session, participant_id)
    form.help_request.choices = [("", _("— geen —"))] + [
        (str(h.id), f"{h.reference} · {h.description[:40]}") for h in requests]
    form.fill_types()
    if request.method == "GET" and not form.work_date.data:
        form.work_date.data = date.today()
        running = [t for t in trajectories if t.status == TrajectoryStatus.ACTIVE]
        if len(running) == 1 or len(trajectories) == 1:
            form.trajectory.data = str((running or trajectories)[0].id)
    return form, trajectories, requests


def _entry_data(form, participant_id: int) -> services.EntryData:
    return services.EntryData(
        participant_id=participant_id, trajectory_id=_int(form.trajectory.data),
        work_date=form.work_date.data, hours=form.hours.data or "",
        hour_type=HourType(form.hour_type.data) if form.hour_type.data else None,
        help_request_id=_int(form.help_request.data), note=form.note.data,
        idempotency_key=form.idempotency_key.data)


def _saved_messages(saved: services.Saved, own: bool) -> list[tuple[str, str]]:
    """The flash messages for a saved entry, made BEFORE the commit: afterwards the entry is
    expired, and reading it would ask a database that may be gone by then although the
    entry is stored (the person would see an error and send it again)."""
    e = saved.entry
    values = {"hours": format_minutes(e.minutes), "date": format_date(e.work_date)}
    if e.status == EntryStatus.APPROVED:
        messages = [(_("De uren zijn geschreven en goedgekeurd: %(hours)s uur op %(date)s.",
                       **values), "success")]
    elif own:
        messages = [(_("Uw uren zijn geschreven: %(hours)s uur op %(date)s. Ze wachten op "
                       "goedkeuring van uw begeleider.", **values), "success")]
    else:
        messages = [(_("De uren zijn geschreven: %(hours)s uur op %(date)s. Ze wachten op "
                       "goedkeuring.", **values), "success")]
    return messages + [(str(warning), "warning") for warning in saved.warnings]


def _commit_and_flash(messages: list[tuple[str, str]], target: str):
    """Commit, flash what was prepared, redirect to the prepared `target`: nothing read from
    the database after the commit."""
    db.session.commit()
    for message, category in messages:
        flash(message, category)
    return redirect(target)


def _labels() -> dict:
    return {"type_label": type_label, "status_labels": STATUS_LABELS, "kind_labels": KIND_LABELS,
            "day_label": day_label}


# --- the participant's own hours ---------------------------------------------------------------

@bp.route("/uren/mijn", methods=["GET", "POST"])
@require_role(Role.PARTICIPANT)
def mine():
    participant = participant_services.participant_for_user(db.session, current_user)
    if participant is None:
        return render_template("hours/mine.html", p=None)
    form, trajectories, requests = _entry_form(EntryForm, participant.id)
    if form.validate_on_submit():
        try:
            saved = services.log_hours(db.session, current_actor(), g.tenant, _role(),
                                       _entry_data(form, participant.id))
        except DomainError as exc:
            _refused(exc)
        else:
            return _commit_and_flash(_saved_messages(saved, own=True), url_for("hours.mine"))
    elif request.method == "POST":
        _flash_errors(form)
    today = date.today()
    rows, total = lists.participant_entries(db.session, participant.id, page=_page(),
                                            per_page=OWN_PAGE_SIZE)
    return render_template(
        "hours/mine.html", p=participant, form=form, trajectories=trajectories,
        requests=requests, rows=rows, total=total, page=_page(),
        pages=max(1, -(-total // OWN_PAGE_SIZE)),
        returned=lists.returned_entries(db.session, participant.id),
        week_minutes=lists.minutes_between(db.session, participant.id, monday_of(today), today),
        **_labels()), 400 if request.method == "POST" else 200


# --- review -----------------------------------------------------------------------------------

REVIEW_STATUSES = {"ingediend": EntryStatus.SUBMITTED, "teruggestuurd": EntryStatus.RETURNED,
                   "goedgekeurd": EntryStatus.APPROVED, "alle": None}


def _supervisor_arg() -> int | None:
    """The begeleider filter: absent -> a supervisor sees their own people, an admin everyone;
    empty -> everyone; an id -> that begeleider's people."""
    if "begeleider" not in request.args:
        return current_user.id if _role() == Role.SUPERVISOR else None
    return _int(request.args.get("begeleider"))


def _staff_choices() -> list[tuple[str, str]]:
    return [("", _("Iedereen"))] + [(str(u.id), u.name)
                                    for u in participant_services.staff(db.session)]


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
        warnings=checks.entry_warnings(db.session, g.tenant, [r.entry for r in rows]),
        approve_form=ApproveForm(), return_form=ReturnForm(), this_url=request.full_path,
        is_admin=_role() == Role.ADMIN, **_labels())


@bp.route("/uren/goedkeuren", methods=["POST"])
@require_role(Role.SUPERVISOR)
def approve():
    back = _safe_next(request.form.get("next"), url_for("hours.review"))
    form = ApproveForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(back)
    # "Alle wachtende uren op deze pagina" sends every waiting row; otherwise the ticked ones.
    chosen = request.form.getlist("page_entry" if request.form.get("alles") else "entry")
    expected = {}
    for raw in chosen:
        entry_id = _int(raw)
        if entry_id is not None:
            expected[entry_id] = _int(request.form.get(f"version-{entry_id}"))
    try:
        entries = services.approve_entries(db.session, current_actor(), expected)
    except DomainError as exc:
        _refused(exc)
    else:
        db.session.commit()
        flash(ngettext("%(num)s regel uren is goedgekeurd.", "%(num)s regels uren zijn "
                       "goedgekeurd.", len(entries)), "success")
    return redirect(back)


@bp.route("/uren/<int:entry_id>/terugsturen", methods=["POST"])
@require_role(Role.SUPERVISOR)
def return_entry(entry_id: int):
    entry = _load_entry(entry_id)
    back = _safe_next(request.form.get("next"), url_for("hours.review"))
    form = ReturnForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(back)
    try:
        services.return_entry(db.session, current_actor(), entry.id, form.reason.data,
                              _int(form.version.data))
    except DomainError as exc:
        _refused(exc)
        return redirect(back)
    db.session.commit()
    flash(_("De uren zijn teruggestuurd naar de deelnemer."), "success")
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
        try:
            services.correct_entry(db.session, current_actor(), _role(), original.id,
                                   form.hours.data, form.reason.data)
        except DomainError as exc:
            _refused(exc)
        else:
            db.session.commit()
            flash(_("De correctie is ingediend; zij wacht op goedkeuring."), "success")
            return redirect(url_for("hours.participant", participant_id=original.participant_id))
    elif request.method == "POST":
        _flash_errors(form)
    participant = _load_participant(original.participant_id)
    return render_template("hours/correct.html", form=form, entry=original, p=participant,
                           corrections=corrections, **_labels()), \
        400 if request.method == "POST" else 200


# --- change or withdraw an entry that is not approved ----------------------------------------

def _after_change(entry) -> str:
    if _is_staff():
        return url_for("hours.participant", participant_id=entry.participant_id)
    return url_for("hours.mine")


@bp.route("/uren/<int:entry_id>/bewerken", methods=["GET", "POST"])
@require_role(Role.PARTICIPANT)
def edit(entry_id: int):
    entry = _load_entry(entry_id)
    if entry.status == EntryStatus.APPROVED or entry.corrects_id is not None:
        flash(services.EntryLocked().message if entry.status == EntryStatus.APPROVED else
              _("Een correctie past u niet aan: trek haar in en maak een nieuwe."), "error")
        return redirect(_after_change(entry))
    form, _trajectories, _requests = _entry_form(EntryForm, entry.participant_id)
    form.submit.label.text = _("Opslaan en opnieuw indienen") \
        if entry.status == EntryStatus.RETURNED else _("Opslaan")
    if request.method == "GET":
        form.work_date.data = entry.work_date
        form.hours.data = format_minutes(entry.minutes)
        form.trajectory.data = str(entry.trajectory_id or "")
        form.hour_type.data = entry.hour_type.value
        form.help_request.data = str(entry.help_request_id or "")
        form.note.data = entry.note
        form.version.data = str(entry.version)
    if form.validate_on_submit():
        try:
            saved = services.update_entry(
                db.session, current_actor(), g.tenant, _role(), entry.id,
                _entry_data(form, entry.participant_id), _int(form.version.data))
        except DomainError as exc:
            _refused(exc)
        else:
            return _commit_and_flash(_saved_messages(saved, own=not _is_staff()),
                                     _after_change(entry))
    elif request.method == "POST":
        _flash_errors(form)
    participant = _load_participant(entry.participant_id)
    return render_template("hours/edit.html", form=form, entry=entry, p=participant,
                           back=_after_change(entry), **_labels()), \
        400 if request.method == "POST" else 200


@bp.route("/uren/<int:entry_id>/intrekken", methods=["POST"])
@require_role(Role.PARTICIPANT)
def withdraw(entry_id: int):
    entry = _load_entry(entry_id)
    back = _after_change(entry)
    form = WithdrawForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(back)
    try:
        services.withdraw_entry(db.session, current_actor(), _role(), entry.id,
                                _int(form.version.data))
    except DomainError as exc:
        _refused(exc)
    else:
        db.session.commit()
        flash(_("De uren zijn ingetrokken."), "success")
    return redirect(back)


# --- one participant's hours (staff) ----------------------------------------------------------

@bp.route("/uren/deelnemer/<int:participant_id>", methods=["GET", "POST"])
@require_role(Role.SUPERVISOR)
def participant(participant_id: int):
    p = _load_participant(participant_id)
    if request.method == "GET":
        participant_services.record_view(db.session, current_actor(), p, "hours")
        db.session.commit()
    form, trajectories, _requests = _entry_form(StaffEntryForm, p.id)
    form.submit.label.text = _("Uren schrijven voor %(name)s", name=p.first_name)
    if form.validate_on_submit():
        try:
            saved = services.log_hours(db.session, current_actor(), g.tenant, _role(),
                                       _entry_data(form, p.id), approve=form.approve.data)
        except DomainError as exc:
            _refused(exc)
        else:
            return _commit_and_flash(_saved_messages(saved, own=False),
                                     url_for("hours.participant", participant_id=participant_id))
    elif request.method == "POST":
        _flash_errors(form)
    today = date.today()
    start = _date_arg("van") or date(today.year, 1, 1)
    end = _date_arg("tot") or today
    rows, total = lists.participant_entries(db.session, p.id, start, end, page=_page())
    period = PeriodForm(formdata=None, van=start, tot=end)
    return render_template(
        "hours/participant.html", p=p, form=form, trajectories=trajectories, rows=rows,
        total=total, page=_page(), pages=max(1, -(-total // lists.PAGE_SIZE)),
        args={"van": start.isoformat(), "tot": end.isoformat()}, start=start, end=end,
        totals=lists.approved_totals(db.session, p.id, start, end), period_form=period,
        warnings=checks.entry_warnings(db.session, g.tenant, [r.entry for r in rows]),
        anonymised=p.status == ParticipantStatus.ANONYMISED, return_form=ReturnForm(),
        **_labels()), 400 if request.method == "POST" else 200


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


# --- the week grid ----------------------------------------------------------------------------

_CELL = re.compile(r"u-([0-9]{1,19})-([0-9]{4}-[0-9]{2}-[0-9]{2})", re.ASCII)


def _cells_from_form(form_data):
    cells, types, snapshots = [], {}, {}
    for name, value in form_data.items():
        match = _CELL.fullmatch(name)
        if not match or not (value or "").strip():
            continue
        day, tid = inputs.to_date(match.group(2)), inputs.to_id(match.group(1))
        if day is None or tid is None:
            continue
        cells.append(week.GridCell(tid, day, value.strip()))
        raw_type = form_data.get(f"soort-{tid}") or ""
        types[tid] = HourType(raw_type) if raw_type in {t.value for t in HourType} else None
        if form_data.get(f"stand-{tid}"):
            snapshots[tid] = form_data[f"stand-{tid}"]
    return cells, types, snapshots


@bp.route("/uren/week", methods=["GET", "POST"])
@require_role(Role.SUPERVISOR)
def week_grid():
    today = date.today()
    monday = parse_week(request.args.get("week"), today)
    supervisor_id = _supervisor_arg()
    nav = {"begeleider": str(supervisor_id or "")}
    page = _page()
    form = WeekForm()
    result = None
    if form.validate_on_submit():
        cells, types, snapshots = _cells_from_form(request.form)
        try:
            result = week.log_week(db.session, current_actor(), g.tenant, _role(), monday, cells,
                                   types=types, snapshots=snapshots, approve=form.approve.data,
                                   today=today)
        except DomainError as exc:
            _refused(exc)
        else:
            if result.ok:
                db.session.commit()
                flash(ngettext("%(num)s regel uren is opgeslagen.",
                               "%(num)s regels uren zijn opgeslagen.", len(result.saved)),
                      "success")
                for warning in result.warnings:
                    flash(warning, "warning")
                return redirect(url_for("hours.week_grid", week=week_key(monday), page=page,
                                        **nav))
            db.session.rollback()
            flash(_("Er is niets opgeslagen. Verbeter de gemarkeerde uren en sla opnieuw op."),
                  "error")
    elif request.method == "POST":
        _flash_errors(form)
    grid = week.week_grid(db.session, monday, supervisor_id, page=page)
    typed = request.form if request.method == "POST" else {}
    return render_template(
        "hours/week.html", grid=grid, form=form, today=today, typed=typed,
        errors=result.errors if result else {}, row_errors=result.row_errors if result else {},
        week=week_key(monday), previous=week_key(monday - timedelta(days=7)),
        next=week_key(monday + timedelta(days=7)), this_week=week_key(monday_of(today)), nav=nav,
        staff_choices=_staff_choices(), supervisor_id=supervisor_id,
        type_choices=[("", _("Wat past bij het traject"))] + [
            (t.value, type_label(t, monday)) for t in HOUR_TYPES],
        **_labels()), 400 if request.method == "POST" else 200


# --- settings (admins) ------------------------------------------------------------------------

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
        try:
            services.update_settings(db.session, current_actor(), tenant,
                                     need_approval=form.hours_need_approval.data,
                                     rate=form.allowance.data)
        except DomainError as exc:
            _refused(exc)
        else:
            db.session.commit()
            flash(_("De instellingen voor uren zijn opgeslagen."), "success")
            return redirect(url_for("hours.settings"))
    elif request.method == "POST":
        _flash_errors(form)
    return render_template("hours/settings.html", form=form), \
        400 if request.method == "POST" else 200
