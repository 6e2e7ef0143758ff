"""Helpers for tests: unique names, factories, logging in through the real forms."""
from __future__ import annotations

import itertools
import os
import re
import secrets
import shutil
import time
from contextlib import contextmanager

import pyotp
import pytest

from tenants.config import load_config
from tenants.db import utcnow
from tenants.extensions import db
from tenants.identity import hash_password
from tenants.models import Membership, Role, Tenant, TenantKind, User
from tenants.tenancy import tenant_context

PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = hash_password(PASSWORD)
_seq = itertools.count(1)
#: letters only: a run id of six hex digits followed by "-<n>" could form nine digits that pass the
#: elfproef, and the BSN guard would then (rightly) refuse a name made by `unique`
_RUN = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(6))

PG_URL = os.environ.get("TEST_DATABASE_URL")
PG_OWNER_URL = os.environ.get("TEST_MIGRATIONS_DATABASE_URL")
ON_POSTGRES = bool(PG_URL)
#: how the app sends the tenant to PostgreSQL in this run (tenants.tenancy: set_config|set_local)
TENANT_SETTING = os.environ.get("TEST_DATABASE_TENANT_SETTING", "set_config")


def require_program(name: str) -> str:
    """The path of `name` (a server a test starts itself, such as redis-server). Missing, the test
    is skipped on a user's machine, and fails in CI (REQUIRE_SERVICES=1, set by .ci/run), where
    a skip would hide that the test never ran."""
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} is not installed; REQUIRE_SERVICES=1 requires it", pytrace=False)
    pytest.skip(f"{name} is not installed")


def unique(prefix: str) -> str:
    """A name no other test or run uses: the prefix, the run's letters and a counter."""
    return f"{prefix}-{_RUN}-{next(_seq)}"


def test_config(tmp_dir=None, **overrides) -> dict:
    """The testing configuration on the run's database (PostgreSQL or a SQLite file)."""
    env = {}
    if ON_POSTGRES:
        env["DATABASE_URL"] = PG_URL
        if PG_OWNER_URL:
            env["MIGRATIONS_DATABASE_URL"] = PG_OWNER_URL
        # TEST_DATABASE_TENANT_SETTING=set_local runs the suite with SET LOCAL (as on Citus)
        env["DATABASE_TENANT_SETTING"] = TENANT_SETTING
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_dir}/test.sqlite3"
    cfg = load_config("testing", env=env)
    cfg.update(overrides)
    return cfg


test_config.__test__ = False  # not a test


class Factory:
    """Creates tenants, users and memberships, committed, with unique names."""

    def __init__(self, app):
        self.app = app

    @contextmanager
    def _ctx(self):
        with self.app.app_context():
            yield db.session
            db.session.remove()

    def tenant(self, name: str | None = None, slug: str | None = None,
               kind: TenantKind = TenantKind.BEWONERSINITIATIEF) -> Tenant:
        slug = slug or unique("t")
        with self._ctx() as s:
            tenant = Tenant(slug=slug, name=name or f"Coöperatie {slug}", kind=kind)
            s.add(tenant)
            s.commit()
            s.refresh(tenant)
            s.expunge(tenant)
        return tenant

    def user(self, email: str | None = None, name: str = "Jan de Vries", *, totp: bool = False,
             operator: bool = False) -> User:
        with self._ctx() as s:
            user = User(email=email or f"{unique('u')}@example.org", name=name,
                        password_hash=_PASSWORD_HASH, is_platform_operator=operator)
            if totp:
                user.totp_secret = pyotp.random_base32()
                user.totp_enabled_at = utcnow()
            s.add(user)
            s.commit()
            s.refresh(user)
            s.expunge(user)
        return user

    def member(self, tenant: Tenant, role: Role = Role.SUPERVISOR, user: User | None = None,
               **user_kw) -> User:
        """A user with `role` in `tenant` (admins get two-factor, as they must)."""
        if user is None:
            user_kw.setdefault("totp", role == Role.ADMIN)
            user = self.user(**user_kw)
        with self._ctx() as s:
            with tenant_context(s, tenant.id):
                s.add(Membership(tenant_id=tenant.id, user_id=user.id, role=role))
            s.commit()
        return user


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    response = client.get(path)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({response.status_code})"
    return match.group(1)


def totp_now(user: User, offset_steps: int = 0) -> str:
    return pyotp.TOTP(user.totp_secret).at(time.time() + 30 * offset_steps)


def login(client, user: User, password: str = PASSWORD, code: str | None = None):
    """Log `user` in through the real forms (password, then the code where two-factor is on)."""
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "email": user.email,
                                           "password": password})
    if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
        token = csrf_token(client, "/login/code")
        response = client.post("/login/code", data={
            "csrf_token": token, "code": code or totp_now(user)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def post(client, path: str, data: dict | None = None, token_from: str | None = None, **kw):
    """POST a form with a valid CSRF token taken from `token_from` (default: the account page)."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, token_from or "/account")
    return client.post(path, data=data, **kw)


def with_url(url: str, *, user: str | None = None, password: str | None = None,
             dbname: str | None = None) -> str:
    """`url` with another user, password (\"\" for none) or database name."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    user = user if user is not None else parts.username
    password = password if password is not None else parts.password
    auth = f"{user}:{password}@" if password else f"{user}@"
    path = f"/{dbname}" if dbname is not None else parts.path
    return urlunsplit(parts._replace(netloc=f"{auth}{parts.hostname}:{parts.port or 5432}",
                                     path=path))


def pg_admin_url() -> str:
    """A superuser on the test PostgreSQL server (TEST_ADMIN_DATABASE_URL, else PGSUPER or
    postgres without a password, as .ci/run uses), for tests that create a database. Missing,
    the test is skipped (failed with REQUIRE_SERVICES=1)."""
    import psycopg

    url = os.environ.get("TEST_ADMIN_DATABASE_URL") or with_url(
        PG_URL, user=os.environ.get("PGSUPER", "postgres"), password="", dbname="postgres")
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("no superuser connection to PostgreSQL", pytrace=False)
        pytest.skip("no superuser connection to PostgreSQL (set TEST_ADMIN_DATABASE_URL)")
    return url


def recorded_get(app, client, url: str):
    """(statements, response) of a GET made after a warming one: each statement the database
    received, with its parameters."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    seen = []

    def on_execute(conn, cursor, statement, params, context, executemany):
        seen.append((statement, params))

    client.get(url)
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    assert response.status_code == 200, url
    return seen, response
