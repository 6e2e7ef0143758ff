"""The database gone: pages answer 503 with Retry-After and a Dutch page, the API an RFC 9457
problem; when it is back, the next request works.

`database_down()` makes it real on both databases. On PostgreSQL it kills this test's
connections with pg_terminate_backend (from a superuser connection) and points new ones at a
closed port, so the driver's own errors come back; on SQLite new connections open a file in a
folder that does not exist.
"""
from __future__ import annotations

import socket
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, text

from tenants.extensions import db
from tenants.models import Role
from tests.api.conftest import bearer, issue  # noqa: F401  (issue is a fixture)
from tests.helpers import ON_POSTGRES, csrf_token, login

SUPERUSER_URL = "postgresql+psycopg://postgres@127.0.0.1/postgres"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is


def _terminate(engine) -> int:
    """Kill every backend of the app role on the test database (this test's connections)."""
    url = engine.url
    admin = create_engine(SUPERUSER_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return len(conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :db AND usename = :role AND pid <> pg_backend_pid()"),
                {"db": url.database, "role": url.username}).all())
    finally:
        admin.dispose()


@contextmanager
def database_down(app):
    with app.app_context():
        engine = db.engine
    port = _closed_port()

    def unreachable(_dialect, _record, cargs, cparams):
        if ON_POSTGRES:
            cparams.update(host="127.0.0.1", port=port)
        else:
            cargs[:] = ["/nonexistent-wijkwerk-folder/db.sqlite3", *cargs[1:]]

    event.listen(engine, "do_connect", unreachable)
    try:
        if ON_POSTGRES:
            assert _terminate(engine) >= 1  # the pool held live connections: now dead
        else:
            engine.dispose()
        yield
    finally:
        event.remove(engine, "do_connect", unreachable)


@pytest.fixture
def world(make):
    tenant = make.tenant(name="Storing-coöperatie")
    admin = make.member(tenant, Role.ADMIN, name="Beheerder Storing")
    coach = make.member(tenant, Role.SUPERVISOR, name="Begeleider Storing")
    return tenant, admin, coach


def _is_dutch_503(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Tijdelijk niet beschikbaar" in page and "Probeer het over" in page


def test_pages_answer_503_with_retry_after_and_recover(app, client, world):
    tenant, _admin, coach = world
    login(client, coach)
    anonymous = app.test_client()
    pages = [(client, f"/{tenant.slug}/uren/"), (client, f"/{tenant.slug}/hulp-vragen"),
             (anonymous, f"/{tenant.slug}/hulp-vragen")]
    assert [c.get(p).status_code for c, p in pages] == [200] * 3
    form_token = csrf_token(anonymous, f"/{tenant.slug}/hulp-vragen")
    login_token = csrf_token(anonymous, "/login")
    with database_down(app):
        for c, path in pages:
            _is_dutch_503(c.get(path))
        # Forms sent during the outage: the same answer, never a 500.
        _is_dutch_503(anonymous.post(f"/{tenant.slug}/hulp-vragen", data={
            "csrf_token": form_token, "name": "Mevrouw Jansen", "kind": "tuin",
            "description": "De heg snoeien", "email": "jansen@example.org"}))
        _is_dutch_503(anonymous.post("/login", data={
            "csrf_token": login_token, "email": coach.email, "password": "x" * 12}))
    # Back: the next request works, with the same login.
    assert [c.get(p).status_code for c, p in pages] == [200] * 3


def test_the_api_answers_a_problem_json_and_recovers(app, client, world, issue):  # noqa: F811
    tenant, admin, coach = world
    token = issue(coach, tenant)
    path = f"/api/v1/{tenant.slug}/participants"
    assert client.get(path, headers=bearer(token)).status_code == 200
    with database_down(app):
        for url, headers in ((path, bearer(token)), ("/api/v1/me", bearer(token)),
                             (path, bearer("ww_wrong"))):
            response = client.get(url, headers=headers)
            assert response.status_code == 503, response.get_data(as_text=True)[:300]
            assert response.mimetype == "application/problem+json"
            assert response.headers["Retry-After"].isdigit()
            problem = response.get_json()
            assert problem["status"] == 503 and problem["type"] and problem["title"]
            assert "Probeer het over" in problem["detail"]
    assert client.get(path, headers=bearer(token)).status_code == 200


def test_other_database_errors_stay_500(app, client, world, monkeypatch):
    """Only an unreachable database is a 503: a bug (here an integrity error) is not retried."""
    from sqlalchemy.exc import IntegrityError

    from blueprints.hours import routes

    tenant, _admin, coach = world
    login(client, coach)

    def broken(*_args, **_kwargs):
        raise IntegrityError("INSERT", {}, Exception("duplicate"))

    monkeypatch.setattr(routes.lists, "review_entries", broken, raising=False)
    monkeypatch.setattr(routes, "_staff_choices", broken)
    response = client.get(f"/{tenant.slug}/uren/")
    assert response.status_code == 500 and "Retry-After" not in response.headers
