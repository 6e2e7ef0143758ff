"""The load test: the five journeys against gunicorn, then the framework floor, in one run.

    bash bench/load/stack.sh start             # own PostgreSQL, Redis, SMTP, gunicorn, worker
    eval "$(bash bench/load/stack.sh env)"     # DATABASE_URL for the floor
    .benchvenv/bin/python bench/load/run.py --minutes 10 --users 12
    bash bench/load/stack.sh stop

Phases, one after the other on the same machine (the stack from bench/load/stack.sh, or any
app at --host):
  1. journeys  - the locustfile's five journeys with think time (2-6 s), --users users, for
                 --minutes: p50/p95 per journey, requests per second, errors;
  2. app, saturated - the same journeys without think time for --saturate seconds;
  3. floor, saturated - bench/floor.py under gunicorn with deploy/gunicorn.conf.py (same
                 workers and threads), same user count, no think time, --saturate seconds.
It prints markdown tables (for bench/RESULTS.md) and the load average before and after each
phase: the machine is shared, and other processes' CPU shows up in every figure.

Runs from the bench venv (.benchvenv: locust + pyotp); it imports nothing of the app.
"""
from __future__ import annotations

import argparse
import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCUST = Path(sys.executable).parent / "locust"
APP_VENV = ROOT / ".venv" / "bin"


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def locust(host: str, users: int, seconds: int, csv_prefix: str, env: dict) -> dict:
    cmd = [str(LOCUST), "-f", str(ROOT / "bench/load/locustfile.py"), "--headless", "-H", host,
           "-u", str(users), "-r", str(max(1, users // 4)), "-t", f"{seconds}s",
           "--csv", csv_prefix, "--only-summary", "--stop-timeout", "30"]
    before = loadavg()
    proc = subprocess.run(cmd, env={**os.environ, **env}, cwd="/tmp", capture_output=True,
                          text=True)
    after = loadavg()
    rows = {}
    with open(csv_prefix + "_stats.csv") as f:
        for row in csv.DictReader(f):
            rows[(row["Type"], row["Name"])] = row
    failures = Path(csv_prefix + "_failures.csv").read_text().strip().splitlines()[1:]
    return {"rows": rows, "failures": failures, "before": before, "after": after,
            "exit": proc.returncode, "stderr": proc.stderr[-3000:]}


def table(result: dict, title: str) -> str:
    out = [f"**{title}** (load average before {result['before']}, after {result['after']})", "",
           "| journey / step | requests | failures | p50 ms | p95 ms | req/s |",
           "| --- | ---: | ---: | ---: | ---: | ---: |"]
    rows = result["rows"]
    journeys = sorted(k for k in rows if k[0] == "JOURNEY")
    steps = sorted(k for k in rows if k[0] not in ("JOURNEY", "") and k[1] != "Aggregated")
    for key in journeys + steps:
        r = rows[key]
        name = f"**{key[1]}**" if key[0] == "JOURNEY" else f"{key[0]} {key[1]}"
        out.append(f"| {name} | {r['Request Count']} | {r['Failure Count']} | {r['50%']} | "
                   f"{r['95%']} | {float(r['Requests/s']):.2f} |")
    agg = rows.get(("", "Aggregated"))
    if agg:
        http = sum(int(rows[k]["Request Count"]) for k in steps)
        fails = sum(int(rows[k]["Failure Count"]) for k in steps)
        per_second = sum(float(rows[k]["Requests/s"]) for k in steps)
        out.append(f"| all HTTP requests | {http} | {fails} | | | {per_second:.2f} |")
    for line in result["failures"][:10]:
        out.append(f"\nfailure: {line}")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="http://127.0.0.1:58000")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--users", type=int, default=12)
    ap.add_argument("--saturate", type=int, default=60)
    args = ap.parse_args()
    if args.saturate and not os.environ.get("DATABASE_URL"):
        ap.error("the floor needs DATABASE_URL (eval \"$(bash bench/load/stack.sh env)\")")
    work = tempfile.mkdtemp(prefix="wijkwerk-load-")
    report = [f"machine: {os.cpu_count()} cores, load average at start {loadavg()}"]

    r = locust(args.host, args.users, int(args.minutes * 60), f"{work}/journeys", {})
    report.append(table(r, f"1. Journeys with think time, {args.users} users, "
                           f"{args.minutes:g} min"))
    if args.saturate:
        r = locust(args.host, args.users, args.saturate, f"{work}/saturated", {"LOAD_WAIT": "0"})
        report.append(table(r, f"2. Journeys without think time, {args.users} users, "
                               f"{args.saturate} s"))
        port = free_port()
        env = {**os.environ, "PORT": str(port)}
        floor = subprocess.Popen(
            [str(APP_VENV / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "-b",
             f"127.0.0.1:{port}", "bench.floor:app"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(6)
            r = locust(f"http://127.0.0.1:{port}", args.users, args.saturate, f"{work}/floor",
                       {"LOAD_WAIT": "0", "FLOOR": "1"})
            report.append(table(r, f"3. Framework floor (bench/floor.py, same gunicorn "
                                   f"settings), {args.users} users, no think time, "
                                   f"{args.saturate} s"))
        finally:
            floor.terminate()
            floor.wait(30)
    print("\n\n".join(report))
    print(f"\n(locust CSV files in {work})")


if __name__ == "__main__":
    main()
