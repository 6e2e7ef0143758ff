"""The hours blueprint and what its views share: the member's role, the query arguments, the
entry form with its choices, and how a saved entry is reported."""
from __future__ import annotations

from datetime import date
from functools import partial

from flask import abort, flash, g, redirect, request
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.hours import lists, services
from blueprints.hours.formats import (
    STATUS_LABELS,
    day_label,
    format_minutes,
    trajectory_end,
    type_label,
)
from blueprints.hours.models import EntryStatus, HourType
from blueprints.participants import services as participant_services
from blueprints.trajectories.models import TrajectoryStatus
from blueprints.trajectories.services import KIND_LABELS
from tenants import inputs
from tenants.errors import NotFound, PermissionDenied
from tenants.extensions import db
from tenants.formatting import format_date
from tenants.models import Role
from tenants.web import current_actor, run_service, tenant_blueprint

bp = tenant_blueprint("hours", __name__)


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


#: run_service for the hours views: a rule that refuses for the user's role answers 403
#: (NotFound answers 404, any other refusal is flashed).
_run_service = partial(run_service, statuses={PermissionDenied: 403})


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
        # "uren schrijven voor deze klus" on a job card: that job chosen, if it still takes hours
        job = request.args.get("klus", "")
        if job.isdigit() and any(h.id == int(job) for h in requests):
            form.help_request.data = job
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


def _flash_and_redirect(messages: list[tuple[str, str]], target: str):
    """After run_service committed: flash what was prepared, redirect to the `target` made
    before the commit (url_for reads the tenant's slug): nothing is read after the commit."""
    for message, category in messages:
        flash(message, category)
    return redirect(target)


def _labels() -> dict:
    """The labels a list of hours shows per row, translated once for this request: each is a
    lazy string, and turning one into text goes through Flask-Babel's lookup every time (150
    lookups on a page of 50 rows, about 1 ms)."""
    types: dict = {}

    def row_type_label(hour_type: HourType, on: date | None = None) -> str:
        if hour_type == HourType.COUNTER_PERFORMANCE:  # its name depends on the date
            return type_label(hour_type, on)
        if hour_type not in types:
            types[hour_type] = type_label(hour_type, on)
        return types[hour_type]

    days: dict = {}

    def grid_day_label(day: date, long: bool = False) -> str:
        """day_label once per day and form for this request: the week grid asks for each of
        its seven days in every row (Babel formats a date in ~100 µs)."""
        key = (day, long)
        if key not in days:
            days[key] = day_label(day, long)
        return days[key]

    return {"type_label": row_type_label,
            "status_labels": {k: str(v) for k, v in STATUS_LABELS.items()},
            "kind_labels": {k: str(v) for k, v in KIND_LABELS.items()},
            "day_label": grid_day_label}


def _supervisor_arg() -> int | None:
    """The begeleider filter: absent -> a supervisor sees their own people, an admin everyone;
    empty -> everyone; an id -> that begeleider's people."""
    if "begeleider" not in request.args:
        return current_user.id if _role() == Role.SUPERVISOR else None
    return _int(request.args.get("begeleider"))


def _staff_choices() -> list[tuple[str, str]]:
    return [("", _("Iedereen"))] + [(str(u.id), u.name)
                                    for u in participant_services.staff(db.session)]
