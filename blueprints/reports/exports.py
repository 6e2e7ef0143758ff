"""The report as CSV or XLSX, row for row what the page shows with the same template
(tenants.exports: formula-safe; in XLSX counts, hours, percentages, days and amounts are
numbers). CSV: one table with the section in the first column; XLSX: one sheet per section.

The drill-down lists (the hours, the ended trajectories behind a figure, the outflows behind the
value estimate) download the same way: the columns of the list on screen, every row of the same
filter (all pages, not only the page shown), dates, hours and amounts as the app's other CSV
files write them and as numbers in XLSX. A screen cell that holds two numbers ("3 · € 450,00":
months and amount) is two columns in the file."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from sqlalchemy.orm import Session

from blueprints.hours.formats import type_label
from blueprints.hours.models import HourType
from blueprints.reports import services, value
from blueprints.reports.periods import Period
from blueprints.trajectories.models import Outcome
from blueprints.trajectories.services import KIND_LABELS, OUTCOME_LABELS
from tenants import audit
from tenants.actor import Actor
from tenants.exports import Money, csv_file, xlsx_file, xlsx_workbook
from tenants.formatting import format_date

UNITS = {"count": _l("aantal"), "minutes": _l("uren"), "cents": _l("euro"),
         "percent": _l("procent"), "days": _l("dagen")}


def cell(unit: str, value):
    if value is None:
        return None
    if unit == "minutes":
        return (Decimal(value) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if unit == "cents":
        return Money(value)
    return value


def report_file(sections: list[services.Section], period: Period, compare: Period, fmt: str
                ) -> tuple[bytes, str]:
    """(file body, file name) of the report in `fmt` ("csv" or "xlsx")."""
    def record(row):
        return [row.label, cell(row.unit, row.value), cell(row.unit, row.compare),
                str(UNITS[row.unit])]

    headers = [str(_l("Cijfer")), period.label, compare.label, str(_l("Eenheid"))]
    stem = f"rapportage-{period.start.isoformat()}-{period.end.isoformat()}"
    if fmt == "xlsx":
        body, _count = xlsx_workbook(
            (section.title, headers, [record(row) for row in section.rows])
            for section in sections)
    else:
        body, _count = csv_file([str(_l("Onderdeel")), *headers],
                                [[section.title, *record(row)]
                                 for section in sections for row in section.rows])
    return body, f"{stem}.{fmt}"


# --- the drill-down lists ----------------------------------------------------------------------

#: the columns of the hours drill-down (templates/reports/hours.html), in its order
HOURS_HEADERS = (_l("Datum"), _l("Deelnemer"), _l("Soort uren"), _l("Uren"), _l("Correctie"))
#: the columns of the outflow drill-down (templates/reports/outflow.html), in its order
OUTFLOW_HEADERS = (_l("Afgerond op"), _l("Deelnemer"), _l("Soort traject"), _l("Bestemming"),
                   _l("Gestart op"), _l("Dagen tot uitstroom"))


def hours_records(rows) -> list[list]:
    """The hours drill-down's rows, (entry, name), as the cells of its columns."""
    return [[e.work_date, name, type_label(e.hour_type, e.work_date), cell("minutes", e.minutes),
             str(_l("ja")) if e.corrects_id else None] for e, name in rows]


def outflow_records(rows) -> list[list]:
    """The outflow drill-down's rows, (trajectory, name), as the cells of its columns."""
    return [[t.outcome_on, name, str(KIND_LABELS[t.kind]), str(OUTCOME_LABELS[t.outcome]),
             t.starts_on, (t.outcome_on - t.starts_on).days] for t, name in rows]


def list_file(headers, records: list[list], fmt: str, title: str) -> tuple[bytes, int]:
    """(file body, rows written) of a drill-down list in `fmt` ("csv" or "xlsx")."""
    names = [str(h) for h in headers]
    if fmt == "xlsx":
        return xlsx_file(names, records, title)
    return csv_file(names, records)


def _stem(what: str, period: Period, *filters) -> str:
    """A file name without extension: the list, its filter (ascii codes and ids) and period."""
    return "-".join([what, *[f for f in filters if f],
                     period.start.isoformat(), period.end.isoformat()])


def hours_download(session: Session, actor: Actor, period: Period, hour_type: HourType | None,
                   place: services.Place | None, fmt: str) -> tuple[bytes, str]:
    """(file body, file name) of the hours drill-down with every row of its filter; recorded
    in the audit log (the list names participants). Two statements, whatever the rows."""
    rows = services.all_approved_hours(session, period, hour_type, place)
    body, count = list_file(HOURS_HEADERS, hours_records(rows), fmt, str(_l("Uren")))
    used = {k: v for k, v in (("soort", hour_type.value if hour_type else None),
                              ("wijk", place.wijk if place else None),
                              ("inzet", place.host if place else None)) if v}
    audit.record(session, actor, "report_list.exported", object_type="TimeEntry",
                 list="uren", format=fmt, count=count, start=period.start.isoformat(),
                 end=period.end.isoformat(), filter=used)
    stem = _stem("uren", period, hour_type.value if hour_type else None,
                 place and place.wijk and f"wijk-{place.wijk}",
                 place and place.host and f"inzet-{place.host}")
    return body, f"{stem}.{fmt}"


def outflow_download(session: Session, actor: Actor, period: Period, outcome: Outcome | None,
                     fmt: str) -> tuple[bytes, str]:
    """(file body, file name) of the outflow drill-down with every row of its filter;
    recorded in the audit log (the list names participants). Two statements."""
    rows = services.all_ended_trajectories(session, period, outcome)
    body, count = list_file(OUTFLOW_HEADERS, outflow_records(rows), fmt,
                            str(_l("Uitstroom")))
    audit.record(session, actor, "report_list.exported", object_type="Trajectory",
                 list="uitstroom", format=fmt, count=count, start=period.start.isoformat(),
                 end=period.end.isoformat(),
                 filter={"uitkomst": outcome.value} if outcome else {})
    stem = _stem("uitstroom", period, outcome.value if outcome else None)
    return body, f"{stem}.{fmt}"


#: the columns of the value page's list "per uitstroom" (templates/reports/value.html); its
#: "months · amount" cells are two columns each
VALUE_HEADERS = (_l("Uitstroom op"), _l("Soort werk"), _l("Norm"), _l("Bevestigd (maanden)"),
                 _l("Bevestigd (bedrag)"), _l("Onbevestigd (maanden)"),
                 _l("Onbevestigd (bedrag)"), _l("Opmerking"))


def _remark(line) -> str | None:
    parts = []
    if line.stopped_on:
        parts.append(str(_l("Weer in de uitkering volgens nazorg van %(date)s.",
                            date=format_date(line.stopped_on))))
    if line.missing_norm_months:
        parts.append(ngettext("%(num)s maand zonder bekende norm: niet meegeteld.",
                              "%(num)s maanden zonder bekende norm: niet meegeteld.",
                              line.missing_norm_months))
    return " ".join(parts) or None


def value_records(lines) -> list[list]:
    """The value estimate's lines (value.PersonLine) as the cells of the list's columns; no
    names, as on the page (a board member sees it)."""
    return [[line.outcome_on, str(OUTCOME_LABELS[line.outcome]),
             "; ".join(str(value.CATEGORY_LABELS[c]) for c in sorted(line.categories)),
             line.confirmed_months, Money(line.confirmed_cents), line.unconfirmed_months,
             Money(line.unconfirmed_cents), _remark(line)] for line in lines]


def value_download(session: Session, actor: Actor, period: Period, fmt: str
                   ) -> tuple[bytes, str]:
    """(file body, file name) of the value page's list "per uitstroom", every line of the
    estimate (all pages); recorded in the audit log. The estimate's own statements."""
    est = value.estimate(session, period)
    body, count = list_file(VALUE_HEADERS, value_records(est.lines), fmt,
                            str(_l("Per uitstroom")))
    audit.record(session, actor, "report_list.exported", object_type="Trajectory",
                 list="waarde", format=fmt, count=count, start=period.start.isoformat(),
                 end=period.end.isoformat(), filter={})
    return body, f"{_stem('waarde-per-uitstroom', period)}.{fmt}"
