"""Prometheus metrics (tenants/metrics.py): requests by endpoint, the pool, the job queue; only
for an allowed caller; no tenant or person in any label; right under several gunicorn workers."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from tenants import jobs
from tenants.config import load_config
from tenants.extensions import db
from tenants.models import Role, Tenant, User
from tests.helpers import ON_POSTGRES, PG_URL, TENANT_SETTING, login

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-test-token-0123456789abcdef"


def parse(text: str) -> dict[tuple, float]:
    """{(sample name, ((label, value), ...)): value} of a Prometheus text exposition."""
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples, name, **labels) -> float:
    """The sum of `name` over every series whose labels include `labels`."""
    return sum(v for (n, lbls), v in samples.items()
               if n == name and set(labels.items()) <= set(lbls))


@pytest.fixture
def metered(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    client = app.test_client()

    def scrape() -> dict:
        response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
        assert response.content_type.startswith("text/plain")
        scrape.text = response.get_data(as_text=True)
        return parse(scrape.text)

    return client, scrape


def test_requests_are_counted_and_timed_by_endpoint_never_by_path(metered):
    client, scrape = metered
    before = scrape()
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get("/wachtwoord-herstellen/geheim-token-Xq81").status_code < 500
    assert client.get("/bestaat-niet/geheim-pad-Yv27/meer").status_code == 404
    assert client.open("/healthz", method="BREW").status_code == 405
    after = scrape()

    ok = {"endpoint": "core.healthz", "method": "GET"}
    assert value(after, "wijkwerk_http_requests_total", **ok, status="200") == \
        value(before, "wijkwerk_http_requests_total", **ok, status="200") + 3
    hist = "wijkwerk_http_request_duration_seconds"
    assert value(after, f"{hist}_count", **ok, status="2xx") == \
        value(before, f"{hist}_count", **ok, status="2xx") + 3
    assert value(after, f"{hist}_bucket", **ok, status="2xx", le="+Inf") == \
        value(before, f"{hist}_bucket", **ok, status="2xx", le="+Inf") + 3
    assert value(after, f"{hist}_sum", **ok, status="2xx") > \
        value(before, f"{hist}_sum", **ok, status="2xx")
    # buckets are cumulative: 30 s holds every request that 5 ms holds
    assert value(after, f"{hist}_bucket", **ok, status="2xx", le="30.0") >= \
        value(after, f"{hist}_bucket", **ok, status="2xx", le="0.005")
    # no route: labelled by its status; an invented method is "other"
    assert value(after, "wijkwerk_http_requests_total", endpoint="404", method="GET",
                 status="404") == value(before, "wijkwerk_http_requests_total",
                                        endpoint="404", method="GET", status="404") + 1
    assert value(after, "wijkwerk_http_requests_total", endpoint="405", method="other",
                 status="405") == value(before, "wijkwerk_http_requests_total",
                                        endpoint="405", method="other", status="405") + 1
    # paths carry tokens: none of them reaches the metrics
    for secret in ("geheim", "Xq81", "Yv27", "BREW", "bestaat-niet"):
        assert secret not in scrape.text


def test_metrics_are_refused_without_the_token(app, metered, monkeypatch):
    client, _scrape = metered
    refused = [client.get("/metrics"),
               client.get("/metrics", headers={"Authorization": "Bearer wrong-token"}),
               client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}),
               client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}),
               client.get("/metrics", headers={"Authorization": "Bearer"})]
    for response in refused:
        assert response.status_code == 404  # the same answer as any unknown page
        assert b"wijkwerk_http" not in response.data
    # no token configured: off outside development, even from loopback
    monkeypatch.setitem(app.config, "METRICS_TOKEN", None)
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
    # development without a token: loopback only (what `flask run` on a laptop needs)
    monkeypatch.setitem(app.config, "METRICS_ALLOW_LOOPBACK", True)
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code \
        == 404
    env = {"SECRET_KEY": "x" * 40, "BASE_URL": "https://wijkwerk.example.nl",
           "REDIS_URL": "redis://127.0.0.1:6379/0"}
    assert load_config("production", env=env)["METRICS_ALLOW_LOOPBACK"] is False
    assert load_config("development", env={})["METRICS_ALLOW_LOOPBACK"] is True


def test_the_pool_gauges_are_read_when_scraped(app, metered):
    _client, scrape = metered
    with app.app_context():
        pool = db.engine.pool
        idle = scrape()
        held = db.engine.connect()
        try:
            busy = scrape()
        finally:
            held.close()
        size = pool.size()
    assert value(idle, "wijkwerk_db_pool_size") == size > 0
    assert value(busy, "wijkwerk_db_pool_checked_out") == \
        value(idle, "wijkwerk_db_pool_checked_out") + 1
    assert value(scrape(), "wijkwerk_db_pool_checked_out") == \
        value(idle, "wijkwerk_db_pool_checked_out")


def test_job_queue_depth_and_failures_come_from_the_shared_queue(app, metered, monkeypatch):
    _client, scrape = metered

    @jobs.huey.task(retries=0, name="test_metrics_always_fails")
    def always_fails():
        raise RuntimeError("boom")

    before = scrape()
    with app.app_context():
        always_fails()
    jobs.huey.storage.enqueue(b"waiting")  # one item waiting in the queue's storage
    try:
        after = scrape()
    finally:
        jobs.huey.storage.dequeue()
    assert value(after, "wijkwerk_jobs_up") == 1
    assert value(after, "wijkwerk_jobs_failed_total") == \
        value(before, "wijkwerk_jobs_failed_total") + 1
    assert value(after, "wijkwerk_jobs_given_up_total") == \
        value(before, "wijkwerk_jobs_given_up_total") + 1
    assert value(after, "wijkwerk_jobs_pending") == value(before, "wijkwerk_jobs_pending") + 1

    # the queue's storage unreadable (Redis down): said, and still an answer
    from tenants import metrics

    monkeypatch.setattr(metrics, "queue_state", lambda: {"error": "ConnectionError"})
    down = scrape()
    assert value(down, "wijkwerk_jobs_up") == 0
    assert ("wijkwerk_jobs_pending", ()) not in down


def test_no_label_names_a_tenant_or_a_person(app, make, metered):
    """Label values against every tenant's slug and name and every user's e-mail and name in
    the database (the demo's too, when the suite has seeded it), after a cooperative's staff
    member walked through its pages."""
    client, scrape = metered
    tenant = make.tenant(name="Bewonerscoöperatie Het Zwanenmeer")
    coach = make.member(tenant, Role.SUPERVISOR, name="Hendrika Zwanenburg")
    browser = app.test_client()
    login(browser, coach)
    for path in (f"/{tenant.slug}/", f"/{tenant.slug}/deelnemers/", "/account",
                 f"/{tenant.slug}/bestaat-niet", f"/{tenant.slug}/deelnemers/999999999"):
        assert browser.get(path).status_code < 500
    with app.app_context():
        tenants = db.session.execute(select(Tenant.slug, Tenant.name)).all()
        users = db.session.execute(select(User.email, User.name)).all()
        db.session.remove()
    samples = scrape()
    label_values = {v for (_name, labels), _v in samples.items() for _k, v in labels}
    assert any(v.startswith("dashboard.") for v in label_values)  # the walk was counted
    forbidden = {x for row in tenants + users for x in row if x}
    assert tenant.slug in forbidden and coach.email in forbidden
    assert not label_values & forbidden
    # inside a value or anywhere in the text (the longer ones: "Jan" may be in a help text)
    long_ones = {f for f in forbidden if len(f) >= 6}
    assert not {v for v in label_values if any(f in v for f in long_ones)}
    assert not {f for f in long_ones if f in scrape.text}


# --- several gunicorn workers -----------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def _pids(directory: Path, prefix: str) -> set[int]:
    return {int(p.stem.rsplit("_", 1)[1]) for p in directory.glob(f"{prefix}_*.db")}


def _scrapes_answered(directory: Path) -> dict[int, float]:
    """{worker pid: scrapes it answered}, read from the workers' own counter files."""
    from prometheus_client.mmap_dict import MmapedDict

    answered: dict[int, float] = {}
    for path in directory.glob("counter_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        for key, count, *_rest in MmapedDict.read_all_values_from_file(str(path)):
            _metric, name, labels, _help = json.loads(key)
            if name == "wijkwerk_http_requests_total" and labels.get("endpoint") == "metrics" \
                    and labels.get("status") == "200":
                answered[pid] = answered.get(pid, 0) + count
    return answered


@pytest.fixture
def gunicorn(db_dir, tmp_path):
    """gunicorn as deployed (deploy/gunicorn.conf.py, gthread) with 2 workers, on a free port,
    its metrics in multiprocess mode in a directory of this test."""
    port = _free_port()
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"")  # a previous run's leftovers: removed
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROMETHEUS", "SENTRY"))}
    env.update({"WIJKWERK_ENV": "testing", "PORT": str(port), "WEB_CONCURRENCY": "2",
                "WEB_THREADS": "2", "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
                "METRICS_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)})
    if ON_POSTGRES:
        env.update({"DATABASE_URL": PG_URL, "DATABASE_TENANT_SETTING": TENANT_SETTING})
    else:
        env["DATABASE_URL"] = f"sqlite:///{db_dir}/test.sqlite3"
    log = open(tmp_path / "gunicorn.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "app:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()[-3000:]
            try:
                if _get(f"{base}/metrics", TOKEN)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer within 90 s"
            time.sleep(0.3)
        yield server, base, metrics_dir
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_counts_add_up_over_gunicorn_workers_whichever_answers(gunicorn, app):
    server, base, metrics_dir = gunicorn
    assert not (metrics_dir / "counter_1.db").exists()  # emptied when the server started
    sent = 0
    # until both workers have answered some of them (each new connection goes to either)
    while sent < 2000 and len(_pids(metrics_dir, "histogram")) < 2:
        for _ in range(20):
            assert _get(f"{base}/healthz")[0] == 200
            sent += 1
    workers = _pids(metrics_dir, "histogram")
    assert len(workers) == 2, f"one worker answered all {sent} requests"

    def healthz_total(text: str) -> float:
        return total(parse(text), "wijkwerk_http_requests_total", endpoint="core.healthz")

    # scrape until both workers have answered at least one scrape: each must say `sent`
    before = _scrapes_answered(metrics_dir)
    for scrapes in range(1, 201):
        status, text = _get(f"{base}/metrics", TOKEN)
        assert status == 200
        assert healthz_total(text) == sent
        assert total(parse(text), "wijkwerk_http_request_duration_seconds_count",
                     endpoint="core.healthz") == sent
        answered = _scrapes_answered(metrics_dir)
        if scrapes >= 4 and len({p for p in answered if answered[p] > before.get(p, 0)}) == 2:
            break
    else:
        pytest.fail("200 scrapes, all answered by the same worker")
    with app.app_context():
        size = db.engine.pool.size()
    assert value(parse(text), "wijkwerk_db_pool_size") == 2 * size

    # a worker killed: gunicorn starts another; its requests still count, its pool does not
    victim = sorted(_pids(metrics_dir, "gauge_livesum"))[0]
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 120
    while victim in _pids(metrics_dir, "gauge_livesum") or \
            len(_pids(metrics_dir, "gauge_livesum")) < 2:
        assert time.monotonic() < deadline, \
            "the killed worker still counts among the live ones, or was not replaced"
        time.sleep(0.3)
    for _ in range(4):
        status, text = _get(f"{base}/metrics", TOKEN)
        assert status == 200 and healthz_total(text) == sent
        assert value(parse(text), "wijkwerk_db_pool_size") == 2 * size
    assert _get(f"{base}/metrics")[0] == 404  # and never without the token
    assert server.poll() is None
