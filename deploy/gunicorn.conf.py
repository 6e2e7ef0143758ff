"""Gunicorn settings for Wijkwerk: `gunicorn -c deploy/gunicorn.conf.py app:app`.

Run it from the directory that holds app.py: templates/, static/, migrations/ and
translations/ are found next to app.py, and gunicorn puts the working directory first on
sys.path. Everything here can be overridden from the environment; see deploy/OPERATIONS.md.
"""
import multiprocessing
import os

# Platforms (and deploy/compose.yaml) hand the port in PORT; 0.0.0.0 so the container's
# port mapping or the load balancer can reach it.
bind = f"0.0.0.0:{int(os.environ.get('PORT', '8000'))}"

# Workers and threads, by measurement (bench/workers.py, bench/RESULTS.md): the app is
# CPU-bound, not I/O-bound. A staff page costs 4-25 ms of CPU and waits only ~1 ms on the
# database, so a core serves one request at a time and more processes than cores only share
# the same cores, each with another ~150 MB and its own SQLAlchemy pool. On the 2-core bench
# machine (6 clients, a mix of six staff pages, SQLite): sync 2 workers 39 req/s, 3 workers
# 30, 4 workers 22; gthread 2 workers x 2 threads 41, x 4 threads 38; worker CPU per request
# rose from 13.8 to 18 ms with 4 sync workers (contention). So: one worker per core, and two
# threads each so that a wait on the database, a slow client or a keep-alive connection does
# not leave a core idle (equal to sync within the noise; a third thread only added latency).
# Capped at 8: workers x pool size must stay below PostgreSQL's max_connections across hosts;
# scale out with more hosts rather than more workers per host.
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count(), 8)))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "2"))

# A request that takes 30 s is a bug or a stuck query; kill the worker instead of
# queueing behind it. On SIGTERM (deploy, scale-in) give running requests as long to finish.
timeout = 30
graceful_timeout = 30

# Keep-alive, 75 s (gunicorn's default is 2 s). Gunicorn runs behind a proxy or load balancer
# (deploy/compose.yaml), which reuses idle connections to it: the side that closes an idle
# connection must be the proxy, never gunicorn, or a request the proxy sends at the moment
# gunicorn closes is lost (a 502 to the visitor). So this must outlast the proxy's idle timeout
# towards the app: nginx's upstream `keepalive_timeout` is 60 s by default, AWS ALB's idle
# timeout 60 s. Raise it above your proxy's if that is longer (Heroku's router: 90 s).
# Measured (bench/RESULTS.md, "Load test and fault drills"): in the 10-minute load run (12
# users reusing connections after 2-6 s of think time) 2 s lost 7 of 2,599 requests to
# connection resets; 75 s lost 0 of 3,705 (run 3), with no 4xx/5xx either time.
# The cost is small: with gthread an idle kept-alive connection waits in the worker's poller,
# not in a thread, and gunicorn bounds them by `worker_connections` (1,000 per worker; past
# `worker_connections - threads` kept-alive ones it answers "Connection: close"). Measured
# (bench/load/keepalive_idle.py): 500 idle kept-alive connections added 500 file descriptors,
# 0.0 MB of RSS and no latency to the two workers, and all 500 served a request after 13 s
# idle. A connection that sends nothing also waits this long (5 s in a thread, then the
# poller): fine behind a proxy, which is why the port must only be reachable from the proxy.
# On SIGTERM gunicorn keeps idle connections 2 s at most, so deploys do not wait for this.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))

# Recycling, by measurement: a recycled worker re-imports the app, 2.15 s of CPU (bench/
# workers.py), which every 1,000 requests added ~2 ms to each request (10-20% of a page). No page
# leaks: one worker's RSS was 149.3 MB after 200 requests, 151.1 MB after 1,000 and 151.3 MB
# after 2,000 (bench/workers.py --leak). So recycle rarely, as a guard against a future leak,
# with jitter so workers do not restart together: 0.04 ms a request.
max_requests = 50000
max_requests_jitter = 5000

# Logs go to stdout/stderr; the container runtime or systemd collects them. No access log by
# default: it writes paths and query strings, and those carry tokens (password reset,
# invitations) and search terms (a participant's name). The app writes one JSON line per
# request instead (tenants/logs.py: request id, tenant id, user id, endpoint, status, duration).
# GUNICORN_ACCESS_LOG=- turns gunicorn's own back on (e.g. on a test machine).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"

# Proxies whose X-Forwarded-Proto gunicorn believes. Client IPs are taken by the app's
# ProxyFix (PROXY_FIX_X_FOR); keep both describing the same proxy chain.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Heartbeat files on tmpfs: a container's overlay /tmp can stall workers into timeouts.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# No preload_app: each worker imports the app itself, so no database connection is ever
# shared across a fork.
preload_app = False

# No control socket (gunicorn 25+ opens one in $HOME/.gunicorn by default): nothing here uses
# gunicornc, the image's home (/app) is read-only to the app user, and it is one thing less to
# reach.
control_socket_disable = True

# Prometheus metrics (tenants/metrics.py, GET /metrics): each worker counts in its own process,
# and a scrape reaches one of them. So the workers write their figures to memory-mapped files
# in PROMETHEUS_MULTIPROC_DIR and the worker that answers a scrape adds up all the files
# (prometheus_client's multiprocess mode). Set here, before any worker starts (prometheus_client
# reads it at import), when the environment does not: a fresh directory on tmpfs for this
# server, removed when it stops. A directory given in the environment must be this server's
# alone; it is emptied when the server starts (figures of an earlier run would be added in).
# A worker that exits (recycled, killed, timed out) keeps its counts in the totals — its files
# stay — but its pool gauges drop out (`mark_process_dead`).
_metrics_dir_made = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _metrics_dir_made:
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(
        prefix="wijkwerk-metrics-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)


def on_starting(server):
    metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(metrics_dir, exist_ok=True)
    for name in os.listdir(metrics_dir):
        if name.endswith(".db"):
            os.remove(os.path.join(metrics_dir, name))


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _metrics_dir_made:
        import shutil

        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
