"""The week grid: staff log a week of hours for their people in one form; nothing is kept
while a cell has an error."""
from __future__ import annotations

import re
from datetime import date, timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from blueprints.hours import week
from blueprints.hours.formats import HOUR_TYPES, type_label
from blueprints.hours.forms import WeekForm
from blueprints.hours.models import HourType
from blueprints.hours.routes.blueprint import (
    _labels,
    _page,
    _role,
    _run_service,
    _staff_choices,
    _supervisor_arg,
    bp,
)
from blueprints.hours.rows import grid_rows
from tenants import inputs
from tenants.extensions import db
from tenants.models import Role
from tenants.web import current_actor, flash_form_errors, require_role
from tenants.weeks import monday_of, parse_week, week_key


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
        result, ok = _run_service(
            lambda: week.log_week(db.session, current_actor(), g.tenant, _role(), monday, cells,
                                  types=types, snapshots=snapshots, approve=form.approve.data,
                                  today=today),
            lambda done: ngettext("%(num)s regel uren is opgeslagen.",
                                  "%(num)s regels uren zijn opgeslagen.", len(done.saved)),
            keep=lambda done: done.ok)
        if ok:
            for warning in result.warnings:
                flash(warning, "warning")
            return redirect(url_for("hours.week_grid", week=week_key(monday), page=page,
                                    **nav))
        if result is not None:  # errors per cell: nothing was kept
            flash(_("Er is niets opgeslagen. Verbeter de gemarkeerde uren en sla opnieuw op."),
                  "error")
    elif request.method == "POST":
        flash_form_errors(form)
    grid = week.week_grid(db.session, monday, supervisor_id, page=page)
    typed = request.form if request.method == "POST" else {}
    return render_template(
        "hours/week.html", grid=grid, form=form, today=today, typed=typed,
        errors=result.errors if result else {}, row_errors=result.row_errors if result else {},
        week=week_key(monday), previous=week_key(monday - timedelta(days=7)),
        next=week_key(monday + timedelta(days=7)), this_week=week_key(monday_of(today)), nav=nav,
        staff_choices=_staff_choices(), supervisor_id=supervisor_id,
        type_choices=[("", _("Wat past bij het traject"))] + [
            (t.value, type_label(t, monday)) for t in HOUR_TYPES], grid_rows=grid_rows,
        **_labels()), 400 if request.method == "POST" else 200
