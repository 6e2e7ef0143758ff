"""A supervisor's upload cannot take a worker: the import page refuses the files that took
54-90 s and 1.6 GB (15.5 million empty rows; 5.5 million shared strings, 134 KB each) in
Dutch, in under 2 s of CPU and 200 MB, and a CSV of millions of empty lines likewise.

The request runs under an alarm: on code that reads such a file whole the test fails after
20 s instead of holding the machine for minutes.
"""
from __future__ import annotations

import io
import re
import signal
import time
import tracemalloc
from contextlib import contextmanager
from html import unescape

import pytest

from tenants.models import Role
from tests.helpers import csrf_token, login
from tests.kernel.test_uploads import empty_rows, gap_row, shared_strings

SECONDS = 2.0
PEAK_BYTES = 200 * 1024 * 1024


class TookTooLong(Exception):
    pass


@contextmanager
def at_most(seconds: int):
    def stop(_signum, _frame):
        raise TookTooLong(f"still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_FOLDER", str(tmp_path / "imports"))


@pytest.fixture
def coach(make, client):
    tenant = make.tenant(name="Upload-coöperatie")
    login(client, make.member(tenant, Role.SUPERVISOR))
    return tenant


def _upload(client, tenant, content: bytes, filename: str):
    token = csrf_token(client, f"/{tenant.slug}/import/")
    return client.post(f"/{tenant.slug}/import/", data={
        "csrf_token": token, "kind": "deelnemers", "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data")


@pytest.mark.parametrize("build, filename, message", [
    (lambda: empty_rows(15_500_000), "leeg.xlsx", "lege rijen tellen mee"),
    (lambda: empty_rows(5_000_000), "leeg.xlsx", "lege rijen tellen mee"),
    (lambda: gap_row(15_500_000), "sprong.xlsx", "lege rijen tellen mee"),
    (lambda: shared_strings(5_500_000), "teksten.xlsx", "verschillende teksten"),
    (lambda: shared_strings(3_000_000, "<si/>", declared=False), "teksten.xlsx",
     "verschillende teksten"),
    (lambda: b"Voornaam;Achternaam\n" + b"\n" * 5_000_000, "leeg.csv", "lege rijen tellen mee"),
], ids=["15.5M-empty-rows", "5M-empty-rows", "row-15.5M", "5.5M-strings", "3M-short-strings",
        "csv-5M-empty-lines"])
def test_a_hostile_upload_is_refused_fast_and_small(app, client, coach, build, filename,
                                                    message):
    content = build()
    assert len(content) < 11 * 1024 * 1024
    started = time.process_time()  # CPU time: the machine may be busy with other work
    with at_most(20):
        response = _upload(client, coach, content, filename)
    cpu = time.process_time() - started
    tracemalloc.start()  # a second upload, for memory only (tracing slows it down)
    try:
        with at_most(60):
            _upload(client, coach, content, filename)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    text = unescape(response.get_data(as_text=True))
    print(f"{filename} ({len(content):,} bytes): {response.status_code} in {cpu:.2f} s CPU, "
          f"peak {peak / 1e6:.1f} MB")
    assert response.status_code == 422
    assert message in text, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))[:3000]
    assert cpu < SECONDS and peak < PEAK_BYTES
