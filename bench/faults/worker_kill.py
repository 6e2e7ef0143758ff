"""Drill (e): a gunicorn worker killed (SIGKILL) mid-request, several times, under load.

    .venv/bin/python bench/faults/worker_kill.py [--kills 6]

Residents keep sending the public form with --threads clients (more than the workers'
threads, so every worker is always inside a request); every --every seconds one worker of the
stack's gunicorn gets SIGKILL (no cleanup, no rollback by the app: PostgreSQL rolls the open
transaction back when the connection drops). Expected: no acknowledged write lost, no half
write (every stored request has its audit row), the master replaces the worker.
"""
from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path

from common import STACK, Writers, loadavg, partial_writes


def workers() -> list[int]:
    master = int((STACK / "web.pid").read_text())
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=6)
    ap.add_argument("--every", type=float, default=4)
    ap.add_argument("--threads", type=int, default=6)
    args = ap.parse_args()
    print(f"load average at start: {loadavg()}")
    writers = Writers(threads=args.threads, pause=0).start()
    time.sleep(5)
    killed = []
    for n in range(args.kills):
        pids = workers()
        victim = pids[n % len(pids)]
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)
        time.sleep(args.every)
    time.sleep(8)
    writers.stop()
    table, figures = writers.report("A gunicorn worker killed (SIGKILL) mid-request")
    print(table)
    print(f"| workers killed | {len(killed)} |")
    print(f"| workers running afterwards | {len(workers())} |")
    print(f"| stored without their audit row (partial) | {partial_writes(writers.run)} |")
    print(f"load average at end: {loadavg()}")
    ok = (figures["acknowledged but LOST"] == 0 and figures["answered as failed but STORED"] == 0
          and partial_writes(writers.run) == 0 and figures["500 answers"] == 0)
    print("RESULT:", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
