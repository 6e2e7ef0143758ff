"""Checking and importing the rows in chunks (each row in its own SAVEPOINT), and what the
pages show of them.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from blueprints.imports.services.columns import (
    CHECK_CHUNK_SIZE,
    CHUNK_SIZE,
    NOT_SAVED,
    PREVIEW_ROWS,
    ImportKind,
    Lookups,
    RowProblem,
    kind_for,
)
from blueprints.imports.services.exports import write_csv
from blueprints.imports.services.files import map_headers, read_table
from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.models import AuditEvent

log = logging.getLogger(__name__)


def _clean(cell: str) -> str:
    cell = (cell or "").strip()
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@":
        return cell[1:]  # our exports protect such cells from Excel formulas
    return cell


def _max_length(model: type, field: str) -> int | None:
    column = inspect(model).columns.get(field)
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
