"""A full upload disk (bench/faults/disk_full.py found it): a clear Dutch message, nothing
half-written, nothing changed.

Before the fix, ENOSPC from the storage write went up as an OSError: a 500 page for the
coordinator uploading a logo or a signed agreement. The drill fills a real tmpfs; here the
write itself raises ENOSPC (and EDQUOT, a full quota), at the fsync, after part of the file
was written, the moment a full disk reports it.
"""
from __future__ import annotations

import errno
import os
from io import BytesIO

import pytest
from sqlalchemy import select

from blueprints.invoicing.models import FinanceSettings
from tenants import storage
from tenants.models import AuditEvent, Role
from tenants.tenancy import tenant_context
from tests.helpers import csrf_token, login

FULL_MESSAGE = "De opslag voor bestanden is vol"


def _png() -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (60, 20), (31, 58, 95)).save(out, format="PNG")
    return out.getvalue()


def _disk_full(monkeypatch, code=errno.ENOSPC):
    def fsync(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(storage.os, "fsync", fsync)


def _files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_raises_storage_full_and_leaves_no_part_file(monkeypatch, tmp_path, code):
    _disk_full(monkeypatch, code)
    with pytest.raises(storage.StorageFull, match=FULL_MESSAGE):
        storage.save_file(tmp_path, 42, "logos", b"\x89PNG" + b"x" * 5000, "png")
    assert _files(tmp_path) == []


def test_another_write_error_is_not_called_a_full_disk(monkeypatch, tmp_path):
    _disk_full(monkeypatch, errno.EIO)
    with pytest.raises(OSError) as raised:
        storage.save_file(tmp_path, 42, "logos", b"data", "png")
    assert not isinstance(raised.value, storage.StorageFull) and raised.value.errno == errno.EIO
    assert _files(tmp_path) == []


def test_uploading_a_logo_on_a_full_disk_says_so_and_changes_nothing(app, client, make, session,
                                                                     monkeypatch):
    tenant = make.tenant(name="Opslag Vol")
    admin = make.member(tenant, Role.ADMIN)
    login(client, admin)
    base = f"/{tenant.slug}/facturen/instellingen"
    token = csrf_token(client, base)
    root = storage.uploads_root(app.instance_path) / str(tenant.id)
    _disk_full(monkeypatch)

    answer = client.post(f"{base}/logo", data={"csrf_token": token,
                                               "logo": (BytesIO(_png()), "logo.png")},
                         content_type="multipart/form-data")

    assert answer.status_code == 302  # back to the settings, not a 500
    page = client.get(base)
    assert page.status_code == 200 and FULL_MESSAGE in page.get_data(as_text=True)
    assert not root.exists() or _files(root) == []
    with tenant_context(session, tenant.id):
        logo = session.scalar(select(FinanceSettings.logo_file))
        audited = session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "finance_settings.logo_saved"))
    session.rollback()
    assert logo is None and audited is None

    monkeypatch.undo()  # space again: the same upload works
    client.post(f"{base}/logo", data={"csrf_token": token, "logo": (BytesIO(_png()), "logo.png")},
                content_type="multipart/form-data")
    assert client.get(f"{base}/logo").status_code == 200
