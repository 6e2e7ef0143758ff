"""Exports of participants and host organisations as CSV or XLSX, with the import's columns."""
from __future__ import annotations

import csv
import enum
import io
import re
from datetime import date
from typing import Iterable, Iterator

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from blueprints.imports.services.columns import HOSTS, PARTICIPANTS, kind_for
from blueprints.participants.models import HostOrganisation, Neighbourhood, Participant
from blueprints.participants.services import ParticipantFilter, filtered
from tenants import audit
from tenants.actor import Actor
from tenants.models import Municipality


def participant_records(session: Session, f: ParticipantFilter,
                        today: date | None = None) -> Iterator[list]:
    """The filtered participants in the import's columns: one query, streamed."""
    stmt = (
        filtered(f, today or date.today())
        .add_columns(Neighbourhood.name, Municipality.cbs_code)
        .outerjoin(Neighbourhood, and_(Neighbourhood.tenant_id == Participant.tenant_id,
                                       Neighbourhood.id == Participant.neighbourhood_id))
        .outerjoin(Municipality, Municipality.id == Participant.paying_municipality_id)
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
        .execution_options(yield_per=500)
    )
    for participant, wijk, code in session.execute(stmt):
        joined = {"neighbourhood": wijk, "paying_municipality_code": code}
        yield [joined[c.field] if c.field in joined else getattr(participant, c.field)
               for c in PARTICIPANTS.columns]


def host_records(session: Session) -> Iterator[list]:
    stmt = (select(HostOrganisation).order_by(HostOrganisation.name)
            .execution_options(yield_per=500))
    for host in session.scalars(stmt):
        yield [getattr(host, c.field) for c in HOSTS.columns]


def _plain(value):
    """A value as the import reads it back: ja/nee, 24-03-1985, 'a, b', enum values."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value


_NUMBERISH = re.compile(r"^[+-]?[\d\s().\-/]*$")


def _csv_cell(value) -> str:
    value = _plain(value)
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    text = str(value)
    # A cell starting with = + - @ is a formula to Excel: neutralise it (phone numbers stay).
    if text and (text[0] in "=@\t\r" or (text[0] in "+-" and not _NUMBERISH.match(text))):
        return "'" + text
    return text


def write_csv(headers: list[str], records: Iterable[list]) -> tuple[bytes, int]:
    """CSV as Dutch Excel opens it: UTF-8 with BOM, ';' between cells. Returns (bytes, rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    count = 0
    for record in records:
        writer.writerow([_csv_cell(v) for v in record])
        count += 1
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), count


def _xlsx_cell(sheet, value, bold: bool = False) -> WriteOnlyCell:
    value = _plain(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    if isinstance(value, date):
        cell.number_format = "DD-MM-YYYY"
    if bold:
        cell.font = Font(bold=True)
    return cell


def write_xlsx(headers: list[str], records: Iterable[list],
               title: str = "Export") -> tuple[bytes, int]:
    """An .xlsx with one sheet: bold header row, real dates. Returns (bytes, rows)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 4)
    sheet.append([_xlsx_cell(sheet, h, bold=True) for h in headers])
    count = 0
    for record in records:
        sheet.append([_xlsx_cell(sheet, v) for v in record])
        count += 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), count


def export_participants(session: Session, actor: Actor, f: ParticipantFilter, fmt: str,
                        today: date | None = None) -> bytes:
    """The participant list as CSV or XLSX, recorded in the audit log with filter and count."""
    records = participant_records(session, f, today)
    body, count = (write_xlsx(PARTICIPANTS.headers, records, "Deelnemers") if fmt == "xlsx"
                   else write_csv(PARTICIPANTS.headers, records))
    used = {k: v for k, v in vars(f).items() if v not in (None, "") and k != "q"}
    # A search text may be someone's name: the append-only log records only that there was one.
    audit.record(session, actor, "participants.exported", object_type="Participant",
                 format=fmt, count=count, filter=used, text_search=bool(f.q))
    return body


def export_hosts(session: Session, actor: Actor, fmt: str) -> bytes:
    records = host_records(session)
    body, count = (write_xlsx(HOSTS.headers, records, "Inzetorganisaties") if fmt == "xlsx"
                   else write_csv(HOSTS.headers, records))
    audit.record(session, actor, "hosts.exported", object_type="HostOrganisation",
                 format=fmt, count=count)
    return body


def template_csv(kind_key: str) -> bytes:
    """An empty file with the expected column names, to fill in."""
    return write_csv(kind_for(kind_key).headers, [])[0]
