"""The operator's health page: is the platform well? Database, Redis, the job queue, the last
backup and the last restore drill — figures about the platform, nothing about a tenant's people."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from tenants.db import pool_state
from tenants.jobs import queue_state
from tenants.throttle import store_state


@dataclass(frozen=True)
class Check:
    ok: bool | None  # None: not configured / unknown
    detail: dict


def database(session: Session) -> Check:
    started = time.perf_counter()
    try:
        session.scalar(select(literal(1)))
    except Exception as exc:  # noqa: BLE001 - any failure is the answer
        session.rollback()
        return Check(False, {"error": type(exc).__name__})
    return Check(True, {"ms": round((time.perf_counter() - started) * 1000, 1),
                        **pool_state(session)})


def redis() -> Check:
    state = store_state()  # shared / degraded / memory
    return Check(None if state == "memory" else state == "shared", {"state": state})


def jobs() -> Check:
    state = queue_state()
    ok = state["error"] is None and not state["given_up"]
    return Check(ok if state["error"] is None else False, state)


def _when(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def backups(status_file: str | None, now: datetime | None = None) -> dict[str, Check]:
    """The last backup and drill from the backup scripts' status file (deploy/backup/status.py).
    A backup older than 26 hours, or a drill older than 100 days, is not OK."""
    now = now or datetime.now(timezone.utc)
    if not status_file:
        return {"backup": Check(None, {}), "drill": Check(None, {})}
    try:
        with open(status_file, encoding="utf-8") as f:
            status = json.load(f)
    except (OSError, ValueError):
        status = {}
    result = {}
    for kind, max_hours in (("backup", 26), ("drill", 100 * 24)):
        entry = status.get(kind) or {}
        at = _when(entry.get("at"))
        fresh = at is not None and (now - at).total_seconds() <= max_hours * 3600
        result[kind] = Check(entry.get("outcome") == "ok" and fresh,
                             {**entry, "at": at, "fresh": fresh})
    return result


def metrics(token: str | None, loopback: bool) -> Check:
    """Is /metrics on (tenants.metrics), and do the workers add up their figures? Not configured
    (None) without a token; the health page says how to turn it on."""
    from tenants.metrics import multiprocess_dir

    mode = "token" if token else ("loopback" if loopback else None)
    return Check(True if mode else None,
                 {"access": mode, "multiprocess": multiprocess_dir() is not None})


def report(session: Session, status_file: str | None, metrics_token: str | None = None,
           metrics_loopback: bool = False) -> dict[str, Check]:
    return {"database": database(session), "redis": redis(), "jobs": jobs(),
            **backups(status_file), "metrics": metrics(metrics_token, metrics_loopback)}
