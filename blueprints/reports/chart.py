"""A bar chart as plain SVG geometry, drawn on the server (no script, no external service).

The template draws the bars with presentation attributes only (the CSP allows no inline
style) and puts the same figures in a table beside the chart; the SVG has a title and a
description for screen readers, and each bar its own <title> (a tooltip on hover)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36
MAX_BAR = 120  # the widest a category's bar is drawn


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str   # the week, e.g. "2026-W07"
    value: int   # minutes


@dataclass(frozen=True)
class Tick:
    y: float
    hours: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    axis_labels: list[tuple[float, str]]  # (x, text) under some bars
    baseline: float
    left: int


def _nice_step(top_hours: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top_hours / step <= 5:
            return step
    return 20000


def weekly_bars(weeks: list[tuple[date, int]]) -> Chart:
    """Bars of approved hours per ISO week; negative weeks (net corrections) draw as zero."""
    top_minutes = max([m for _w, m in weeks] + [60])
    hours = math.ceil(top_minutes / 60)
    step = _nice_step(hours)
    top_hours = step * math.ceil(hours / step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(weeks), 1)
    bars, labels = [], []
    every = max(1, round(len(weeks) / 8))
    for i, (monday, minutes) in enumerate(weeks):
        iso = monday.isocalendar()
        key = f"{iso.year}-W{iso.week:02d}"
        h = plot_h * max(minutes, 0) / (top_hours * 60)
        x = LEFT + i * slot + slot * 0.15
        bars.append(Bar(round(x, 1), round(TOP + plot_h - h, 1), round(slot * 0.7, 1),
                        round(h, 1), key, minutes))
        if i % every == 0:
            labels.append((round(LEFT + i * slot + slot / 2, 1), f"W{iso.week:02d}"))
    ticks = [Tick(round(TOP + plot_h - plot_h * v / top_hours, 1), v)
             for v in range(0, top_hours + 1, step)]
    return Chart(WIDTH, HEIGHT, bars, ticks, labels, TOP + plot_h, LEFT)


def category_bars(items: list[tuple[str, int | None]], per_unit: int = 1) -> Chart:
    """One bar per category (a row of a shared table): `per_unit` 60 for minutes drawn as
    hours, 1 for counts. A hidden value (None) gets no bar; its label stays, and the table
    beside the chart says why."""
    top_units = math.ceil(max([v or 0 for _l, v in items] + [per_unit]) / per_unit)
    step = _nice_step(top_units)
    top = step * math.ceil(top_units / step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(items), 1)
    bars, labels = [], []
    for i, (label, value) in enumerate(items):
        h = plot_h * max(value or 0, 0) / (top * per_unit)
        width = min(slot * 0.6, MAX_BAR)  # one or two categories: no slab across the chart
        x = LEFT + i * slot + (slot - width) / 2
        bars.append(Bar(round(x, 1), round(TOP + plot_h - h, 1), round(width, 1),
                        round(h, 1), label, value if value is not None else -1))
        labels.append((round(LEFT + i * slot + slot / 2, 1), label[:18]))
    ticks = [Tick(round(TOP + plot_h - plot_h * v / top, 1), v) for v in range(0, top + 1, step)]
    return Chart(WIDTH, HEIGHT, bars, ticks, labels, TOP + plot_h, LEFT)


@dataclass(frozen=True)
class CategoryChart:
    """A chart of the report below the figures: its key (anchor), title, a description for
    screen readers, the bars and the same figures as (label, count) for the table beside it."""
    key: str
    title: str
    description: str
    chart: Chart
    rows: list[tuple[str, int]]
    column: str


def _funnel(figures) -> list[tuple[str, int]]:
    from flask_babel import gettext as _

    return [(_("Instroom (gestarte trajecten)"), figures.started),
            (_("Lopende trajecten"), figures.running_total),
            (_("Uitstroom"), figures.outflow_total),
            (_("Waarvan naar werk"), figures.outflow_to_work)]


def report_charts(names, figures) -> list[CategoryChart]:
    """The category charts a report template asks for (weekly hours are drawn apart), from the
    figures of the period: outflow per quarter, the funnel intake → running → outflow → work,
    and ladder movement. No statement: everything comes from the figures already read."""
    from flask_babel import gettext as _

    from blueprints.reports.periods import quarter_label

    result = []
    for name in names:
        if name == "quarters":
            rows = [(quarter_label(q), sum(counts.values())) for q, counts in figures.quarters]
            result.append(CategoryChart(
                "uitstroom-per-kwartaal", _("Uitstroom per kwartaal"),
                _("Staafdiagram met één staaf per kwartaal: het aantal afgeronde trajecten. "
                  "De cijfers staan in de tabel ernaast."), category_bars(rows), rows,
                _("Afgeronde trajecten")))
        elif name == "funnel":
            rows = _funnel(figures)
            result.append(CategoryChart(
                "trechter", _("Van instroom tot uitstroom"),
                _("Staafdiagram als trechter: gestarte trajecten, lopende trajecten, uitstroom "
                  "en uitstroom naar werk in de periode. De cijfers staan in de tabel ernaast."),
                category_bars(rows), rows, _("Aantal")))
        elif name == "ladder":
            rows = [(_("Hogere trede"), figures.ladder.get("up", 0)),
                    (_("Zelfde trede"), figures.ladder.get("same", 0)),
                    (_("Lagere trede"), figures.ladder.get("down", 0))]
            result.append(CategoryChart(
                "participatieladder", _("Ontwikkeling op de participatieladder"),
                _("Staafdiagram: evaluaties in de periode met een hogere, dezelfde of een "
                  "lagere trede dan de evaluatie ervoor. De cijfers staan in de tabel ernaast."),
                category_bars(rows), rows, _("Evaluaties")))
    return result
