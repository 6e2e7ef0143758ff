"""One writer for the CSV and XLSX files users download (lists, bookkeeping, budgets).

CSV as Dutch Excel opens it: UTF-8 with a BOM, ";" between cells, CRLF, dates 24-03-2026,
amounts 1234,56, decimals 8,50. XLSX with one sheet: a bold, frozen header row, real dates,
amounts and decimals as numbers.

Formula-safe: a spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return
before one) as a formula, and a formula can fetch a URL or run a command (CSV injection). Such
a text cell gets a leading apostrophe in CSV and is stored as text in XLSX. A cell of digits and
number punctuation only ("+31 6 12345678", "-12") cannot call anything and stays as typed, so a
phone number survives an export and re-import.

The values a feature passes: None, str, int, Decimal (a quantity such as hours), date, or
`Money(cents)`; features turn their own types (enums, yes/no) into these first.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tenants.money import amount_text

__all__ = ["Money", "csv_file", "guard_text", "xlsx_file", "xlsx_workbook"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBERISH = re.compile(r"^[+-]?[0-9\s().\-/]*$")


@dataclass(frozen=True)
class Money:
    """An amount in cents, written as 1234,56 in CSV and as a number of euros in XLSX."""
    cents: int

    @property
    def euros(self) -> Decimal:
        return Decimal(self.cents) / 100


def guard_text(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    if text.startswith(FORMULA_START) and not _NUMBERISH.match(text):
        return "'" + text
    return text


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        return amount_text(value.cents)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")  # 8,50 as Dutch Excel reads a number
    return guard_text(str(value))


def csv_file(headers: list[str], records: Iterable[list]) -> tuple[bytes, int]:
    """The CSV file and the number of records written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in headers])
    count = 0
    for record in records:
        writer.writerow([_csv_cell(v) for v in record])
        count += 1
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), count


def _xlsx_cell(sheet, value, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, Money):
        cell = WriteOnlyCell(sheet, value=value.euros)
        cell.number_format = "#,##0.00"
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD-MM-YYYY"
    elif value is None or isinstance(value, (int, Decimal)):
        cell = WriteOnlyCell(sheet, value=value)
    else:
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
        cell.data_type = "s"  # text, never a formula
    if bold:
        cell.font = Font(bold=True)
    return cell


def _sheet(workbook, title: str, headers: list[str], records: Iterable[list]) -> int:
    sheet = workbook.create_sheet(title=title)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 4)
    sheet.append([_xlsx_cell(sheet, h, bold=True) for h in headers])
    count = 0
    for record in records:
        sheet.append([_xlsx_cell(sheet, v) for v in record])
        count += 1
    return count


_SHEET_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no \\ / * ? : [ ], at most 31 characters."""
    base = _SHEET_FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", title)).strip()[:31] or "Blad"
    name, n = base, 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def xlsx_file(headers: list[str], records: Iterable[list], title: str = "Export"
              ) -> tuple[bytes, int]:
    """The XLSX file (one sheet named `title`) and the number of records written."""
    workbook = openpyxl.Workbook(write_only=True)
    count = _sheet(workbook, sheet_title(title, set()), headers, records)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), count


def xlsx_workbook(sheets: Iterable[tuple[str, list[str], Iterable[list]]]) -> tuple[bytes, int]:
    """An XLSX file with one sheet per (title, headers, records), in order, and the number of
    records written in all. Titles are made valid and unique (sheet_title)."""
    workbook = openpyxl.Workbook(write_only=True)
    taken: set[str] = set()
    count = 0
    for title, headers, records in sheets:
        count += _sheet(workbook, sheet_title(title, taken), headers, records)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), count
