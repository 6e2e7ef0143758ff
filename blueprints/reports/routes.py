"""The report pages: /<tenant>/rapportage (the figures, a chart, the exports), the
drill-downs behind the figures and the scheduled report. For admins (coordinators)."""
from __future__ import annotations

from datetime import date

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from blueprints.hours.formats import format_minutes, type_label
from blueprints.hours.models import HourType
from blueprints.reports import (
    chart,
    exports,
    followups,
    html,
    periods,
    report_templates,
    schedule,
    services,
    sharing,
    value,
)
from blueprints.reports import jobs as _jobs  # noqa: F401  (registers the report's jobs)
from blueprints.reports import pdf as report_pdf
from blueprints.reports.forms import (
    AssumptionForm,
    FollowUpForm,
    PeriodForm,
    ScheduleForm,
    ShareForm,
)
from blueprints.trajectories.models import Outcome
from blueprints.trajectories.services import KIND_LABELS, OUTCOME_LABELS
from tenants.errors import DomainError
from tenants.extensions import db
from tenants.models import Role
from tenants.inputs import to_id
from tenants.web import (
    current_actor,
    page_arg,
    require_role,
    run_service,
    submit,
    tenant_blueprint,
)

bp = tenant_blueprint("reports", __name__, url_prefix="/rapportage")

#: the query arguments that name the period, kept on every link of the report
PERIOD_ARGS = ("periode", "jaar", "maand", "kwartaal", "van", "tot", "vergelijk", "sjabloon")


def _period():
    """(period, comparison period, comparison key, the arguments to keep, error message)."""
    today = date.today()
    how = request.args.get("vergelijk")
    how = how if how in periods.COMPARISONS else "vorige"
    args = {k: request.args[k] for k in PERIOD_ARGS if request.args.get(k)}
    error = None
    try:
        period = periods.choose(request.args, today)
    except DomainError as exc:
        error = exc.message
        period = periods.choose({}, today)
        args = {}
    return period, periods.compared(period, how), how, args, error


def _template():
    """(the report template asked for, error message): an unknown one falls back to the
    default with a message."""
    template = report_templates.find(request.args.get("sjabloon"))
    if template is None:
        return (report_templates.TEMPLATES[report_templates.DEFAULT],
                _("Dit sjabloon bestaat niet; u ziet het standaardsjabloon."))
    return template, None


def _board() -> bool:
    """A board member (bestuur) sees the figures, never the named records behind them: no
    drill-down links, no follow-up list, no changing assumptions or the schedule."""
    return g.membership.role == Role.BOARD


def _period_form(period, how, template=None) -> PeriodForm:
    # The form shows the period as understood (a month's own dates in the date fields), not
    # the raw input: what the figures are about is what the form says.
    form = PeriodForm(formdata=None,
                      data={"periode": period.kind, "jaar": str(period.start.year),
                            "maand": str(period.start.month),
                            "kwartaal": str((period.start.month - 1) // 3 + 1),
                            "van": period.start, "tot": period.end, "vergelijk": how,
                            "sjabloon": template.key if template else None})
    return form


@bp.route("")
@require_role(Role.ADMIN, board=True)
def index():
    period, compare, how, args, error = _period()
    template, template_error = _template()
    if template_error:
        args.pop("sjabloon", None)
    form = _period_form(period, how, template)
    now, then = services.figures(db.session, period, compare, parts=template.parts)
    weeks = services.hours_per_week(db.session, period) if "weeks" in template.charts else []
    return render_template(
        "reports/index.html", form=form, period=period, compare=compare, args=args,
        error=error or template_error, template=template,
        templates=report_templates.TEMPLATES,
        sections=report_templates.apply(template, services.sections(now, then)), weeks=weeks,
        chart=chart.weekly_bars(weeks), charts=chart.report_charts(template.charts, now),
        board=_board(), figures_rows=html.figures_rows, week_bars=html.week_bars,
        week_rows=html.week_rows, category_bars=html.category_bars,
        category_rows=html.category_rows)


@bp.route("/export.<fmt>")
@require_role(Role.ADMIN, board=True)
def export(fmt):
    if fmt not in ("csv", "xlsx", "pdf"):
        abort(404)
    period, compare, _how, _args, error = _period()
    template, template_error = _template()
    if error or template_error:
        abort(400)
    if fmt == "pdf":
        from tenants.storage import uploads_root

        body = report_pdf.render_report_pdf(db.session, g.tenant.name, period, compare,
                                            storage_root=uploads_root(current_app.instance_path),
                                            template=template)
        return Response(body, mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{report_pdf.file_name(period)}"',
            "Cache-Control": "no-store"})
    sections = report_templates.apply(
        template, services.sections(*services.figures(db.session, period, compare,
                                                      parts=template.parts)))
    body, name = exports.report_file(sections, period, compare, fmt)
    mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                if fmt == "xlsx" else "text/csv; charset=utf-8")
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


#: the drill-down lists' downloads
LIST_FORMATS = {"csv": "text/csv",  # Werkzeug adds "; charset=utf-8"
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _hours_filter():
    """(hour type, place) of the hours drill-down; ValueError for a malformed one."""
    hour_type = HourType(request.args["soort"]) if request.args.get("soort") else None
    place = services.Place(services.place_arg(request.args.get("wijk")),
                           services.place_arg(request.args.get("inzet")))
    return hour_type, place


def _place_name(place):
    """The name of the drill-down's wijk or host organisation; 404 for an id of nothing here
    (or of another tenant); None without a place."""
    if place.wijk is None and place.host is None:
        return None
    where = services.place_name(db.session, place)
    if where is None:
        abort(404)
    return where


def _outflow_filter():
    """The outcome of the outflow drill-down (None: all); ValueError for a malformed one."""
    return Outcome(request.args["uitkomst"]) if request.args.get("uitkomst") else None


def _refuse_download(message):
    """A download asked with a filter that is not one: a Dutch page, 400, no file."""
    return render_template("error.html", code=400, message=message), 400


def _list_download(fmt, write, parse=lambda: None, unknown=None):
    """A list as CSV or XLSX: a format that is not one 404, a bad period or filter (`parse`
    raises ValueError) a Dutch 400 page; else `write(period, chosen)` gives (body, name) and
    records the download in the audit log, committed here."""
    if fmt not in LIST_FORMATS:
        abort(404)
    period, _compare, _how, _args, error = _period()
    if error:
        return _refuse_download(error)
    try:
        chosen = parse()
    except ValueError:
        return _refuse_download(unknown)
    body, name = write(period, chosen)
    db.session.commit()  # the audit event of the download
    return Response(body, mimetype=LIST_FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.route("/uren")
@require_role(Role.ADMIN)
def hours():
    period, _compare, _how, args, _error = _period()
    try:
        hour_type, place = _hours_filter()
    except ValueError:
        abort(404)
    where = _place_name(place)
    page = page_arg()
    rows, total, count = services.approved_hours(db.session, period, hour_type, page, place)
    extra = {k: v for k, v in (("soort", hour_type.value if hour_type else None),
                               ("wijk", place.wijk), ("inzet", place.host)) if v}
    return render_template(
        "reports/hours.html", period=period, args=args, rows=rows, total=total, count=count,
        page=page, pages=max(1, -(-count // services.PAGE_SIZE)),
        what=type_label(hour_type, period.end) if hour_type else None, where=where,
        soort=hour_type.value if hour_type else None, extra=extra,
        format_minutes=format_minutes, type_label=type_label)


@bp.route("/uren/export.<fmt>")
@require_role(Role.ADMIN)
def hours_export(fmt):
    """The hours drill-down as CSV or XLSX: its columns, every row of the same filter."""
    def write(period, chosen):
        hour_type, place = chosen
        _place_name(place)
        return exports.hours_download(db.session, current_actor(), period, hour_type, place, fmt)
    return _list_download(fmt, write, _hours_filter, _(
        "Deze soort uren, wijk of inzetorganisatie bestaat niet. Open de lijst opnieuw vanuit "
        "de rapportage."))


@bp.route("/uitstroom")
@require_role(Role.ADMIN)
def outflow():
    period, _compare, _how, args, _error = _period()
    try:
        outcome = _outflow_filter()
    except ValueError:
        abort(404)
    rows, count, median_days, page = services.ended_trajectories(
        db.session, period, outcome, page_arg())
    return render_template(
        "reports/outflow.html", period=period, args=args, rows=rows, count=count, page=page,
        median_days=median_days,
        pages=services.pages_of(count, services.OUTFLOW_PAGE_SIZE),
        page_size=services.OUTFLOW_PAGE_SIZE,
        what=OUTCOME_LABELS[outcome] if outcome else None,
        uitkomst=outcome.value if outcome else None, outcome_labels=OUTCOME_LABELS,
        kind_labels=KIND_LABELS)


@bp.route("/uitstroom/export.<fmt>")
@require_role(Role.ADMIN)
def outflow_export(fmt):
    """The outflow drill-down as CSV or XLSX: its columns, every row of the same filter."""
    return _list_download(
        fmt, lambda period, outcome: exports.outflow_download(
            db.session, current_actor(), period, outcome, fmt),
        _outflow_filter, _("Deze bestemming bestaat niet. Open de lijst opnieuw vanuit "
                           "de rapportage."))


@bp.route("/planning", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def schedule_page():
    """The scheduled report: monthly or quarterly, to chosen addresses."""
    current = schedule.find_schedule(db.session)
    form = ScheduleForm(data={"frequency": current.frequency, "template": current.template,
                              "recipients": current.recipients} if current else None)
    if form.validate_on_submit():
        try:
            schedule.save_schedule(db.session, current_actor(), schedule.ScheduleData(
                form.frequency.data, form.recipients.data, form.template.data))
        except DomainError as exc:
            db.session.rollback()
            form.recipients.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("De geplande rapportage is opgeslagen."), "success")
            return redirect(url_for("reports.schedule_page"))
    due = schedule.due_period(current, date.today()) if current else None
    return render_template("reports/schedule.html", form=form, schedule=current, due=due,
                           template=schedule.template_of(current) if current else None,
                           next_period=schedule.last_complete(current.frequency, date.today())
                           if current else None)


@bp.route("/planning/stoppen", methods=["POST"])
@require_role(Role.ADMIN)
def schedule_remove():
    schedule.remove_schedule(db.session, current_actor())  # POST: CSRF checked app-wide
    db.session.commit()
    flash(_("De geplande rapportage is gestopt."), "success")
    return redirect(url_for("reports.schedule_page"))


@bp.route("/delen", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def sharing_page():
    """What the municipality may see: grant a template from a month on, revoke, the history."""
    today = date.today()
    form = ShareForm(data=None if request.method == "POST" else {
        "maand": str(today.month), "jaar": today.year})
    form.template.choices = [(k, str(v)) for k, v in sharing.TEMPLATE_LABELS.items()]
    if request.method == "POST" and submit(
            form, lambda: sharing.grant(db.session, current_actor(), g.tenant, sharing.ShareData(
                form.template.data, date(form.jaar.data, int(form.maand.data), 1))),
            _("De gemeente kan dit nu zien.")):
        return redirect(url_for("reports.sharing_page"))
    return render_template(
        "reports/sharing.html", form=form, shares=sharing.shares(db.session),
        municipality=sharing.municipality_of(db.session, g.tenant),
        labels=sharing.TEMPLATE_LABELS, definitions=sharing.TEMPLATE_DEFINITIONS)


@bp.route("/delen/<share_id>/intrekken", methods=["POST"])
@require_role(Role.ADMIN)
def sharing_revoke(share_id):
    share_id = to_id(share_id)
    if share_id is None:
        abort(404)
    run_service(lambda: sharing.revoke(db.session, current_actor(), share_id),
                _("Ingetrokken: de gemeente ziet deze cijfers niet meer."))
    return redirect(url_for("reports.sharing_page"))


@bp.route("/waarde")
@require_role(Role.ADMIN, board=True)
def value_page():
    """The value estimate with its working: formula, inputs and sources, a low-high band; the
    social value beside it; who gains what; the assumptions used, editable within bounds."""
    period, _compare, how, args, error = _period()
    result = value.estimate(db.session, period)
    lines, page, pages = value.lines_page(result, page_arg())
    forms = {key: AssumptionForm(prefix=key, formdata=None, data={
        "value": value.input_text(used.assumption, used.value),
        "source": used.own.source if used.own else ""}) for key, used in result.used.items()}
    for key, f in forms.items():
        f.value.label.text = _("Eigen waarde: %(what)s", what=result.used[key].assumption.label)
    return render_template(
        "reports/value.html", form=_period_form(period, how), period=period, args=args,
        error=error, est=result, lines=lines, page=page, pages=pages, forms=forms, value=value,
        format_minutes=format_minutes,
        outcome_labels=OUTCOME_LABELS, board=_board())


@bp.route("/waarde/export.<fmt>")
@require_role(Role.ADMIN, board=True)
def value_export(fmt):
    """The value page's list "per uitstroom" as CSV or XLSX: every line of the estimate, no
    names (as on the page, which a board member sees too)."""
    return _list_download(fmt, lambda period, _none: exports.value_download(
        db.session, current_actor(), period, fmt))


@bp.route("/waarde/aanname/<key>", methods=["POST"])
@require_role(Role.ADMIN)
def value_assumption(key):
    if key not in value.ASSUMPTIONS:
        abort(404)
    form = AssumptionForm(prefix=key)
    _period_, _compare, _how, args, _error = _period()
    reset = bool(form.reset.data)

    def action():
        if reset:  # back to the platform's default
            return value.set_assumption(db.session, current_actor(), key, None, None)
        return value.set_assumption(db.session, current_actor(), key,
                                    value.parse_value(key, form.value.data), form.source.data)

    submit(form, action, _("De standaardwaarde van het platform geldt weer.") if reset
           else _("De aanname is opgeslagen."))
    return redirect(url_for("reports.value_page", **args) + f"#aanname-{key}")


@bp.route("/nazorg")
@require_role(Role.ADMIN)
def followups_page():
    """Outflow to work: the follow-ups due (+1, +6, +12 months) and the recent outflows with
    what was recorded."""
    today = date.today()
    due = followups.due_followups(db.session, today)
    forms = {(d.outflow.trajectory.id, d.months): FollowUpForm(
        prefix=f"n{d.outflow.trajectory.id}-{d.months}", formdata=None,
        data={"checked_on": today}) for d in due}
    recent = followups.outflows_to_work(
        db.session, today, since=followups.add_months(today, -24))[::-1]
    return render_template("reports/followups.html", due=due, forms=forms, recent=recent,
                           checkpoints=followups.CHECKPOINTS, sources=followups.SOURCES,
                           outcome_labels=OUTCOME_LABELS, today=today)


@bp.route("/nazorg/<int:trajectory_id>/<int:months>", methods=["POST"])
@require_role(Role.ADMIN)
def record_followup(trajectory_id, months):
    if months not in followups.CHECKPOINTS:
        abort(404)
    form = FollowUpForm(prefix=f"n{trajectory_id}-{months}")
    submit(form, lambda: followups.record_followup(
        db.session, current_actor(), trajectory_id, months, form.checked_on.data,
        {"ja": True, "nee": False}.get(form.answer.data), form.source.data),
        _("De nazorg is vastgelegd."))
    return redirect(url_for("reports.followups_page"))
