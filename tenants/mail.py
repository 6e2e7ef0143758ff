"""Outgoing mail, always through the job queue (tenants.jobs).

`send_mail` renders the message where it is called — inside the request, so the template,
the language, the links and lazy strings are resolved there — and enqueues its delivery. The
caller never waits for SMTP and never sees its errors: the page answers the same whether or
not a mail leaves, and whether or not the mail server is up (the password reset form must
not tell which addresses exist). The delivery job hands the message to Flask-Mailman; when
SMTP fails it is retried with a growing delay (MAIL_RETRIES, MAIL_RETRY_DELAY) and every
failure is logged. In development the message is printed to the log (console backend); in
tests it lands in `app.extensions["mailman"].outbox` at once (jobs run inline there).

Mail on behalf of a tenant (an invoice to a customer) leaves from the platform's own address
(MAIL_DEFAULT_SENDER: its domain is the one with SPF/DKIM) with the cooperative's name as
display name (`from_name`) and the cooperative's own address as `reply_to`, so answers reach
the cooperative.

`after_commit=session` queues the mail only when that session's transaction commits (and
drops it on a rollback): a mail about something being written (an invoice number) never
leaves for a change that did not happen, and its job never waits for the request's locks.

`outcome=("name", tenant_id, ref)` reports the delivery's end to the handler a feature
registered with `on_outcome("name")`: once when SMTP accepted the message, or once when it
was given up after the last retry. The handler runs in that tenant's context (ORM filter and
row-level security) in a transaction of its own; its failure is logged, never retried (the
mail itself went, or was given up, either way).
"""
from __future__ import annotations

import logging
import threading
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Callable, Iterable

from flask import current_app, render_template
from flask_mailman import EmailMessage
from sqlalchemy import event
from sqlalchemy.orm import Session

from tenants import jobs

log = logging.getLogger(__name__)

#: (file name, content, MIME type) — plain values, so an attachment survives the queue.
Attachment = tuple[str, bytes, str]
#: (handler name, tenant id, reference): who is told how the delivery ended.
Outcome = tuple[str, int, object]
#: handler(ref, ok, to, error): runs in the tenant's context; flushes, never commits.
OutcomeHandler = Callable[[object, bool, str, "str | None"], None]

_handlers: dict[str, OutcomeHandler] = {}
_PENDING = "wijkwerk.mail_after_commit"


def on_outcome(name: str) -> Callable[[OutcomeHandler], OutcomeHandler]:
    """Register the handler that hears how mails sent with `outcome=(name, …)` ended."""

    def register(fn: OutcomeHandler) -> OutcomeHandler:
        _handlers[name] = fn
        return fn

    return register


def sender(from_name: str | None = None) -> str:
    """The platform's sender address, with `from_name` as its display name when given."""
    default = current_app.config["MAIL_DEFAULT_SENDER"]
    if not from_name:
        return default
    _name, address = parseaddr(default)
    clean = " ".join(str(from_name).split())  # no line breaks into a header
    # Unicode stays readable here; the mail library encodes the header when it sends.
    return str(Address(display_name=clean, addr_spec=address or default))


def send_mail(to: str, subject: str, template: str, *,
              attachments: Iterable[Attachment] | None = None, reply_to: str | None = None,
              from_name: str | None = None, outcome: Outcome | None = None,
              after_commit: Session | None = None, **context) -> None:
    """Render `templates/mail/<template>.txt` for one address and queue its delivery.

    Returns at once; never raises for a mail server problem."""
    message = {
        "template": template,
        "subject": str(subject),
        "body": render_template(f"mail/{template}.txt", **context),
        "from_email": sender(from_name),
        "to": [to],
        "reply_to": [reply_to] if reply_to else [],
        "attachments": [(name, bytes(content), mimetype)
                        for name, content, mimetype in (attachments or ())],
        "outcome": list(outcome) if outcome else None,
    }
    if after_commit is not None:
        _queue_after_commit(after_commit, message)
    else:
        _enqueue(message)


def _enqueue(message: dict) -> None:
    cfg = current_app.config
    task = deliver_mail.s(message, retries=cfg["MAIL_RETRIES"],
                          retry_delay=cfg["MAIL_RETRY_DELAY"],
                          retry_backoff=cfg["MAIL_RETRY_BACKOFF"])
    try:
        jobs.huey.enqueue(task)
    except Exception:  # noqa: BLE001 - the queue's store is down (Redis): never the user's error
        log.exception("Mail queue unavailable; sending %s directly, once, in the background",
                      message["template"])
        app = current_app._get_current_object()
        threading.Thread(target=_send_once_in, args=(app, message), daemon=True).start()


# --- after commit ------------------------------------------------------------------------------

def _real(session):
    return session() if hasattr(session, "registry") else session  # a scoped_session


def _queue_after_commit(session, message: dict) -> None:
    session = _real(session)
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)
    session.info.setdefault(_PENDING, []).append(message)


def _after_commit(session: Session) -> None:
    for message in session.info.pop(_PENDING, []):
        try:
            _enqueue(message)
        except Exception:  # noqa: BLE001 - the commit stands; the log shows the mail problem
            log.exception("Mail %s could not be queued", message["template"])


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- delivery ----------------------------------------------------------------------------------

def _message(message: dict) -> EmailMessage:
    email = EmailMessage(subject=message["subject"], body=message["body"], to=message["to"],
                         from_email=message["from_email"],
                         reply_to=message.get("reply_to") or None)
    for name, content, mimetype in message.get("attachments", ()):
        email.attach(name, content, mimetype)
    return email


def _report(message: dict, ok: bool, error: str | None) -> None:
    """Tell the registered handler how the delivery ended, in its tenant's context."""
    if not message.get("outcome"):
        return
    name, tenant_id, ref = message["outcome"]
    handler = _handlers.get(name)
    if handler is None:
        log.error("Mail %s: no outcome handler %r registered", message["template"], name)
        return
    from tenants.extensions import db
    from tenants.tenancy import tenant_context

    try:
        with jobs.job_app_context():
            try:
                with tenant_context(db.session, int(tenant_id)):
                    handler(ref, ok, message["to"][0], error)
                    db.session.commit()  # before the tenant is cleared
            except Exception:
                db.session.rollback()
                raise
    except Exception:  # noqa: BLE001 - never resend a mail because its bookkeeping failed
        log.exception("Mail %s: recording the outcome (%s) failed", message["template"], name)


@jobs.huey.task(context=True, name="deliver_mail")
def deliver_mail(message: dict, task=None) -> None:
    """Hand one rendered message to the mail backend. An SMTP error is logged and raised, so
    the queue retries it; after the last retry it is logged as given up (and reported)."""
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
                _report(message, False, f"{type(exc).__name__}: {exc}"[:300])
            raise
    log.info("Mail %s (%s) sent", message["template"], getattr(task, "id", "-"))
    _report(message, True, None)


def _send_once_in(app, message: dict) -> None:
    with app.app_context():
        try:
            _message(message).send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - logged; the queue was down as well
            log.exception("Mail %s could not be sent", message["template"])
            _report(message, False, f"{type(exc).__name__}: {exc}"[:300])
        else:
            _report(message, True, None)
