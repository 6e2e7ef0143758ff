"""The report as CSV or XLSX, row for row what the page shows with the same template
(tenants.exports: formula-safe; in XLSX counts, hours, percentages, days and amounts are
numbers). CSV: one table with the section in the first column; XLSX: one sheet per section."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

from blueprints.reports.periods import Period
from blueprints.reports.services import Section
from tenants.exports import Money, csv_file, xlsx_workbook

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


def report_file(sections: list[Section], period: Period, compare: Period, fmt: str
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
