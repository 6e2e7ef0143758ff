"""A tenant leaves or moves: `flask tenant export` writes every row of every tenant table, the
platform rows they need and the stored files; `flask tenant import` loads them into a fresh
instance with the same ids. Round-tripped here from the suite's database (SQLite or
PostgreSQL, where row-level security applies to the export) into a fresh SQLite instance."""
from __future__ import annotations

import zipfile

import flask_migrate
import pytest
from sqlalchemy import func, select

from app import create_app
from blueprints.participants.models import Participant
from tenants.extensions import db
from tenants.models import Membership, Tenant, User
from tenants.tenancy import tenant_context
from tenants.transfer import tenant_tables
from tests.helpers import login, test_config
from tests.tenant_rows import ROW_FACTORIES


@pytest.fixture(autouse=True)
def _jobs_back_to_the_suite_app(app):
    """These tests build other apps (on other databases): the job queue binds to the last app
    made, so the suite's app gets it back after each test."""
    from tenants import jobs

    previous = jobs._state["app"]
    yield
    jobs.init_app(previous)


@pytest.fixture
def full_tenant(app, make, session):
    """A tenant with a row in (nearly) every tenant table and a stored file."""
    tenant = make.tenant(name="Coöperatie Verhuizing")
    user = make.member(tenant)
    made = 0
    with tenant_context(session, tenant.id):
        for factory in ROW_FACTORIES.values():
            nested = session.begin_nested()
            try:
                session.add(factory(session, tenant, user))
                session.flush()
                nested.commit()
                made += 1
            except Exception:  # noqa: BLE001 - a one-per-tenant row made earlier as a parent
                nested.rollback()
    session.commit()
    folder = app.instance_path + f"/uploads/{tenant.id}/agreements"
    import os
    os.makedirs(folder, exist_ok=True)
    with open(f"{folder}/{'a' * 32}.pdf", "wb") as f:
        f.write(b"%PDF-1.4 signed agreement\n%%EOF")
    assert made > len(ROW_FACTORIES) * 3 // 4
    return tenant, user


def _counts(session, tenant_id):
    with tenant_context(session, tenant_id):
        return {t.name: session.scalar(select(func.count()).select_from(t)
                                       .where(t.c.tenant_id == tenant_id))
                for t in tenant_tables()}


@pytest.fixture
def fresh(tmp_path):
    """A second instance: its own SQLite database, migrated, its own instance folder."""
    other = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=(
        f"sqlite:///{tmp_path}/other.sqlite3"), MIGRATIONS_DATABASE_URL=None))
    other.instance_path = str(tmp_path / "instance")
    with other.app_context():
        flask_migrate.upgrade()
    return other


def test_a_tenant_moves_to_a_fresh_instance_with_ids_and_files(app, fresh, full_tenant,
                                                               session, tmp_path):
    tenant, user = full_tenant
    archive = tmp_path / "verhuizing.zip"
    out = app.test_cli_runner().invoke(args=["tenant", "export", tenant.slug, str(archive)])
    assert out.exit_code == 0, out.output
    assert "personal data" in out.output
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
    # every tenant table of the metadata is in it, and the platform rows it needs
    assert {f"tables/{t.name}.json" for t in tenant_tables()} <= names
    assert {"tables/tenants.json", "tables/users.json", "manifest.json"} <= names
    assert f"files/{tenant.id}/agreements/{'a' * 32}.pdf" in names

    result = fresh.test_cli_runner().invoke(args=["tenant", "import", str(archive)])
    assert result.exit_code == 0, result.output

    before = _counts(session, tenant.id)
    with fresh.app_context():
        after = _counts(db.session, tenant.id)
        moved = db.session.scalar(select(Tenant).where(Tenant.slug == tenant.slug))
        assert moved.id == tenant.id and moved.name == "Coöperatie Verhuizing"
        assert db.session.get(User, user.id).email == user.email
        with tenant_context(db.session, tenant.id):
            assert db.session.scalar(select(Membership.user_id)) == user.id
            names = db.session.scalars(select(Participant.last_name)).all()
        db.session.rollback()
    assert after == before and sum(after.values()) >= len(ROW_FACTORIES)
    with tenant_context(session, tenant.id):
        assert names == session.scalars(select(Participant.last_name)).all()
    stored = f"{fresh.instance_path}/uploads/{tenant.id}/agreements/{'a' * 32}.pdf"
    assert open(stored, "rb").read().startswith(b"%PDF-1.4 signed agreement")

    # the member logs in on the new instance and finds the tenant's page
    client = fresh.test_client()
    login(client, user)
    assert client.get(f"/{tenant.slug}/").status_code == 200

    # once there, a second import is refused, and nothing changes
    again = fresh.test_cli_runner().invoke(args=["tenant", "import", str(archive)])
    assert again.exit_code != 0 and "already exists" in again.output


def test_unknown_slug_and_foreign_archive_are_refused(app, tmp_path):
    out = app.test_cli_runner().invoke(args=["tenant", "export", "bestaat-niet",
                                             str(tmp_path / "x.zip")])
    assert out.exit_code != 0 and "No tenant" in out.output
    bogus = tmp_path / "bogus.zip"
    with zipfile.ZipFile(bogus, "w") as z:
        z.writestr("manifest.json", '{"format": "iets anders"}')
    out = app.test_cli_runner().invoke(args=["tenant", "import", str(bogus)])
    assert out.exit_code != 0 and "Not a Wijkwerk tenant export" in out.output


@pytest.mark.postgres
def test_a_tenant_moves_into_a_fresh_postgresql_database(app, full_tenant, session, tmp_path):
    """Into a database made by roles.sql and the migrations, imported as the app role: row-level
    security applies to the import as to a request."""
    import subprocess
    from pathlib import Path
    from urllib.parse import urlsplit

    from tests.helpers import PG_OWNER_URL, PG_URL, pg_admin_url, with_url

    tenant, user = full_tenant
    admin = pg_admin_url()
    target_db = f"{urlsplit(PG_URL).path.lstrip('/')}_move"
    roles_sql = Path(__file__).resolve().parents[2] / "deploy" / "postgres" / "roles.sql"
    subprocess.run(["psql", admin, "-q", "-c", f'DROP DATABASE IF EXISTS "{target_db}" WITH (FORCE)'],
                   capture_output=True)
    subprocess.run(["psql", admin, "-q", "-v", "ON_ERROR_STOP=1",
                    "-v", f"owner={urlsplit(PG_OWNER_URL).username}",
                    "-v", f"app={urlsplit(PG_URL).username}", "-v", f"dbname={target_db}",
                    "-f", str(roles_sql)], check=True, capture_output=True)
    try:
        other = create_app(test_config(
            tmp_path, SQLALCHEMY_DATABASE_URI=with_url(PG_URL, dbname=target_db),
            MIGRATIONS_DATABASE_URL=with_url(PG_OWNER_URL, dbname=target_db)))
        other.instance_path = str(tmp_path / "instance")
        with other.app_context():
            flask_migrate.upgrade()
        archive = tmp_path / "move.zip"
        out = app.test_cli_runner().invoke(args=["tenant", "export", tenant.slug, str(archive)])
        assert out.exit_code == 0, out.output
        result = other.test_cli_runner().invoke(args=["tenant", "import", str(archive)])
        assert result.exit_code == 0, result.output
        before = _counts(session, tenant.id)
        with other.app_context():
            assert _counts(db.session, tenant.id) == before
            db.session.rollback()
        client = other.test_client()
        login(client, user)
        assert client.get(f"/{tenant.slug}/").status_code == 200
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        subprocess.run(["psql", admin, "-q", "-c",
                        f'DROP DATABASE IF EXISTS "{target_db}" WITH (FORCE)'],
                       capture_output=True)
