"""The job worker's entry point: `huey_consumer deploy.worker.huey` (run from the directory
that holds app.py, like gunicorn).

It creates the app once — production configuration from the environment, the same as the
web processes — which binds the queue in `tenants.jobs` to it (Redis when REDIS_URL is set)
and imports every module that declares tasks. Job code itself never creates an app.

    huey_consumer deploy.worker.huey -w 4 -k thread --no-periodic -g TERM -t 25   # workers
    huey_consumer deploy.worker.huey -w 1 -k thread -g TERM -t 25                 # scheduler

Run as many worker processes as needed, but exactly one scheduler (it enqueues the periodic
tasks: two would run each of them twice). See deploy/OPERATIONS.md, "Jobs".
"""
from app import app  # noqa: F401 - creating the app binds and fills the queue
from tenants.jobs import huey

__all__ = ["app", "huey"]
