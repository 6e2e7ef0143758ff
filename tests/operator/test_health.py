"""The operator's health page: database, Redis, job queue, last backup and drill; for the
platform operator only, and nothing about a tenant's people on it."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from blueprints.operator import health
from tenants import jobs
from tenants.models import Role
from tests.helpers import login


def _status(path, backup_age: timedelta, drill_outcome="ok"):
    now = datetime.now(timezone.utc)
    path.write_text(json.dumps({
        "backup": {"at": (now - backup_age).isoformat(timespec="seconds"), "outcome": "ok",
                   "file": "wijkwerk-x.dump", "seconds": 4},
        "drill": {"at": (now - timedelta(days=3)).isoformat(timespec="seconds"),
                  "outcome": drill_outcome, "seconds": 73, "reason": "rls_missing"}}))
    return str(path)


def test_the_operator_sees_database_queue_and_backups(app, client, make, tmp_path,
                                                     monkeypatch):
    tenant = make.tenant(name="Coöperatie Zonnebloem")
    make.member(tenant, Role.SUPERVISOR, name="Hendrika Zwanenburg")
    monkeypatch.setitem(app.config, "BACKUP_STATUS_FILE",
                        _status(tmp_path / "status.json", timedelta(hours=3), "failed"))
    operator = make.user(operator=True, totp=True)
    login(client, operator)
    page = client.get("/beheer/gezondheid")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for heading in ("Database", "Redis", "Takenwachtrij", "Laatste back-up",
                    "Laatste hersteloefening"):
        assert heading in text
    assert "Antwoord in" in text and "73 seconden" in text and "Mislukt (rls_missing)" in text
    assert re.search(r"<dd>\d{2}-\d{2}-\d{4} \d{2}:\d{2}", text)  # a Dutch date and time
    assert "Zwanenburg" not in text and "Zonnebloem" not in text
    assert "Gezondheid" in client.get("/beheer/").get_data(as_text=True)  # in the menu
    assert "Uit: zet METRICS_TOKEN" in text  # metrics off without a token
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "health-test-token-123456")
    text = client.get("/beheer/gezondheid").get_data(as_text=True)
    assert "alleen met het token uit METRICS_TOKEN" in text
    assert "health-test-token-123456" not in text


def test_others_do_not_find_the_health_page(client, make):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    login(client, admin)
    assert client.get("/beheer/gezondheid").status_code == 404
    client.post("/logout")
    assert client.get("/beheer/gezondheid").status_code in (302, 404)


def test_an_old_backup_or_a_failed_drill_is_not_in_order(tmp_path):
    checks = health.backups(_status(tmp_path / "s.json", timedelta(hours=30), "failed"))
    assert checks["backup"].ok is False and checks["backup"].detail["fresh"] is False
    assert checks["drill"].ok is False
    fresh = health.backups(_status(tmp_path / "t.json", timedelta(hours=2)))
    assert fresh["backup"].ok is True
    assert health.backups(None)["backup"].ok is None  # not configured
    assert health.backups(str(tmp_path / "missing.json"))["backup"].ok is False


def test_failed_jobs_are_counted_where_every_worker_counts(app):
    calls = []

    @jobs.huey.task(retries=0, name="test_health_always_fails")
    def always_fails():
        calls.append(1)
        raise RuntimeError("boom")

    before = jobs.queue_state()
    with app.app_context():
        always_fails()
    after = jobs.queue_state()
    assert calls and after["error"] is None
    assert after["failed"] == before["failed"] + 1
    assert after["given_up"] == before["given_up"] + 1
    assert after["last_task"] == "test_health_always_fails"
