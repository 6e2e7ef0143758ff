"""Logs are JSON lines with request, tenant and user ids, and carry no personal data; the error
hook gets the exception with the same scrubbed context."""
from __future__ import annotations

import io
import json
import logging
from contextlib import contextmanager

import pytest

from app import create_app
from blueprints.participants import services as participants
from tenants import logs
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helpers import PASSWORD, csrf_token, login, post, test_config

TYPED = "mijn buurvrouw Klaasje Brinkman belde over de tuin"


@pytest.fixture(autouse=True)
def _jobs_back_to_the_suite_app(app):
    """These tests build other apps (on other databases): the job queue binds to the last app
    made, so the suite's app gets it back after each test."""
    from tenants import jobs

    previous = jobs._state["app"]
    yield
    jobs.init_app(previous)


@contextmanager
def captured():
    """The lines the app's JSON handler writes while the block runs, parsed."""
    buffer = io.StringIO()
    handler = logs.json_handler(buffer)
    root = logging.getLogger()
    root.addHandler(handler)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        for raw in buffer.getvalue().splitlines():
            lines.append(json.loads(raw))  # every line is one JSON object
        lines.append({"_raw": buffer.getvalue()})


def test_a_requests_log_lines_are_json_with_ids_and_no_personal_data(client, make, session):
    tenant = make.tenant(name="Bewonerscoöperatie De Vaart")
    coach = make.member(tenant, Role.SUPERVISOR, name="Ahmed El Khatib")
    with tenant_context(session, tenant.id):
        participant = participants.create_participant(
            session, Actor(user_id=coach.id, email=coach.email), participants.ParticipantData(
                first_name="Wilhelmina", last_name="Oosterhuis", supervisor_id=coach.id))
        session.commit()
        participant_id = participant.id

    with captured() as lines:
        # a wrong password first (the typed address and password), then the real login
        client.post("/login", data={"csrf_token": csrf_token(client), "email": coach.email,
                                    "password": "geheim-wachtwoord-fout"})
        login(client, coach)
        page = client.get(f"/{tenant.slug}/deelnemers/{participant_id}/",
                          headers={"X-Request-ID": "proxy-req-0001"})
        failed = post(client, f"/{tenant.slug}/deelnemers/nieuw", {
            "first_name": "Gerarda", "last_name": "Veenstra", "date_of_birth": "2099-01-01",
            "notes": TYPED, "benefit": "bijstand", "household_type": "",
            "paying_municipality": "", "supervisor": "", "integration_route": ""},
            token_from=f"/{tenant.slug}/deelnemers/nieuw")
        logging.getLogger("wijkwerk.test").warning(
            "Sent to %s about %s (%s tries)", coach.email, "Wilhelmina Oosterhuis", 3)

    assert page.status_code == 200 and "Oosterhuis" in page.get_data(as_text=True)
    assert failed.status_code == 400
    raw = lines.pop()["_raw"]
    # what a user would look for: nothing personal anywhere in the log
    for personal in (coach.email, "Ahmed", "Khatib", "Wilhelmina", "Oosterhuis", "Gerarda",
                     "Veenstra", "Klaasje", "Brinkman", "geheim-wachtwoord-fout", PASSWORD,
                     "De Vaart"):
        assert personal not in raw, personal

    requests = [line for line in lines if line["logger"] == "wijkwerk.request"]
    assert len(requests) >= 6
    assert all(isinstance(line["request_id"], str) and line["status"] for line in requests)
    shown = next(line for line in requests if line["endpoint"] == "participants.show")
    assert shown["request_id"] == "proxy-req-0001"  # a proxy's id is kept
    assert shown["tenant_id"] == tenant.id and shown["user_id"] == coach.id
    assert shown["status"] == 200 and shown["duration_ms"] >= 0
    refused = [line for line in requests if line["endpoint"] == "participants.create"]
    assert refused and refused[-1]["status"] == 400
    own = next(line for line in lines if line["logger"] == "wijkwerk.test")
    assert own["msg"] == "Sent to %s about %s (%s tries)" and own["args"] == ["…", "…", 3]


def test_the_request_id_is_sent_back_and_a_forged_one_replaced(client):
    answer = client.get("/login", headers={"X-Request-ID": "lb-4f1c9e2a77"})
    assert answer.headers["X-Request-ID"] == "lb-4f1c9e2a77"
    forged = client.get("/login", headers={"X-Request-ID": "jan@example.org level=ERROR"})
    assert forged.headers["X-Request-ID"] != "jan@example.org level=ERROR"
    assert len(forged.headers["X-Request-ID"]) == 32
    assert client.get("/login").headers["X-Request-ID"] != forged.headers["X-Request-ID"]


def test_an_exception_is_logged_by_class_and_place_not_by_message():
    line_io = io.StringIO()
    handler = logs.json_handler(line_io)
    log = logging.getLogger("wijkwerk.test.exc")
    log.addHandler(handler)
    try:
        try:
            raise ValueError("duplicate key (email)=(piet@example.org)")
        except ValueError:
            log.exception("Saving failed")
    finally:
        log.removeHandler(handler)
    line = json.loads(line_io.getvalue())
    assert line["exception"]["type"] == "ValueError"
    assert "piet@example.org" not in line_io.getvalue()
    assert any("test_logs.py" in frame for frame in line["exception"]["frames"])


@pytest.fixture
def reported(db_dir):
    calls = []
    app = create_app(test_config(db_dir, ERROR_REPORTER=lambda exc, ctx: calls.append(
        (exc, ctx))))

    @app.route("/boom")
    def boom():
        raise RuntimeError("Wilhelmina Oosterhuis, jan@example.org")

    return app, calls


def test_the_error_hook_gets_the_exception_and_a_scrubbed_context(reported):
    app, calls = reported
    response = app.test_client().get("/boom?naam=Wilhelmina", headers={"X-Request-ID": "req-12345678"})
    assert response.status_code == 500
    (exc, ctx), = calls
    assert isinstance(exc, RuntimeError)
    assert ctx == {"request_id": "req-12345678", "tenant_id": None, "user_id": None,
                   "method": "GET", "endpoint": "boom", "exception": "RuntimeError"}


def test_the_error_hook_is_off_by_default_and_a_broken_one_breaks_nothing(app, db_dir):
    assert app.config["ERROR_REPORTER"] is None
    assert "wijkwerk_error_reporter" not in app.extensions

    def broken(exc, ctx):
        raise OSError("reporter down")

    other = create_app(test_config(db_dir, ERROR_REPORTER=broken))

    @other.route("/boom")
    def boom():
        raise RuntimeError("x")

    assert other.test_client().get("/boom").status_code == 500
