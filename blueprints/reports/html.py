"""The report page's figures table and the bars of its charts as markup, built in Python.

The page shows 40–80 figures with their definitions and up to four bar charts (53 weekly bars
each with a tooltip, plus the same figures as a table). As Jinja macros and loops that was
about half of the page's CPU: a macro call per cell, a `_()` per cell, an attribute lookup per
number. Here each row is one f-string, every text from the figures escaped with markupsafe,
the words looked up once per page. The markup is the one the templates wrote
(templates/reports/index.html keeps the headings, captions and SVG titles); the municipality
portal draws its charts with `bars` as well.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from blueprints.hours.formats import format_minutes
from tenants.formatting import format_money, format_number


class Values:
    """A figure in its unit, as the old `value` macro wrote it: count, minutes (as hours),
    cents (as money), percent or days; "–" for none. The unit words translated once."""

    def __init__(self):
        self.hour = escape(_("uur"))
        self.days = escape(_("dagen"))

    def __call__(self, unit: str, v) -> str:
        if v is None:
            return "–"
        if unit == "minutes":
            return f"{escape(format_minutes(v))} {self.hour}"
        if unit == "cents":
            return str(escape(format_money(v)))
        if unit == "percent":
            return f"{escape(format_number(v))}%"
        if unit == "days":
            return f"{escape(format_number(v))} {self.days}"
        return str(escape(v))


def _drill_url(cache: dict, endpoint: str, query: dict) -> str:
    """url_for(endpoint, **query) for an endpoint without path arguments of its own: its path
    built once per page and each `key=value` encoded once, as werkzeug encodes them (urllib's
    urlencode with werkzeug's safe characters: the same text). A report has up to 40
    drill-down links sharing the period's arguments."""
    path = cache.get(endpoint)
    if path is None:
        path = cache[endpoint] = url_for(endpoint)
    pairs = []
    for item in query.items():
        if item[1] is None:
            continue
        pair = cache.get(item)
        if pair is None:
            pair = cache[item] = urlencode((item,), safe=_QUERY_SAFE)
        pairs.append(pair)
    return f"{path}?{'&'.join(pairs)}" if pairs else path


#: werkzeug.urls._urlencode's safe characters (https://url.spec.whatwg.org/#percent-encoded-bytes)
_QUERY_SAFE = "!$'()*,/:;?@"


def figures_rows(sections, args: dict, board: bool) -> Markup:
    """The <tbody>s of the figures table: a section heading, then per row its label with the
    definition, the figure (a link to the records behind it, not for the board) and the
    comparison."""
    value = Values()
    show = escape(_("toon de registraties"))
    urls: dict = {}  # _drill_url's paths and encoded arguments
    out = []
    for section in sections:
        out.append('<tbody class="utrecht-table__body">\n'
                   '    <tr class="utrecht-table__row"><th class="utrecht-table__header-cell '
                   f'report-section" scope="colgroup" colspan="3">{escape(section.title)}</th>'
                   '</tr>\n')
        for row in section.rows:
            figure = value(row.unit, row.value)
            if row.drill and not board:
                href = escape(_drill_url(urls, row.drill[0], dict(args, **row.drill[1])))
                figure = (f'<a class="utrecht-link" href="{href}">{figure}<span '
                          f'class="visually-hidden"> – {show}</span></a>')
            out.append(
                f'    <tr class="utrecht-table__row{" report-sub" if row.sub else ""}" '
                f'id="cijfer-{escape(row.key)}">\n'
                '      <th class="utrecht-table__header-cell" scope="row">\n'
                '        <details class="report-definition">\n'
                f'          <summary>{escape(row.label)}</summary>\n'
                f'          <p class="utrecht-paragraph">{escape(row.definition)}</p>\n'
                '        </details>\n'
                '      </th>\n'
                f'      <td class="utrecht-table__cell utrecht-table__cell--numeric">{figure}'
                '</td>\n'
                '      <td class="utrecht-table__cell utrecht-table__cell--numeric">'
                f'{value(row.unit, row.compare)}</td>\n'
                '    </tr>\n')
        out.append('  </tbody>\n')
    return Markup("".join(out))


def bars(chart, bar_title, font_size: int = 12) -> Markup:
    """The inside of a bar chart's <svg>: grid lines with their values, a bar per item with
    `bar_title(bar)` (escaped text) as its tooltip, the base line and the labels under it."""
    left, right, base = chart.left, chart.width - 12, chart.baseline
    out = []
    for tick in chart.ticks:
        out.append(f'<line x1="{left}" x2="{right}" y1="{tick.y}" y2="{tick.y}" '
                   'stroke="#d0d5dd" stroke-width="1"/>\n'
                   f'<text x="{left - 6}" y="{tick.y + 4}" text-anchor="end" font-size="12" '
                   f'fill="#344054">{escape(tick.hours)}</text>\n')
    for bar in chart.bars:
        out.append(f'<rect x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}" '
                   f'fill="#1b5e3b"><title>{bar_title(bar)}</title></rect>\n')
    out.append(f'<line x1="{left}" x2="{right}" y1="{base}" y2="{base}" stroke="#344054" '
               'stroke-width="1"/>\n')
    for x, text in chart.axis_labels:
        out.append(f'<text x="{x}" y="{base + 18}" text-anchor="middle" '
                   f'font-size="{font_size}" fill="#344054">{escape(text)}</text>\n')
    return Markup("".join(out))


def week_bars(chart) -> Markup:
    """The weekly hours chart's bars: "2026-W07: 12,5 uur"."""
    hour = escape(_("uur"))
    return bars(chart, lambda bar: f"{escape(bar.label)}: {escape(format_minutes(bar.value))} "
                                   f"{hour}")


def week_rows(chart) -> Markup:
    """The rows of the table beside the weekly chart: week, hours."""
    return Markup("".join(
        '<tr class="utrecht-table__row"><th class="utrecht-table__header-cell" scope="row">'
        f'{escape(bar.label)}</th><td class="utrecht-table__cell '
        f'utrecht-table__cell--numeric">{escape(format_minutes(bar.value))}</td></tr>\n'
        for bar in chart.bars))


def category_bars(chart) -> Markup:
    """A category chart's bars: "Q1 2026: 4"."""
    return bars(chart, lambda bar: f"{escape(bar.label)}: {escape(bar.value)}")


def category_rows(rows) -> Markup:
    """The rows of the table beside a category chart: label, number."""
    return Markup("".join(
        '<tr class="utrecht-table__row"><th class="utrecht-table__header-cell" scope="row">'
        f'{escape(label)}</th><td class="utrecht-table__cell '
        f'utrecht-table__cell--numeric">{escape(n)}</td></tr>\n'
        for label, n in rows))
