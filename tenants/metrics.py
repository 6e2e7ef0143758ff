"""Prometheus metrics: what the platform is doing, in numbers, for the operators' monitoring.

`GET /metrics` answers in Prometheus' text format, only to an allowed caller (`allowed`):
a bearer token equal to `METRICS_TOKEN` (compared in constant time); without a token only in
development, and then only from loopback. Everyone else gets the same 404 as any unknown page:
the public cannot even tell that metrics exist. Production without `METRICS_TOKEN`: off.

What is measured:
- `wijkwerk_http_request_duration_seconds` (histogram) and `wijkwerk_http_requests_total`
  (counter) per request, labelled by the route's *endpoint name* (`hours.week`), never the
  path (paths carry reset tokens, invitation tokens and tenant slugs), the method (unusual ones
  as "other", so a client cannot invent label values) and the status (the histogram by class,
  "2xx", the counter by code). A request that matches no route is labelled by its status
  ("404", "405"). Measured around the whole WSGI call: routing, the view, the error page, the
  session's teardown.
- `wijkwerk_db_pool_*` (gauges): the SQLAlchemy pool's size, connections checked out and
  overflow in use, read at scrape time; under gunicorn each worker's as of its last request
  (or the scrape it answered), summed over the live workers (SQLite's file pool included;
  an in-memory database's pool has no such figures: its gauges stay 0).
- `wijkwerk_jobs_*`: the job queue's depth (waiting, scheduled) and its failed attempts and
  given-up jobs, read when scraped from the queue's own storage (`tenants.jobs.queue_state`,
  the health page's figures), so every process reports the same numbers; `wijkwerk_jobs_up` is
  0 when that storage cannot be read.
No label ever holds a tenant, a user or anything typed: endpoints, methods, status codes.

Processes (`PROMETHEUS_MULTIPROC_DIR`): gunicorn runs several workers and a scrape reaches one
of them. With the variable set (before Python starts: prometheus_client reads it at import)
each worker writes its figures to memory-mapped files in that directory and the worker that
answers the scrape adds up all of them (`prometheus_client.multiprocess`), so a counter is the
total of all workers, dead ones included. `deploy/gunicorn.conf.py` empties the directory when
the server starts and calls `mark_process_dead` for each worker that exits (its pool gauges
then drop out). Without the variable (development, tests, `flask run`) one process keeps its
figures in memory.
"""
from __future__ import annotations

import hmac
import logging
import os
import time

from flask import Flask, Response, abort, current_app, request
from prometheus_client import (CollectorRegistry, Counter, Gauge, Histogram,
                               disable_created_metrics, generate_latest)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from tenants.db import pool_figures
from tenants.jobs import queue_state

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: The methods counted under their own name; anything else a client sends is "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Seconds; a staff page takes 5-30 ms of CPU, a PDF or an export up to a few seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_ENDPOINT_KEY = "wijkwerk.endpoint"

log = logging.getLogger(__name__)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


class _Metrics:
    """One app's metric objects. In multiprocess mode their values live in the directory's
    files (shared by name), otherwise in `registry`."""

    def __init__(self, engine) -> None:
        self.multiprocess = multiprocess_dir() is not None
        # In multiprocess mode the objects are registered nowhere: a scrape reads the files.
        self.registry = None if self.multiprocess else CollectorRegistry()
        self.engine = engine
        self.duration = Histogram(
            "wijkwerk_http_request_duration_seconds",
            "Time from the request's arrival to its answer, by endpoint, method and status "
            "class.", ("endpoint", "method", "status"), buckets=BUCKETS,
            registry=self.registry)
        self.requests = Counter(
            "wijkwerk_http_requests", "Requests answered, by endpoint, method and status.",
            ("endpoint", "method", "status"), registry=self.registry)
        # Pool figures are this process's; the multiprocess sum is over the live workers.
        self.pool = {name: Gauge(f"wijkwerk_db_pool_{name}", text, registry=self.registry,
                                 multiprocess_mode="livesum")
                     for name, text in (
                         ("size", "Connections the pool keeps (summed over the processes)."),
                         ("checked_out", "Connections in use by a request or job."),
                         ("overflow", "Connections open beyond the pool's size."))}

    def observe(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        self.duration.labels(endpoint, method, f"{status // 100}xx").observe(seconds)
        self.requests.labels(endpoint, method, str(status)).inc()
        if self.multiprocess:
            # the scrape may reach another worker: leave this one's figures in its file
            self.refresh_pool()

    def refresh_pool(self) -> None:
        figures = pool_figures(self.engine.pool)
        if not figures:
            return
        self.pool["size"].set(figures["size"])
        self.pool["checked_out"].set(figures["checkedout"])
        self.pool["overflow"].set(max(figures["overflow"], 0))

    def exposition(self) -> bytes:
        self.refresh_pool()
        if self.multiprocess:
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = CollectorRegistry()
            registry.register(_Delegate(self.registry))
        registry.register(JobQueueCollector())
        return generate_latest(registry)


class _Delegate:
    """The app's own registry inside the scrape's registry (so the job collector, which reads
    shared storage, is added per scrape in both modes)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self):
        return self._registry.collect()


class JobQueueCollector:
    """The job queue's depth and failures, read at scrape time from the queue's storage (Redis
    or the SQLite file), which all processes share: no per-process bookkeeping."""

    def collect(self):
        state = queue_state()
        up = GaugeMetricFamily("wijkwerk_jobs_up",
                               "1 when the job queue's storage could be read, else 0.")
        up.add_metric([], 0 if state["error"] else 1)
        yield up
        if state["error"]:
            return
        for name, key, text in (
                ("wijkwerk_jobs_pending", "pending", "Jobs waiting to run now."),
                ("wijkwerk_jobs_scheduled", "scheduled",
                 "Jobs waiting for a later time (retries included).")):
            gauge = GaugeMetricFamily(name, text)
            gauge.add_metric([], state[key] or 0)
            yield gauge
        for name, key, text in (
                ("wijkwerk_jobs_failed", "failed", "Job attempts that raised an error."),
                ("wijkwerk_jobs_given_up", "given_up",
                 "Failed jobs with no retry left (the work was not done).")):
            counter = CounterMetricFamily(name, text)
            counter.add_metric([], state[key] or 0)
            yield counter


class _Measure:
    """WSGI middleware: times every request, whatever answers it (a view, an error page)."""

    def __init__(self, wsgi_app, metrics: _Metrics) -> None:
        self.wsgi_app = wsgi_app
        self.metrics = metrics

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        seen: dict = {}

        def start(status, headers, exc_info=None):
            seen["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, start)
        finally:
            status = seen.get("status", 500)
            endpoint = environ.get(_ENDPOINT_KEY) or str(status)
            try:
                self.metrics.observe(endpoint, environ.get("REQUEST_METHOD", ""), status,
                                     time.perf_counter() - started)
            except Exception:  # noqa: BLE001 - counting never breaks an answer
                log.warning("Metrics: could not count a request", exc_info=True)


def allowed(app: Flask) -> bool:
    """May this request read the metrics? A bearer token equal to METRICS_TOKEN; without a
    token configured, only development's loopback callers (never behind a proxy: production
    has METRICS_ALLOW_LOOPBACK off)."""
    token = app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), str(token).encode())
    if app.config.get("METRICS_ALLOW_LOOPBACK"):
        return request.remote_addr in {"127.0.0.1", "::1"}
    return False


def metrics_view():
    app = current_app._get_current_object()
    if not allowed(app):
        abort(404)
    body = app.extensions["wijkwerk_metrics"].exposition()
    return Response(body, content_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})


def init_app(app: Flask) -> None:
    """Measure every request and serve `/metrics`. Call after the extensions are bound (the
    pool is the app's engine's)."""
    from tenants.extensions import db

    with app.app_context():
        engine = db.engine
    disable_created_metrics()  # no `_created` series: half the text, nothing we chart
    metrics = _Metrics(engine)
    metrics.refresh_pool()  # the pool's size is known before the first request
    app.extensions["wijkwerk_metrics"] = metrics
    app.wsgi_app = _Measure(app.wsgi_app, metrics)

    @app.teardown_request
    def remember_endpoint(_exc=None):
        # The route's name, for the middleware (it runs outside Flask's request).
        request.environ[_ENDPOINT_KEY] = request.endpoint

    app.add_url_rule("/metrics", "metrics", metrics_view, methods=["GET"])
