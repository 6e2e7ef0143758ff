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
