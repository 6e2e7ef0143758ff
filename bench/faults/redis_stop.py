"""Drill (b): Redis stopped under load (rate limits and the job queue fall back).

    .venv/bin/python bench/faults/redis_stop.py [--down 15]

Residents keep sending the public form (each sends a confirmation mail through the job
queue, which lives in Redis) and a user logs in during the outage (the login limit's counters
live in Redis). The stack's own Redis is shut down for --down seconds, then started again (its
append-only file keeps what was queued). Expected: no 500, every write acknowledged and stored,
every acknowledged resident's confirmation mail delivered (sent directly in the background
while the queue is down, through the queue otherwise).
"""
from __future__ import annotations

import argparse
import time

from common import TENANT, Writers, loadavg, login, mails_for, partial_writes, stack


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--warm", type=float, default=8)
    ap.add_argument("--down", type=float, default=15)
    ap.add_argument("--after", type=float, default=15)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--mail-wait", type=float, default=120)
    args = ap.parse_args()
    print(f"load average at start: {loadavg()}")
    writers = Writers(threads=args.threads).start()
    time.sleep(args.warm)
    stack("redis-stop")
    down_at = time.time()
    time.sleep(args.down / 2)
    try:
        login(f"begeleider@{TENANT}.example.org")
        login_during = "logged in"
    except Exception as exc:  # noqa: BLE001 - reported
        login_during = f"FAILED: {exc!r}"
    time.sleep(args.down / 2)
    stack("redis-start")
    up_at = time.time()
    time.sleep(args.after)
    writers.stop()
    table, figures = writers.report("Redis stopped under load")
    during = [a for a in writers.attempts if down_at <= a.started and a.ended <= up_at]
    acked = figures["acknowledged"]
    deadline = time.time() + args.mail_wait
    while mails_for(writers.run) < acked and time.time() < deadline:
        time.sleep(2)
    mails = mails_for(writers.run)
    print(table)
    print(f"| writes during the outage | {len(during)}, acknowledged "
          f"{sum(a.outcome == 'ack' for a in during)} |")
    print(f"| a login during the outage | {login_during} |")
    print(f"| confirmation mails delivered / acknowledged writes | {mails} / {acked} |")
    print(f"| stored without their audit row (partial) | {partial_writes(writers.run)} |")
    print(f"load average at end: {loadavg()}")
    ok = (figures["500 answers"] == 0 and figures["acknowledged but LOST"] == 0
          and figures["answered as failed"] == 0 and mails == acked and login_during == "logged in")
    print("RESULT:", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
