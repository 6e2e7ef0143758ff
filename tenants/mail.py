"""Outgoing mail, always through the job queue (tenants.jobs).

`send_mail` renders the message where it is called — inside the request, so the template,
the language, the links and lazy strings are resolved there — and enqueues its delivery. The
caller never waits for SMTP and never sees its errors: the page answers the same whether or
not a mail leaves, and whether or not the mail server is up (the password reset form must
not tell which addresses exist). The delivery job hands the message to Flask-Mailman; when
SMTP fails it is retried with a growing delay (MAIL_RETRIES, MAIL_RETRY_DELAY) and every
failure is logged. In development the message is printed to the log (console backend); in
tests it lands in `app.extensions["mailman"].outbox` at once (jobs run inline there).
"""
from __future__ import annotations

import logging
import threading
from typing import Iterable

from flask import current_app, render_template
from flask_mailman import EmailMessage

from tenants import jobs

log = logging.getLogger(__name__)

#: (file name, content, MIME type) — plain values, so an attachment survives the queue.
Attachment = tuple[str, bytes, str]


def send_mail(to: str, subject: str, template: str, *,
              attachments: Iterable[Attachment] | None = None, **context) -> None:
    """Render `templates/mail/<template>.txt` for one address and queue its delivery.

    Returns at once; never raises for a mail server problem."""
    message = {
        "template": template,
        "subject": str(subject),
        "body": render_template(f"mail/{template}.txt", **context),
        "from_email": current_app.config["MAIL_DEFAULT_SENDER"],
        "to": [to],
        "attachments": [(name, bytes(content), mimetype)
                        for name, content, mimetype in (attachments or ())],
    }
    cfg = current_app.config
    task = deliver_mail.s(message, retries=cfg["MAIL_RETRIES"],
                          retry_delay=cfg["MAIL_RETRY_DELAY"],
                          retry_backoff=cfg["MAIL_RETRY_BACKOFF"])
    try:
        jobs.huey.enqueue(task)
    except Exception:  # noqa: BLE001 - the queue's store is down (Redis): never the user's error
        log.exception("Mail queue unavailable; sending %s directly, once, in the background",
                      template)
        app = current_app._get_current_object()
        threading.Thread(target=_send_once_in, args=(app, message), daemon=True).start()


def _message(message: dict) -> EmailMessage:
    email = EmailMessage(subject=message["subject"], body=message["body"], to=message["to"],
                         from_email=message["from_email"])
    for name, content, mimetype in message.get("attachments", ()):
        email.attach(name, content, mimetype)
    return email


@jobs.huey.task(context=True, name="deliver_mail")
def deliver_mail(message: dict, task=None) -> None:
    """Hand one rendered message to the mail backend. An SMTP error is logged and raised, so
    the queue retries it; after the last retry it is logged as given up."""
    with jobs.job_app_context():
        try:
            _message(message).send(fail_silently=False)
        except Exception as exc:
            left = task.retries if task is not None else 0
            if left:
                log.warning("Mail %s (%s) not sent: %s; retrying in %s s (%s tries left)",
                            message["template"], task.id, exc, task.retry_delay, left)
            else:
                log.error("Mail %s (%s) not sent: %s; no retries left, given up",
                          message["template"], getattr(task, "id", "-"), exc)
            raise
    log.info("Mail %s (%s) sent", message["template"], getattr(task, "id", "-"))


def _send_once_in(app, message: dict) -> None:
    with app.app_context():
        try:
            _message(message).send(fail_silently=False)
        except Exception:  # noqa: BLE001 - logged; the queue was down as well
            log.exception("Mail %s could not be sent", message["template"])
