"""The municipality's pages: the shared report tables (/gemeente/<cbs_code>/), their exports,
and the plain-Dutch explanation of how they are protected (/gemeente/<cbs_code>/privacy)."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import escape

from blueprints.hours.formats import format_minutes
from blueprints.municipality import exports, html, services
from blueprints.reports import chart, periods
from blueprints.reports.forms import PeriodForm
from tenants.errors import DomainError
from tenants.exports import csv_file, xlsx_file
from tenants.extensions import db
from tenants.suppression import PLATFORM_THRESHOLD
from tenants.web import municipality_blueprint

bp = municipality_blueprint("municipality", __name__)

PERIOD_ARGS = ("periode", "jaar", "maand", "kwartaal", "vergelijk")


def _period():
    """(period, comparison, comparison key, arguments to keep): whole months, quarters or
    years only (the tables are protected per calendar month)."""
    args = {k: request.args[k] for k in PERIOD_ARGS if request.args.get(k)}
    if args.get("periode") not in services.PORTAL_KINDS:
        args.pop("periode", None)
    how = args.get("vergelijk") if args.get("vergelijk") in periods.COMPARISONS else "vorige"
    try:
        period = periods.choose(args, date.today())
    except DomainError:  # pragma: no cover - only custom dates refuse, and they are not offered
        period = periods.choose({}, date.today())
    return period, periods.compared(period, how), how, args


def _portal(period, compare):
    """The shared tables; the view commits the aggregate reads' audit records once it has
    built its answer (a commit before would expire the municipality and the user, which the
    page then loads again), and answers nothing when that commit fails."""
    return services.portal(
        db.session, g.municipality, current_user.id, period, compare,
        current_app.config.get("SUPPRESSION_THRESHOLD", PLATFORM_THRESHOLD))


def _cell_renderer():
    """cell(c, unit, limit): one protected cell as escaped HTML text — its value, or "< 5" /
    "verborgen" with the reason and a link to why. The markup of the macro it replaced
    (municipality/_cell.html). A hidden cell's link depends only on why it is hidden and the
    threshold, so it is built once per page and reused: the portal shows ~90 cells, about half
    of them hidden, and a macro call per cell was a fifth of the page's CPU. The tables around
    the cells: blueprints.municipality.html."""
    privacy = escape(url_for("municipality.privacy"))
    # as the macro had them: the translations as they are (no HTML in them)
    hidden, why_hidden, hour = _("verborgen"), _("Waarom verborgen?"), _("uur")

    links = {}  # (why hidden, limit) -> the cell's link

    def cell(c, unit, limit) -> str:
        if c is None:
            return "–"
        if c.hidden:
            link = links.get((c.hidden, limit))
            if link is None:
                reason = escape(services.why(c, limit))
                shown = f"&lt; {escape(limit)}" if c.hidden == "klein" else hidden
                link = links[c.hidden, limit] = (
                    f'<a class="utrecht-link suppressed" href="{privacy}#{escape(c.hidden)}" '
                    f'title="{reason}">{shown}<span class="visually-hidden"> – {reason} '
                    f'{why_hidden}</span></a>')
            return link
        if unit == "minutes":
            return f"{escape(format_minutes(c.value))} {hour}"
        return str(c.value)
    return cell


@bp.route("/")
def index():
    period, compare, how, args = _period()
    form = PeriodForm(formdata=None, data={
        "periode": period.kind, "jaar": str(period.start.year), "maand": str(period.start.month),
        "kwartaal": str((period.start.month - 1) // 3 + 1), "vergelijk": how})
    # the choices' words translated once here, not on each use while the fields render
    form.periode.choices = [(k, str(v)) for k, v in periods.KIND_LABELS.items()
                            if k in services.PORTAL_KINDS]
    form.maand.choices = [(str(i + 1), str(name)) for i, name in enumerate(periods.MONTH_NAMES)]
    form.vergelijk.choices = [(k, str(v)) for k, v in periods.COMPARISON_LABELS.items()]
    portal = _portal(period, compare)
    charts = {shared.template: chart.category_bars(
        shared.totals(), 60 if shared.unit == "minutes" else 1) for shared in portal.tables}
    page = render_template(
        "municipality/index.html", portal=portal, period=period, compare=compare, args=args,
        form=form, charts=charts, cell=_cell_renderer(), total_rows=html.total_rows,
        cooperative_rows=html.cooperative_rows, chart_bars=html.chart_bars)
    db.session.commit()  # the aggregate reads' audit records
    return page


@bp.route("/export.<fmt>")
def export(fmt):
    if fmt not in ("csv", "xlsx", "pdf"):
        abort(404)
    period, compare, _how, _args = _period()
    portal = _portal(period, compare)
    stem = exports.file_stem(period)
    if fmt == "pdf":
        body = exports.portal_pdf(g.municipality.name, portal, period, compare)
        mimetype = "application/pdf"
    elif fmt == "xlsx":
        body, _n = xlsx_file(exports.headers(period, compare), exports.records(portal),
                             "Rapportage")
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, _n = csv_file(exports.headers(period, compare), exports.records(portal))
        mimetype = "text/csv; charset=utf-8"
    db.session.commit()  # the aggregate reads' audit records
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{stem}.{fmt}"',
        "Cache-Control": "no-store"})


@bp.route("/privacy")
def privacy():
    return render_template("municipality/privacy.html",
                           threshold=services.threshold(g.municipality, current_app.config.get(
                               "SUPPRESSION_THRESHOLD", PLATFORM_THRESHOLD)))
