"""The job queue: work that runs after the answer (mail) or on a schedule (clean-ups).

Why Huey (https://huey.readthedocs.io, MIT, maintained since 2011): one small library with
the three storages this project needs behind the same task API — SQLite (nothing to install,
so the Quick start stays one command), Redis (production: many workers share one queue), and
memory (tests) — plus retries with a delay and a backoff factor, tasks scheduled for later,
and periodic tasks by crontab run by the same consumer (no separate beat process). Its only
dependency for Redis is redis-py, which the rate limiter already uses. RQ and Dramatiq need
Redis (or RabbitMQ) even in development; Celery is much larger and its SQL transports are
not first-class.

How jobs run, by environment (`JOBS_BACKEND`, `JOBS_IMMEDIATE`, `JOBS_IN_PROCESS`):
- **testing**: immediate mode — a task runs inline the moment it is enqueued, so a test sees
  its effect (the mail in `outbox`) right away. A failing task is logged, never raised; its
  retry waits in memory. Tests of retries switch to a real queue (`configure`) and step the
  consumer with `run_pending`.
- **development**: a SQLite queue in `instance/jobs.sqlite3` and a consumer thread inside the
  web process, started by the first request (`flask run` is all there is to start). Queued
  work survives a restart and is picked up by the next one.
- **production**: with `REDIS_URL` the queue lives in Redis; `deploy/worker.py` creates the
  app once for `huey_consumer` (workers, and one scheduler for periodic tasks). Without
  `REDIS_URL` the SQLite queue is used, and one consumer must run on the same machine.

Jobs and tenants: a `tenant_task` takes the tenant id as its first argument and runs inside a
fresh app context (its own database session) with that tenant set for the ORM filter and for
row-level security, and commits before the tenant is cleared. Job code never calls
`create_app()`: the app is registered here by `init_app` (the web process, or
`deploy/worker.py`).
"""
from __future__ import annotations

import functools
import json
import logging
import os
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Callable, Iterator

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.signals import SIGNAL_ERROR
from huey.consumer import Consumer
from huey.constants import EmptyData
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

log = logging.getLogger(__name__)

#: The one queue. Tasks register on it at import time; `init_app` gives it its storage from
#: the app's configuration (until then it keeps tasks in memory and runs nothing).
huey = Huey("wijkwerk", storage_class=MemoryStorage, utc=True)

_state: dict = {"app": None, "consumer": None}
_lock = threading.Lock()

__all__ = ["huey", "crontab", "init_app", "configure", "tenant_task", "job_app_context",
           "run_pending", "every_day", "daily_cleanup", "queue_state"]


def configure(backend: str, *, immediate: bool = False, path: str | None = None,
              url: str | None = None) -> None:
    """Point the queue at a storage: "redis" (url), "sqlite" (path) or "memory".

    Huey binds tasks to one instance at import time, so the instance stays and its storage
    is swapped here (the same thing Huey's own `immediate` switch does)."""
    if backend == "redis":
        storage_class, kwargs = RedisStorage, {"url": url}
    elif backend == "sqlite":
        storage_class, kwargs = SqliteStorage, {"filename": path}
    elif backend == "memory":
        storage_class, kwargs = MemoryStorage, {}
    else:
        raise ValueError(f"Unknown job backend {backend!r}")
    old = huey.storage
    huey.storage_class, huey.storage_kwargs = storage_class, kwargs
    huey._immediate = immediate  # immediate mode keeps its tasks in memory (Huey's default)
    huey.storage = huey.create_storage()
    if backend == "sqlite" and path and not immediate:
        os.chmod(path, 0o600)  # queued mail holds reset links: the app's user only
    if old is not huey.storage and hasattr(old, "close"):
        old.close()


def init_app(app: Flask) -> None:
    """Bind the queue to `app`'s configuration; jobs run in this app from now on."""
    backend = app.config["JOBS_BACKEND"]
    path = app.config.get("JOBS_SQLITE_PATH") or os.path.join(app.instance_path,
                                                              "jobs.sqlite3")
    if backend == "sqlite" and not app.config["JOBS_IMMEDIATE"]:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    configure(backend, immediate=app.config["JOBS_IMMEDIATE"], path=path,
              url=app.config.get("JOBS_REDIS_URL"))
    _state["app"] = app
    app.extensions["jobs"] = huey
    if app.config.get("JOBS_IN_PROCESS") and not app.config["JOBS_IMMEDIATE"]:
        app.before_request(_ensure_in_process_consumer)


# --- running inside the app and the tenant --------------------------------------------------

def _app() -> Flask:
    if has_app_context():  # immediate mode: the caller's app (a request, a test)
        return current_app._get_current_object()
    if _state["app"] is None:
        raise RuntimeError("The job queue has no app: call tenants.jobs.init_app(app) first "
                           "(create_app does; the worker creates the app once).")
    return _state["app"]


@contextmanager
def job_app_context() -> Iterator[Flask]:
    """A fresh app context for one job: its own `g` and database session, removed after."""
    app = _app()
    with app.app_context():
        yield app


def tenant_task(**task_options) -> Callable:
    """Declare a job that runs for one tenant: `@tenant_task(retries=3, retry_delay=60)`.

    Enqueue it with the tenant id first: `count_rows(tenant.id, …)`. The job runs with that
    tenant set (ORM filter and row-level security), commits its work while the tenant is
    still set, and rolls back on an error (Huey then retries it if it has retries left)."""

    def decorator(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def run(tenant_id: int, *args, **kwargs):
            from tenants.extensions import db
            from tenants.tenancy import tenant_context

            with job_app_context():
                try:
                    with tenant_context(db.session, int(tenant_id)):
                        result = fn(*args, **kwargs)
                        db.session.commit()  # before the tenant is cleared
                except Exception:
                    db.session.rollback()
                    raise
                return result

        return huey.task(**task_options)(run)

    return decorator


# --- the consumer -----------------------------------------------------------------------------

class _InProcessConsumer(Consumer):
    """Huey's consumer as threads of the web process (development): the server owns the
    process signals, so none are installed."""

    def _set_signal_handlers(self):
        pass


def _ensure_in_process_consumer() -> None:
    if _state["consumer"] is not None:
        return
    with _lock:
        if _state["consumer"] is None:
            consumer = _InProcessConsumer(huey, workers=1, worker_type="thread", periodic=True,
                                          max_delay=1.0, check_worker_health=False)
            consumer.start()
            _state["consumer"] = consumer
            log.info("Job queue: consumer thread started in the web process")


def run_pending(now: datetime | None = None) -> int:
    """One pass of the consumer, in this thread: move tasks due by `now` (UTC) from the
    schedule to the queue, then run every queued task once. Returns how many ran. For tests
    and for stepping through a queue by hand; production runs `huey_consumer`."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(tzinfo=None)
    for task in huey.read_schedule(now):
        huey.enqueue(task)
    ran = 0
    for _ in range(huey.pending_count()):
        task = huey.dequeue()
        if task is None:
            break
        huey.execute(task, now)
        ran += 1
    return ran


# --- what the operator sees (the health page) -----------------------------------------------

#: Failed jobs, kept in the queue's own storage (Redis in production), so that every worker
#: process counts into the same figure: {"failed": attempts that raised, "given_up": of those,
#: the ones with no retry left, "last_at": ISO time, "last_task": the task's name}.
FAILURES_KEY = "wijkwerk:job-failures"


@huey.signal(SIGNAL_ERROR)
def _count_failure(signal, task, exc=None) -> None:
    try:
        counts = _failures()
        counts["failed"] += 1
        if not getattr(task, "retries", 0):
            counts["given_up"] += 1
        counts["last_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        counts["last_task"] = getattr(task, "name", None)
        huey.storage.put_data(FAILURES_KEY, json.dumps(counts).encode())
    except Exception:  # noqa: BLE001 - counting must never change what happens to the job
        log.warning("Job queue: could not count a failed job", exc_info=True)


def _failures() -> dict:
    raw = huey.storage.peek_data(FAILURES_KEY)
    counts = {"failed": 0, "given_up": 0, "last_at": None, "last_task": None}
    if raw and raw is not EmptyData:
        counts.update(json.loads(raw))
    return counts


def queue_state() -> dict:
    """Depth and failures of the queue, for the operator: {"pending", "scheduled", "failed",
    "given_up", "last_at", "last_task", "error"}; "error" is set (and the figures None) when the
    queue's storage cannot be read."""
    try:
        return {"pending": huey.pending_count(), "scheduled": huey.scheduled_count(),
                **_failures(), "error": None}
    except Exception as exc:  # noqa: BLE001 - Redis down: the page says so
        return {"pending": None, "scheduled": None, "failed": None, "given_up": None,
                "last_at": None, "last_task": None, "error": type(exc).__name__}


# --- the daily clean-up --------------------------------------------------------------------

_daily: dict[str, Callable[[], None]] = {}


def every_day(name: str, fn: Callable[[], None]) -> None:
    """Register a clean-up for the daily job (e.g. purge expired files). It runs in an app
    context with no tenant set; one failing clean-up does not stop the others."""
    _daily[name] = fn


@huey.periodic_task(crontab(hour="2", minute="30"), name="daily_cleanup")
def daily_cleanup() -> list[str]:
    """Every night at 02:30 UTC: run each registered clean-up. Returns the names that ran."""
    done = []
    with job_app_context():
        for name, fn in sorted(_daily.items()):
            try:
                fn()
                done.append(name)
            except Exception:  # noqa: BLE001 - logged; the other clean-ups still run
                log.exception("Daily clean-up %s failed", name)
    return done
