"""Reading uploaded spreadsheets (XLSX, CSV) within limits, before anything is believed.

An .xlsx is a zip of XML parts. A 134 KB file can declare 15 million empty rows (one
`<row r="15500000"/>`, or millions of `<row/>`), or 5.5 million shared strings; openpyxl then
builds all of it in memory (54-90 s and 1.6 GB were measured). So an upload is read in three
steps, each bounded by `Limits`:

1. the zip's directory, without decompressing anything: number of parts, the uncompressed
   size of all parts together (zip bombs) and of `sharedStrings.xml`. Python's zipfile never
   returns more than a part's declared size, so a lying header cannot get past this;
2. every XML part, streamed through expat in small pieces, nothing kept: no DOCTYPE, the
   number of elements, nesting depth, shared strings (`<si>`), rows (every `<row>` and every
   row number a `r="…"` jumps to), cells per row and in all, and columns (`<c r="XFD1">`);
3. only then openpyxl, with `read_only=True` (rows streamed) and its declared dimensions
   ignored (a `<dimension ref="A1:XFD1048576"/>` would otherwise make it pad every row and
   invent a million empty ones), counting every row it yields, empty ones included, and the
   clock.

CSV is text already in memory (the upload's size is bounded by MAX_CONTENT_LENGTH); its rows,
columns, cells and time are counted the same way while `csv` reads them.

Anything refused raises `SpreadsheetRefused`, a DomainError with a Dutch message a
coordinator can act on. Nothing here knows what the rows mean: the import feature does.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import time
import zipfile
from dataclasses import dataclass
from typing import Iterator
from xml.parsers import expat

from flask_babel import lazy_gettext as _l

from tenants.errors import DomainError

log = logging.getLogger(__name__)

NOT_XLSX = _l("Dit bestand is geen geldig Excel-bestand (.xlsx). Open het in Excel en sla het "
              "opnieuw op als 'Excel-werkmap (.xlsx)', of als CSV.")

#: SpreadsheetML's main namespace (transitional and strict): `row`, `c` and `si` live here.
_MAIN_NS = frozenset({
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
})
_SEP = "\x1f"  # expat's namespace separator: "<uri>\x1f<local name>"
#: the elements counted, by expat's full name -> local name
_COUNTED = {f"{ns}{_SEP}{local}": local for ns in _MAIN_NS for local in ("row", "c", "si", "sst")}
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_CHUNK = 64 * 1024
_CLOCK_EVERY = 4096  # elements between two looks at the clock


@dataclass(frozen=True)
class Limits:
    """What an upload may hold. Every row read counts, empty ones included."""

    max_bytes: int = 10 * 1024 * 1024
    max_rows: int = 10_000
    max_columns: int = 100
    max_cells: int = 300_000
    max_shared_strings: int = 300_000
    max_shared_strings_bytes: int = 16 * 1024 * 1024
    max_unpacked_bytes: int = 50 * 1024 * 1024
    max_parts: int = 500
    max_depth: int = 64
    max_seconds: float = 30.0  # a net under the counts: 5,000 x 25 cells take 2-8 s

    @property
    def max_elements(self) -> int:
        """XML elements in all parts together: a cell is 2-4 elements, a shared string 2-3."""
        return 4 * self.max_cells + 3 * self.max_shared_strings + 10 * self.max_rows + 50_000


class SpreadsheetRefused(DomainError):
    """The file exceeds a limit or cannot be read; nothing of it was used."""

    default_message = NOT_XLSX


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _too_many_rows(limits: Limits) -> SpreadsheetRefused:
    return SpreadsheetRefused(_l(
        "Het bestand heeft meer dan %(max)s rijen (lege rijen tellen mee). Verwijder de lege "
        "rijen onderaan, of splits het bestand in kleinere delen.",
        max=_number(limits.max_rows)))


def _too_many_columns(limits: Limits) -> SpreadsheetRefused:
    return SpreadsheetRefused(_l(
        "Het bestand heeft meer dan %(max)s kolommen. Laat alleen de kolommen staan die "
        "nodig zijn en probeer het opnieuw.", max=_number(limits.max_columns)))


def _too_many_cells(limits: Limits) -> SpreadsheetRefused:
    return SpreadsheetRefused(_l(
        "Het bestand heeft meer dan %(max)s gevulde cellen. Splits het in kleinere delen.",
        max=_number(limits.max_cells)))


def _too_many_strings(limits: Limits) -> SpreadsheetRefused:
    return SpreadsheetRefused(_l(
        "Het Excel-bestand bevat meer dan %(max)s verschillende teksten. Splits het in "
        "kleinere delen, of sla het op als CSV.", max=_number(limits.max_shared_strings)))


def _too_big_unpacked() -> SpreadsheetRefused:
    return SpreadsheetRefused(_l(
        "Dit Excel-bestand is uitgepakt te groot om in te lezen. Splits het in kleinere "
        "bestanden, of sla het op als CSV."))


def _too_big(limits: Limits) -> SpreadsheetRefused:
    mb = limits.max_bytes / (1024 * 1024)
    return SpreadsheetRefused(_l("Het bestand is groter dan %(mb)s MB. Splits het in kleinere "
                                 "bestanden.", mb=_number(int(mb)) if mb >= 1 else "1"))


def _too_slow() -> SpreadsheetRefused:
    return SpreadsheetRefused(_l(
        "Het lezen van dit bestand duurt te lang. Splits het in kleinere bestanden, of sla "
        "het op als CSV."))


class _Clock:
    def __init__(self, limits: Limits):
        self.deadline = time.monotonic() + limits.max_seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise _too_slow()


def _column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + (ord(char) - 64)
    return number


# --- step 1 and 2: the zip and its XML, before openpyxl sees it ---------------------------------

class _Scan:
    """Counts what openpyxl would build, from expat events, keeping nothing."""

    def __init__(self, limits: Limits, clock: _Clock):
        self.limits = limits
        self.clock = clock
        self.elements = 0
        self.depth = 0
        self.strings = 0
        self.rows = 0  # rows a reader would produce, counting the gaps that `r` jumps over
        self.cells = 0
        self.last_column = 0

    def start(self, name: str, attributes: dict) -> None:
        self.elements += 1
        self.depth += 1
        if self.elements > self.limits.max_elements:
            raise _too_many_cells(self.limits)
        if self.depth > self.limits.max_depth:
            raise SpreadsheetRefused(NOT_XLSX)
        if not self.elements % _CLOCK_EVERY:
            self.clock.check()
        local = _COUNTED.get(name)
        if local is None:
            return
        if local == "c":
            self._cell(attributes.get("r"))
        elif local == "row":
            self._row(attributes.get("r"))
        elif local == "si":
            self.strings += 1
            if self.strings > self.limits.max_shared_strings:
                raise _too_many_strings(self.limits)
        else:  # <sst uniqueCount="…">: what the file itself declares is refused at once
            declared = attributes.get("uniqueCount", "")
            if declared.isascii() and declared.isdigit() and (
                    len(declared) > 9 or int(declared) > self.limits.max_shared_strings):
                raise _too_many_strings(self.limits)

    def end(self, _name: str) -> None:
        self.depth -= 1

    def _row(self, ref: str | None) -> None:
        if ref is not None:
            if not ref.isascii() or not ref.isdigit() or len(ref) > 8:
                raise SpreadsheetRefused(NOT_XLSX)
            self.rows = max(self.rows + 1, int(ref))
        else:
            self.rows += 1
        if self.rows > self.limits.max_rows:
            raise _too_many_rows(self.limits)
        self.last_column = 0

    def _cell(self, ref: str | None) -> None:
        self.cells += 1
        if self.cells > self.limits.max_cells:
            raise _too_many_cells(self.limits)
        column = self.last_column + 1  # a cell without `r` follows the one before
        if ref is not None:
            match = _CELL_REF.match(ref)
            if match is None:
                raise SpreadsheetRefused(NOT_XLSX)
            column = _column_number(match.group(1))
            if int(match.group(2)) > self.limits.max_rows:
                raise _too_many_rows(self.limits)
        self.last_column = column
        if self.last_column > self.limits.max_columns:
            raise _too_many_columns(self.limits)


def _refuse_declaration(*_args) -> None:
    # A DOCTYPE (entity expansion, external entities) has no place in an xlsx part.
    raise SpreadsheetRefused(NOT_XLSX)


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scan: _Scan) -> None:
    parser = expat.ParserCreate(namespace_separator=_SEP)
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.StartDoctypeDeclHandler = _refuse_declaration
    parser.EntityDeclHandler = _refuse_declaration
    scan.depth = 0
    with archive.open(info) as part:
        while True:
            chunk = part.read(_CHUNK)
            parser.Parse(chunk, not chunk)
            if not chunk:
                break
            scan.clock.check()


def check_xlsx(content: bytes, limits: Limits = Limits()) -> None:
    """Refuse an xlsx that is too large, unpacks too large, or holds more rows, columns,
    cells or shared strings than `limits` allow, without building any of it. Raises
    SpreadsheetRefused."""
    if len(content) > limits.max_bytes:
        raise _too_big(limits)
    if not content.startswith(b"PK\x03\x04"):
        raise SpreadsheetRefused(NOT_XLSX)
    clock = _Clock(limits)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            if len(parts) > limits.max_parts:
                raise SpreadsheetRefused(NOT_XLSX)
            for info in parts:
                if (info.filename.lower().endswith("sharedstrings.xml")
                        and info.file_size > limits.max_shared_strings_bytes):
                    raise _too_many_strings(limits)
            if sum(info.file_size for info in parts) > limits.max_unpacked_bytes:
                raise _too_big_unpacked()
            scan = _Scan(limits, clock)
            for info in parts:
                if info.filename.lower().endswith((".xml", ".rels")):
                    _scan_part(archive, info, scan)
    except SpreadsheetRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, expat.ExpatError, EOFError, OSError,
            NotImplementedError, RuntimeError, ValueError) as exc:
        log.info("Unreadable xlsx upload: %r", exc)
        raise SpreadsheetRefused(NOT_XLSX) from None


# --- step 3: the rows ------------------------------------------------------------------------

def read_xlsx(content: bytes, limits: Limits = Limits()) -> Iterator[tuple[int, tuple]]:
    """(row number, values) for every row of the first sheet, empty rows included, after
    `check_xlsx`. Raises SpreadsheetRefused, also part-way through."""
    check_xlsx(content, limits)
    import openpyxl  # only here: the kernel should not pay for it at import time

    clock = _Clock(limits)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - a broken file fails in many ways inside openpyxl
        log.info("Unreadable xlsx upload: %r", exc)
        raise SpreadsheetRefused(NOT_XLSX) from None
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):  # a chart sheet has none; it yields nothing
            sheet.reset_dimensions()  # what the file declares is not believed
        try:
            rows = sheet.iter_rows(values_only=True)
            for number, values in enumerate(rows, start=1):
                if number > limits.max_rows:
                    raise _too_many_rows(limits)
                if len(values) > limits.max_columns:
                    raise _too_many_columns(limits)
                if number % 256 == 0:
                    clock.check()
                yield number, tuple(values)
        except SpreadsheetRefused:
            raise
        except Exception as exc:  # noqa: BLE001
            log.info("Unreadable xlsx sheet: %r", exc)
            raise SpreadsheetRefused(NOT_XLSX) from None
    finally:
        workbook.close()


def read_csv(text: str, delimiter: str = ";",
             limits: Limits = Limits()) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for every row of a CSV text, empty rows included. Raises
    SpreadsheetRefused past a limit and lets `csv.Error` through for a malformed file."""
    if len(text) > limits.max_bytes:
        raise _too_big(limits)
    clock = _Clock(limits)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    cells = 0
    for number, row in enumerate(reader, start=1):
        if number > limits.max_rows:
            raise _too_many_rows(limits)
        if len(row) > limits.max_columns:
            raise _too_many_columns(limits)
        cells += len(row)
        if cells > limits.max_cells:
            raise _too_many_cells(limits)
        if number % 256 == 0:
            clock.check()
        yield number, row
