"""A meeting's attendee list (CSV/XLSX through the kernel's writer) and name badges (PDF kit)."""
from __future__ import annotations

from io import BytesIO

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Table

from blueprints.network.models import Meeting, Registration, RegistrationStatus
from tenants import pdf
from tenants.exports import csv_file, xlsx_file

STATUS_LABELS = {
    "confirmed": "Aangemeld",
    "offered": "Plaats aangeboden",
    "waiting": "Wachtlijst",
    "lapsed": "Aanbod verlopen",
    "cancelled": "Afgemeld",
}


def attendee_file(meeting: Meeting, registrations: list[Registration], fmt: str
                  ) -> tuple[bytes, str, str]:
    """(body, file name, mimetype) of the attendee list: everyone with a place, an offer or
    a place on the waiting list, in arrival (waiting-list) order."""
    headers = [_("Naam"), _("E-mailadres"), _("Organisatie"), _("Status"),
               _("Plaats op de wachtlijst"), _("Dieetwensen"), _("Toegankelijkheid"),
               _("Aangemeld op"), _("Aanwezig")]
    waiting_rank = {r.id: i for i, r in enumerate(
        (r for r in registrations if r.status == RegistrationStatus.WAITING), start=1)}
    records = [[r.name, r.email, r.organisation or "", _(STATUS_LABELS[r.status.value]),
                waiting_rank.get(r.id), r.dietary or "", r.accessibility or "",
                r.created_at.date(), _("ja") if r.checked_in_at else ""]
               for r in registrations]
    stem = f"aanmeldingen-{meeting.day.isoformat()}"
    if fmt == "xlsx":
        body, _count = xlsx_file(headers, records, _("Aanmeldingen"))
        return body, f"{stem}.xlsx", ("application/vnd.openxmlformats-officedocument."
                                      "spreadsheetml.sheet")
    body, _count = csv_file(headers, records)
    return body, f"{stem}.csv", "text/csv; charset=utf-8"


def badges_pdf(meeting: Meeting, registrations: list[Registration], *, compress: bool = True
               ) -> bytes:
    """Name badges, eight to an A4 page (two columns of 85 x 60 mm): name, organisation and
    the meeting. Only people with a place get a badge."""
    pdf.register_fonts()
    buffer = BytesIO()
    doc = pdf.document(buffer, title=_("Naambadges %(title)s", title=meeting.title),
                       author="Wijkwerk", subject=meeting.title, compress=compress)
    cells = []
    for r in registrations:
        cells.append([
            pdf.p(f"<font size=18><b>{pdf.text(r.name)}</b></font>", "body"),
            pdf.p(pdf.text(r.organisation or ""), "subtitle"),
            pdf.p(f"{pdf.text(meeting.title)} · {pdf.format_day(meeting.day)}", "small"),
        ])
    if not cells:
        cells.append([pdf.p(_("Nog niemand heeft een plaats."), "body")])
    rows = [cells[i:i + 2] for i in range(0, len(cells), 2)]
    if len(rows[-1]) == 1:
        rows[-1].append("")
    table = Table(rows, colWidths=[85 * mm, 85 * mm], rowHeights=[60 * mm] * len(rows))
    table.setStyle(pdf.table_style([
        ("BOX", (0, 0), (-1, -1), 0.5, pdf.RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.5, pdf.RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 8 * mm),
    ]))
    doc.build([KeepTogether([table]) if len(rows) <= 4 else table])
    return buffer.getvalue()


def benchmark_file(result, figures: dict, own_name: str | None, fmt: str
                   ) -> tuple[bytes, str, str]:
    """(body, file name, mimetype) of the benchmark exactly as on the page: per group and
    figure the number of cooperatives, the quartiles and median (empty when fewer than 5),
    and the own value only when the page shows one."""
    from decimal import ROUND_HALF_UP, Decimal

    from tenants.exports import Money

    def cell(v, unit):
        if v is None:
            return None
        if unit == "euro":
            return Money(int(Decimal(str(v)).quantize(Decimal("1"), ROUND_HALF_UP)))
        return Decimal(str(v)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    headers = [_("Groep"), _("Cijfer"), _("Eenheid"), _("Coöperaties"), _("Eerste kwartiel (25%)"),
               _("Mediaan"), _("Derde kwartiel (75%)")]
    if own_name:
        headers.append(_("Uw cijfer (%(name)s)", name=own_name))
    records = []
    for group in result.groups:
        for key, d in group.figures.items():
            label, unit, _definition = figures[key]
            row = [group.label, str(label), unit, d.members,
                   *(cell(v, unit) for v in (d.q1, d.median, d.q3))]
            if own_name:
                row.append(cell(d.own, unit))
            records.append(row)
    stem = f"benchmark-{result.year}"
    if fmt == "xlsx":
        body, _count = xlsx_file(headers, records, _("Benchmark"))
        return body, f"{stem}.xlsx", ("application/vnd.openxmlformats-officedocument."
                                      "spreadsheetml.sheet")
    body, _count = csv_file(headers, records)
    return body, f"{stem}.csv", "text/csv; charset=utf-8"
