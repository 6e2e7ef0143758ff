"""Benchmark: the participant list page with a large cooperative.

    .venv/bin/python bench/participants_list.py [N]

Builds a throw-away SQLite database (or uses BENCH_DATABASE_URL) with the migrations, adds N
participants (default 10,000) to one tenant, then times the list page (first page, a middle page,
a search and a filter) through the test client and prints the SQL statement count per request.
Not part of the test suite: CI does not gate on time; tests gate on the query counts.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from sqlalchemy import event, insert  # noqa: E402

from app import create_app  # noqa: E402
from blueprints.participants.models import Participant  # noqa: E402
from tenants.config import load_config  # noqa: E402
from tenants.db import new_id  # noqa: E402
from tenants.extensions import db  # noqa: E402
from tenants.models import Membership, Role, Tenant, TenantKind, User  # noqa: E402
from tenants.identity import hash_password  # noqa: E402
from tenants.tenancy import tenant_context  # noqa: E402


def main(n: int) -> None:
    tmp = tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    cfg = load_config("testing", env={"DATABASE_URL": url})
    cfg["WTF_CSRF_ENABLED"] = False
    app = create_app(cfg)
    with app.app_context():
        flask_migrate.upgrade()
        tenant = Tenant(slug="bench", name="Benchmark", kind=TenantKind.BEWONERSINITIATIEF)
        user = User(email="bench@example.org", name="Bench", password_hash=hash_password("x" * 12))
        db.session.add_all([tenant, user])
        db.session.flush()
        with tenant_context(db.session, tenant.id):
            db.session.add(Membership(user_id=user.id, role=Role.SUPERVISOR))
            started = time.perf_counter()
            for chunk in range(0, n, 2000):
                db.session.execute(insert(Participant), [
                    {"tenant_id": tenant.id, "id": new_id(), "first_name": f"Voornaam{i}",
                     "last_name": f"Achternaam{i:06d}", "supervisor_id": user.id,
                     "skills": [], "languages": [], "available_days": []}
                    for i in range(chunk, min(n, chunk + 2000))])
        db.session.commit()
        print(f"inserted {n} participants in {time.perf_counter() - started:.1f}s")
        engine = db.engine
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.org", "password": "x" * 12})
    count = [0]
    event.listen(engine, "before_cursor_execute", lambda *a, **k: count.__setitem__(0, count[0] + 1))
    for label, path in (("first page", "/bench/deelnemers/"),
                        ("page 200", "/bench/deelnemers/?page=200"),
                        ("search", "/bench/deelnemers/?q=voornaam123"),
                        ("status filter", "/bench/deelnemers/?status=intake&page=3")):
        client.get(path)
        times = []
        for _ in range(5):
            count[0] = 0
            t0 = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.status_code
        print(f"{label:14s} median {sorted(times)[2] * 1000:7.1f} ms, {count[0]} SQL statements")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
