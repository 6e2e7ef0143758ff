"""A participant's own hours (phone first), and changing or withdrawing an entry that is not
approved yet (the participant, or staff for them)."""
from __future__ import annotations

from datetime import date

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.hours import lists, services
from blueprints.hours.formats import format_minutes
from blueprints.hours.forms import EntryForm, WithdrawForm
from blueprints.hours.models import EntryStatus
from blueprints.hours.routes.blueprint import (
    _entry_data,
    _entry_form,
    _flash_and_redirect,
    _int,
    _is_staff,
    _labels,
    _load_entry,
    _load_participant,
    _page,
    _role,
    _run_service,
    _saved_messages,
    bp,
)
from blueprints.participants import services as participant_services
from tenants.extensions import db
from tenants.models import Role
from tenants.web import (
    allowed_when_read_only,
    current_actor,
    flash_form_errors,
    require_role,
)
from tenants.weeks import monday_of

OWN_PAGE_SIZE = 25


# --- the participant's own hours ---------------------------------------------------------------

@bp.route("/uren/mijn", methods=["GET", "POST"])
@allowed_when_read_only
@require_role(Role.PARTICIPANT)
def mine():
    participant = participant_services.participant_for_user(db.session, current_user)
    if participant is None:
        return render_template("hours/mine.html", p=None)
    form, trajectories, requests = _entry_form(EntryForm, participant.id)
    if form.validate_on_submit():
        back = url_for("hours.mine")  # before the commit: it reads the tenant's slug
        messages, ok = _run_service(lambda: _saved_messages(services.log_hours(
            db.session, current_actor(), g.tenant, _role(), _entry_data(form, participant.id)),
            own=True), None)
        if ok:
            return _flash_and_redirect(messages, back)
    elif request.method == "POST":
        flash_form_errors(form)
    today = date.today()
    rows, total = lists.participant_entries(db.session, participant.id, page=_page(),
                                            per_page=OWN_PAGE_SIZE)
    # every trajectory has ended: say so before they type anything (the rule is in the service)
    ends = [services.ended_before(t, today) or (t.outcome_on if t.outcome_on else None)
            for t in trajectories]
    ended_on = max(ends) if trajectories and all(ends) else None
    return render_template(
        "hours/mine.html", p=participant, form=form, trajectories=trajectories, ended_on=ended_on,
        requests=requests, rows=rows, total=total, page=_page(),
        pages=max(1, -(-total // OWN_PAGE_SIZE)),
        returned=lists.returned_entries(db.session, participant.id),
        week_minutes=lists.minutes_between(db.session, participant.id, monday_of(today), today),
        **_labels()), 400 if request.method == "POST" else 200



# --- change or withdraw an entry that is not approved ----------------------------------------

def _after_change(entry) -> str:
    if _is_staff():
        return url_for("hours.participant", participant_id=entry.participant_id)
    return url_for("hours.mine")


@bp.route("/uren/<int:entry_id>/bewerken", methods=["GET", "POST"])
@allowed_when_read_only
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
        back = _after_change(entry)
        messages, ok = _run_service(lambda: _saved_messages(services.update_entry(
            db.session, current_actor(), g.tenant, _role(), entry.id,
            _entry_data(form, entry.participant_id), _int(form.version.data)),
            own=not _is_staff()), None)
        if ok:
            return _flash_and_redirect(messages, back)
    elif request.method == "POST":
        flash_form_errors(form)
    participant = _load_participant(entry.participant_id)
    return render_template("hours/edit.html", form=form, entry=entry, p=participant,
                           back=_after_change(entry), **_labels()), \
        400 if request.method == "POST" else 200


@bp.route("/uren/<int:entry_id>/intrekken", methods=["POST"])
@allowed_when_read_only
@require_role(Role.PARTICIPANT)
def withdraw(entry_id: int):
    entry = _load_entry(entry_id)
    back = _after_change(entry)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    _run_service(lambda: services.withdraw_entry(db.session, current_actor(), _role(), entry.id,
                                                 _int(form.version.data)),
                 _("De uren zijn ingetrokken."))
    return redirect(back)
