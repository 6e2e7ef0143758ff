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

# The app is I/O-bound (PostgreSQL, SMTP). Capped at 8 because every worker keeps its own
# SQLAlchemy pool: workers x pool size must stay below PostgreSQL's max_connections
# across all hosts. Scale out with more hosts rather than more workers per host.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
worker_class = "gthread"
threads = 2

# A request that takes 30 s is a bug or a stuck query; kill the worker instead of
# queueing behind it. On SIGTERM (deploy, scale-in) give running requests as long to finish.
timeout = 30
graceful_timeout = 30

# Recycle workers now and then so a slow leak cannot grow without bound; the jitter keeps
# them from all restarting at the same moment.
max_requests = 1000
max_requests_jitter = 100

# Logs go to stdout/stderr; the container runtime or systemd collects them.
accesslog = "-"
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
