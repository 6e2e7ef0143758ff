"""The database gone: pages answer 503 with Retry-After and a Dutch page, the API an RFC 9457
problem; when it is back, the next request works.

`database_down()` makes it real on both databases. On PostgreSQL it kills this test's
connections with pg_terminate_backend (from a superuser connection) and points new ones at a
closed port, so the driver's own errors come back; on SQLite new connections open a file in a
folder that does not exist.
"""
from __future__ import annotations

import os

import re
import socket
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session

from tenants.actor import Actor
from tenants.extensions import db
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.api.conftest import bearer, issue  # noqa: F401  (issue is a fixture)
from tests.helpers import ON_POSTGRES, csrf_token, login

SUPERUSER_URL = os.environ.get("TEST_SUPERUSER_URL",
                               "postgresql+psycopg://postgres@127.0.0.1/postgres")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is


def _terminate(engine) -> int:
    """Kill every backend of the app role on the test database (this test's connections),
    and wait until they are gone, as a restarted database's are (PostgreSQL 14+)."""
    url = engine.url
    admin = create_engine(SUPERUSER_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return len(conn.execute(text(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE datname = :db AND usename = :role AND pid <> pg_backend_pid()"),
                {"db": url.database, "role": url.username}).all())
    finally:
        admin.dispose()


class Outage:
    """The app's database unreachable from `start()` to `stop()`: pooled connections are
    dead (killed on PostgreSQL; refused at checkout on both) and new ones cannot be made."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.port = _closed_port()
        self.killed = 0
        self.started = False

    def _unreachable(self, _dialect, _record, cargs, cparams):
        if ON_POSTGRES:
            cparams.update(host="127.0.0.1", port=self.port)
        else:
            cargs[:] = ["/nonexistent-wijkwerk-folder/db.sqlite3", *cargs[1:]]

    def _dead(self, *_args):
        raise DisconnectionError("database gone (test)")

    def start(self) -> None:
        self.started = True
        event.listen(self.engine, "do_connect", self._unreachable)
        event.listen(self.engine, "checkout", self._dead)
        if ON_POSTGRES:
            self.killed = _terminate(self.engine)

    def stop(self) -> None:
        if self.started:
            self.started = False
            event.remove(self.engine, "checkout", self._dead)
            event.remove(self.engine, "do_connect", self._unreachable)


@contextmanager
def database_down(app):
    outage = Outage(app)
    outage.start()
    try:
        if ON_POSTGRES:
            assert outage.killed >= 1  # the pool held live connections: now dead
        yield outage
    finally:
        outage.stop()


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

    from blueprints.hours.routes import review as routes  # the review page's module

    tenant, _admin, coach = world
    login(client, coach)

    def broken(*_args, **_kwargs):
        raise IntegrityError("INSERT", {}, Exception("duplicate"))

    monkeypatch.setattr(routes.lists, "review_entries", broken, raising=False)
    monkeypatch.setattr(routes, "_staff_choices", broken)
    response = client.get(f"/{tenant.slug}/uren/")
    assert response.status_code == 500 and "Retry-After" not in response.headers


# --- a retried submit is stored once; nothing is read after the commit ------------------------

@pytest.fixture
def hours_world(make, session):
    from tests.hours.builders import add_person

    tenant = make.tenant(name="Uren-bij-storing")
    coach = make.member(tenant, Role.SUPERVISOR, name="Karin Smit")
    user = make.member(tenant, Role.PARTICIPANT, name="Sandra Verhoeven")
    with tenant_context(session, tenant.id):
        person, trajectory = add_person(session, Actor(user_id=coach.id, email=coach.email),
                                        user=user, supervisor_id=coach.id)
        ids = person.id, trajectory.id
        session.commit()
    return (tenant, user, *ids)  # the session holds no connection while the database goes


def _entries(session, tenant, participant_id) -> list:
    from blueprints.hours.models import TimeEntry

    with tenant_context(session, tenant.id):
        found = list(session.scalars(select(TimeEntry.id).where(
            TimeEntry.participant_id == participant_id)))
    session.rollback()
    return found


def _hours_form(client, path: str, trajectory_id: int) -> dict:
    page = client.get(path).get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key, "the hours form carries no idempotency key"
    return {"csrf_token": CSRF.search(page).group(1), "idempotency_key": key.group(1),
            "work_date": date.today().isoformat(), "hours": "2,5",
            "trajectory": str(trajectory_id), "hour_type": "", "help_request": "",
            "note": "Bladeren geruimd"}


def test_an_hours_entry_sent_twice_is_stored_once(client, session, hours_world):
    tenant, user, participant_id, trajectory_id = hours_world
    login(client, user)
    path = f"/{tenant.slug}/uren/mijn"
    data = _hours_form(client, path, trajectory_id)
    first, second = client.post(path, data=data), client.post(path, data=data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert "Uw uren zijn geschreven: 2,5 uur" in client.get(path).get_data(as_text=True)
    assert len(_entries(session, tenant, participant_id)) == 1
    # A new form is a new entry.
    assert client.post(path, data=_hours_form(client, path, trajectory_id)).status_code == 302
    assert len(_entries(session, tenant, participant_id)) == 2


@contextmanager
def gone_after_commit(app, model):
    """The database goes right after the request's commit that stored a `model` row."""
    outage = Outage(app)
    armed = [False]

    def flushed(session_, _context):
        armed[0] = armed[0] or any(isinstance(o, model) for o in session_.new)

    def database_goes(session_):
        if armed[0] and not session_.in_nested_transaction():  # the request's, not a savepoint
            armed[0] = False
            outage.start()

    event.listen(Session, "after_flush", flushed)
    event.listen(Session, "after_commit", database_goes)
    try:
        yield outage
    finally:
        event.remove(Session, "after_commit", database_goes)
        event.remove(Session, "after_flush", flushed)
        outage.stop()


def test_the_database_gone_right_after_the_commit_answers_and_a_retry_stores_once(
        app, client, session, hours_world):
    """The entry is committed, then the database goes: the view reads nothing more, so the
    participant sees it was stored; sending it again (during and after) stores nothing twice."""
    from blueprints.hours.models import TimeEntry

    tenant, user, participant_id, trajectory_id = hours_world
    login(client, user)
    path = f"/{tenant.slug}/uren/mijn"
    data = _hours_form(client, path, trajectory_id)
    with gone_after_commit(app, TimeEntry) as outage:
        response = client.post(path, data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        assert outage.started  # the entry was committed, and the database went after it
        retry = client.post(path, data=data)
        assert retry.status_code == 503 and retry.headers["Retry-After"]
    assert client.post(path, data=data).status_code == 302
    assert len(_entries(session, tenant, participant_id)) == 1


# --- the public help-request form ---------------------------------------------------------------

def _public_form(client, path: str) -> dict:
    page = client.get(path).get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key, "the public form carries no idempotency key"
    return {"csrf_token": CSRF.search(page).group(1), "idempotency_key": key.group(1),
            "name": "Mevrouw Jansen", "street": "Lindelaan 4", "postcode": "1234 AB",
            "city": "Lelystad", "phone": "0612345678", "kind": "tuin",
            "description": "De heg knippen in de achtertuin"}


def _requests_of(session, tenant) -> list:
    from blueprints.helprequests.models import HelpRequest

    with tenant_context(session, tenant.id):
        found = list(session.scalars(select(HelpRequest.reference)))
    session.rollback()
    return found


def test_the_public_form_sent_twice_is_one_request(app, session, make):
    tenant = make.tenant(name="Hulp-bij-storing")
    resident = app.test_client()
    path = f"/{tenant.slug}/hulp-vragen"
    data = _public_form(resident, path)
    first, second = resident.post(path, data=data), resident.post(path, data=data)
    assert (first.status_code, second.status_code) == (302, 302)
    [reference] = _requests_of(session, tenant)
    assert reference in resident.get(second.headers["Location"]).get_data(as_text=True)


def test_the_public_form_with_the_database_gone_after_the_commit(app, session, make):
    from blueprints.helprequests.models import HelpRequest

    tenant = make.tenant(name="Hulp-na-commit")
    resident = app.test_client()
    path = f"/{tenant.slug}/hulp-vragen"
    data = _public_form(resident, path)
    with gone_after_commit(app, HelpRequest) as outage:
        response = resident.post(path, data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        assert outage.started
    again = resident.post(path, data=data)
    assert again.status_code == 302
    [reference] = _requests_of(session, tenant)
    assert reference in resident.get(again.headers["Location"]).get_data(as_text=True)


def test_a_dropped_connection_of_another_driver_error_class_is_503_too(app, client, world,
                                                                       issue, monkeypatch):  # noqa: F811
    """The driver decides the class; SQLAlchemy marks a lost connection on any of them."""
    from sqlalchemy.exc import DBAPIError

    from blueprints.api import services as api_services

    tenant, _admin, coach = world
    token = issue(coach, tenant)

    def lost(*_args, **_kwargs):
        raise DBAPIError("SELECT 1", {}, Exception("server closed the connection"),
                         connection_invalidated=True)

    monkeypatch.setattr(api_services, "authenticate", lost)
    response = client.get(f"/api/v1/{tenant.slug}/participants", headers=bearer(token))
    assert response.status_code == 503 and response.mimetype == "application/problem+json"


def test_other_database_errors_in_the_api_stay_its_own_500(app, client, world, issue,  # noqa: F811
                                                           monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from blueprints.api import services as api_services

    tenant, _admin, coach = world
    token = issue(coach, tenant)

    def broken(*_args, **_kwargs):
        raise IntegrityError("INSERT", {}, Exception("duplicate"))

    monkeypatch.setattr(api_services, "authenticate", broken)
    response = client.get(f"/api/v1/{tenant.slug}/participants", headers=bearer(token))
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "internal_error"
