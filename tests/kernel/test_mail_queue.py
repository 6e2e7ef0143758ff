"""All mail leaves through the job queue: a real SMTP server the test starts and stops.

SMTP down → the page answers as usual, nothing is delivered, the failure is logged and the
delivery retried; SMTP back → the mail arrives, exactly once. The password reset form gives
the same answer, as fast, for a known and an unknown address (issue 9, finding 7).
"""
from __future__ import annotations

import asyncio
import email
import logging
import re
import socket
import time

import pytest
from aiosmtpd.controller import Controller

from tenants import jobs
from tenants.mail import send_mail
from tests.helpers import csrf_token
from tests.kernel.test_jobs import later, queued_app

SAME_ANSWER = "Als dit e-mailadres bij ons bekend is"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts (optionally slowly)."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"


class SmtpServer:
    """A local SMTP server on a fixed free port that the test can stop and start."""

    def __init__(self, delay: float = 0.0):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.inbox = Inbox(delay)
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


def _mail_config(server):
    return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port,
            "MAIL_TIMEOUT": 10}


def _request_reset(client, address):
    token = csrf_token(client, "/wachtwoord-vergeten")
    started = time.perf_counter()
    response = client.post("/wachtwoord-vergeten", data={"csrf_token": token, "email": address})
    return response, time.perf_counter() - started


def _flash_after(client, response):
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return SAME_ANSWER in page


def test_smtp_down_the_reset_mail_waits_and_arrives_once_when_smtp_is_back(
        app, make, db_dir, tmp_path, smtp, caplog):
    user = make.user()
    with queued_app(db_dir, tmp_path, **_mail_config(smtp)) as queued:
        client = queued.test_client()
        known, _ = _request_reset(client, user.email)
        assert known.status_code == 302 and _flash_after(client, known)

        with caplog.at_level(logging.WARNING, logger="tenants.mail"):
            assert jobs.run_pending() == 1  # the delivery is tried: SMTP is down
        assert smtp.inbox.messages == []
        assert any("not sent" in r.getMessage() and "retrying" in r.getMessage()
                   for r in caplog.records)
        assert jobs.huey.scheduled_count() == 1  # kept for its retry

        smtp.start()
        assert jobs.run_pending(later(seconds=5)) == 0  # the retry waits 30 s
        assert jobs.run_pending(later(minutes=1)) == 1
        assert jobs.run_pending(later(days=1)) == 0

    [message] = smtp.inbox.messages
    assert message["To"] == user.email
    body = message.get_payload(decode=True).decode()
    assert re.search(r"/wachtwoord-herstellen/\S+", body)


def test_a_mail_is_retried_with_growing_delays_and_given_up_loudly(
        app, db_dir, tmp_path, smtp, caplog):
    with queued_app(db_dir, tmp_path, MAIL_RETRIES=2, **_mail_config(smtp)) as queued:
        with queued.test_request_context():
            send_mail("iemand@example.org", "Onderwerp", "password_reset",
                      user=None, link="https://wijkwerk.example.org/x", minutes=60)
        with caplog.at_level(logging.WARNING, logger="tenants.mail"):
            jobs.run_pending()  # first try
            assert jobs.run_pending(later(seconds=20)) == 0
            assert jobs.run_pending(later(seconds=31)) == 1  # retried after 30 s
            assert jobs.run_pending(later(seconds=50)) == 0  # the next waits 60 s
            assert jobs.run_pending(later(seconds=62)) == 1  # last retry
        assert jobs.huey.scheduled_count() == 0 and jobs.huey.pending_count() == 0
    ours = [r for r in caplog.records if r.name == "tenants.mail"]
    assert [r.levelname for r in ours] == ["WARNING", "WARNING", "ERROR"]
    assert "given up" in ours[-1].getMessage()


def test_attachments_survive_the_queue(app, db_dir, tmp_path, smtp):
    smtp.start()
    pdf = b"%PDF-1.7\n\x00\xff binary"
    with queued_app(db_dir, tmp_path, **_mail_config(smtp)) as queued:
        with queued.test_request_context():
            send_mail("klant@example.org", "Factuur", "password_reset",
                      attachments=[("factuur-2026-0001.pdf", pdf, "application/pdf")],
                      user=None, link="https://wijkwerk.example.org/x", minutes=60)
        assert jobs.run_pending() == 1
    [message] = smtp.inbox.messages
    [attachment] = [p for p in message.walk() if p.get_filename()]
    assert attachment.get_filename() == "factuur-2026-0001.pdf"
    assert attachment.get_payload(decode=True) == pdf


def test_reset_form_answers_known_and_unknown_addresses_alike_with_smtp_down(
        app, make, db_dir, tmp_path, smtp):
    user = make.user()
    with queued_app(db_dir, tmp_path, **_mail_config(smtp)) as queued:
        client = queued.test_client()
        known, _ = _request_reset(client, user.email)
        assert _flash_after(client, known)
        unknown, _ = _request_reset(client, "niemand-bekend@example.org")
        assert _flash_after(client, unknown)
        assert (known.status_code, known.headers["Location"]) == (
            unknown.status_code, unknown.headers["Location"])
        jobs.run_pending()  # the delivery fails in the worker, never in the page


def test_reset_form_is_as_fast_for_a_known_address_with_a_slow_mail_server(
        app, make, db_dir, tmp_path):
    slow = SmtpServer(delay=3.0)
    slow.start()
    try:
        user = make.user()
        with queued_app(db_dir, tmp_path, **_mail_config(slow)) as queued:
            client = queued.test_client()
            _request_reset(client, "opwarmen@example.org")  # first request warms up
            known, known_s = _request_reset(client, user.email)
            unknown, unknown_s = _request_reset(client, "niemand-bekend@example.org")
            assert known.status_code == unknown.status_code == 302
            # Both far below the 3 s the mail server takes: the mail is not sent here.
            assert known_s < 0.5 and unknown_s < 0.5, (known_s, unknown_s)
            assert jobs.run_pending() == 1  # …but by the worker, after the answer
        assert len(slow.inbox.messages) == 1
    finally:
        slow.stop()


def test_in_tests_mail_is_delivered_inline_to_the_outbox(app, make, client):
    user = make.user()
    before = len(getattr(app.extensions["mailman"], "outbox", []))
    response, _ = _request_reset(client, user.email)
    assert response.status_code == 302
    assert [m.to for m in app.extensions["mailman"].outbox[before:]] == [[user.email]]
