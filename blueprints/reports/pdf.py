"""The report as PDF: the same sections, rows and values as the page (/<tenant>/rapportage),
the hours per week as bars beside their table, and the cooperative's logo when its finance
settings have one. Laid out with the kernel's PDF kit (tenants.pdf: DejaVu font, house style).
"""
from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

from flask_babel import gettext as _
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, KeepTogether, Spacer, Table
from sqlalchemy.orm import Session

from blueprints.hours.formats import format_minutes
from blueprints.reports import chart as report_chart
from blueprints.reports import report_templates, services
from blueprints.reports.periods import Period
from blueprints.reports.services import Section
from tenants.errors import NotFound
from tenants.formatting import format_date, format_money, format_number
from tenants.pdf import (
    ACCENT,
    CONTENT_WIDTH,
    FONT,
    MUTED,
    PANEL,
    RULE,
    document,
    p,
    table_style,
)
from tenants.pdf import text as _e


def value_text(unit: str, value) -> str:
    """A figure as the page writes it (blueprints.reports.html.Values)."""
    if value is None:
        return "–"
    if unit == "minutes":
        return f"{format_minutes(value)} {_('uur')}"
    if unit == "cents":
        return format_money(value)
    if unit == "percent":
        return f"{format_number(value)}%"
    if unit == "days":
        return f"{format_number(value)} {_('dagen')}"
    return str(value)


def _logo(data: bytes | None):
    if not data:
        return None
    try:
        width, height = ImageReader(BytesIO(data)).getSize()
    except Exception:  # noqa: BLE001 - a logo that cannot be read is left out, not fatal
        return None
    scale = min(45 * mm / width, 20 * mm / height)
    image = Image(BytesIO(data), width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return image


def _figures_table(sections: list[Section], period: Period, compare: Period) -> Table:
    rows = [[p(_e(_("Cijfer")), "head"), p(_e(period.label), "head"),
             p(_e(compare.label), "head")]]
    commands = [("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT)]
    for section in sections:
        commands += [("BACKGROUND", (0, len(rows)), (-1, len(rows)), PANEL),
                     ("SPAN", (0, len(rows)), (-1, len(rows)))]
        rows.append([p(f"<b>{_e(section.title)}</b>", "cell"), "", ""])
        for row in section.rows:
            label = ("&nbsp;&nbsp;&nbsp;&nbsp;" if row.sub else "") + _e(row.label)
            rows.append([p(label, "cell"), value_text(row.unit, row.value),
                         value_text(row.unit, row.compare)])
    commands += [("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("FONTSIZE", (1, 1), (-1, -1), 9.5),
                 ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE)]
    table = Table(rows, colWidths=[CONTENT_WIDTH - 70 * mm, 35 * mm, 35 * mm], repeatRows=1)
    table.setStyle(table_style(commands))
    return table


def _definitions(sections: list[Section]):
    """Each definition once, after the figures (the page shows it one click away)."""
    seen, story = set(), []
    for section in sections:
        for row in section.rows:
            if row.sub or row.definition in seen:
                continue
            seen.add(row.definition)
            story.append(p(f"<b>{_e(row.label)}</b>: {_e(row.definition)}", "small"))
    return story


def _bars(weeks: list[tuple[date, int]]) -> Drawing:
    width, height, left, bottom = CONTENT_WIDTH, 45 * mm, 10 * mm, 6 * mm
    drawing = Drawing(width, height)
    top = max([m for _d, m in weeks] + [60])
    slot = (width - left) / max(len(weeks), 1)
    plot = height - bottom - 4
    drawing.add(Line(left, bottom, width, bottom, strokeColor=MUTED, strokeWidth=0.6))
    drawing.add(String(left - 2, bottom + plot - 6, format_minutes(top), fontName=FONT,
                       fontSize=7, fillColor=MUTED, textAnchor="end"))
    for i, (monday, minutes) in enumerate(weeks):
        h = plot * max(minutes, 0) / top
        x = left + i * slot + slot * 0.15
        drawing.add(Rect(x, bottom, slot * 0.7, h, fillColor=ACCENT, strokeColor=None))
        if len(weeks) <= 16 or i % max(1, len(weeks) // 12) == 0:
            drawing.add(String(x + slot * 0.35, 0, f"W{monday.isocalendar().week:02d}",
                               fontName=FONT, fontSize=6.5, fillColor=MUTED,
                               textAnchor="middle"))
    return drawing


def _weeks_table(weeks: list[tuple[date, int]]) -> Table:
    rows = [[p(_e(_("Week")), "head"), p(_e(_("Maandag")), "head"),
             p(_e(_("Goedgekeurde uren")), "head")]]
    for monday, minutes in weeks:
        iso = monday.isocalendar()
        rows.append([f"{iso.year}-W{iso.week:02d}", format_date(monday), format_minutes(minutes)])
    table = Table(rows, colWidths=[35 * mm, 35 * mm, 35 * mm], repeatRows=1, hAlign="LEFT")
    table.setStyle(table_style([("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                                ("ALIGN", (2, 1), (2, -1), "RIGHT"),
                                ("FONTSIZE", (0, 1), (-1, -1), 8.5),
                                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE)]))
    return table


def _category_bars(rows: list[tuple[str, int]]) -> Drawing:
    width, height, left, bottom = CONTENT_WIDTH, 40 * mm, 10 * mm, 6 * mm
    drawing = Drawing(width, height)
    top = max([n for _l, n in rows] + [1])
    slot = (width - left) / max(len(rows), 1)
    plot = height - bottom - 4
    drawing.add(Line(left, bottom, width, bottom, strokeColor=MUTED, strokeWidth=0.6))
    drawing.add(String(left - 2, bottom + plot - 6, str(top), fontName=FONT, fontSize=7,
                       fillColor=MUTED, textAnchor="end"))
    for i, (label, n) in enumerate(rows):
        x = left + i * slot + slot * 0.2
        drawing.add(Rect(x, bottom, slot * 0.6, plot * max(n, 0) / top, fillColor=ACCENT,
                         strokeColor=None))
        drawing.add(String(x + slot * 0.3, 0, label[:28], fontName=FONT, fontSize=6.5,
                           fillColor=MUTED, textAnchor="middle"))
    return drawing


def _category_table(c) -> Table:
    rows = [[p(_e(_("Onderdeel")), "head"), p(_e(c.column), "head")]]
    rows += [[p(_e(label), "cell"), str(n)] for label, n in c.rows]
    table = Table(rows, colWidths=[90 * mm, 35 * mm], repeatRows=1, hAlign="LEFT")
    table.setStyle(table_style([("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                                ("ALIGN", (1, 1), (1, -1), "RIGHT"),
                                ("FONTSIZE", (0, 1), (-1, -1), 8.5),
                                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE)]))
    return table


def report_pdf(tenant_name: str, sections: list[Section], period: Period, compare: Period,
               weeks: list[tuple[date, int]], logo: bytes | None = None,
               compress: bool = True, template=None, charts=()) -> bytes:
    """The report as PDF bytes: the template's rows (the sections given), the weekly hours
    when the template shows them, and each of its other charts with its table."""
    buffer = BytesIO()
    title = f"{_('Rapportage')} {period.label}"
    if template is not None and template.key != report_templates.DEFAULT:
        title = f"{template.label} {period.label}"
    doc = document(buffer, title=title, author=tenant_name, subject=title, compress=compress)
    story = []
    image = _logo(logo)
    if image is not None:
        story += [image, Spacer(0, 3)]
    story += [
        p(_e(tenant_name), "org"),
        p(_e(title), "title"),
        p(_e(f"{format_date(period.start)} – {format_date(period.end)} · "
               + _("vergeleken met %(compare)s", compare=compare.label) + " · "
               + _("volgens registratie van de coöperatie")), "subtitle"),
        _figures_table(sections, period, compare),
    ]
    if template is None or "weeks" in template.charts:
        story += [KeepTogether([p(_e(_("Goedgekeurde uren per week")), "h2"), _bars(weeks),
                                Spacer(0, 4)]),
                  _weeks_table(weeks)]
    for c in charts:
        story += [KeepTogether([p(_e(c.title), "h2"), _category_bars(c.rows), Spacer(0, 4),
                                _category_table(c)])]
    story += [p(_e(_("Definities")), "h2"), *_definitions(sections)]
    doc.build(story)
    return buffer.getvalue()


def file_name(period: Period) -> str:
    return f"rapportage-{period.start.isoformat()}-{period.end.isoformat()}.pdf"


def read_logo(session: Session, storage_root: Path | None) -> bytes | None:
    """The tenant's logo from its finance settings, or None (none set, or its file is gone)."""
    if storage_root is None:
        return None
    from blueprints.invoicing.settings import logo_bytes

    try:
        return logo_bytes(session, storage_root)
    except NotFound:
        return None


def render_report_pdf(session: Session, tenant_name: str, period: Period, compare: Period, *,
                      storage_root: Path | None = None, compress: bool = True,
                      template=None) -> bytes:
    """The figures of `period` beside `compare`, read now, as PDF, with the rows of `template`
    (the default template when None)."""
    template = template or report_templates.TEMPLATES[report_templates.DEFAULT]
    now, then = services.figures(session, period, compare, parts=template.parts)
    return report_pdf(tenant_name, report_templates.apply(template, services.sections(now, then)),
                      period, compare, services.hours_per_week(session, period)
                      if "weeks" in template.charts else [],
                      read_logo(session, storage_root), compress=compress, template=template,
                      charts=report_chart.report_charts(template.charts, now))
