"""A CSV answer names its character set once: `text/csv; charset=utf-8`.

Werkzeug adds the charset to a text mimetype itself; a mimetype that already carried one
answered `text/csv; charset=utf-8; charset=utf-8`, which strict clients refuse.
"""
from __future__ import annotations

import pytest

from tenants.models import Role
from tests.helpers import login


@pytest.fixture
def admin_client(client, make):
    tenant = make.tenant(name="Csv-coöperatie")
    login(client, make.member(tenant, Role.ADMIN))
    return client, tenant


@pytest.mark.parametrize("path", [
    "/{slug}/facturen/export?format=csv&what=invoices&year=2026",
    "/{slug}/facturen/export?format=csv&what=payments&year=2026",
    "/{slug}/budgetten/export?formaat=csv",
    "/{slug}/import/export/deelnemers.csv",
    "/{slug}/import/export/inzetorganisaties.csv",
    "/{slug}/import/voorbeeld/deelnemers.csv",
])
def test_a_csv_answer_says_charset_utf8_once(admin_client, path):
    client, tenant = admin_client
    response = client.get(path.format(slug=tenant.slug))
    assert response.status_code == 200, path
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
