"""Log in as the demo accounts and request every page their pages link to (GET only).

Used by deploy/citus/verify.sh against a Citus coordinator; works against any database holding
the demo (`flask --app app seed-demo`). Reads DATABASE_URL, DATABASE_TENANT_SETTING and
BASE_URL from the environment. Prints one line per account and a total; exits 1 when a page
answers 404 or 5xx (the demo links only to pages that exist).

    python deploy/citus/crawl_demo.py [max pages per account, default 80]
"""
from __future__ import annotations

import re
import sys
from collections import Counter, deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pyotp  # noqa: E402

from app import create_app  # noqa: E402
from blueprints.demo.cli import DEMO_PASSWORD, DEMO_TOTP_SECRET  # noqa: E402
from tenants.config import load_config  # noqa: E402

TENANTS = ("ons-breda", "kluswinkel-lelystad", "vrijwilligerscentrale-landgraaf")
ACCOUNTS = [f"{role}@{slug}.example.org" for slug in TENANTS
            for role in ("admin", "begeleider", "deelnemer")] + [
    "gemeente@breda.example.org", "netwerk@lsa.example.org", "beheer@wijkwerk.example.org"]
HREF = re.compile(r'href="(/[^"#?]*)')
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SKIP = re.compile(r"uitloggen|logout|/static/|/login")


def _csrf(client, path):
    match = CSRF.search(client.get(path).get_data(as_text=True))
    return match.group(1) if match else ""


def crawl(app, email: str, limit: int) -> tuple[Counter, list[str]]:
    client = app.test_client()
    response = client.post("/login", data={"csrf_token": _csrf(client, "/login"),
                                           "email": email, "password": DEMO_PASSWORD})
    if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
        response = client.post("/login/code", data={
            "csrf_token": _csrf(client, "/login/code"),
            "code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
    landing = client.get("/", follow_redirects=True)
    start = landing.request.path
    area = "/" + start.strip("/").split("/")[0] + "/"  # the tenant, /gemeente/…, /netwerk/
    if area == "//":
        area = start
    statuses: Counter = Counter()
    bad: list[str] = []
    seen = {start}
    queue = deque([start])
    while queue and sum(statuses.values()) < limit:
        path = queue.popleft()
        response = client.get(path)
        statuses[response.status_code] += 1
        if response.status_code == 404 or response.status_code >= 500:
            bad.append(f"{response.status_code} {path}")
        if not response.content_type.startswith("text/html"):
            continue
        for link in HREF.findall(response.get_data(as_text=True)):
            if link not in seen and not SKIP.search(link) and link.startswith(area):
                seen.add(link)
                queue.append(link)
    return statuses, bad


def main() -> int:
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 80
    app = create_app(load_config("testing"))
    total: Counter = Counter()
    failures: list[str] = []
    for email in ACCOUNTS:
        statuses, bad = crawl(app, email, limit)
        total.update(statuses)
        failures += [f"{email}: {b}" for b in bad]
        print(f"{email:45} {sum(statuses.values()):4} pages  {dict(sorted(statuses.items()))}")
    print(f"total {sum(total.values())} pages {dict(sorted(total.items()))}")
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
