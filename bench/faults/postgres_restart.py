"""Drill (a): PostgreSQL stopped and started again under load.

    bash bench/load/stack.sh start
    .venv/bin/python bench/faults/postgres_restart.py [--down 10] [--threads 4]

Residents keep sending the public form (bench/faults/common.py) while a logged-in supervisor
keeps reading the hours review; after --warm seconds the stack's own PostgreSQL is stopped
(`pg_ctl stop -m fast`: every connection is cut), kept down --down seconds and started again.
Expected: during the outage the answers are 503 with Retry-After (a Dutch page, no stack
trace); within 5 s after PostgreSQL is back the first write is acknowledged again; no
acknowledged write lost; no write stored that was answered as failed.
"""
from __future__ import annotations

import argparse
import threading
import time
from collections import Counter

from common import BASE, TENANT, Writers, loadavg, login, partial_writes, stack


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--warm", type=float, default=8)
    ap.add_argument("--down", type=float, default=10)
    ap.add_argument("--after", type=float, default=20)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()

    reader = login(f"begeleider@{TENANT}.example.org")
    reads: list[tuple[float, int, str | None, bool]] = []
    stop = threading.Event()

    def read_loop():
        while not stop.is_set():
            t = time.time()
            try:
                r = reader.get(f"{BASE}/{TENANT}/uren/", timeout=15, allow_redirects=False)
                reads.append((t, r.status_code, r.headers.get("Retry-After"),
                              "Tijdelijk niet beschikbaar" in r.text))
            except Exception:  # noqa: BLE001 - counted as no answer
                reads.append((t, 0, None, False))
            time.sleep(0.3)

    print(f"load average at start: {loadavg()}")
    writers = Writers(threads=args.threads).start()
    reading = threading.Thread(target=read_loop, daemon=True)
    reading.start()
    time.sleep(args.warm)
    down_at = time.time()
    stack("pg-stop")
    stopped_at = time.time()
    time.sleep(args.down)
    stack("pg-start")  # returns once PostgreSQL accepts connections (pg_ctl -w)
    up_at = time.time()
    time.sleep(args.after)
    writers.stop()
    stop.set()
    reading.join(30)

    table, figures = writers.report("PostgreSQL restarted under load")
    during = [a for a in writers.attempts if stopped_at <= a.started and a.ended <= up_at]
    during_statuses = Counter(a.outcome for a in during)
    with_retry = sum(1 for a in during if a.outcome.endswith("503") and a.retry_after)
    first_ack = min((a.ended for a in writers.attempts if a.outcome == "ack" and a.started >= up_at),
                    default=None)
    first_read = min((t for t, status, _, _ in reads if status == 200 and t >= up_at), default=None)
    read_during = Counter(status for t, status, _, _ in reads if stopped_at <= t <= up_at - 0.5)
    read_503_retry = sum(1 for t, s, ra, dutch in reads
                         if stopped_at <= t <= up_at and s == 503 and ra and dutch)
    print(table)
    print(f"| stop took | {stopped_at - down_at:.1f} s |")
    print(f"| writes during the outage: outcomes | {dict(during_statuses)} |")
    print(f"| of which 503 with Retry-After | {with_retry} |")
    print(f"| reads (hours review) during the outage | {dict(read_during)}; 503 + Retry-After + "
          f"Dutch page: {read_503_retry} |")
    print(f"| first write acknowledged after PostgreSQL was back | "
          f"{'never' if first_ack is None else f'{first_ack - up_at:.2f} s'} |")
    print(f"| first read 200 after PostgreSQL was back | "
          f"{'never' if first_read is None else f'{first_read - up_at:.2f} s'} |")
    print(f"| stored without their audit row (partial) | {partial_writes(writers.run)} |")
    print(f"load average at end: {loadavg()}")
    ok = (figures["acknowledged but LOST"] == 0 and figures["answered as failed but STORED"] == 0
          and figures["500 answers"] == 0 and first_ack is not None and first_ack - up_at <= 5)
    print("RESULT:", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
