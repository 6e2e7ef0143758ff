"""Sentry (tenants/sentry.py): off without SENTRY_DSN; with it, an error in a view reaches a
(local) Sentry as one event through the ERROR_REPORTER hook, with ids and without personal data."""
from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from app import create_app
from tenants import sentry
from tenants.config import ConfigError
from tenants.extensions import csrf
from tenants.models import Role
from tests.helpers import PASSWORD, login, test_config

SECRET_TEXT = "Mijn buurman Gerrit Veldkamp heeft schulden"
QUERY_TOKEN = "Zk81-uitnodiging-token-qq"
COOKIE_VALUE = "koekje-met-geheim-9241"
PERSON = "Wilhelmina Oosterhuis"
COOPERATIVE = "Coöperatie De Geheime Tuin"


@pytest.fixture(autouse=True)
def _restore(app):
    """These tests build other apps: the job queue goes back to the suite's app, and no Sentry
    client is left running for later tests."""
    from tenants import jobs

    previous = jobs._state["app"]
    yield
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)
    jobs.init_app(previous)


class _Collector(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.server.received.append((self.path, body.decode()))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def local_sentry():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://publickey@127.0.0.1:{server.server_port}/42"
    server.shutdown()
    server.server_close()


def events(received) -> list[dict]:
    """The event items of the envelopes received (an envelope: a header line, then per item
    a header line and its payload line)."""
    found = []
    for _path, body in received:
        lines = body.split("\n")
        for header, payload in zip(lines[1::2], lines[2::2]):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


def test_an_error_in_a_view_sends_one_scrubbed_event(db_dir, local_sentry, make):
    server, dsn = local_sentry
    app = create_app(test_config(db_dir, SENTRY_DSN=dsn))
    assert sentry_sdk.is_initialized()
    assert app.extensions["wijkwerk_error_reporter"] is sentry.report

    @app.route("/boom", methods=["POST"])
    @csrf.exempt
    def boom():
        from flask import abort, request
        from flask_login import current_user

        if not current_user.is_authenticated:  # as a staff page would: the user is known
            abort(404)
        password = request.form["password"]  # a local variable holding a secret
        raise RuntimeError(f"failed for {request.form['email']} with {password}")

    tenant = make.tenant(name=COOPERATIVE)
    user = make.member(tenant, Role.SUPERVISOR, name=PERSON)
    client = app.test_client()
    login(client, user)
    client.set_cookie("voorkeur", COOKIE_VALUE)
    response = client.post(f"/boom?token={QUERY_TOKEN}",
                           data={"email": user.email, "password": PASSWORD,
                                 "toelichting": SECRET_TEXT},
                           headers={"X-Request-ID": "req-sentry-0001",
                                    "Authorization": "Bearer api-geheim-7777"})
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)

    (event,) = events(server.received)  # one event, no second report from a log line
    assert server.received[0][0] == "/api/42/envelope/"
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["tags"]["request_id"] == "req-sentry-0001"
    assert event["tags"]["endpoint"] == "boom" and event["tags"]["method"] == "POST"
    assert event["user"] == {"id": str(user.id)}
    assert any(f.get("function") == "boom"
               for f in event["exception"]["values"][-1]["stacktrace"]["frames"])
    raw = "\n".join(body for _path, body in server.received)
    for secret in (user.email, user.email.split("@")[0], PASSWORD, SECRET_TEXT, "Veldkamp",
                   COOKIE_VALUE, QUERY_TOKEN, "api-geheim-7777", PERSON, "Geheime Tuin",
                   tenant.slug, "wijkwerk_session"):
        assert secret not in raw, secret


def test_without_a_dsn_nothing_is_initialised(db_dir):
    app = create_app(test_config(db_dir))
    assert app.config["SENTRY_DSN"] is None
    assert not sentry_sdk.is_initialized()
    assert "wijkwerk_error_reporter" not in app.extensions


def test_sentry_and_another_reporter_together_are_refused(db_dir):
    with pytest.raises(ConfigError):
        create_app(test_config(db_dir, SENTRY_DSN="http://k@127.0.0.1:9/1",
                               ERROR_REPORTER="somewhere:else"))
    assert not sentry_sdk.is_initialized()


def test_the_scrubber_drops_what_an_integration_might_add():
    event = {
        "request": {"method": "POST", "url": "https://x.example/ons-breda/uitnodiging/tok",
                    "query_string": "q=Jansen", "data": {"naam": "Jansen"},
                    "cookies": {"s": "c"}, "env": {"REMOTE_ADDR": "203.0.113.9"},
                    "headers": {"Cookie": "s=c", "Authorization": "Bearer t",
                                "Content-Type": "text/html", "User-Agent": "x",
                                "X-Request-ID": "r-1"}},
        "user": {"id": 7, "email": "a@b.nl", "username": "ab", "ip_address": "203.0.113.9",
                 "name": "A B"},
        "exception": {"values": [{"type": "ValueError", "value": "a@b.nl",
                                  "stacktrace": {"frames": [{"function": "f",
                                                             "vars": {"pw": "x"}}]}}]},
        "breadcrumbs": {"values": [{"message": "a@b.nl"}]},
        "extra": {"form": "Jansen"}, "logentry": {"message": "for a@b.nl"},
        "tags": {"request_id": "r-1", "email": "a@b.nl"},
        "contexts": {"runtime": {"name": "CPython"}, "flask": {"session": "x"}},
    }
    scrubbed = sentry.scrub_event(event, {})
    assert scrubbed["request"] == {"method": "POST", "headers": {"Content-Type": "text/html",
                                                                  "X-Request-ID": "r-1"}}
    assert scrubbed["user"] == {"id": 7}
    assert scrubbed["exception"]["values"][0]["value"] == "…"
    assert "vars" not in scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert scrubbed["tags"] == {"request_id": "r-1"}
    assert scrubbed["contexts"] == {"runtime": {"name": "CPython"}}
    assert not {"breadcrumbs", "extra", "logentry"} & scrubbed.keys()
    text = json.dumps(scrubbed)
    for secret in ("a@b.nl", "Jansen", "203.0.113.9", "Bearer", "tok"):
        assert secret not in text
