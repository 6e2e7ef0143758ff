"""Import of participants and host organisations from CSV/XLSX files, and export of lists.

An import has three steps, each usable from a page, the CLI or a job:
1. `prepare_import()` reads the file (`read_table`) and maps its Dutch column names; the
   result waits in an `ImportStore` file (per tenant folder, never in the cookie).
2. `check_rows()` checks the next rows by running the participant services themselves
   (`create_participant`, `create_host`) inside a SAVEPOINT that is rolled back: the rules
   live in those services, never here. What a person sees is the preview of that check.
3. `run_chunk()` imports the next valid rows, each in its own SAVEPOINT: a row that fails now
   is rolled back alone and reported, never half-imported. A chunk and its audit marker are
   committed together, so a chunk is never imported twice.
Steps 2 and 3 work in chunks, so that a file of 5,000 rows never needs one long request.

Anything wrong with the file itself raises `ImportFileError` with a Dutch message; a problem in
one row becomes that row's error. Exports write the same Dutch columns, so an export can be
imported again.
"""
from __future__ import annotations

import codecs
import csv
import enum
import fcntl
import io
import json
import logging
import os
import re
import secrets
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator

import openpyxl
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import String, and_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from blueprints.participants.models import (
    Benefit,
    HostOrganisation,
    HouseholdType,
    Neighbourhood,
    Participant,
)
from blueprints.participants.services import (
    HOST_KINDS,
    HostData,
    ParticipantData,
    ParticipantFilter,
    create_host,
    create_participant,
    filtered,
)
from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.models import AuditEvent, Municipality

log = logging.getLogger(__name__)

MAX_ROWS = 5000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # an .xlsx is a zip: refuse one that unpacks huge
PREVIEW_ROWS = 50
CHECK_CHUNK_SIZE = 250  # rows checked per request (nothing is written)
CHUNK_SIZE = 200  # rows imported per request and transaction
KEEP_SECONDS = 24 * 3600  # uploads hold personal data: gone after a day


NOT_SAVED = _l("Deze rij kon niet worden opgeslagen. Controleer de waarden.")


class ImportFileError(DomainError):
    """The file as a whole cannot be read; nothing was imported."""


class ImportBusy(DomainError):
    default_message = _l("Deze import wordt op dit moment al verwerkt. Wacht even en laad de "
                         "pagina opnieuw.")


class RowProblem(Exception):
    """A cell cannot be understood; becomes (part of) the row's error."""

    def __init__(self, message, *, names_column: bool = False):
        self.message = message
        self.names_column = names_column  # else the column name is put in front
        super().__init__(str(message))


# --- the columns ---------------------------------------------------------------------------

class Lookups:
    """Reference data a row may name: municipalities, host kinds. Loaded once per import."""

    def __init__(self, session: Session):
        self.session = session
        self._municipalities: dict[str, str] | None = None
        self._host_kinds: dict[str, str] | None = None

    def municipality_code(self, name: str) -> str | None:
        if self._municipalities is None:
            rows = self.session.execute(select(Municipality.name, Municipality.cbs_code))
            self._municipalities = {_word(n): code for n, code in rows}
        key = _word(re.sub(r"^gemeente\s+", "", name.strip(), flags=re.I))
        return self._municipalities.get(key)

    def host_kind(self, text: str) -> str | None:
        if self._host_kinds is None:
            names: dict[str, str] = {}
            for key, label in HOST_KINDS.items():
                names[_word(key)] = key
                for shown in (str(label), _dutch(label)):
                    names[_word(shown)] = key
                    for part in shown.split("/"):
                        names.setdefault(_word(part), key)
            self._host_kinds = names
        return self._host_kinds.get(_word(text))


def _dutch(label) -> str:
    with force_locale("nl"):
        return str(label)


def _word(text: str) -> str:
    """A name compared loosely: case, spaces, dashes and underscores do not matter."""
    return re.sub(r"[\s_\-*.:()]+", "", (text or "").strip().lower())


def _text(value: str, lookups: Lookups) -> str:
    return value


def _short(value: str, limit: int = 40) -> str:
    """A cell quoted in a message, cut short."""
    return value if len(value) <= limit else value[:limit] + "…"


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str, lookups: Lookups) -> str:
    if not _EMAIL.match(value):
        raise RowProblem(_l("'%(value)s' is geen geldig e-mailadres.", value=_short(value)))
    return value


_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")


def _date(value: str, lookups: Lookups) -> date:
    match = _DMY.match(value)
    parts = (match.group(3), match.group(2), match.group(1)) if match else None
    if parts is None and (match := _YMD.match(value)):
        parts = match.groups()
    try:
        if parts is None:
            raise ValueError(value)
        return date(*(int(p) for p in parts))
    except ValueError:
        raise RowProblem(_l("'%(value)s' is geen geldige datum. Schrijf de datum als "
                            "dd-mm-jjjj, bijvoorbeeld 24-03-1985.", value=_short(value))) from None


_YES = {"ja", "j", "yes", "y", "waar", "true", "1", "x"}
_NO = {"nee", "n", "no", "onwaar", "false", "0"}


def _bool(value: str, lookups: Lookups) -> bool:
    word = value.strip().lower()
    if word in _YES or word in _NO:
        return word in _YES
    raise RowProblem(_l("vul 'ja' of 'nee' in, niet '%(value)s'.", value=_short(value)))


def _int(value: str, lookups: Lookups) -> int:
    if not re.fullmatch(r"\d+(?:[.,]0+)?", value.strip()):
        raise RowProblem(_l("vul een heel getal in, niet '%(value)s'.", value=_short(value)))
    return int(re.split(r"[.,]", value.strip())[0])


def _list(value: str, lookups: Lookups) -> list[str]:
    return [item.strip() for item in re.split(r"[,;]", value) if item.strip()]


def _choice(enum_cls: type[enum.Enum], aliases: dict[str, str] | None = None):
    def parse(value: str, lookups: Lookups):
        word = _word(value)
        for member in enum_cls:
            if _word(member.value) == word:
                return member
        if aliases and word in aliases:
            return enum_cls(aliases[word])
        raise RowProblem(_l("onbekende waarde '%(value)s'. Kies uit: %(choices)s.",
                            value=_short(value), choices=", ".join(m.value for m in enum_cls)))
    return parse


def _municipality(value: str, lookups: Lookups) -> str:
    code = re.fullmatch(r"(?:GM)?\s*(\d{1,4})", value.strip(), flags=re.I)
    if code:  # a CBS code; a spreadsheet may have dropped its leading zero
        return code.group(1).zfill(4)
    found = lookups.municipality_code(value)
    if found is None:
        raise RowProblem(_l("Onbekende gemeente '%(value)s'. Vul de CBS-code in (zoals 0758) "
                            "of de naam van de gemeente.", value=_short(value)), names_column=True)
    return found


def _host_kind(value: str, lookups: Lookups) -> str:
    found = lookups.host_kind(value)
    if found is None:
        raise RowProblem(_l("onbekende soort '%(value)s'. Kies uit: %(choices)s.",
                            value=_short(value), choices=", ".join(HOST_KINDS)))
    return found


@dataclass(frozen=True)
class Column:
    header: str  # the Dutch column name in templates and exports
    field: str  # the field of ParticipantData / HostData
    parse: Callable[[str, Lookups], object] = _text
    required: bool = False
    aliases: tuple[str, ...] = ()
    hint: object = None  # what to fill in, for the page that explains the columns


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: object
    columns: tuple[Column, ...]
    data_class: type
    create: Callable
    model: type
    summary: tuple[str, ...]  # fields shown in the preview

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


_DATE_HINT = _l("dd-mm-jjjj, bijvoorbeeld 24-03-1985")
_LIST_HINT = _l("gescheiden door komma's")
_YES_NO = _l("ja of nee")

PARTICIPANTS = ImportKind(
    key="deelnemers", label=_l("Deelnemers"), data_class=ParticipantData, model=Participant,
    create=lambda s, actor, data, today: create_participant(s, actor, data, today=today),
    summary=("first_name", "last_name", "email", "neighbourhood", "date_of_birth",
             "paying_municipality_code"),
    columns=(
        Column("voornaam", "first_name", required=True),
        Column("achternaam", "last_name", required=True),
        Column("e-mail", "email", _email, aliases=("e-mailadres", "emailadres")),
        Column("telefoon", "phone", aliases=("telefoonnummer",)),
        Column("straat", "street", aliases=("adres",)),
        Column("postcode", "postcode"),
        Column("plaats", "city", aliases=("woonplaats",)),
        Column("wijk", "neighbourhood"),
        Column("geboortedatum", "date_of_birth", _date, hint=_DATE_HINT),
        Column("huishouden", "household_type", _choice(HouseholdType),
               hint=", ".join(h.value for h in HouseholdType)),
        Column("uitkering", "benefit", _choice(Benefit, {"participatiewet": "bijstand",
                                                         "pw": "bijstand"}),
               hint=_l("%(choices)s; leeg is bijstand",
                       choices=", ".join(b.value for b in Benefit))),
        Column("gemeente", "paying_municipality_code", _municipality,
               hint=_l("CBS-code (zoals 0758) of naam van de betalende gemeente")),
        Column("vaardigheden", "skills", _list, hint=_LIST_HINT),
        Column("talen", "languages", _list, hint=_LIST_HINT),
        Column("uren_per_week", "available_hours", _int, hint=_l("heel getal, 0 tot 60")),
        Column("vog", "vog_present", _bool, hint=_YES_NO),
        Column("vog_datum", "vog_date", _date, hint=_DATE_HINT),
        Column("statushouder", "is_refugee_permit_holder", _bool, hint=_YES_NO),
        Column("arbeidsbeperking", "has_work_limitation", _bool, hint=_YES_NO),
        Column("noodcontact_naam", "emergency_name"),
        Column("noodcontact_telefoon", "emergency_phone"),
    ),
)
HOSTS = ImportKind(
    key="inzetorganisaties", label=_l("Inzetorganisaties"), data_class=HostData,
    model=HostOrganisation, create=lambda s, actor, data, today: create_host(s, actor, data),
    summary=("name", "kind", "contact_name", "city"),
    columns=(
        Column("naam", "name", required=True),
        Column("soort", "kind", _host_kind, required=True, hint=", ".join(HOST_KINDS)),
        Column("contactpersoon", "contact_name"),
        Column("e-mail", "contact_email", _email, aliases=("e-mailadres", "emailadres")),
        Column("telefoon", "contact_phone", aliases=("telefoonnummer",)),
        Column("straat", "street", aliases=("adres",)),
        Column("postcode", "postcode"),
        Column("plaats", "city"),
        Column("vog_verplicht", "vog_required", _bool, hint=_YES_NO),
        Column("verzekerd", "insurance_covered", _bool, hint=_l("ja of nee; leeg is ja")),
    ),
)
KINDS = {kind.key: kind for kind in (PARTICIPANTS, HOSTS)}
IGNORED_HEADERS = {"rij", "fout"}  # added by the failed-rows download


def kind_for(key: str) -> ImportKind:
    kind = KINDS.get(key)
    if kind is None:
        raise ImportFileError(_l("Kies wat u wilt importeren: deelnemers of inzetorganisaties."))
    return kind


# --- reading files -------------------------------------------------------------------------

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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0

    def numbered():
        nonlocal number
        for number, cells in enumerate(reader, start=1):  # noqa: B007
            yield number, cells

    try:
        return _collect(numbered())
    except csv.Error:
        raise ImportFileError(_l(
            "Het CSV-bestand is niet goed opgemaakt bij rij %(row)s: controleer de "
            "aanhalingstekens (\").", row=number + 1)) from None


def _read_xlsx(content: bytes) -> Table:
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(OLD_XLS)
    if not content.startswith(b"PK\x03\x04"):
        raise ImportFileError(NOT_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise ImportFileError(_l("Dit Excel-bestand is te groot om in te lezen. Splits het "
                                     "in kleinere bestanden."))
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken file fails in many ways inside openpyxl
        log.info("Unreadable xlsx upload: %r", exc)
        raise ImportFileError(NOT_XLSX) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(EMPTY)
        sheet = workbook.worksheets[0]
        return _collect((number, [_xlsx_text(v) for v in values])
                        for number, values in enumerate(sheet.iter_rows(values_only=True), 1))
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001
        log.info("Unreadable xlsx sheet: %r", exc)
        raise ImportFileError(NOT_XLSX) from None
    finally:
        workbook.close()


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


# --- rows ----------------------------------------------------------------------------------

def _clean(cell: str) -> str:
    cell = (cell or "").strip()
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@":
        return cell[1:]  # our exports protect such cells from Excel formulas
    return cell


def _max_length(model: type, field: str) -> int | None:
    column = model.__table__.columns.get(field)
    if column is not None and isinstance(column.type, String) and field != "postcode":
        return column.type.length
    return None


def build_data(kind: ImportKind, mapping: dict[str, int], width: int, cells: list[str],
               lookups: Lookups):
    """The ParticipantData / HostData of one row; raises RowProblem naming every bad cell."""
    values: dict[str, object] = {}
    problems: list[str] = []
    for column in kind.columns:
        index = mapping.get(column.field)
        raw = _clean(cells[index]) if index is not None and index < len(cells) else ""
        if not raw:
            if column.required:
                values[column.field] = ""  # the service says what is missing
            continue
        try:
            value = column.parse(raw, lookups)
        except RowProblem as problem:
            problems.append(str(problem.message) if problem.names_column
                            else f"{column.header}: {problem.message}")
            continue
        limit = _max_length(kind.model, column.field)
        if limit and isinstance(value, str) and len(value) > limit:
            problems.append(str(_l("%(column)s: hoogstens %(max)s tekens.",
                                   column=column.header, max=limit)))
            continue
        values[column.field] = value
    if any(cells[width:]):
        problems.append(str(_l("Deze rij heeft meer waarden dan er kolommen zijn. Controleer "
                               "het scheidingsteken en de aanhalingstekens.")))
    if problems:
        raise RowProblem("; ".join(str(p) for p in problems))
    return kind.data_class(**values)


def _attempt(session: Session, actor: Actor, kind: ImportKind, data, today: date) -> str | None:
    """Run the service for one row in its own SAVEPOINT; keep it, or roll it back alone."""
    savepoint = session.begin_nested()
    try:
        kind.create(session, actor, data, today)
        session.flush()
    except DomainError as exc:
        savepoint.rollback()
        return str(exc.message)
    except SQLAlchemyError:
        log.exception("Import row refused by the database")
        savepoint.rollback()
        return str(NOT_SAVED)
    savepoint.commit()
    return None


def _row(kind, mapping, width, cells, lookups, session, actor, today) -> str | None:
    try:
        data = build_data(kind, mapping, width, cells, lookups)
    except RowProblem as problem:
        return str(problem.message)
    return _attempt(session, actor, kind, data, today)


def prepare_import(kind_key: str, filename: str, content: bytes) -> dict:
    """The state of a new import: the file read and its columns mapped, no row checked yet.

    Raises ImportFileError for a file that cannot be used at all.
    """
    kind = kind_for(kind_key)
    table = read_table(filename, content)
    _mapping, ignored = map_headers(kind, table.headers)
    return {"version": 1, "kind": kind.key, "filename": Path(filename).name,
            "headers": table.headers, "ignored": ignored,
            "rows": [{"line": line, "values": cells, "error": None} for line, cells in table.rows],
            "checked": 0, "done": 0, "imported": 0, "failed": [], "started": False,
            "finished": False, "created_at": datetime.now().isoformat(timespec="seconds")}


def check_rows(session: Session, actor: Actor, state: dict, size: int = CHECK_CHUNK_SIZE,
               today: date | None = None) -> dict:
    """Check the next `size` rows without keeping anything; return the new state.

    Each row runs through the service in its own SAVEPOINT inside one that is rolled back at
    the end, so rows see earlier rows of the same chunk (a name used twice is caught); across
    chunks the import itself still refuses such a row.
    """
    kind = kind_for(state["kind"])
    mapping, _ignored = map_headers(kind, state["headers"])
    lookups, today = Lookups(session), today or date.today()
    start = state["checked"]
    batch = state["rows"][start:start + size]
    width = len(state["headers"])
    checked = []
    outer = session.begin_nested()
    try:
        for row in batch:
            error = _row(kind, mapping, width, row["values"], lookups, session, actor, today)
            checked.append(dict(row, error=error))
    finally:
        outer.rollback()
    rows = state["rows"][:start] + checked + state["rows"][start + len(batch):]
    return dict(state, rows=rows, checked=start + len(batch))


def checking_done(state: dict) -> bool:
    return state["checked"] >= len(state["rows"])


def import_rows(session: Session, actor: Actor, state: dict, rows: list[dict],
                today: date | None = None) -> tuple[int, list[dict]]:
    """Import `rows` of a prepared import, each alone; returns (imported, failures)."""
    kind = kind_for(state["kind"])
    mapping, _ignored = map_headers(kind, state["headers"])
    lookups, today = Lookups(session), today or date.today()
    imported, failed = 0, []
    for row in rows:
        error = _row(kind, mapping, len(state["headers"]), row["values"], lookups, session,
                     actor, today)
        if error is None:
            imported += 1
        else:
            failed.append({"line": row["line"], "error": error})
    return imported, failed


def pending_rows(state: dict) -> list[dict]:
    return [row for row in state["rows"] if row["error"] is None]


def counts(state: dict) -> dict:
    valid = sum(1 for row in state["rows"] if row["error"] is None)
    return {"total": state.get("total", len(state["rows"])),
            "valid": state.get("valid", valid),
            "invalid": state.get("invalid", len(state["rows"]) - valid)}


def run_chunk(session: Session, actor: Actor, state: dict, token: str | None,
              size: int = CHUNK_SIZE, today: date | None = None) -> dict:
    """Import the next `size` valid rows; return the new state (the caller commits, then saves).

    The chunk's rows and an `import.chunk` audit marker are written in one SAVEPOINT. When the
    marker is already there (the state file was not saved after a commit), the chunk is not
    run again: its outcome is taken from the marker.
    """
    pending = pending_rows(state)
    start = state["done"]
    batch = pending[start:start + size]
    marker = None
    if token is not None:
        marker = session.scalar(select(AuditEvent.details).where(
            AuditEvent.action == "import.chunk", AuditEvent.object_id == f"{token}:{start}"))
    if marker is not None:
        imported = marker["imported"]
        # The reason was not logged (no cell values in the audit log): a generic message.
        failed = [{"line": line, "error": str(NOT_SAVED)} for line in marker["failed_lines"]]
    else:
        chunk = session.begin_nested()
        imported, failed = import_rows(session, actor, state, batch, today)
        # Row numbers and counts only: the append-only log keeps no cell values.
        audit.record(session, actor, "import.chunk", object_type="Import",
                     object_id=f"{token}:{start}" if token else None, kind=state["kind"],
                     start=start, rows=len(batch), imported=imported,
                     failed_lines=[f["line"] for f in failed])
        if start + len(batch) >= len(pending):
            numbers = counts(state)
            audit.record(session, actor, "import.completed", object_type="Import",
                         object_id=token, kind=state["kind"], rows=numbers["total"],
                         imported=state["imported"] + imported,
                         failed=numbers["invalid"] + len(state["failed"]) + len(failed))
        chunk.commit()
    new = dict(state, done=start + len(batch), imported=state["imported"] + imported,
               failed=state["failed"] + failed, started=True)
    if new["done"] >= len(pending):
        new.update(counts(state), finished=True)
        failed_lines = {f["line"] for f in new["failed"]}  # keep only what the error file needs
        new["rows"] = [r for r in state["rows"] if r["error"] or r["line"] in failed_lines]
    return new


# --- what the pages show -------------------------------------------------------------------

@dataclass(frozen=True)
class Preview:
    kind: ImportKind
    columns: list[str]
    valid: list[tuple[int, list[str]]]
    invalid: list[tuple[int, list[str], str]]


def _summary_indexes(kind: ImportKind, headers: list[str]) -> tuple[list[str], list[int]]:
    mapping, _ignored = map_headers(kind, headers)
    shown = [f for f in kind.summary if f in mapping]
    return [kind.column(f).header for f in shown], [mapping[f] for f in shown]


def preview(state: dict, limit: int = PREVIEW_ROWS) -> Preview:
    """The first `limit` valid rows and every invalid row, with the summary columns."""
    kind = kind_for(state["kind"])
    columns, indexes = _summary_indexes(kind, state["headers"])
    pick = lambda cells: [cells[i] if i < len(cells) else "" for i in indexes]  # noqa: E731
    valid = [(r["line"], pick(r["values"])) for r in pending_rows(state)[:limit]]
    invalid = [(r["line"], pick(r["values"]), r["error"]) for r in state["rows"] if r["error"]]
    return Preview(kind, columns, valid, invalid)


def failed_rows(state: dict) -> list[tuple[int, list[str], str]]:
    """Rows refused in the preview or at import time: (row number, cells, error)."""
    later = {f["line"]: f["error"] for f in state["failed"]}
    rows = []
    for row in state["rows"]:
        error = row["error"] or later.get(row["line"])
        if error:
            rows.append((row["line"], row["values"], error))
    return rows


def failed_rows_csv(state: dict) -> bytes:
    """The failed rows with their original columns, plus `rij` and `fout`."""
    rows = failed_rows(state)
    width = max([len(state["headers"])] + [len(cells) for _line, cells, _error in rows])
    headers = state["headers"] + [""] * (width - len(state["headers"])) + ["rij", "fout"]
    records = ([*cells, *[""] * (width - len(cells)), line, error]
               for line, cells, error in rows)
    return write_csv(headers, records)[0]


# --- the store -----------------------------------------------------------------------------

TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")


class ImportStore:
    """Prepared imports of one tenant: a JSON file each under `<folder>/<tenant id>/`.

    A token only opens a file in the tenant's own folder whose content names that tenant.
    Files hold personal data: readable by the app only, removed after KEEP_SECONDS.
    """

    def __init__(self, folder: str | Path, tenant_id: int):
        self.root = Path(folder)
        self.tenant_id = int(tenant_id)
        self.folder = self.root / str(self.tenant_id)

    def _path(self, token: str, suffix: str = ".json") -> Path | None:
        if not TOKEN.match(token or ""):
            return None
        return self.folder / f"{token}{suffix}"

    def create(self, state: dict) -> str:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.purge()
        token = secrets.token_urlsafe(16)
        self.save(token, state)
        return token

    def load(self, token: str) -> dict | None:
        path = self._path(token)
        if path is None or not path.is_file():
            return None
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state if state.get("tenant_id") == self.tenant_id else None

    def save(self, token: str, state: dict) -> None:
        path = self._path(token)
        if path is None:
            raise ValueError("bad import token")
        temporary = path.with_name(f"{token}.{secrets.token_hex(4)}.tmp")
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(dict(state, tenant_id=self.tenant_id), out, ensure_ascii=False)
        os.replace(temporary, path)

    def delete(self, token: str) -> None:
        for suffix in (".json", ".lock"):
            path = self._path(token, suffix)
            if path is not None:
                path.unlink(missing_ok=True)

    @contextmanager
    def lock(self, token: str) -> Iterator[None]:
        """Only one request works on an import at a time; a second raises ImportBusy."""
        path = self._path(token, ".lock")
        if path is None:
            raise ValueError("bad import token")
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ImportBusy() from None
            yield
        finally:
            os.close(handle)  # closing releases the lock

    def purge(self, max_age: int = KEEP_SECONDS) -> None:
        cutoff = time.time() - max_age
        for path in self.root.glob("*/*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass


# --- exports -------------------------------------------------------------------------------

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
