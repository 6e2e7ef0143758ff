"""Limits that slow an attacker down without locking the owner out, shared between workers, and
that keep working when Redis is gone (issue #9, findings 5 and 8)."""
from __future__ import annotations

import logging
import socket
import subprocess
import time

import pytest
import redis

from tenants.extensions import limiter
from tenants.models import Role
from tests.api.conftest import bearer, issue  # noqa: F401  (fixture)
from tests.helpers import PASSWORD, csrf_token, login, require_program, test_config

WRONG = "Dit e-mailadres en wachtwoord horen niet bij elkaar"


def from_address(app, ip: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def try_login(client, email, password):
    return client.post("/login", data={"csrf_token": csrf_token(client), "email": email,
                                       "password": password})


# --- passwords: per account and address, never locking the owner out ----------------------

def test_an_attacker_is_slowed_down_but_the_owner_logs_in(app, make):
    user = make.user()
    attacker = from_address(app, "203.0.113.7")
    statuses = [try_login(attacker, user.email, "raden-raden").status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    assert try_login(attacker, user.email, PASSWORD).status_code == 429  # slowed down
    owner = from_address(app, "198.51.100.20")
    assert try_login(owner, user.email, PASSWORD).status_code == 302  # not locked out


def test_a_known_device_behind_the_attackers_address_still_logs_in(app, make):
    user = make.user()
    device = from_address(app, "192.0.2.10")  # an office: one public address for everyone
    login(device, user)
    device.post("/logout", data={"csrf_token": csrf_token(device, "/account")})
    attacker = from_address(app, "192.0.2.10")
    for _ in range(10):
        try_login(attacker, user.email, "raden-raden")
    assert try_login(attacker, user.email, PASSWORD).status_code == 429
    assert try_login(device, user.email, PASSWORD).status_code == 302


def test_the_account_ceiling_refuses_only_addresses_that_failed(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "LIMIT_FAILURES_PER_ACCOUNT", "5 per hour")
    user = make.user()
    botnet = [from_address(app, f"203.0.113.{n}") for n in range(1, 6)]
    for bot in botnet:
        assert WRONG in try_login(bot, user.email, "raden").get_data(as_text=True)
    assert try_login(botnet[0], user.email, PASSWORD).status_code == 429
    fresh = from_address(app, "198.51.100.77")
    assert try_login(fresh, user.email, PASSWORD).status_code == 302
    other = make.user()  # another account is not affected at all
    assert try_login(botnet[0], other.email, PASSWORD).status_code == 302


def test_wrong_codes_are_limited_per_address_and_the_owner_gets_in(app, make):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    attacker = from_address(app, "203.0.113.9")  # knows the password, not the code
    assert try_login(attacker, admin.email, PASSWORD).status_code == 302
    statuses = [attacker.post("/login/code", data={
        "csrf_token": csrf_token(attacker, "/login/code"), "code": f"{n:06d}"}).status_code
        for n in range(11)]
    assert statuses == [200] * 10 + [429]
    owner = from_address(app, "198.51.100.21")
    assert login(owner, admin).headers["Location"] == "/"


# --- API tokens: a flood of bad tokens never blocks a valid one ------------------------------

def test_bad_tokens_are_limited_but_valid_tokens_from_that_address_work(app, make, issue,  # noqa: F811
                                                                      monkeypatch):
    monkeypatch.setitem(app.config, "LIMIT_API_FAILURES_PER_IP", "5 per minute")
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR)
    value = issue(coach, tenant)
    client = from_address(app, "203.0.113.50")
    statuses = [client.get("/api/v1/me", headers=bearer(f"ww_1_{n:043d}")).status_code
                for n in range(8)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    for _ in range(3):
        assert client.get("/api/v1/me", headers=bearer(value)).status_code == 200


# --- Redis: shared between workers, optional at run time -------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_timeout=0.5).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server():
    require_program("redis-server")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_apps(db_dir, redis_server):
    """`make()` builds an app (a "worker") on the test database whose limits live in the
    test's own Redis. The limiter is one object shared by every app: restored afterwards."""
    from app import create_app

    saved = dict(vars(limiter))

    def make():
        return create_app(test_config(db_dir, REDIS_URL=redis_server.url,
                                      RATELIMIT_STORAGE_URI=redis_server.url))

    try:
        yield make
    finally:
        vars(limiter).clear()
        vars(limiter).update(saved)


def test_two_workers_share_the_failure_count(make, redis_apps):
    user = make.user()
    first = redis_apps()
    second = redis_apps()
    a = from_address(first, "203.0.113.60")
    b = from_address(second, "203.0.113.60")
    for _ in range(5):
        try_login(a, user.email, "raden")
        try_login(b, user.email, "raden")
    assert try_login(a, user.email, "raden").status_code == 429
    keys = redis.Redis.from_url(first.config["REDIS_URL"]).keys("*wijkwerk-fail*")
    assert keys  # the counts are in Redis, not in a worker's memory


def test_redis_stopped_mid_test_answers_no_500(make, redis_apps, redis_server, issue, caplog):  # noqa: F811
    app = redis_apps()
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR)
    value = issue(coach, tenant)
    client = from_address(app, "198.51.100.90")

    def everything():
        wrong = try_login(client, coach.email, "raden")
        reset = client.post("/wachtwoord-vergeten", data={
            "csrf_token": csrf_token(client, "/wachtwoord-vergeten"), "email": coach.email})
        public = client.post(f"/{tenant.slug}/hulp-vragen", data={
            "csrf_token": csrf_token(client, f"/{tenant.slug}/hulp-vragen"),
            "name": "Mevrouw Jansen", "street": "Kempenaar 12", "postcode": "8232 AB",
            "city": "Lelystad", "phone": "06 12345678", "email": "", "kind": "tuin",
            "description": "De heg.", "preferred_dates": "", "website": ""})
        api = client.get("/api/v1/me", headers=bearer(value))
        bad_api = client.get("/api/v1/me", headers=bearer("ww_1_" + "0" * 43))
        right = try_login(client, coach.email, PASSWORD)
        statuses = [r.status_code for r in (wrong, reset, public, api, bad_api, right)]
        client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
        return statuses

    expected = [200, 302, 302, 200, 401, 302]
    assert everything() == expected
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json["status"] == "ok"
    assert health.json["rate_limits"] == "shared"

    redis_server.stop()
    with caplog.at_level(logging.WARNING):
        assert everything() == expected
        health = client.get("/healthz")
    assert health.status_code == 200 and health.json["status"] == "degraded"
    assert "unreachable" in caplog.text  # the fallback is logged

    redis_server.start()
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json["rate_limits"] == "shared"
    assert everything() == expected


def test_production_refuses_to_start_without_a_shared_limit_store():
    from tenants.config import ConfigError, load_config

    env = {"SECRET_KEY": "x" * 48, "DATABASE_URL": "postgres://u:p@db/wijkwerk",
           "BASE_URL": "https://wijkwerk.example.nl"}
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_config("production", env=env)
    cfg = load_config("production", env={**env, "REDIS_URL": "redis://redis:6379/0"})
    assert cfg["RATELIMIT_STORAGE_URI"] == "redis://redis:6379/0"
    assert cfg["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
