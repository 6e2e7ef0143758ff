"""Error reports to Sentry: the `ERROR_REPORTER` hook (tenants/logs.py) pointed at Sentry when
`SENTRY_DSN` is set. Off without it: sentry-sdk is then not even imported.

One way in: `report` is the error reporter, called by `tenants.logs.report_error` for each
unexpected exception (the pages' and the API's 500s), with the same scrubbed context as the
logs. Sentry's own integrations (Flask, logging, threads, excepthook …) stay off, so nothing
else sends: no request body, no second report of the same error from a log line.

What an event carries: the exception's class and stack (file, line, function, the source
lines around it), the request id, tenant id, user id (as `user.id`), method and endpoint as
tags, the environment and release. What it never carries, by `data_collection` (sentry-sdk's
successor of `send_default_pii=False`), by
what `report` adds, and by `scrub_event` as a last filter before anything is sent: the
exception's message (a database error quotes the row it refused), local variables, request
bodies and form fields, cookies, headers outside `SAFE_HEADERS`, the URL's path and query
(tokens, search terms), the user's e-mail, name, username and IP address, breadcrumbs, extra
data and log messages.
"""
from __future__ import annotations

from flask import Flask

REDACTED = "…"
#: Request headers that may go along (lower case); any other header is dropped.
SAFE_HEADERS = frozenset({"accept", "accept-language", "content-length", "content-type",
                          "x-request-id"})
#: Tags that may go along: the ids and names of the scrubbed log context.
SAFE_TAGS = frozenset({"request_id", "tenant_id", "endpoint", "method", "exception"})
#: Contexts that describe the machine, not the person.
SAFE_CONTEXTS = frozenset({"runtime", "os", "trace"})


def init(app: Flask) -> None:
    """Start the Sentry client for this process (each gunicorn worker, each job consumer)."""
    import sentry_sdk

    sentry_sdk.init(
        dsn=app.config["SENTRY_DSN"],
        environment=app.config.get("SENTRY_ENVIRONMENT"),
        release=app.config.get("SENTRY_RELEASE"),
        # what sentry-sdk 2.75 calls `send_default_pii=False` and more (that option is
        # deprecated in favour of this one and warns): no user's name, e-mail or address, no
        # cookies, bodies, query parameters, SQL parameters or local variables; headers only
        # from the safe list. The source lines around each frame (code, not data) stay.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(SAFE_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
        },
        max_request_body_size="never",
        max_breadcrumbs=0,
        # only what `report` hands over: no integration captures on its own
        default_integrations=False,
        auto_enabling_integrations=False,
        auto_session_tracking=False,
        send_client_reports=False,
        traces_sample_rate=None,
        before_send=scrub_event,
        before_send_transaction=lambda event, hint: None,
    )


def report(exc: BaseException, context: dict) -> None:
    """The error reporter: the exception with the log context as tags and the user's id."""
    import sentry_sdk

    tags = {k: v for k, v in context.items() if k in SAFE_TAGS and v is not None}
    user = {"id": str(context["user_id"])} if context.get("user_id") is not None else None
    sentry_sdk.capture_exception(exc, tags=tags, user=user)


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """The event as it may leave: see the module's docstring. Also applied to anything a
    later integration might add (a request section, breadcrumbs)."""
    request = event.get("request")
    if isinstance(request, dict):
        headers = request.get("headers") or {}
        if isinstance(headers, list):
            headers = dict(headers)
        event["request"] = {
            "method": request.get("method"),
            "headers": {k: v for k, v in headers.items() if str(k).lower() in SAFE_HEADERS},
        }
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if user.get("id") is not None else {}
    for exception in (event.get("exception") or {}).get("values") or []:
        if exception.get("value"):
            exception["value"] = REDACTED
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values") or []:
        for frame in (thread.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    if isinstance(event.get("tags"), dict):
        event["tags"] = {k: v for k, v in event["tags"].items() if k in SAFE_TAGS}
    if isinstance(event.get("contexts"), dict):
        event["contexts"] = {k: v for k, v in event["contexts"].items() if k in SAFE_CONTEXTS}
    for key in ("breadcrumbs", "extra", "logentry", "message", "fingerprint_data"):
        event.pop(key, None)
    return event
