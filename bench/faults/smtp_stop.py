"""Drill (c): the SMTP server stopped (mails retried, none lost).

    .venv/bin/python bench/faults/smtp_stop.py [--down 20]

The stack's SMTP sink (aiosmtpd) is stopped; residents send the public form for --down
seconds (each acknowledged form queues a confirmation mail); then the sink is started again.
The job worker retries each mail (MAIL_RETRY_DELAY, doubling; the stack sets 5 s). Expected:
every acknowledged resident's confirmation arrives once the server is back, none lost.
"""
from __future__ import annotations

import argparse
import time

from common import Writers, loadavg, mails_for, stack


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--down", type=float, default=20)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--mail-wait", type=float, default=180)
    args = ap.parse_args()
    print(f"load average at start: {loadavg()}")
    stack("smtp-stop")
    writers = Writers(threads=args.threads).start()
    time.sleep(args.down)
    writers.stop()
    delivered_while_down = mails_for(writers.run)
    table, figures = writers.report("SMTP stopped")
    stack("smtp-start")
    up_at = time.time()
    acked = figures["acknowledged"]
    deadline = time.time() + args.mail_wait
    while mails_for(writers.run) < acked and time.time() < deadline:
        time.sleep(2)
    mails = mails_for(writers.run)
    print(table)
    print(f"| mails delivered while SMTP was down | {delivered_while_down} |")
    print(f"| confirmation mails delivered / acknowledged writes | {mails} / {acked} |")
    print(f"| last mail arrived after SMTP was back | {time.time() - up_at:.0f} s (or less) |")
    print(f"load average at end: {loadavg()}")
    ok = figures["500 answers"] == 0 and mails == acked and figures["acknowledged but LOST"] == 0
    print("RESULT:", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
