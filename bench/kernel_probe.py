"""Probe: the fixed CPU of a staff request, in-process, against the floor in the same process.

    .venv/bin/python bench/kernel_probe.py --db /tmp/demo.sqlite3      # built when missing
    BENCH_DATABASE_URL=postgresql://app:...@127.0.0.1/db .venv/bin/python bench/kernel_probe.py
    .venv/bin/python bench/kernel_probe.py --profile kernel --top 40  # cProfile of one probe

A tenant page of ONS Breda (the retention page) is requested by its logged-in admin with the
test client, its view replaced by a probe:

- `kernel`: the view returns a short string: everything around a view (hooks, the session and
  login, tenant and membership, CSRF, locale, security headers, metrics, teardown);
- `layout`: the view renders an empty page on base.html (the header, menu and footer every
  page carries), so `layout - kernel` is the layout's share;
- `retention`: the real view, for reference.

The floor (bench/floor.py) runs through its own test client in the same process, interleaved.
Figures: CPU ms per request (the least of the blocks: a shared machine only adds time) and
Python function calls per request (deterministic; compare those on a busy machine).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pages as bench  # noqa: E402
from profile_pages import client_for  # noqa: E402

PAGE = f"/{bench.SLUG}/privacy/bewaartermijn"
ENDPOINT = "privacy.retention"


def _calls(fn, n: int) -> float:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(n):
        fn()
    profile.disable()
    return pstats.Stats(profile).total_calls / n


def _cpu(fn, n: int, blocks: int) -> float:
    best = float("inf")
    for _ in range(blocks):
        started = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - started) / n * 1000)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="an SQLite file; built when missing")
    parser.add_argument("-n", type=int, default=100, help="requests per block")
    parser.add_argument("--blocks", type=int, default=7)
    parser.add_argument("--profile", choices=("kernel", "layout", "retention"))
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "probe.sqlite3"
        url = f"sqlite:///{path}"
        if not path.exists():
            bench.build(url, None, "demo")
    app, client = client_for(url)
    os.environ["DATABASE_URL"] = bench._env(url, None)["DATABASE_URL"]
    import floor  # noqa: E402 - reads DATABASE_URL at import

    floor_client = floor.app.test_client()
    real_view = app.view_functions[ENDPOINT]

    def kernel_view(*_a, **_k):
        return "probe"

    empty_page = app.jinja_env.from_string('{% extends "base.html" %}{% block content %}'
                                           '<h1>probe</h1>{% endblock %}')

    def layout_view(*_a, **_k):
        from flask import render_template
        return render_template(empty_page)  # compiled once, like a template file

    views = {"kernel": kernel_view, "layout": layout_view, "retention": real_view}

    def request(name):
        def go():
            app.view_functions[ENDPOINT] = views[name]
            response = client.get(PAGE)
            assert response.status_code == 200, response.status_code
        return go

    def floor_request():
        assert floor_client.get("/").status_code == 200

    for name in views:  # warm: templates, statement caches, the pool
        request(name)()
    floor_request()

    if args.profile:
        fn = request(args.profile)
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(args.n):
            fn()
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
        return

    rows = {}
    for _ in range(args.blocks):  # interleaved: the machine's load hits all alike
        for name in ("floor", *views):
            fn = floor_request if name == "floor" else request(name)
            ms = _cpu(fn, args.n, 1)
            rows[name] = min(rows.get(name, float("inf")), ms)
    calls = {name: _calls(floor_request if name == "floor" else request(name), 20)
             for name in ("floor", *views)}
    db = url.split(":", 1)[0]
    print(f"\n{db}, {args.blocks} blocks of {args.n} requests, least block:\n")
    print("| request | CPU ms | × floor | function calls |\n| --- | ---: | ---: | ---: |")
    for name in ("floor", *views):
        print(f"| {name} | {rows[name]:.2f} | {rows[name] / rows['floor']:.2f} | "
              f"{calls[name]:,.0f} |")


if __name__ == "__main__":
    main()
