"""Locust journeys for the Wijkwerk load test (bench/load/run.py runs them; see deploy/OPERATIONS.md).

    .benchvenv/bin/locust -f bench/load/locustfile.py --headless -H http://127.0.0.1:58000 \
        -u 12 -r 2 -t 3m --csv /tmp/load

Five journeys over the demo data (`flask --app app seed-demo`), weighted like a working day:
residents send the public help-request form, participants write their hours on a phone,
supervisors approve the waiting hours, an admin builds and sends an invoice, a municipal
officer (two-factor login) reads the shared report. Each journey is also reported as one
request of type JOURNEY (its whole duration), so p50/p95 per journey come out of locust's own
statistics next to those of each step.

Locust talks HTTP only: this file imports nothing of the app (it runs from its own venv,
.benchvenv). LOAD_WAIT=0 removes the think time (a saturation run); FLOOR=1 turns every
user into a client of the framework floor (bench/floor.py) instead.
"""
from __future__ import annotations

import html as htmllib
import os
import random
import re
import time
import uuid
from datetime import date, timedelta

from locust import HttpUser, between, constant, events, task

try:  # pyotp is small and pure Python; the bench venv installs it next to locust
    import pyotp
except ImportError:  # pragma: no cover - without it the 2FA journeys cannot log in
    pyotp = None

PASSWORD = "wijkwerk-demo"
TOTP_SECRET = "WIJKWERKDEMOWIJKWERKDEMOWIJKWERK"
THINK = constant(0) if os.environ.get("LOAD_WAIT") == "0" else between(2, 6)
TENANTS = ["ons-breda", "kluswinkel-lelystad", "vrijwilligerscentrale-landgraaf"]
MUNICIPALITIES = {"0758": "breda", "0995": "lelystad", "0882": "landgraaf"}

_TAG = re.compile(r"<(input|select|textarea|button)\b([^>]*)>", re.S | re.I)
_ATTR = re.compile(r'([a-zA-Z_:-]+)\s*=\s*"([^"]*)"')
_OPTION = re.compile(r"<option\b([^>]*)>", re.I)


def _attrs(raw: str) -> dict:
    return {k.lower(): htmllib.unescape(v) for k, v in _ATTR.findall(raw)}


def form(page: str, action_part: str, here: str = "") -> tuple[str, list[tuple[str, str]]]:
    """(action, fields) of the first POST form whose action contains `action_part`: hidden
    inputs, text values, checked boxes, each select's selected (or first) option; fields
    outside the form that name it with form="id" are included, as a browser does."""
    for match in re.finditer(r"<form\b([^>]*)>(.*?)</form>", page, re.S | re.I):
        attrs = _attrs(match.group(1))
        attrs.setdefault("action", here)  # no action: the form posts to the page itself
        if action_part not in attrs.get("action", "") or attrs.get("method", "get").lower() != "post":
            continue
        body = match.group(2)
        if attrs.get("id"):
            body += "".join(m.group(0) for m in _TAG.finditer(page)
                            if f'form="{attrs["id"]}"' in m.group(0))
        fields = []
        for tag in re.finditer(r"<(input|select|textarea)\b([^>]*)>(.*?)(?=<(?:input|select|textarea|button|/form)\b|$)",
                               body, re.S | re.I):
            kind, a = tag.group(1).lower(), _attrs(tag.group(2))
            name = a.get("name")
            if not name:
                continue
            if kind == "select":
                options = [_attrs(o) for o in _OPTION.findall(tag.group(3))]
                chosen = next((o for o in options if "selected" in o), options[0] if options else {})
                fields.append((name, chosen.get("value", "")))
            elif kind == "textarea":
                fields.append((name, htmllib.unescape(tag.group(3).split("</textarea>")[0])))
            elif a.get("type") in ("checkbox", "radio"):
                if "checked" in tag.group(2):
                    fields.append((name, a.get("value", "y")))
            elif a.get("type") not in ("submit", "button", "file"):
                fields.append((name, a.get("value", "")))
        return attrs["action"], fields
    raise LookupError(f"no form with action {action_part!r}")


def options(page: str, select_name: str) -> list[str]:
    m = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', page, re.S)
    return [v for v in re.findall(r'<option[^>]*value="([^"]*)"', m.group(1) if m else "") if v]


def marker(n: int = 12) -> str:
    """A unique marker of letters only: digits in free text can look like a BSN (9 digits
    passing the 11-test), which the app rightly refuses with a 400 (it happened, 1 in 352)."""
    return "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:n])


def replace(fields, **values):
    out = [(k, v) for k, v in fields if k not in values]
    return out + [(k, v) for k, v in values.items()]


class Journey(HttpUser):
    abstract = True
    wait_time = THINK
    email = ""

    def on_start(self):
        if self.email:
            self.login(self.email)

    def check(self, response, *, expect_path: str | None = None):
        """A journey step succeeded: 2xx after redirects, not sent back to the login page."""
        if response.status_code >= 400:
            raise StepFailed(f"{response.request.method} {response.url}: {response.status_code}")
        if "/login" in response.url and "/login" not in (expect_path or ""):
            raise StepFailed(f"{response.url}: logged out")
        return response

    def get(self, path, name):
        return self.check(self.client.get(path, name=name))

    def post(self, path, data, name):
        return self.check(self.client.post(path, data=data, name=name))

    def login(self, email):
        page = self.check(self.client.get("/login", name="login"), expect_path="/login")
        _, fields = form(page.text, "/login")
        r = self.check(self.client.post("/login", name="login", allow_redirects=False, data=replace(
            fields, email=email, password=PASSWORD)), expect_path="/login")
        if "/login/code" in r.headers.get("Location", ""):
            page = self.check(self.client.get("/login/code", name="login: code"),
                              expect_path="/login")
            _, fields = form(page.text, "/login/code")
            r = self.check(self.client.post("/login/code", name="login: code", allow_redirects=False,
                                            data=replace(fields, code=pyotp.TOTP(TOTP_SECRET).now())),
                           expect_path="/login")
        if r.status_code not in (302, 303) or "/login" in r.headers.get("Location", ""):
            raise StepFailed(f"login {email}: {r.status_code}")

    def journey(self, name, steps):
        started = time.perf_counter()
        error = None
        try:
            steps()
        except (StepFailed, LookupError) as exc:
            error = exc
        events.request.fire(request_type="JOURNEY", name=name, response_time=(
            time.perf_counter() - started) * 1000, response_length=0, exception=error,
            context={})


class StepFailed(Exception):
    pass


class Resident(Journey):
    """A resident asks for help through the cooperative's public form (no account)."""
    weight = 3

    @task
    def ask_for_help(self):
        tenant = random.choice(TENANTS)

        def steps():
            page = self.get(f"/{tenant}/hulp-vragen", "public form")
            action, fields = form(page.text, "/hulp-vragen", here=f"/{tenant}/hulp-vragen")
            kind = re.search(r'name="kind"[^>]*value="([^"]+)"', page.text)[1]
            mark = marker()
            r = self.post(action, replace(
                fields, name="Bewoner Belasting", street="Teststraat 1", postcode="4811 AA",
                city="Breda", phone="", email=f"bench-{mark}@example.org", kind=kind,
                description=f"De heg moet gesnoeid worden (bench {mark})", preferred_dates="",
                website=""), "public form: send")
            if "/hulp-vragen/bedankt" not in r.url:
                raise StepFailed(f"public form not accepted: {r.url}")
        self.journey("resident: public help request", steps)


class Participant(Journey):
    """A participant writes today's or a recent day's hours on a phone."""
    weight = 4

    def on_start(self):
        self.tenant = random.choice(TENANTS)
        self.email = f"deelnemer@{self.tenant}.example.org"
        super().on_start()

    @task
    def log_hours(self):
        def steps():
            page = self.get(f"/{self.tenant}/uren/mijn", "hours: mine")
            action, fields = form(page.text, "/uren/mijn")
            day = date.today() - timedelta(days=random.randint(0, 6))
            r = self.post(action, replace(fields, work_date=day.isoformat(), hours="0,25",
                                          note=f"bench {marker(8)}"), "hours: write")
            if "/uren/mijn" not in r.url or r.status_code != 200:
                raise StepFailed("hours not written")
        self.journey("participant: write hours", steps)


class Supervisor(Journey):
    """A supervisor looks at the waiting hours and approves what is on the page."""
    weight = 2

    def on_start(self):
        self.tenant = random.choice(TENANTS)
        self.email = f"begeleider@{self.tenant}.example.org"
        super().on_start()

    @task
    def approve_week(self):
        def steps():
            page = self.get(f"/{self.tenant}/uren/", "hours: review")
            self.get(f"/{self.tenant}/uren/week", "hours: week grid")
            try:
                action, fields = form(page.text, "/uren/goedkeuren")
            except LookupError:
                return  # nothing waiting
            entries = [v for k, v in fields if k == "page_entry"][:10]
            if not entries:
                return
            keep = [(k, v) for k, v in fields if k in ("csrf_token", "next")
                    or any(k == f"version-{e}" for e in entries)]
            self.post(action, keep + [("entry", e) for e in entries], "hours: approve")
        self.journey("supervisor: approve hours", steps)


class Admin(Journey):
    """An admin makes a draft invoice, adds a line, makes it final and sends it."""
    weight = 1

    def on_start(self):
        self.tenant = "ons-breda"
        self.email = f"admin@{self.tenant}.example.org"
        super().on_start()

    @task
    def invoice(self):
        t = f"/{self.tenant}/facturen"

        def steps():
            self.get(f"{t}/", "invoices")
            page = self.get(f"{t}/nieuw", "invoice: new")
            action, fields = form(page.text, "/facturen/nieuw")
            customer = random.choice(options(page.text, "customer"))
            draft = self.post(action, replace(fields, customer=customer), "invoice: create draft")
            match = re.search(r"/facturen/(\d+)", draft.url)
            if not match:
                raise StepFailed(f"no draft: {draft.url}")
            invoice_url = f"{t}/{match[1]}"
            action, fields = form(draft.text, "/regels")
            page = self.post(action, replace(fields, description="Snoeiwerk (bench)", quantity="2",
                                             unit_price="17,50"), "invoice: add line")
            action, fields = form(page.text, "/verzenden")
            done = self.post(action, replace(fields, confirm="y", versturen="1"), "invoice: send")
            if "Concept" in re.sub(r"<[^>]+>", "", done.text).split("Factuur", 1)[-1][:300]:
                raise StepFailed(f"{invoice_url} still a draft")
        self.journey("admin: build and send invoice", steps)


class Officer(Journey):
    """A municipal officer (two-factor login) reads the shared report, year and quarter."""
    weight = 1

    def on_start(self):
        self.code, town = random.choice(list(MUNICIPALITIES.items()))
        self.email = f"gemeente@{town}.example.org"
        super().on_start()

    @task
    def read_report(self):
        year = date.today().year - 1
        base = f"/gemeente/{self.code}/"

        def steps():
            self.get(base, "report: portal")
            self.get(f"{base}?periode=jaar&jaar={year}&vergelijk=vorig_jaar", "report: year")
            self.get(f"{base}?periode=kwartaal&jaar={year}&kwartaal=4", "report: quarter")
        self.journey("officer: read report", steps)


class Floor(HttpUser):
    """The framework floor (bench/floor.py): one page, no login."""
    wait_time = THINK

    @task
    def floor(self):
        self.client.get("/", name="floor")


if os.environ.get("FLOOR") == "1":
    for _cls in (Resident, Participant, Supervisor, Admin, Officer):
        _cls.abstract = True
else:
    Floor.abstract = True
