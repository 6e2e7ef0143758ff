"""The municipality's shared tables as CSV, XLSX and PDF: exactly the protected cells the page
shows (a hidden cell is written as "< 5" or "verborgen", never its value)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from blueprints.hours.formats import format_minutes
from blueprints.municipality.services import Portal
from blueprints.reports.exports import UNITS
from blueprints.reports.periods import Period
from tenants.formatting import format_date
from tenants.pdf import ACCENT, CONTENT_WIDTH, RULE, document, p, table_style
from tenants.pdf import text as _e
from tenants.suppression import TOTAL, Cell


def hidden_text(cell: Cell, limit: int) -> str:
    return f"< {limit}" if cell.hidden == "klein" else _("verborgen")


def _value(cell: Cell | None, unit: str, limit: int):
    if cell is None:
        return None
    if cell.hidden:
        return hidden_text(cell, limit)
    if unit == "minutes":
        return (Decimal(cell.value) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return cell.value


def records(portal: Portal) -> list[list]:
    """[table, row, cooperative, period, comparison, unit], the totals last in each row."""
    result = []
    for shared in portal.tables:
        columns = [(c.id, c.name) for c in shared.cooperatives]
        columns += [(TOTAL, _("Totaal van de delende organisaties"))]
        for key, label in [*shared.rows, (TOTAL, _("Totaal"))]:
            for column, name in columns:
                now = shared.now.cells.get((key, column))
                then = shared.then.cells.get((key, column))
                result.append([shared.label, label, name,
                               _value(now, shared.unit, portal.threshold),
                               _value(then, shared.unit, portal.threshold),
                               str(UNITS[shared.unit])])
    return result


def headers(period: Period, compare: Period) -> list[str]:
    return [_("Tabel"), _("Rij"), _("Organisatie"), period.label, compare.label, _("Eenheid")]


def file_stem(period: Period) -> str:
    return f"gemeente-rapportage-{period.start.isoformat()}-{period.end.isoformat()}"


def _pdf_text(cell: Cell | None, unit: str, limit: int) -> str:
    if cell is None:
        return "–"
    if cell.hidden:
        return hidden_text(cell, limit)
    return format_minutes(cell.value) if unit == "minutes" else str(cell.value)


def portal_pdf(municipality_name: str, portal: Portal, period: Period, compare: Period,
               compress: bool = True) -> bytes:
    """Per shared table: the rows per cooperative and in total, the period and the comparison."""
    buffer = BytesIO()
    title = f"{_('Gedeelde rapportages')} {period.label}"
    doc = document(buffer, title=title, author=municipality_name, subject=title,
                   compress=compress)
    story = [p(_e(_("Gemeente %(name)s", name=municipality_name)), "org"), p(_e(title), "title"),
             p(_e(f"{format_date(period.start)} – {format_date(period.end)} · "
                  + _("vergeleken met %(compare)s", compare=compare.label)), "subtitle")]
    for shared in portal.tables:
        story.append(p(_e(shared.label), "h2"))
        names = [c.name for c in shared.cooperatives] + [_("Totaal")]
        keys = [c.id for c in shared.cooperatives] + [TOTAL]
        rows = [[p(_e(_("Rij")), "head")] + [p(_e(n), "head") for n in names]]
        for key, label in [*shared.rows, (TOTAL, _("Totaal"))]:
            rows.append([p(_e(label), "cell")] + [
                f"{_pdf_text(shared.now.cells.get((key, k)), shared.unit, portal.threshold)}"
                f" ({_pdf_text(shared.then.cells.get((key, k)), shared.unit, portal.threshold)})"
                for k in keys])
        first = 50 * mm
        width = (CONTENT_WIDTH - first) / max(len(keys), 1)
        table = Table(rows, colWidths=[first] + [width] * len(keys), repeatRows=1)
        table.setStyle(table_style([("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                                    ("FONTSIZE", (1, 1), (-1, -1), 8.5),
                                    ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE)]))
        story += [table, p(_e(_("Tussen haakjes: %(compare)s.", compare=compare.label)),
                           "small"), Spacer(0, 4)]
    story.append(p(_e(_("Een cel over minder dan %(n)s personen staat er als „< %(n)s”; "
                        "„verborgen” betekent dat de cel verborgen is zodat een andere "
                        "verborgen cel niet terug te rekenen is.", n=portal.threshold)), "small"))
    doc.build(story)
    return buffer.getvalue()
