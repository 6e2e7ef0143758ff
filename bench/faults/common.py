"""What every fault drill shares: writers with unique markers, the stack's controls, counting.

The drills run against the private stack of bench/load/stack.sh (its own PostgreSQL, Redis,
SMTP sink, gunicorn and job worker), never the machine's shared servers. Run them with the app's
venv (they use requests and pyotp, not the app):

    .venv/bin/python bench/faults/postgres_restart.py

A writer is a resident sending the public help-request form of ons-breda, each with a unique
marker in the description and an e-mail address bench-<marker>@example.org (so a confirmation
mail goes out). Every attempt ends in one of: acknowledged (redirected to the thanks page),
refused with an answer (the status: 503, 500, ...) or no answer (connection reset, timeout).
Afterwards the drill counts the stored rows with the run's markers straight from PostgreSQL
(as the cluster's superuser, past RLS) and compares: an acknowledged write must be stored; a
write answered as failed must not be.
"""
from __future__ import annotations

import os
import re
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import requests

ROOT = Path(__file__).resolve().parents[2]
STACK_SH = ROOT / "bench" / "load" / "stack.sh"
BASE = f"http://127.0.0.1:{os.environ.get('WEB_PORT', '58000')}"
PG_PORT = os.environ.get("PG_PORT", "55432")
STACK = Path(os.environ.get("STACK", "/tmp/wijkwerk-stack"))
TENANT = "ons-breda"
PASSWORD = "wijkwerk-demo"
TOTP_SECRET = "WIJKWERKDEMOWIJKWERKDEMOWIJKWERK"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key"[^>]*value="([^"]+)"')


def stack(*args: str) -> None:
    subprocess.run(["bash", str(STACK_SH), *args], check=True)


def psql(sql: str) -> list[str]:
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", PG_PORT, "-U", "postgres", "-d",
                          "wijkwerk", "-Atc", sql], check=True, capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if line]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def login(email: str) -> requests.Session:
    web = requests.Session()

    def token(path):
        return CSRF.search(web.get(BASE + path, timeout=30).text)[1]

    r = web.post(BASE + "/login", data={"csrf_token": token("/login"), "email": email,
                                        "password": PASSWORD}, allow_redirects=False, timeout=30)
    if "/login/code" in r.headers.get("Location", ""):
        r = web.post(BASE + "/login/code", data={"csrf_token": token("/login/code"),
                                                 "code": pyotp.TOTP(TOTP_SECRET).now()},
                     allow_redirects=False, timeout=30)
    assert r.status_code in (302, 303) and "/login" not in r.headers.get("Location", ""), r
    return web


@dataclass
class Attempt:
    marker: str
    started: float
    ended: float
    outcome: str          # "ack", "answered <status>", "no answer", "no form <status>"
    retry_after: str | None = None
    traceback: bool = False


@dataclass
class Writers:
    """`threads` residents sending the public form in a loop until stop()."""
    # letters only: digits in the text could add up to something that passes as a BSN
    run: str = field(default_factory=lambda: "".join(chr(97 + int(c, 16))
                                                     for c in uuid.uuid4().hex[:8]))
    threads: int = 4
    pause: float = 0.2
    attempts: list[Attempt] = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers = [threading.Thread(target=self._loop, args=(n,), daemon=True)
                         for n in range(self.threads)]

    def start(self):
        for w in self._workers:
            w.start()
        return self

    def stop(self):
        self._stop.set()
        for w in self._workers:
            w.join(60)

    def _record(self, attempt: Attempt):
        with self._lock:
            self.attempts.append(attempt)

    def _loop(self, n: int):
        count = 0
        while not self._stop.is_set():
            count += 1
            marker = f"{self.run}-{n}-{count}"
            self._record(self.once(marker))
            time.sleep(self.pause)

    def once(self, marker: str) -> Attempt:
        web = requests.Session()
        started = time.time()
        url = f"{BASE}/{TENANT}/hulp-vragen"
        try:
            page = web.get(url, timeout=15)
        except requests.RequestException:
            return Attempt(marker, started, time.time(), "no form (no answer)")
        if page.status_code != 200:
            return Attempt(marker, started, time.time(), f"no form {page.status_code}",
                           page.headers.get("Retry-After"), "Traceback" in page.text)
        data = {"csrf_token": CSRF.search(page.text)[1],
                "idempotency_key": (KEY.search(page.text) or [None, ""])[1],
                "name": "Drill Bewoner", "street": "Drillstraat 1", "postcode": "4811 AA",
                "city": "Breda", "phone": "", "email": f"bench-{marker}@example.org",
                "kind": "tuin", "description": f"Drill {marker}: de heg snoeien",
                "preferred_dates": "", "website": ""}
        try:
            r = web.post(url, data=data, timeout=15, allow_redirects=False)
        except requests.RequestException:
            return Attempt(marker, started, time.time(), "no answer")
        ok = r.status_code in (302, 303) and "/hulp-vragen/bedankt" in r.headers.get("Location", "")
        return Attempt(marker, started, time.time(), "ack" if ok else f"answered {r.status_code}",
                       r.headers.get("Retry-After"), "Traceback" in r.text)

    # --- counting -------------------------------------------------------------------------

    def stored(self) -> set[str]:
        rows = psql(f"SELECT description FROM help_requests WHERE description LIKE "
                    f"'Drill {self.run}-%'")
        return {row.split()[1].rstrip(":") for row in rows}

    def report(self, title: str) -> tuple[str, dict]:
        stored = self.stored()
        tried = [a for a in self.attempts if not a.outcome.startswith("no form")]
        acked = {a.marker for a in tried if a.outcome == "ack"}
        answered_failed = {a.marker for a in tried if a.outcome.startswith("answered")}
        no_answer = {a.marker for a in tried if a.outcome == "no answer"}
        outcomes = Counter(a.outcome for a in self.attempts)
        figures = {
            "writes tried": len(tried),
            "acknowledged": len(acked),
            "acknowledged and stored": len(acked & stored),
            "acknowledged but LOST": len(acked - stored),
            "answered as failed": len(answered_failed),
            "answered as failed but STORED": len(answered_failed & stored),
            "no answer (connection cut)": len(no_answer),
            "no answer, stored": len(no_answer & stored),
            "stored in all": len(stored),
            "answers with a stack trace": sum(a.traceback for a in self.attempts),
            "500 answers": sum(a.outcome.endswith(" 500") for a in self.attempts),
        }
        lines = [f"### {title}", "", "| count | value |", "| --- | ---: |"]
        lines += [f"| {k} | {v} |" for k, v in figures.items()]
        lines += ["", "outcomes: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items()))]
        return "\n".join(lines), figures


def partial_writes(run: str) -> int:
    """Stored help requests of the run without their audit row (half a transaction)."""
    return int(psql(
        "SELECT count(*) FROM help_requests h WHERE h.description LIKE "
        f"'Drill {run}-%' AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE "
        "a.action = 'help_request.received' AND a.object_id = h.id::text)")[0])


def mails_for(run: str) -> int:
    """Confirmation mails of the run in the SMTP sink's Maildir."""
    box = STACK / "mail" / "box"
    found = set()
    for sub in ("new", "cur"):
        folder = box / sub
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            head = path.read_bytes()[:4000].decode("utf-8", "replace")
            m = re.search(rf"^To: .*bench-({run}-\d+-\d+)@example\.org", head, re.M)
            if m:
                found.add(m[1])
    return len(found)
