"""Profile: where a staff page's CPU goes, per page, with cProfile.

    .venv/bin/python bench/profile_pages.py                        # every staff page, 30 requests
    .venv/bin/python bench/profile_pages.py -n 50 invoices start   # some pages (labels or paths)
    .venv/bin/python bench/profile_pages.py --db /tmp/demo.sqlite3 # reuse a built database
    .venv/bin/python bench/profile_pages.py --sort tottime --top 40

Builds a throw-away SQLite database with the migrations and `seed-demo` (the same demo
cooperative as bench/pages.py; `--size 100x` grows it the same way), logs in as ONS Breda's
admin (or the page's own demo account: the municipality officer, the network admin) with the
test client, requests each page once to warm it (templates, plans), then runs cProfile (CPU
time; `--wall` for wall time) over N requests of it and prints the functions with the highest
cumulative time, the CPU time per request without the profiler (the least of five blocks) and
the Python function calls per request (deterministic: compare those on a busy machine). The
test client skips gunicorn and the socket, so the figures are the application's own CPU;
bench/pages.py remains the benchmark.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pyotp  # noqa: E402

import pages as bench  # noqa: E402


def client_for(url: str, email: str = bench.ADMIN, app=None):
    from app import create_app
    from tenants.config import load_config

    app = app or create_app(load_config("development", env=bench._env(url, None)))
    bench.fresh_code(url, email)
    client = app.test_client()

    def csrf(path):
        page = client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]

    r = client.post("/login", data={"csrf_token": csrf("/login"), "email": email,
                                    "password": bench.DEMO_PASSWORD})
    if "/login/code" in r.headers.get("Location", ""):
        client.post("/login/code", data={"csrf_token": csrf("/login/code"),
                                         "code": pyotp.TOTP(bench.DEMO_TOTP).now()})
    return app, client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help="labels or paths of bench/pages.py (all if none)")
    parser.add_argument("-n", type=int, default=30, help="requests per page")
    parser.add_argument("--db", help="an SQLite file; built when missing")
    parser.add_argument("--size", default="demo", choices=("demo", "100x"))
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--wall", action="store_true",
                        help="profile wall time (default: CPU time, so that waits such as "
                             "SQLite's commit to disk do not show up as cost)")
    args = parser.parse_args()

    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "profile.sqlite3"
    url = f"sqlite:///{path}"
    if not path.exists():
        print(f"building {path}…")
        bench.build(url, None, args.size)
    pages = bench.staff_pages(url)
    if args.pages:
        pages = [(label, p) for label, p in pages if label in args.pages or p in args.pages]
    app, client = client_for(url)
    clients = {bench.ADMIN: client}
    summary = []
    for label, page in pages:
        email = bench.user_of(label)
        if email not in clients:
            clients[email] = client_for(url, email, app)[1]
        client = clients[email]
        response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        blocks = []  # the least of five blocks: a shared machine only ever adds time
        for _ in range(5):
            started = time.process_time()
            for _ in range(max(1, args.n // 5)):
                client.get(page)
            blocks.append((time.process_time() - started) / max(1, args.n // 5) * 1000)
        plain = min(blocks)
        profile = cProfile.Profile() if args.wall else cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(args.n):
            client.get(page)
        profile.disable()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats(args.sort).print_stats(args.top)
        print(f"\n=== {label} ({page}): {plain:.1f} ms CPU per request without the profiler, "
              f"{len(response.data) / 1024:.0f} KB")
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))
        summary.append((label, plain, len(response.data), stats.total_calls / args.n))
    # Python function calls per request: deterministic, unlike the milliseconds of a shared
    # machine; a change that removes calls from a page shows here at once.
    print("\n| page | CPU ms/request (test client) | HTML KB | function calls/request |\n"
          "| --- | ---: | ---: | ---: |")
    for label, ms, size, calls in summary:
        print(f"| {label} | {ms:.1f} | {size / 1024:.0f} | {calls:,.0f} |")


if __name__ == "__main__":
    main()
