"""Structured logs and the error-reporting hook: what the platform tells its operators.

Every log line is one JSON object with the request id (taken from a well-formed `X-Request-ID`
header or made here, and sent back in the response), the tenant id and the user id — numbers,
never names. Personal data stays out by construction, not by care at each call site:

- a line carries the message's *template* ("Mail %s (%s) sent"), not the text filled in;
- its arguments come along only when harmless: numbers, and short lower-case identifiers
  (a template name, an exception class); any other text — a name, an e-mail address, what a
  user typed, a URL with a token in it — is replaced by "…";
- an exception carries its class and where it happened (file, line, function), never its
  message (a database error quotes the row it refused);
- each request ends with one line: method, endpoint (the route's name, not its path: paths
  carry tokens), status and duration.

The error hook (`ERROR_REPORTER`, off by default) gets the exception and the same scrubbed
context; see `report_error`. `SENTRY_DSN` points it at Sentry (tenants/sentry.py).
"""
from __future__ import annotations

import json
import logging
import re
import time
import traceback
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import NoInspectionAvailable

REQUEST_ID_HEADER = "X-Request-ID"
#: An incoming request id is kept only when it looks like one (a proxy's, a load balancer's).
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
#: A text argument that may go into a line as it is.
_SAFE_TEXT = re.compile(r"[a-z0-9_.:-]{1,64}")
REDACTED = "…"


def request_id() -> str | None:
    """This request's id (None outside a request)."""
    if not has_request_context():
        return None
    rid = g.get("request_id")
    if rid is None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_id = rid
    return rid


def _known_id(obj) -> int | None:
    """The id of a loaded row without asking the database: from its identity key, which stays
    when a commit expires the row (reading `obj.id` then would reload it — during an outage, a
    second failure inside the log line)."""
    if obj is None:
        return None
    try:
        identity = sa_inspect(obj).identity
    except NoInspectionAvailable:  # the anonymous user
        return None
    if identity and len(identity) == 1 and isinstance(identity[0], int):
        return identity[0]
    return None


def _user_id() -> int | None:
    # Flask-Login's already-loaded user, if any: a log line never queries the database.
    return _known_id(g.get("_login_user"))


def _tenant_id() -> int | None:
    return _known_id(g.get("tenant"))


def context() -> dict:
    """Request id, tenant id, user id, method and endpoint: all a log line or an error report
    may know about the request."""
    if not has_request_context():
        return {}
    return {"request_id": request_id(), "tenant_id": _tenant_id(), "user_id": _user_id(),
            "method": request.method, "endpoint": request.endpoint}


def scrub(value):
    """A log argument as it may be written: numbers as they are, short lower-case identifiers
    as they are, an exception as its class name, anything else as "…"."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, BaseException):
        return type(value).__name__
    if isinstance(value, str) and _SAFE_TEXT.fullmatch(value):
        return value
    return REDACTED


def _where(exc_info) -> dict:
    exc_type, _exc, tb = exc_info
    frames = [f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}"
              for f in traceback.extract_tb(tb)][-8:]
    return {"type": exc_type.__name__ if exc_type else None, "frames": frames}


class ContextFilter(logging.Filter):
    """Stamps each record with the request's ids while the request is still there (a handler's
    filter runs when the line is logged, the formatter maybe later)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "wijkwerk_context"):
            record.wijkwerk_context = context()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, without personal data (see the module's docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        args = record.args if isinstance(record.args, tuple) else (
            (record.args,) if record.args else ())
        line = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc)
                          .isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.msg if isinstance(record.msg, str) else type(record.msg).__name__,
        }
        if args:
            line["args"] = [scrub(a) for a in args]
        line.update({k: v for k, v in getattr(record, "wijkwerk_context", {}).items()
                     if v is not None})
        for key, value in getattr(record, "fields", {}).items():
            line[key] = scrub(value)
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = _where(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=lambda v: REDACTED)


def json_handler(stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    return handler


def configure(app: Flask) -> None:
    """Log as JSON (LOG_FORMAT=json, the default outside development) or as plain text, to
    stderr, at INFO; one line per request; request ids in and out."""
    root = logging.getLogger()
    as_json = app.config.get("LOG_FORMAT", "json") == "json"
    if as_json:
        if not any(getattr(h, "_wijkwerk", False) for h in root.handlers):
            handler = json_handler()
            handler._wijkwerk = True
            for old in list(root.handlers):
                # a plain stream handler (basicConfig's) would write every line twice; others
                # (a test's log capture, a file or syslog handler someone added) stay
                if type(old) is logging.StreamHandler:
                    root.removeHandler(old)
            root.addHandler(handler)
        root.setLevel(logging.INFO)
        app.logger.handlers.clear()  # Flask's own handler would write the line twice
        app.logger.propagate = True
    else:
        logging.basicConfig(level=logging.INFO)

    request_log = logging.getLogger("wijkwerk.request")
    # Its own level: a later change of the root logger's (alembic's logging set-up when the
    # migrations run in this process) does not silence the request lines.
    request_log.setLevel(logging.INFO)

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def log_request(response):
        response.headers[REQUEST_ID_HEADER] = request_id()
        if not as_json:
            return response  # plain text (development): the server prints its own line
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        request_log.info("request", extra={"fields": {
            "status": response.status_code, "duration_ms": duration}})
        return response


# --- error reporting ------------------------------------------------------------------------

def report_error(app: Flask, exc: BaseException) -> None:
    """Hand an unexpected error to the configured reporter: `ERROR_REPORTER` names a function
    ("package.module:function") called as `function(exc, context)`, where `context` holds only
    the request id, tenant id, user id, method, endpoint and the exception's class — never the
    request's body, headers, cookies or the exception's message. Off when unset (the default).
    A reporter that fails is logged and ignored: reporting never breaks the error page."""
    reporter = app.extensions.get("wijkwerk_error_reporter")
    if reporter is None:
        return
    ctx = {**context(), "exception": type(exc).__name__}
    try:
        reporter(exc, ctx)
    except Exception:  # noqa: BLE001 - a broken reporter must not turn a 500 into worse
        logging.getLogger(__name__).exception("The error reporter failed")


SENTRY_REPORTER = "tenants.sentry:report"


def install_error_reporter(app: Flask) -> None:
    """The reporter from `ERROR_REPORTER`; with `SENTRY_DSN` set, Sentry's (`tenants.sentry`,
    started here). Both set to different reporters is a configuration error: one hook."""
    target = app.config.get("ERROR_REPORTER")
    if app.config.get("SENTRY_DSN"):
        if target and target != SENTRY_REPORTER:
            from tenants.config import ConfigError

            raise ConfigError(f"SENTRY_DSN reports errors through {SENTRY_REPORTER}; unset "
                              "ERROR_REPORTER or SENTRY_DSN (one error reporter).")
        from tenants import sentry

        sentry.init(app)
        app.extensions["wijkwerk_error_reporter"] = sentry.report
        return
    if not target:
        return
    if callable(target):
        app.extensions["wijkwerk_error_reporter"] = target
        return
    import importlib

    module_name, _, name = str(target).partition(":")
    app.extensions["wijkwerk_error_reporter"] = getattr(importlib.import_module(module_name),
                                                        name)
