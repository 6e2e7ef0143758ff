"""A short load check: demo accounts request a few of their pages in a loop, in threads.

Used by deploy/citus/verify.sh against a Citus coordinator and, for comparison, against plain
PostgreSQL holding the same demo (`flask --app app seed-demo`). In-process (Flask's test client,
no gunicorn, no network between client and app): it measures the app and its database, not a
web server. Reads DATABASE_URL and DATABASE_TENANT_SETTING from the environment.

    python deploy/citus/load_demo.py [seconds, default 30] [threads, default 2] [pages, default 6]

Prints the pages, then requests, errors (anything but 200), requests per second, p50 and p95
in milliseconds, overall and per page. Exits 1 on any error.
"""
from __future__ import annotations

import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from app import create_app  # noqa: E402
from blueprints.demo.cli import DEMO_PASSWORD  # noqa: E402
from crawl_demo import HREF, SKIP, _csrf  # noqa: E402
from tenants.config import load_config  # noqa: E402

#: accounts without two-factor (the crawl handles the code; the load needs none)
ACCOUNTS = ("begeleider@ons-breda.example.org", "deelnemer@ons-breda.example.org",
            "begeleider@kluswinkel-lelystad.example.org")


def logged_in(app, email):
    client = app.test_client()
    response = client.post("/login", data={"csrf_token": _csrf(client, "/login"),
                                           "email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and not response.headers["Location"].endswith("/code"), (
        f"{email}: login answered {response.status_code}")
    return client


def pages_of(client, count):
    start = client.get("/", follow_redirects=True).request.path
    area = "/" + start.strip("/").split("/")[0] + "/"
    pages = [start]
    for link in HREF.findall(client.get(start).get_data(as_text=True)):
        if len(pages) >= count:
            break
        if link not in pages and link.startswith(area) and not SKIP.search(link) \
                and client.get(link).status_code == 200:
            pages.append(link)
    return pages


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 6
    app = create_app(load_config("testing"))
    work = []
    for i in range(threads):
        client = logged_in(app, ACCOUNTS[i % len(ACCOUNTS)])
        work.append((client, pages_of(client, count)))
    for email, (_client, pages) in zip(ACCOUNTS, work):
        print(f"{email}: {' '.join(pages)}")
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run(client, pages):
        i = 0
        while time.monotonic() < deadline:
            path = pages[i % len(pages)]
            i += 1
            started = time.perf_counter()
            status = client.get(path).status_code
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings[path].append(elapsed)
                if status != 200:
                    errors.append(f"{status} {path}")

    began = time.monotonic()
    workers = [threading.Thread(target=run, args=w) for w in work]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    took = time.monotonic() - began
    every = [t for ts in timings.values() for t in ts]
    print(f"{threads} threads, {took:.0f} s: {len(every)} requests, {len(errors)} errors, "
          f"{len(every) / took:.1f} req/s, p50 {statistics.median(every):.0f} ms, "
          f"p95 {percentile(every, 95):.0f} ms")
    for path, ts in sorted(timings.items()):
        print(f"  {path:50} {len(ts):5}  p50 {statistics.median(ts):6.0f} ms  "
              f"p95 {percentile(ts, 95):6.0f} ms")
    for error in errors[:20]:
        print("ERROR", error)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
