"""The portal's tables and chart bars as markup, built in Python (see blueprints.reports.html):
a portal with ten sharing cooperatives shows a few hundred protected cells, and a Jinja loop
with a call per cell was most of the page's CPU. The markup is the one the template wrote."""
from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

from blueprints.hours.formats import format_minutes
from blueprints.reports.html import bars
from tenants.formatting import format_number
from tenants.suppression import TOTAL

_TD = '<td class="utrecht-table__cell utrecht-table__cell--numeric">'


def _rows(shared):
    return list(shared.rows) + [(TOTAL, _("Totaal"))]


def _th(label) -> str:
    return ('      <tr class="utrecht-table__row">\n'
            f'        <th class="utrecht-table__header-cell" scope="row">{escape(label)}</th>\n')


def total_rows(shared, cell, limit) -> Markup:
    """The rows of a shared table's totals: the period, the comparison and (counts) the row's
    share of the period's total. `cell` (routes._cell_renderer) gives a cell as escaped HTML
    text."""
    out = []
    now, then, unit = shared.now.cells, shared.then.cells, shared.unit
    for key, label in _rows(shared):
        out.append(_th(label))
        out.append(f"        {_TD}{cell(now.get((key, TOTAL)), unit, limit)}</td>\n"
                   f"        {_TD}{cell(then.get((key, TOTAL)), unit, limit)}</td>\n")
        if unit == "count":
            share = shared.share(shared.now, key, TOTAL)
            text = "–" if share is None else f"{escape(format_number(share))}%"
            out.append(f"        {_TD}{text}</td>\n")
        out.append("      </tr>\n")
    return Markup("".join(out))


def cooperative_rows(shared, table, coops, cell, limit) -> Markup:
    """The rows of a shared table per cooperative: a cell per cooperative, then the total."""
    out = []
    cells, unit = table.cells, shared.unit
    for key, label in _rows(shared):
        out.append(_th(label))
        out.append("        " + "".join(
            f"{_TD}{cell(cells.get((key, coop.id)), unit, limit)}</td>"
            for coop in coops))
        out.append(f"\n        {_TD}{cell(cells.get((key, TOTAL)), unit, limit)}</td>\n"
                   "      </tr>\n")
    return Markup("".join(out))


def chart_bars(chart, unit: str) -> Markup:
    """A shared table's chart: a bar per row, "verborgen" for a hidden total."""
    hidden, hour = escape(_("verborgen")), escape(_("uur"))

    def title(bar) -> str:
        if bar.value < 0:
            return f"{escape(bar.label)}: {hidden}"
        if unit == "minutes":
            return f"{escape(bar.label)}: {escape(format_minutes(bar.value))} {hour}"
        return f"{escape(bar.label)}: {escape(bar.value)}"
    return bars(chart, title, font_size=11)
