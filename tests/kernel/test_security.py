"""Security baseline: headers, cookies, production configuration, no inline script, no BSN."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tenants.config import ConfigError, load_config
from tenants.models import Role
from tests.helpers import login

ROOT = Path(__file__).resolve().parents[2]


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_personal_pages_are_not_cached(client, make):
    tenant = make.tenant()
    login(client, make.member(tenant, Role.SUPERVISOR))
    assert client.get(f"/{tenant.slug}/").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_lax(client, make):
    tenant = make.tenant()
    response = login(client, make.member(tenant, Role.SUPERVISOR))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_refuses_to_start_without_a_real_secret_key():
    with pytest.raises(ConfigError):
        load_config("production", env={})
    with pytest.raises(ConfigError):
        load_config("production", env={"SECRET_KEY": "short"})
    cfg = load_config("production", env={"SECRET_KEY": "x" * 48,
                                          "DATABASE_URL": "postgres://u:p@db/wijkwerk",
                                          "REDIS_URL": "redis://redis:6379/0",
                                          "BASE_URL": "https://wijkwerk.example.nl"})
    assert cfg["SESSION_COOKIE_SECURE"] is True
    assert cfg["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert cfg["HSTS"] is True and cfg["TOTP_REPLAY_PROTECTION"] is True
    assert cfg["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_production_app_sends_hsts(db_dir):
    from app import create_app
    from tests.helpers import test_config

    app = create_app(test_config(db_dir, HSTS=True))
    response = app.test_client().get("/login", base_url="https://wijkwerk.example.org")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_templates_have_no_inline_script_or_style():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {path}"
        assert " style=" not in text, f"inline style in {path}"
        assert not re.search(r"\son[a-z]+=", text), f"inline event handler in {path}"


def test_every_post_form_carries_a_csrf_token():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", text, re.S | re.I):
            assert "csrf_token" in form, f"a POST form without CSRF token in {path}"


def test_no_bsn_column_or_field_anywhere():
    from tenants.db import Base

    for table in Base.metadata.tables.values():
        for column in table.columns:
            assert "bsn" not in column.name.lower() and "burgerservice" not in column.name.lower()


def test_domain_error_messages_with_user_input_are_escaped(app):
    from flask import render_template_string
    from flask_babel import lazy_gettext as _l

    from tenants.errors import DomainError

    with app.test_request_context("/"):
        error = DomainError(_l("Onbekende gemeente (CBS-code %(code)s).", code="<img src=x>"))
        html = render_template_string("{{ message }}", message=error.message)
    assert "<img" not in html and "&lt;img src=x&gt;" in html
