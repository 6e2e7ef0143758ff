"""Benchmark: CPU per request of the staff pages, as a multiple of a bare Flask page.

    .venv/bin/python bench/pages.py                  # SQLite, demo size and 100x one tenant
    .venv/bin/python bench/pages.py --sizes demo     # demo size only (about 2 minutes)
    BENCH_DATABASE_URL=postgresql://app:...@127.0.0.1/db \\
    BENCH_MIGRATIONS_DATABASE_URL=postgresql://owner:...@127.0.0.1/db \\
        .venv/bin/python bench/pages.py              # PostgreSQL too (an empty database)
    .venv/bin/python bench/pages.py --throughput     # also 4 workers under wrk, app vs floor
    .venv/bin/python bench/pages.py --pages report   # only the pages whose label has "report"
    git archive main | tar -x -C /tmp/base && ln -s $PWD/.venv /tmp/base/.venv
    .venv/bin/python bench/pages.py --base /tmp/base # before and after, interleaved, one run

For each size it builds a database with the migrations and `seed-demo`; "100x" then grows the
demo cooperative ONS Breda to 1,000 participants, 300,000 approved hours, 5,000 invoices and
808 customers, and adds 50 small cooperatives, in bulk. PostgreSQL is ANALYZEd as the owner
role (the app role may not: ANALYZE then silently skips every table).

It serves the app (`app:app`) and the floor (`bench/floor.py`: bare Flask + SQLAlchemy reading
25 rows + Jinja), each with ONE sync gunicorn worker, logs in as ONS Breda's admin, and reads
each worker's own CPU clock (/proc/<pid>/stat: user + system) around blocks of requests,
interleaving pages and the floor so that a noisy machine affects both alike. Per page it prints
CPU ms per request (median of the rounds), the ratio to the floor, SQL statements per request
(counted in-process with the test client) and the HTML size.

Not part of the test suite: CI does not gate on time. Results go to bench/RESULTS.md by hand,
with the date and the machine.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pyotp  # noqa: E402
import requests  # noqa: E402

DEMO_PASSWORD = "wijkwerk-demo"
DEMO_TOTP = "WIJKWERKDEMOWIJKWERKDEMOWIJKWERK"
ADMIN = "admin@ons-breda.example.org"
#: pages read by someone other than ONS Breda's admin: label prefix -> the demo account
OFFICER = "gemeente@breda.example.org"   # two-factor, like the admin
NETWORK = "netwerk@lsa.example.org"       # the network's admin, password only
PAGE_USERS = {"municipality": OFFICER, "network": NETWORK}
SLUG = "ons-breda"
TICKS = os.sysconf("SC_CLK_TCK")
UTC = timezone.utc
VENV_BIN = Path(sys.executable).parent


# --- building the data ------------------------------------------------------------------------

def _env(url: str, migrations_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("MIGRATIONS_DATABASE_URL", "TEST_DATABASE_URL", "REDIS_URL")}
    env.update(DATABASE_URL=url, WIJKWERK_ENV="development", RATELIMIT_ENABLED="0",
               BASE_URL="http://127.0.0.1:5000", PYTHONPATH=str(ROOT))
    if migrations_url:
        env["MIGRATIONS_DATABASE_URL"] = migrations_url
    return env


def _flask(env: dict, *args: str) -> None:
    subprocess.run([str(VENV_BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)


def reset_postgres(url: str, migrations_url: str) -> None:
    """Empty the benchmark database: drop everything the owner made."""
    from sqlalchemy import create_engine, make_url, text

    from tenants.config import database_url

    engine = create_engine(database_url(migrations_url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
        app_role = make_url(database_url(url)).username
        conn.execute(text(f'GRANT USAGE ON SCHEMA public TO "{app_role}"'))
        # The default privileges of deploy/postgres/roles.sql are kept per schema: the new
        # schema needs them again, or the app role may read none of the tables made next.
        conn.execute(text("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, "
                          f'UPDATE, DELETE ON TABLES TO "{app_role}"'))
        conn.execute(text("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON "
                          f'SEQUENCES TO "{app_role}"'))
    engine.dispose()


def build(url: str, migrations_url: str | None, size: str) -> None:
    env = _env(url, migrations_url)
    started = time.perf_counter()
    _flask(env, "db", "upgrade")
    _flask({k: v for k, v in env.items() if k != "MIGRATIONS_DATABASE_URL"}, "seed-demo")
    print(f"  demo built in {time.perf_counter() - started:.0f} s")
    if size == "100x":
        started = time.perf_counter()
        counts = grow(url)
        print(f"  grown to 100x in {time.perf_counter() - started:.0f} s: "
              + ", ".join(f"{n:,} {k}" for k, n in counts.items()))
        started = time.perf_counter()  # the bulk rows bypassed the events: count them once
        _flask({k: v for k, v in env.items() if k != "MIGRATIONS_DATABASE_URL"},
               "reports", "rebuild")
        print(f"  report summaries rebuilt in {time.perf_counter() - started:.0f} s")
    if migrations_url:
        from sqlalchemy import create_engine, text

        from tenants.config import database_url

        engine = create_engine(database_url(migrations_url))
        with engine.connect() as conn:  # as the owner: the app role's ANALYZE skips the tables
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        engine.dispose()


def grow(url: str) -> dict:
    """ONS Breda to 100x: 1,000 participants with a trajectory each, 300,000 approved hours over
    three years, 808 customers, 5,000 invoices, a ledger and an audit trail to match; and 50
    small cooperatives (20 participants, 2,000 hours each), all written in bulk."""
    from sqlalchemy import insert, select

    import invoices_list as inv
    from app import create_app
    from blueprints.budgets.models import (AccountKind, LedgerAccount, LedgerEntry,
                                           LedgerTransaction, TransactionKind)
    from blueprints.customers.models import Customer, CustomerKind
    from blueprints.hours.models import EntryStatus, HourType, TimeEntry
    from blueprints.invoicing.models import FinanceSettings
    from blueprints.participants.models import Participant
    from blueprints.trajectories.models import (Funding, Trajectory, TrajectoryKind,
                                                TrajectoryStatus)
    from tenants.config import load_config
    from tenants.db import new_id
    from tenants.extensions import db
    from tenants.models import AuditEvent, Tenant, TenantKind, User
    from tenants.tenancy import tenant_context

    app = create_app(load_config("development", env=_env(url, None)))
    rng = random.Random(11)
    today = date.today()
    counts: dict[str, int] = {}

    def bulk(model, rows):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[start:start + 5000])
        counts[model.__tablename__] = counts.get(model.__tablename__, 0) + len(rows)

    def people(tenant_id: int, n: int, coach_id: int, hours_each: int, tag: str) -> list[int]:
        parts, trajs, entries = [], [], []
        for i in range(n):
            pid, tid = new_id(), new_id()
            start = today - timedelta(days=rng.randint(200, 1095))
            parts.append(dict(tenant_id=tenant_id, id=pid, first_name=f"Deelnemer{tag}{i}",
                              last_name=f"Achternaam{i:04d}", supervisor_id=coach_id,
                              skills=[], languages=[], available_days=[]))
            trajs.append(dict(tenant_id=tenant_id, id=tid, participant_id=pid,
                              kind=TrajectoryKind.SOCIAL_JOB, job_coach_id=coach_id,
                              starts_on=start, planned_end_on=today + timedelta(days=365),
                              hours_per_week=16, build_up=[], funding=Funding.SUBSIDY,
                              status=TrajectoryStatus.ACTIVE))
            span = (today - start).days
            for k in range(hours_each):
                day = start + timedelta(days=k * span // hours_each)
                entries.append(dict(tenant_id=tenant_id, id=new_id(), participant_id=pid,
                                    trajectory_id=tid, work_date=day,
                                    minutes=rng.choice((120, 180, 240)),
                                    hour_type=HourType.TRAJECTORY, status=EntryStatus.APPROVED,
                                    submitted_at=datetime(day.year, day.month, day.day, 17,
                                                          tzinfo=UTC),
                                    reviewed_by_id=coach_id, version=1))
        bulk(Participant, parts)
        bulk(Trajectory, trajs)
        bulk(TimeEntry, entries)
        return [p["id"] for p in parts]

    with app.app_context():
        s = db.session
        tenant = s.scalar(select(Tenant).where(Tenant.slug == SLUG))
        admin = s.scalar(select(User).where(User.email == ADMIN))
        coach = s.scalar(select(User).where(User.email == f"begeleider@{SLUG}.example.org"))
        with tenant_context(s, tenant.id):
            have = len(s.scalars(select(Participant.id)).all())
            pids = people(tenant.id, 1000 - have, coach.id, 300, "B")
            customers = [dict(tenant_id=tenant.id, id=new_id(), kind=CustomerKind.RESIDENT,
                              name=f"Bewoner {i:04d}", street=f"Lindenlaan {i}",
                              postcode="4811AA", city="Breda", country_code="NL",
                              email=f"bewoner{i}@example.org", wants_ubl=False)
                         for i in range(808 - len(s.scalars(select(Customer.id)).all()))]
            bulk(Customer, customers)
            settings = s.scalar(select(FinanceSettings))

            class Series:  # bench invoices in series of their own: numbers never collide
                def __getattr__(self, name):
                    return getattr(settings, name)

                invoice_prefix, credit_prefix = "B", "BC"

            b = inv.Builder(tenant.id, admin.id, today, rng)
            big = dict(customers[0])
            inv._invoices(b, 5000, Series(), big, customers[1:], pids)
            b.rows.pop(LedgerAccount, None)
            for model in (inv.Invoice, inv.InvoiceLine, inv.Payment, AuditEvent):
                bulk(model, b.rows.get(model, []))
            # the ledger: an account per new participant, 20,000 entries against earnings
            earnings = s.scalar(select(LedgerAccount.id).where(LedgerAccount.key == "earnings"))
            accounts = [dict(tenant_id=tenant.id, id=new_id(), key=f"participant:{pid}",
                             kind=AccountKind.PARTICIPANT, participant_id=pid) for pid in pids]
            bulk(LedgerAccount, accounts)
            txs, entries = [], []
            for i in range(10_000):
                acc = rng.choice(accounts)["id"]
                cents = rng.randint(1000, 9000)
                booked = today - timedelta(days=rng.randint(0, 1094))
                tx = new_id()
                txs.append(dict(tenant_id=tenant.id, id=tx, idempotency_key=f"bench:{i}",
                                kind=TransactionKind.ALLOCATION, description="Toekenning",
                                booked_on=booked, created_by_id=admin.id,
                                created_at=datetime(booked.year, booked.month, booked.day,
                                                    tzinfo=UTC)))
                entries += [dict(tenant_id=tenant.id, id=new_id(), transaction_id=tx,
                                 account_id=acc, amount_cents=cents),
                            dict(tenant_id=tenant.id, id=new_id(), transaction_id=tx,
                                 account_id=earnings, amount_cents=-cents)]
            bulk(LedgerTransaction, txs)
            bulk(LedgerEntry, entries)
            # the audit trail: 100 views and changes per participant
            audit = [dict(tenant_id=tenant.id, id=new_id(),
                          at=datetime.now(UTC) - timedelta(minutes=rng.randint(1, 1_500_000)),
                          actor_user_id=coach.id, actor_email=coach.email,
                          action=rng.choice(("participant.viewed", "participant.updated")),
                          object_type="Participant", object_id=str(pid))
                     for pid in pids for _ in range(100)]
            bulk(AuditEvent, audit)
        for n in range(50):
            small = Tenant(slug=f"klein-{n:02d}", name=f"Kleine coöperatie {n}",
                           kind=TenantKind.BEWONERSINITIATIEF)
            s.add(small)
            s.flush()
            with tenant_context(s, small.id):
                people(small.id, 20, None, 100, f"K{n}")
        s.commit()
    return counts


# --- serving and measuring --------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with `workers` sync workers on a free port; knows its workers' pids."""

    def __init__(self, target: str, env: dict, workers: int = 1, cwd: Path = ROOT):
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-k", "sync", "--max-requests", "0",
             "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", target],
            cwd=cwd, env=dict(env, PYTHONPATH=str(cwd)), stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                requests.get(self.base + ("/healthz" if target == "app:app" else "/"), timeout=60)
                break
            except (requests.ConnectionError, requests.Timeout):  # still booting (a busy machine)
                time.sleep(0.2)
        self.pids = [int(p) for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
                     .read_text().split()]

    def cpu(self) -> float:
        """CPU seconds (user + system) the workers have used so far."""
        total = 0
        for pid in self.pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / TICKS

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def user_of(label: str) -> str:
    return next((email for prefix, email in PAGE_USERS.items() if label.startswith(prefix)),
                ADMIN)


def fresh_code(url: str, email: str) -> None:
    """Forget the account's last used two-factor step: a code is accepted once, and the
    benchmark logs the same account in twice within 30 seconds (counting, then serving)."""
    from sqlalchemy import create_engine, text

    from tenants.config import database_url

    engine = create_engine(database_url(url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET totp_last_step = NULL WHERE email = :e"),
                     {"e": email})
    engine.dispose()


def login(base: str, email: str = ADMIN) -> requests.Session:
    web = requests.Session()

    def token(path):
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', web.get(base + path).text)[1]

    r = web.post(base + "/login", data={"csrf_token": token("/login"), "email": email,
                                        "password": DEMO_PASSWORD}, allow_redirects=False)
    if "/login/code" in r.headers.get("Location", ""):
        r = web.post(base + "/login/code", data={"csrf_token": token("/login/code"),
                                                 "code": pyotp.TOTP(DEMO_TOTP).now()},
                     allow_redirects=False)
    assert r.status_code in (302, 303), f"login failed: {email} {r.status_code}"
    return web


def staff_pages(url: str) -> list[tuple[str, str]]:
    """(label, path) of the pages a coordinator uses, with ids taken from the demo data."""
    from sqlalchemy import func, select

    from app import create_app
    from blueprints.customers.models import Customer
    from blueprints.helprequests.models import HelpRequest
    from blueprints.hours.models import TimeEntry
    from blueprints.invoicing.models import Invoice, InvoiceStatus
    from blueprints.network.models import Meeting
    from blueprints.trajectories.models import Trajectory
    from tenants.config import load_config
    from tenants.extensions import db
    from tenants.models import Tenant
    from tenants.tenancy import tenant_context

    app = create_app(load_config("development", env=_env(url, None)))
    with app.app_context():
        s = db.session
        tenant = s.scalar(select(Tenant).where(Tenant.slug == SLUG))
        with tenant_context(s, tenant.id):
            busiest = s.execute(select(TimeEntry.participant_id, func.count())
                                .group_by(TimeEntry.participant_id)
                                .order_by(func.count().desc()).limit(1)).first()[0]
            trajectory = s.scalar(select(Trajectory.id)
                                  .where(Trajectory.participant_id == busiest).limit(1))
            invoice = s.scalar(select(Invoice.id).where(Invoice.status == InvoiceStatus.PAID)
                               .order_by(Invoice.issue_date.desc()).limit(1))
            customer = s.scalar(select(Invoice.customer_id).group_by(Invoice.customer_id)
                                .order_by(func.count().desc()).limit(1))
            customer_page = s.scalar(select(Customer.id).limit(1))
            help_request = s.scalar(select(HelpRequest.id).limit(1))
        s.rollback()
        meeting = s.scalar(select(Meeting.id).where(Meeting.published_at.is_not(None))
                           .order_by(Meeting.day).limit(1))
        s.rollback()
    t = f"/{SLUG}"
    year = date.today().year
    return [
        ("start", f"{t}/"),
        ("participants", f"{t}/deelnemers/"),
        ("participant", f"{t}/deelnemers/{busiest}/"),
        ("trajectory", f"{t}/trajecten/{trajectory}/"),
        ("hosts", f"{t}/inzetorganisaties/"),
        ("hours: review", f"{t}/uren/"),
        ("hours: week grid", f"{t}/uren/week"),
        ("hours: participant", f"{t}/uren/deelnemer/{busiest}"),
        ("help requests", f"{t}/hulpvragen/"),
        ("help request", f"{t}/hulpvragen/{help_request}/"),
        ("help: new", f"{t}/hulpvragen/nieuw"),
        ("help: week", f"{t}/hulpvragen/week"),
        ("customers", f"{t}/klanten/"),
        ("customer", f"{t}/klanten/{customer_page}/"),
        ("invoices", f"{t}/facturen/"),
        ("invoice", f"{t}/facturen/{invoice}"),
        ("invoice: new", f"{t}/facturen/nieuw"),
        ("overdue", f"{t}/facturen/achterstallig"),
        ("statement", f"{t}/facturen/klant/{customer}/overzicht"),
        ("budgets", f"{t}/budgetten/?jaar={year}"),
        ("course proposals", f"{t}/budgetten/voorstellen"),
        ("courses", f"{t}/budgetten/cursussen"),
        ("team", f"{t}/team/"),
        ("audit log", f"{t}/team/auditlog"),
        ("audit trail", f"{t}/privacy/deelnemer/{busiest}/auditlog"),
        ("retention", f"{t}/privacy/bewaartermijn"),
        ("report: year", f"{t}/rapportage?periode=jaar&jaar={year - 1}&vergelijk=vorig_jaar"),
        ("report: quarter", f"{t}/rapportage?periode=kwartaal&jaar={year - 1}&kwartaal=4"),
        ("report: year, template jaarverslag",
         f"{t}/rapportage?periode=jaar&jaar={year - 1}&vergelijk=vorig_jaar&sjabloon=jaarverslag"),
        ("report: quarter, template financiers",
         f"{t}/rapportage?periode=kwartaal&jaar={year - 1}&kwartaal=4&sjabloon=financiers"),
        ("report: month, template maandoverzicht",
         f"{t}/rapportage?periode=maand&jaar={year - 1}&maand=11&sjabloon=maandoverzicht"),
        ("report: hours drill-down", f"{t}/rapportage/uren?periode=kwartaal&jaar={year - 1}"
                                     "&kwartaal=4"),
        ("report: value", f"{t}/rapportage/waarde"),
        ("municipality portal", "/gemeente/0758/"),
        ("network", "/netwerk/"),
        ("network: meeting", f"/netwerk/bijeenkomsten/{meeting}/"),
    ]


def statements(url: str, pages: list[tuple[str, str]]) -> dict[str, int]:
    """SQL statements per request of each page, counted in-process (test client)."""
    from sqlalchemy import event

    from app import create_app
    from tenants.config import load_config
    from tenants.extensions import db

    app = create_app(load_config("development", env=_env(url, None)))
    clients = {}

    def client_of(email):
        if email not in clients:
            fresh_code(url, email)
            client = clients[email] = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
            r = client.post("/login", data={"csrf_token": csrf, "email": email,
                                            "password": DEMO_PASSWORD})
            if "/login/code" in r.headers.get("Location", ""):
                page = client.get("/login/code").get_data(as_text=True)
                csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
                client.post("/login/code", data={"csrf_token": csrf,
                                                 "code": pyotp.TOTP(DEMO_TOTP).now()})
        return clients[email]

    with app.app_context():
        engine = db.engine
    count = [0]
    event.listen(engine, "before_cursor_execute",
                 lambda *a, **k: count.__setitem__(0, count[0] + 1))
    out = {}
    for label, path in pages:
        client = client_of(user_of(label))
        client.get(path)
        count[0] = 0
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        out[label] = count[0]
    return out


def measure(url: str, pages, rounds: int, block: int, base: Path | None = None
            ) -> dict[str, dict]:
    """CPU per request of each page and of the floor, interleaved; with `base` (another checkout
    of the app, e.g. `git archive main`) that app's too, served from the same database and
    measured in the same rounds: a before/after comparison on a busy machine."""
    env = _env(url, None)
    app, floor = Server("app:app", env), Server("bench.floor:app", env)
    before = Server("app:app", env, cwd=base) if base else None
    try:
        webs, before_webs = {}, {}
        for email in {user_of(label) for label, _ in pages}:
            fresh_code(url, email)
            webs[email] = login(app.base, email)
            if before:
                fresh_code(url, email)
                before_webs[email] = login(before.base, email)
        sizes = {}
        for label, path in pages:  # warm every page once (templates, plans)
            r = webs[user_of(label)].get(app.base + path, allow_redirects=False)
            assert r.status_code == 200, (label, path, r.status_code)
            sizes[label] = len(r.content)
            if before:
                before_webs[user_of(label)].get(before.base + path, allow_redirects=False)
        plain = requests.Session()
        plain.get(floor.base + "/")
        samples: dict[str, list[float]] = {label: [] for label, _ in pages}
        samples["floor"] = []
        base_samples: dict[str, list[float]] = {label: [] for label, _ in pages}

        def run(server, session, path):
            before = server.cpu()
            for _ in range(block):
                session.get(server.base + path, allow_redirects=False)
            return (server.cpu() - before) / block * 1000

        for _ in range(rounds):
            for label, path in pages:
                samples["floor"].append(run(floor, plain, "/"))
                samples[label].append(run(app, webs[user_of(label)], path))
                if before:
                    base_samples[label].append(run(before, before_webs[user_of(label)], path))
        floor_ms = statistics.median(samples.pop("floor"))
        return {"floor": floor_ms, **{label: {
            "cpu": statistics.median(v), "html": sizes[label],
            "base": statistics.median(base_samples[label]) if before else None}
            for label, v in samples.items()}}
    finally:
        app.stop()
        floor.stop()
        if before:
            before.stop()


def throughput(url: str, seconds: int = 10) -> tuple[float, float]:
    """Requests per second of the start page and of the floor, 4 workers each, under wrk."""
    if not shutil.which("wrk"):
        print("  (wrk not installed: apt-get install wrk)")
        return 0.0, 0.0
    env = _env(url, None)
    results = []
    for target, path in (("app:app", f"/{SLUG}/deelnemers/"), ("bench.floor:app", "/")):
        server = Server(target, env, workers=4)
        try:
            headers = []
            if target == "app:app":
                fresh_code(url, ADMIN)
                web = login(server.base)
                cookie = "; ".join(f"{k}={v}" for k, v in web.cookies.items())
                headers = ["-H", f"Cookie: {cookie}"]
            out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", *headers,
                                  server.base + path], capture_output=True, text=True).stdout
            results.append(float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]))
        finally:
            server.stop()
    return results[0], results[1]


def report(db_label: str, size: str, result: dict, counts: dict[str, int]) -> str:
    floor = result.pop("floor")
    lines = [f"\n### {db_label}, {size} — floor {floor:.2f} ms CPU per request\n"]
    if any(r.get("base") is not None for r in result.values()):
        lines += ["| page | base CPU ms | base × floor | CPU ms/request | × floor | statements "
                  "| HTML KB |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for label, r in result.items():
            lines.append(f"| {label} | {r['base']:.1f} | {r['base'] / floor:.1f} | "
                         f"{r['cpu']:.1f} | {r['cpu'] / floor:.1f}"
                         f"{' ⚠' if r['cpu'] > 4 * floor else ''} | "
                         f"{counts[label]} | {r['html'] / 1024:.0f} |")
        return "\n".join(lines)
    lines += ["| page | CPU ms/request | × floor | statements | HTML KB |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for label, r in result.items():
        lines.append(f"| {label} | {r['cpu']:.1f} | {r['cpu'] / floor:.1f} | "
                     f"{counts[label]} | {r['html'] / 1024:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="demo,100x")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--block", type=int, default=20, help="requests per measurement")
    parser.add_argument("--throughput", action="store_true")
    parser.add_argument("--pages", default="",
                        help="only pages whose label contains this (or one of several, "
                             "comma-separated)")
    parser.add_argument("--base", type=Path, help="another checkout of the app (e.g. an export "
                        "of main) to measure interleaved with this one: before and after")
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="which of sqlite,postgresql (PostgreSQL needs BENCH_DATABASE_URL)")
    args = parser.parse_args()
    targets = [("SQLite", None, None)] if "sqlite" in args.databases else []
    if os.environ.get("BENCH_DATABASE_URL") and "postgresql" in args.databases:
        targets.append(("PostgreSQL", os.environ["BENCH_DATABASE_URL"],
                        os.environ["BENCH_MIGRATIONS_DATABASE_URL"]))
    print(f"# bench/pages.py — {datetime.now():%d-%m-%Y %H:%M}, {os.cpu_count()} cores, "
          f"{platform_line()}")
    for db_label, url, migrations_url in targets:
        for size in args.sizes.split(","):
            tmp = tempfile.mkdtemp()
            if url is None:
                db_url = f"sqlite:///{tmp}/bench.sqlite3"
            else:
                reset_postgres(url, migrations_url)
                db_url = url
            print(f"\n{db_label}, {size}: building…")
            build(db_url, migrations_url, size)
            pages = [p for p in staff_pages(db_url)
                     if any(part in p[0] for part in args.pages.split(","))]
            counts = statements(db_url, pages)
            result = measure(db_url, pages, args.rounds, args.block, args.base)
            print(report(db_label, size, result, counts))
            if args.throughput:
                app_rps, floor_rps = throughput(db_url)
                print(f"\nthroughput, 4 workers, wrk -c8 10 s: participant list {app_rps:.0f} "
                      f"req/s, floor {floor_rps:.0f} req/s ({app_rps / floor_rps:.0%})")
            shutil.rmtree(tmp, ignore_errors=True)


def platform_line() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU")
    return f"{model}, Python {sys.version.split()[0]}"


if __name__ == "__main__":
    main()
