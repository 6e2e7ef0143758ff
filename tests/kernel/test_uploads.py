"""Uploaded spreadsheets are bounded before they are read (tenants.spreadsheets).

The hostile files are the ones that took a worker for 54-90 s and 1.6 GB: 15.5 million empty
rows, or 5.5 million shared strings, in about 134 KB. Each is built here with zipfile, and
refused in Dutch in under 2 s of CPU and under 200 MB (time measured in a plain run, memory
with tracemalloc in a second one).
"""
from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest

from tenants import spreadsheets
from tenants.spreadsheets import Limits, SpreadsheetRefused

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SECONDS = 2.0
PEAK_BYTES = 200 * 1024 * 1024

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>")
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>")
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>")


def xlsx(sheet_chunks, strings_chunks=(f'<sst xmlns="{MAIN}"></sst>',)) -> bytes:
    """A minimal workbook whose sheet and shared strings are written piece by piece (a
    hostile part is never held in memory whole)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, chunks in (("xl/worksheets/sheet1.xml", sheet_chunks),
                             ("xl/sharedStrings.xml", strings_chunks)):
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk.encode() if isinstance(chunk, str) else chunk)
    return out.getvalue()


def sheet(rows_xml) -> list:
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
    return [head, *rows_xml, "</sheetData></worksheet>"]


def repeated(piece: str, times: int, per_chunk: int = 200_000):
    block = (piece * per_chunk).encode()
    for _ in range(times // per_chunk):
        yield block
    yield (piece * (times % per_chunk)).encode()


def empty_rows(n: int) -> bytes:
    return xlsx(sheet(repeated("<row/>", n)))


def gap_row(number: int, dimension: str | None = None) -> bytes:
    head = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
            + (f'<dimension ref="{dimension}"/>' if dimension else "") + "<sheetData>")
    return xlsx([head, f'<row r="{number}"><c r="A{number}" t="n"><v>1</v></c></row>',
                 "</sheetData></worksheet>"])


def shared_strings(n: int, piece: str = "<si><t>x</t></si>", declared: bool = True) -> bytes:
    counts = f' count="{n}" uniqueCount="{n}"' if declared else ""
    return xlsx(sheet(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>']),
                [f'<sst xmlns="{MAIN}"{counts}>', *repeated(piece, n), "</sst>"])


def read_all(content: bytes, limits: Limits = Limits()):
    return list(spreadsheets.read_xlsx(content, limits))


def refused_fast_and_small(content: bytes, expected: str) -> tuple[float, int]:
    """Refuse `content`: the Dutch message, the time (plain run) and the peak memory."""
    started, cpu_started = time.perf_counter(), time.process_time()
    with pytest.raises(SpreadsheetRefused) as refused:
        read_all(content)
    seconds = time.perf_counter() - started
    # CPU time of this process: the machine running the suite may be busy with other work.
    cpu_seconds = time.process_time() - cpu_started
    assert expected in refused.value.message, refused.value.message
    tracemalloc.start()
    try:
        with pytest.raises(SpreadsheetRefused):
            read_all(content)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"{len(content):,} bytes refused in {seconds:.3f} s ({cpu_seconds:.3f} s CPU), "
          f"peak {peak / 1e6:.1f} MB")
    assert cpu_seconds < SECONDS
    assert peak < PEAK_BYTES
    return seconds, peak


# --- the files that took a worker ------------------------------------------------------------

def test_fifteen_million_empty_rows_are_refused_in_dutch_fast_and_small(app):
    content = empty_rows(15_500_000)
    assert len(content) < 200_000  # the attack is a small upload
    with app.test_request_context():
        # 93 MB of `<row/>`: the zip's directory alone says it unpacks too large.
        refused_fast_and_small(content, "uitgepakt te groot")


def test_millions_of_empty_rows_under_the_unpacked_limit_are_counted(app):
    content = empty_rows(5_000_000)  # 30 MB unpacked: every row read counts, and stops it
    with app.test_request_context():
        refused_fast_and_small(content, "lege rijen tellen mee")


def test_one_row_numbered_fifteen_million_is_refused(app):
    """openpyxl fills the gap up to a row's number with empty rows: one element, 15.5 M rows."""
    with app.test_request_context():
        refused_fast_and_small(gap_row(15_500_000), "lege rijen tellen mee")


def test_a_declared_dimension_is_not_believed(app):
    """`<dimension ref="A1:XFD1048576"/>` would make openpyxl pad every row to 16,384 cells and
    invent a million empty rows after the real one."""
    with app.test_request_context():
        rows = read_all(gap_row(3, dimension="A1:XFD1048576"))
    assert rows == [(1, ()), (2, ()), (3, (1,))]


def test_five_and_a_half_million_shared_strings_are_refused(app):
    with app.test_request_context():
        refused_fast_and_small(shared_strings(5_500_000), "verschillende teksten")


def test_shared_strings_under_the_size_limit_are_still_counted(app):
    """Short `<si/>` strings: the part stays under its byte limit; whether the file declares
    how many there are or not, they are refused."""
    assert 3_000_000 * 5 < Limits().max_shared_strings_bytes
    with app.test_request_context():
        for declared in (True, False):
            content = shared_strings(3_000_000, "<si/>", declared=declared)
            refused_fast_and_small(content, "verschillende teksten")


def test_a_zip_bomb_is_refused_from_the_directory_alone(app):
    content = xlsx(sheet(repeated(" ", 60 * 1024 * 1024, per_chunk=8 * 1024 * 1024)))
    with app.test_request_context():
        refused_fast_and_small(content, "uitgepakt te groot")


@pytest.mark.parametrize("cells, message", [
    ('<row r="1"><c r="XFD1"><v>1</v></c></row>', "kolommen"),  # one cell far right
    ("<row>" + "<c><v>1</v></c>" * 101 + "</row>", "kolommen"),  # 101 cells without r
])
def test_too_many_columns_are_refused(app, cells, message):
    with app.test_request_context(), pytest.raises(SpreadsheetRefused) as refused:
        read_all(xlsx(sheet([cells])))
    assert message in refused.value.message


def test_too_many_cells_are_refused(app):
    limits = Limits(max_cells=1000)
    row = "<row>" + "<c><v>1</v></c>" * 50 + "</row>"
    with app.test_request_context(), pytest.raises(SpreadsheetRefused) as refused:
        read_all(xlsx(sheet([row] * 21)), limits)
    assert "gevulde cellen" in refused.value.message


def test_deep_nesting_and_a_doctype_are_refused(app):
    deep = xlsx(sheet(["<row>" + "<x>" * 5000 + "</x>" * 5000 + "</row>"]))
    doctype = xlsx([f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaa">]>'
                    f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'])
    with app.test_request_context():
        for content in (deep, doctype):
            with pytest.raises(SpreadsheetRefused) as refused:
                read_all(content)
            assert "geen geldig Excel-bestand" in refused.value.message


def test_the_clock_is_a_limit_too(app):
    content = empty_rows(10)
    with app.test_request_context(), pytest.raises(SpreadsheetRefused) as refused:
        read_all(content, Limits(max_seconds=-1))
    assert "duurt te lang" in refused.value.message


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 broken", b"not a zip at all",
                                     b"\xd0\xcf\x11\xe0 old excel"])
def test_broken_files_are_refused_in_dutch(app, content):
    with app.test_request_context(), pytest.raises(SpreadsheetRefused) as refused:
        read_all(content)
    assert "geen geldig Excel-bestand" in refused.value.message


# --- what a real file gives ------------------------------------------------------------------

def test_a_real_workbook_is_read_row_by_row(app):
    workbook = openpyxl.Workbook()
    sheet_ = workbook.active
    sheet_.append(["Voornaam", "Achternaam", "Geboortedatum"])
    sheet_.append(["Fatima", "El Amrani", "24-03-1985"])
    sheet_.append([])
    sheet_.append(["Jan", "de Vries", None])
    out = io.BytesIO()
    workbook.save(out)
    with app.test_request_context():
        rows = read_all(out.getvalue())
    assert [r for _n, r in rows if any(r)] == [
        ("Voornaam", "Achternaam", "Geboortedatum"), ("Fatima", "El Amrani", "24-03-1985"),
        ("Jan", "de Vries")]


def test_a_full_size_legitimate_sheet_passes(app):
    """2,000 rows of 25 columns: a real import file is read whole, inside the limits."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet_ = workbook.create_sheet()
    for n in range(2001):
        sheet_.append([f"tekst {n} {c}" for c in range(25)])
    out = io.BytesIO()
    workbook.save(out)
    started = time.perf_counter()
    with app.test_request_context():
        rows = read_all(out.getvalue())
    assert len(rows) == 2001 and len(rows[-1][1]) == 25
    print(f"2,001 x 25 read in {time.perf_counter() - started:.2f} s")


# --- CSV -------------------------------------------------------------------------------------

def test_csv_rows_including_empty_ones_are_counted(app):
    text = "a;b\n" + "\n" * 2_000_000
    started = time.process_time()
    with app.test_request_context(), pytest.raises(SpreadsheetRefused) as refused:
        list(spreadsheets.read_csv(text))
    assert "lege rijen tellen mee" in refused.value.message
    assert time.process_time() - started < SECONDS


def test_csv_columns_and_cells_are_bounded(app):
    with app.test_request_context():
        with pytest.raises(SpreadsheetRefused) as wide:
            list(spreadsheets.read_csv(";" * 200 + "\n"))
        assert "kolommen" in wide.value.message
        with pytest.raises(SpreadsheetRefused) as many:
            list(spreadsheets.read_csv("a;b;c\n" * 100, limits=Limits(max_cells=150)))
        assert "gevulde cellen" in many.value.message
        assert list(spreadsheets.read_csv("a;b\n\n1;2\n")) == [
            (1, ["a", "b"]), (2, []), (3, ["1", "2"])]


# --- files and the database readable by the app's user only ----------------------------------

@pytest.fixture
def open_umask():
    """The most permissive umask: what is created must still be private."""
    import os

    previous = os.umask(0)
    yield
    os.umask(previous)


def test_stored_files_and_their_folders_are_private(tmp_path, open_umask):
    import stat

    from tenants import storage

    root = tmp_path / "uploads"
    key = storage.save_file(root, 7, "bankafschriften", b"<Document/>", "xml")
    assert stat.S_IMODE((root / key).stat().st_mode) == 0o600
    for folder in (root, root / "7", root / "7" / "bankafschriften"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    # A folder an older version made group-readable is closed on the next save.
    (root / "7" / "logo").mkdir(mode=0o755)
    storage.save_file(root, 7, "logo", b"png", "png")
    assert stat.S_IMODE((root / "7" / "logo").stat().st_mode) == 0o700


def test_the_sqlite_database_file_is_private(tmp_path, open_umask):
    import stat

    from sqlalchemy import text

    from app import create_app
    from tenants.extensions import db
    from tests.helpers import test_config

    config = test_config(tmp_path)
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path}/private.sqlite3"
    application = create_app(config)
    with application.app_context():
        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    assert stat.S_IMODE((tmp_path / "private.sqlite3").stat().st_mode) == 0o600
