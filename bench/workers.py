"""Benchmark for deploy/gunicorn.conf.py: worker class, threads and recycling, measured.

    .venv/bin/python bench/workers.py                   # SQLite demo, every set-up, 15 s each
    .venv/bin/python bench/workers.py --seconds 30 --clients 8
    .venv/bin/python bench/workers.py --leak 3000       # RSS of one worker over 3,000 requests

For each gunicorn set-up (sync and gthread, workers and threads) it serves the demo cooperative,
logs in as its admin, and lets `--clients` keep-alive clients (threads in this process) request
a mix of staff pages for `--seconds`; it prints requests per second, the median and 95th
percentile latency and the workers' CPU per request. `--leak N` serves N requests of the same mix
from one sync worker and prints its resident memory every N/10 requests (is recycling needed?).
It also times one import of the app (what a recycled worker costs). The machine is shared:
compare set-ups within one run only.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import pages as bench  # noqa: E402

SETUPS = [  # (label, gunicorn arguments)
    ("sync, 2 workers", ["-k", "sync", "-w", "2"]),
    ("sync, 3 workers", ["-k", "sync", "-w", "3"]),
    ("sync, 4 workers", ["-k", "sync", "-w", "4"]),
    ("gthread, 2 workers x 2 threads", ["-k", "gthread", "-w", "2", "--threads", "2"]),
    ("gthread, 2 workers x 4 threads", ["-k", "gthread", "-w", "2", "--threads", "4"]),
    ("gthread, 4 workers x 2 threads", ["-k", "gthread", "-w", "4", "--threads", "2"]),
]
MIX = ["start", "participants", "hours: review", "invoices", "help requests", "customers"]


class Server(bench.Server):
    def __init__(self, args: list[str], env: dict):  # noqa: D107 - bench.Server with arguments
        self.port = bench._free_port()
        self.proc = subprocess.Popen(
            [str(bench.VENV_BIN / "gunicorn"), *args, "--max-requests", "0",
             "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", "app:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                requests.get(self.base + "/healthz", timeout=30)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        time.sleep(3)  # every worker booted (each imports the app: about 2 s CPU)
        self.pids = [int(p) for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
                     .read_text().split()]

    def rss_kb(self) -> int:
        return sum(int(line.split()[1]) for pid in self.pids
                   for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                   if line.startswith("VmRSS:"))


def load(server: Server, paths: list[str], clients: int, seconds: float) -> dict:
    cookies = bench.login(server.base).cookies
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(offset: int):
        web = requests.Session()
        web.cookies.update(cookies)
        mine, i = [], offset
        while time.perf_counter() < stop:
            started = time.perf_counter()
            r = web.get(server.base + paths[i % len(paths)], allow_redirects=False)
            assert r.status_code == 200, r.status_code
            mine.append(time.perf_counter() - started)
            i += 1
        with lock:
            latencies.extend(mine)

    for path in paths:  # warm every worker's templates a little
        requests.get(server.base + path, cookies=cookies)
    cpu_before, started = server.cpu(), time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies) * 1000,
            "p95": latencies[int(len(latencies) * 0.95)] * 1000,
            "cpu": (server.cpu() - cpu_before) / len(latencies) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--leak", type=int, default=0)
    parser.add_argument("--db", help="an SQLite file; built when missing")
    args = parser.parse_args()
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "workers.sqlite3"
    url = f"sqlite:///{path}"
    if not path.exists():
        bench.build(url, None, "demo")
    env = bench._env(url, None)
    pages = dict(bench.staff_pages(url))
    paths = [pages[label] for label in MIX]
    started = time.process_time()
    subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    usage = __import__("resource").getrusage(__import__("resource").RUSAGE_CHILDREN)
    print(f"importing the app (a recycled worker): {usage.ru_utime + usage.ru_stime:.2f} s CPU "
          f"({time.process_time() - started:.2f} s in this process)")
    if args.leak:
        server = Server(["-k", "sync", "-w", "1"], env)
        try:
            web = bench.login(server.base)
            step = max(1, args.leak // 10)
            print(f"\none sync worker, RSS over {args.leak} requests: ", end="")
            for n in range(args.leak + 1):
                if n % step == 0:
                    print(f"{n}: {server.rss_kb() / 1024:.1f} MB", end="; ", flush=True)
                web.get(server.base + paths[n % len(paths)], allow_redirects=False)
            print()
        finally:
            server.stop()
        return
    print(f"\n{args.clients} clients, {args.seconds:.0f} s each, pages: {', '.join(MIX)}\n")
    print("| set-up | req/s | p50 ms | p95 ms | worker CPU ms/req |\n| --- | ---: | ---: | ---: | ---: |")
    for label, gunicorn_args in SETUPS:
        server = Server(gunicorn_args, env)
        try:
            r = load(server, paths, args.clients, args.seconds)
        finally:
            server.stop()
        print(f"| {label} | {r['rps']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['cpu']:.1f} |",
              flush=True)


if __name__ == "__main__":
    main()
