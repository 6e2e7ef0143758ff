"""Running service calls in parallel threads, each with its own session and transaction, for
the PostgreSQL concurrency tests (row locks, counters, idempotency keys)."""
from __future__ import annotations

import threading
import time

from sqlalchemy.orm import Session

from tenants.errors import DomainError
from tenants.extensions import db
from tenants.tenancy import set_tenant


def engine_of(app):
    with app.app_context():
        return db.engine


def run_together(app, tenant_id, *actions, hold_first: float = 0.0):
    """Run each `action(session)` in its own thread, session and transaction, all starting at
    once. With `hold_first`, the first action keeps its transaction (and locks) open that many
    seconds after it ran, and the others start only once it has run: a certain overlap.
    Returns ("ok", value) / ("refused", message) / ("error", repr) per action."""
    engine = engine_of(app)
    barrier = threading.Barrier(len(actions))
    first_done = threading.Event()
    results: list = [None] * len(actions)

    def worker(i, action):
        with app.app_context(), Session(engine) as session:
            set_tenant(session, tenant_id)
            try:
                barrier.wait(timeout=10)
                if hold_first and i > 0:
                    first_done.wait(timeout=10)
                value = action(session)
                if hold_first and i == 0:
                    first_done.set()
                    time.sleep(hold_first)
                session.commit()
                results[i] = ("ok", value)
            except DomainError as exc:
                session.rollback()
                results[i] = ("refused", exc.message)
            except Exception as exc:  # noqa: BLE001 - a 500 in the making: reported below
                session.rollback()
                results[i] = ("error", repr(exc))
            finally:
                first_done.set()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    assert not [r for r in results if r[0] == "error"], results
    return results
