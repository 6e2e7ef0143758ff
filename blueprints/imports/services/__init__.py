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

from blueprints.imports.services.columns import (
    CHECK_CHUNK_SIZE,
    CHUNK_SIZE,
    HOSTS,
    IGNORED_HEADERS,
    KEEP_SECONDS,
    KINDS,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    NOT_SAVED,
    PARTICIPANTS,
    PREVIEW_ROWS,
    Column,
    ImportBusy,
    ImportFileError,
    ImportKind,
    Lookups,
    RowProblem,
    kind_for,
)
from blueprints.imports.services.exports import (
    export_hosts,
    export_participants,
    host_records,
    participant_records,
    template_csv,
    write_csv,
    write_xlsx,
)
from blueprints.imports.services.files import (
    EMPTY,
    NOT_TEXT,
    NOT_XLSX,
    OLD_XLS,
    Table,
    map_headers,
    read_table,
)
from blueprints.imports.services.rows import (
    Preview,
    build_data,
    check_rows,
    checking_done,
    counts,
    failed_rows,
    failed_rows_csv,
    import_rows,
    pending_rows,
    prepare_import,
    preview,
    run_chunk,
)
from blueprints.imports.services.store import TOKEN, ImportStore

__all__ = [
    "CHECK_CHUNK_SIZE",
    "CHUNK_SIZE",
    "EMPTY",
    "HOSTS",
    "IGNORED_HEADERS",
    "KEEP_SECONDS",
    "KINDS",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "NOT_SAVED",
    "NOT_TEXT",
    "NOT_XLSX",
    "OLD_XLS",
    "PARTICIPANTS",
    "PREVIEW_ROWS",
    "TOKEN",
    "Column",
    "ImportBusy",
    "ImportFileError",
    "ImportKind",
    "ImportStore",
    "Lookups",
    "Preview",
    "RowProblem",
    "Table",
    "build_data",
    "check_rows",
    "checking_done",
    "counts",
    "export_hosts",
    "export_participants",
    "failed_rows",
    "failed_rows_csv",
    "host_records",
    "import_rows",
    "kind_for",
    "map_headers",
    "participant_records",
    "pending_rows",
    "prepare_import",
    "preview",
    "read_table",
    "run_chunk",
    "template_csv",
    "write_csv",
    "write_xlsx",
]
