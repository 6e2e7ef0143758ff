"""What gunicorn's keep-alive costs: hold N idle kept-alive connections, then reuse them.

    bash bench/load/stack.sh start
    .venv/bin/python bench/load/keepalive_idle.py 500     # N connections, default 500

Each of N clients makes one request to the stack's gunicorn (127.0.0.1:58000) and keeps its
connection open and idle; it prints the workers' RSS, open file descriptors and a fresh client's
/healthz latency before and with the idle connections, then whether every connection still
serves a request after 13 s idle (longer than gunicorn's default keep-alive of 2 s, shorter than
deploy/gunicorn.conf.py's). Figures: bench/RESULTS.md, "Load, run 3".
"""
import http.client
import os
import subprocess
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 500
PORT = int(os.environ.get("WEB_PORT", "58000"))
STACK = os.environ.get("STACK", "/tmp/wijkwerk-stack")
master = int(open(os.path.join(STACK, "web.pid")).read())


def workers():
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def rss_mb():
    total = 0
    for pid in workers():
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS"):
                total += int(line.split()[1])
    return total / 1024


def fds():
    return sum(len(os.listdir(f"/proc/{pid}/fd")) for pid in workers())


def latency_ms(k=20):
    times = []
    for _ in range(k):
        c = http.client.HTTPConnection("127.0.0.1", PORT)
        t = time.perf_counter()
        c.request("GET", "/healthz")
        c.getresponse().read()
        times.append((time.perf_counter() - t) * 1000)
        c.close()
    times.sort()
    return times[len(times) // 2]


print("workers", workers(), "rss MB", round(rss_mb(), 1), "fds", fds(),
      "healthz p50 ms", round(latency_ms(), 1))
conns = []
for i in range(N):
    c = http.client.HTTPConnection("127.0.0.1", PORT)
    c.request("GET", "/healthz")
    r = c.getresponse()
    r.read()
    assert r.status == 200 and r.getheader("Connection", "").lower() != "close", i
    conns.append(c)
time.sleep(3)
print(f"{N} idle kept-alive: rss MB", round(rss_mb(), 1), "fds", fds(),
      "healthz p50 ms", round(latency_ms(), 1))
time.sleep(10)
ok = 0
for c in conns:
    c.request("GET", "/healthz")
    r = c.getresponse()
    r.read()
    ok += r.status == 200
print(f"reused after 13 s idle: {ok}/{N} answered 200")
