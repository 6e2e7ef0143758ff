"""Reading an uploaded CSV or XLSX file into a table, and mapping its Dutch column names."""
from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from flask_babel import lazy_gettext as _l

from blueprints.imports.services.columns import (
    IGNORED_HEADERS,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    ImportFileError,
    ImportKind,
    _word,
)
from tenants.spreadsheets import Limits, SpreadsheetRefused
from tenants.spreadsheets import read_csv as bounded_csv
from tenants.spreadsheets import read_xlsx as bounded_xlsx



@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, cells)


EMPTY = _l("Het bestand is leeg.")
NOT_TEXT = _l("Dit bestand is geen leesbaar CSV-bestand. Sla het in Excel op als "
              "'CSV (gescheiden door lijstscheidingsteken)', of upload het als .xlsx.")
NOT_XLSX = _l("Dit bestand is geen geldig Excel-bestand (.xlsx). Open het in Excel en sla het "
              "opnieuw op als 'Excel-werkmap (.xlsx)', of als CSV.")
OLD_XLS = _l("Oude Excel-bestanden (.xls) kunnen niet worden ingelezen. Sla het bestand in Excel "
             "op als 'Excel-werkmap (.xlsx)' of als CSV.")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: What an upload may hold before it is read (tenants.spreadsheets): every row read counts,
#: empty ones too, so twice the rows an import takes leaves room for blank lines.
LIMITS = Limits(max_rows=2 * MAX_ROWS, max_unpacked_bytes=MAX_UNPACKED_BYTES)


def read_table(filename: str, content: bytes) -> Table:
    """The header and rows of a .csv or .xlsx upload; raises ImportFileError."""
    extension = Path(filename or "").suffix.lower()
    if extension == ".xls":
        raise ImportFileError(OLD_XLS)
    if extension not in (".csv", ".xlsx"):
        raise ImportFileError(_l(
            "Kies een CSV-bestand (.csv) of een Excel-bestand (.xlsx). Een bestand als "
            "'%(name)s' kan niet worden ingelezen.", name=Path(filename or "").name or "?"))
    if not content or not content.strip():
        raise ImportFileError(EMPTY)
    return _read_xlsx(content) if extension == ".xlsx" else _read_csv(content)


def _decode(content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16").lstrip("\ufeff")
        except UnicodeDecodeError:
            raise ImportFileError(NOT_TEXT) from None
    if b"\x00" in content:
        raise ImportFileError(NOT_TEXT)
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows saves CSV as cp1252
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(NOT_TEXT)


def _read_csv(content: bytes) -> Table:
    if content.startswith(b"PK\x03\x04"):
        raise ImportFileError(_l("Dit is een Excel-bestand met de extensie .csv. Geef het de "
                                 "extensie .xlsx, of sla het in Excel op als CSV."))
    text = _decode(content)
    if _CONTROL.search(text):
        raise ImportFileError(NOT_TEXT)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)  # Dutch Excel writes ';'
    number = 0

    def numbered():
        nonlocal number
        for number, cells in bounded_csv(text, delimiter, LIMITS):  # noqa: B007
            yield number, cells

    try:
        return _collect(numbered())
    except SpreadsheetRefused as exc:
        raise ImportFileError(exc.message) from None
    except csv.Error:
        raise ImportFileError(_l(
            "Het CSV-bestand is niet goed opgemaakt bij rij %(row)s: controleer de "
            "aanhalingstekens (\").", row=number + 1)) from None


def _read_xlsx(content: bytes) -> Table:
    """Read within LIMITS (tenants.spreadsheets: the zip and its XML are checked before
    openpyxl builds anything, and every row read is counted)."""
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(OLD_XLS)
    try:
        return _collect((number, [_xlsx_text(v) for v in values])
                        for number, values in bounded_xlsx(content, LIMITS))
    except SpreadsheetRefused as exc:
        raise ImportFileError(exc.message) from None


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, (datetime, date)):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _collect(numbered_rows: Iterable[tuple[int, list[str]]]) -> Table:
    """The first non-empty row is the header; empty rows are skipped; at most MAX_ROWS rows."""
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, cells in numbered_rows:
        cells = [(c or "").strip() for c in cells]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if headers is None:
            headers = cells
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(_l(
                "Het bestand heeft meer dan %(max)s rijen. Splits het bestand in delen van "
                "hoogstens %(max)s rijen en importeer ze na elkaar.", max="5.000"))
        rows.append((number, cells))
    if headers is None:
        raise ImportFileError(EMPTY)
    if not rows:
        raise ImportFileError(_l("Het bestand heeft alleen een kopregel, zonder rijen met "
                                 "gegevens."))
    return Table(headers, rows)


def map_headers(kind: ImportKind, headers: list[str]) -> tuple[dict[str, int], list[str]]:
    """{field: column index} for the file's headers, and the headers that are not used."""
    known = {}
    for column in kind.columns:
        for name in (column.header, *column.aliases):
            known[_word(name)] = column
    mapping: dict[str, int] = {}
    ignored = []
    for index, header in enumerate(headers):
        column = known.get(_word(header))
        if column is None:
            if header and _word(header) not in IGNORED_HEADERS:
                ignored.append(header)
            continue
        if column.field in mapping:
            raise ImportFileError(_l("De kolom '%(column)s' staat meer dan eens in de kopregel.",
                                     column=column.header))
        mapping[column.field] = index
    missing = [c.header for c in kind.columns if c.required and c.field not in mapping]
    if missing:
        raise ImportFileError(_l(
            "Deze verplichte kolommen ontbreken: %(columns)s. De eerste regel van het bestand "
            "moet de kolomnamen bevatten, zoals in het voorbeeldbestand. Koos u het juiste "
            "soort gegevens?", columns=", ".join(missing)))
    return mapping, ignored
