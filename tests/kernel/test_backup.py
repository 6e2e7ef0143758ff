"""Backups that hold every tenant's rows, and a restore drill: deploy/backup/backup.sh dumps the
test database as the backup role, deploy/backup/restore-drill.sh restores it into a fresh
database made by roles.sql, and the app serves a tenant's page from it with row-level security
still on. Also the pitfall: the owner and the app role cannot make a complete dump."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, text

from app import create_app
from blueprints.participants import services as participants
from blueprints.participants.models import Participant
from tenants.actor import Actor
from tenants.extensions import db
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helpers import (
    PG_OWNER_URL,
    PG_URL,
    login,
    pg_admin_url,
    require_program,
    test_config,
)
from tests.helpers import with_url as _with

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "deploy" / "backup"


@pytest.fixture(autouse=True)
def _jobs_back_to_the_suite_app(app):
    """These tests build other apps (on other databases): the job queue binds to the last app
    made, so the suite's app gets it back after each test."""
    from tenants import jobs

    previous = jobs._state["app"]
    yield
    jobs.init_app(previous)


@pytest.fixture(scope="module")
def admin_url():
    for program in ("pg_dump", "pg_restore", "psql"):
        require_program(program)  # CI (REQUIRE_SERVICES=1) fails instead of skipping
    return pg_admin_url()


@pytest.fixture(scope="module")
def backup_url(admin_url):
    dbname = urlsplit(PG_URL).path.lstrip("/")
    role, password = f"{dbname}_backup", secrets.token_hex(12)
    subprocess.run(["psql", admin_url, "-q", "-v", f"backup={role}", "-v",
                    f"backup_password={password}", "-f", str(BACKUP / "backup-role.sql")],
                   check=True, capture_output=True)
    yield _with(PG_URL, user=role, password=password)
    subprocess.run(["psql", admin_url, "-q", "-c", f'DROP ROLE IF EXISTS "{role}"'],
                   capture_output=True)


@pytest.fixture
def world(make, session):
    tenant = make.tenant(name="Bewonerscoöperatie De Vaart")
    coach = make.member(tenant, Role.SUPERVISOR)
    with tenant_context(session, tenant.id):
        participant = participants.create_participant(
            session, Actor(user_id=coach.id, email=coach.email), participants.ParticipantData(
                first_name="Reinier", last_name="Backhuys", supervisor_id=coach.id))
        session.commit()
        return tenant, coach, participant.id


def _dump(url: str, target: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pg_dump", "-Fc", "-f", str(target), *extra, url],
                          capture_output=True, text=True)


def _participant_rows(dump: Path) -> str:
    return subprocess.run(["pg_restore", "--data-only", "-t", "participants", "-f", "-",
                           str(dump)], capture_output=True, text=True, check=True).stdout


def test_neither_the_owner_nor_the_app_role_can_make_a_complete_dump(world, tmp_path):
    # The pitfall deploy/OPERATIONS.md warns about, as it happens on PostgreSQL 15.
    owner = _dump(PG_OWNER_URL, tmp_path / "owner.dump")
    assert owner.returncode != 0 and "row-level security" in owner.stderr
    app_role = _dump(PG_URL, tmp_path / "app.dump")
    assert app_role.returncode != 0 and "row-level security" in app_role.stderr
    # --enable-row-security "succeeds": a dump without a single tenant row
    quiet = _dump(PG_OWNER_URL, tmp_path / "quiet.dump", "--enable-row-security")
    assert quiet.returncode == 0
    assert "Backhuys" not in _participant_rows(tmp_path / "quiet.dump")


def test_backup_restore_drill_serves_a_tenant_with_rls_intact(world, admin_url, backup_url,
                                                              tmp_path, db_dir):
    tenant, coach, participant_id = world
    status_file = tmp_path / "status.json"
    env = {**os.environ, "BACKUP_DATABASE_URL": backup_url, "BACKUP_DIR": str(tmp_path),
           "BACKUP_STATUS_FILE": str(status_file)}
    backup = subprocess.run([str(BACKUP / "backup.sh")], env=env, capture_output=True,
                            text=True)
    assert backup.returncode == 0, backup.stderr
    dump = next(tmp_path.glob("wijkwerk-*.dump"))
    assert "Backhuys" in _participant_rows(dump)  # the backup role read past RLS

    owner = urlsplit(PG_OWNER_URL).username
    app_role = urlsplit(PG_URL).username
    drill_db = f"{urlsplit(PG_URL).path.lstrip('/')}_drill"
    drill = subprocess.run([str(BACKUP / "restore-drill.sh"), str(dump)], env={
        **env, "DRILL_ADMIN_URL": admin_url, "DRILL_DBNAME": drill_db, "DRILL_OWNER": owner,
        "DRILL_APP": app_role, "DRILL_KEEP": "1"}, capture_output=True, text=True)
    try:
        assert drill.returncode == 0, drill.stderr
        status = json.loads(status_file.read_text())
        assert status["backup"]["outcome"] == "ok" and status["backup"]["memberships"] > 0
        assert status["drill"]["outcome"] == "ok" and status["drill"]["seconds"] >= 0

        # the app, as the app role, on the restored database
        restored = create_app(test_config(
            db_dir, SQLALCHEMY_DATABASE_URI=_with(PG_URL, dbname=drill_db)))
        client = restored.test_client()
        login(client, coach)
        page = client.get(f"/{tenant.slug}/deelnemers/{participant_id}/")
        assert page.status_code == 200 and "Backhuys" in page.get_data(as_text=True)
        with restored.app_context():
            # row-level security still applies to the app role: no tenant, no rows (plain
            # SQL: the ORM's own tenant filter would refuse before the database is asked)
            assert db.session.scalar(text("SELECT count(*) FROM participants")) == 0
            db.session.rollback()
            with tenant_context(db.session, tenant.id):
                assert db.session.scalar(select(func.count()).select_from(Participant)) == 1
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()
    finally:
        subprocess.run(["psql", admin_url, "-q", "-c",
                        f'DROP DATABASE IF EXISTS "{drill_db}" WITH (FORCE)'],
                       capture_output=True)
