"""One rule for "where next": login, the language switch and the tenant switch send the user
only to a path on this site; anything else goes to the start page, never a 500 (issue #9,
finding 2)."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tenants.models import Role, TenantStatus, Tenant
from tenants.urls import safe_redirect_target
from tests.helpers import PASSWORD, csrf_token, login

HOSTILE = [
    "/\t/evil.example",
    "/%09/evil.example",
    "//evil.example",
    "///evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "/%2F/evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/account\r\nSet-Cookie: x=1",
    "/account%0ALocation: https://evil.example",
    "/account%0d%0a",
    "/\x00account",
    "/%00",
    " //evil.example",
    "/\u2028/evil.example",
    "",
]
GOOD = ["/account", "/ons-breda/deelnemers/?q=jan&page=2", "/ons-breda/"]


@pytest.mark.parametrize("target", HOSTILE)
def test_the_rule_refuses_anything_but_a_local_path(target):
    assert safe_redirect_target(target) is None


@pytest.mark.parametrize("target", GOOD)
def test_the_rule_keeps_a_local_path(target):
    assert safe_redirect_target(target) == target


def _location(response) -> str:
    assert response.status_code in (302, 303), response.status_code
    return response.headers["Location"]


@pytest.mark.parametrize("target", HOSTILE)
def test_login_next_never_leaves_the_site(app, make, target):
    user = make.user()
    client = app.test_client()
    page = client.get("/login?next=" + quote(target, safe=""))
    assert page.status_code == 200
    response = client.post("/login", data={"csrf_token": csrf_token(client), "email": user.email,
                                           "password": PASSWORD})
    assert _location(response) == "/"


def test_login_next_with_a_newline_is_no_500(app, make):
    user = make.user()
    client = app.test_client()
    assert client.get("/login?next=%2Faccount%0ALocation:%20x").status_code == 200
    response = client.post("/login", data={"csrf_token": csrf_token(client), "email": user.email,
                                           "password": PASSWORD})
    assert _location(response) == "/"
    assert client.get("/account").status_code == 200


def test_login_next_to_a_local_page_is_kept(app, make):
    user = make.user()
    client = app.test_client()
    client.get("/login?next=" + quote("/account?tab=1", safe=""))
    response = client.post("/login", data={"csrf_token": csrf_token(client), "email": user.email,
                                           "password": PASSWORD})
    assert _location(response) == "/account?tab=1"


@pytest.mark.parametrize("target", HOSTILE)
def test_language_switch_never_leaves_the_site(client, target):
    response = client.post("/taal", data={"csrf_token": csrf_token(client), "lang": "en",
                                          "next": target})
    assert _location(response) == "/"


def test_language_switch_goes_back_to_the_page(client):
    response = client.post("/taal", data={"csrf_token": csrf_token(client), "lang": "en",
                                          "next": "/wachtwoord-vergeten?x=1"})
    assert _location(response) == "/wachtwoord-vergeten?x=1"


def test_tenant_switch_of_a_read_only_tenant_ignores_a_foreign_referrer(app, make, session):
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR)
    row = session.get(Tenant, tenant.id)
    row.status = TenantStatus.READ_ONLY
    session.commit()
    client = app.test_client()
    login(client, coach)
    path = f"/{tenant.slug}/deelnemers/nieuw"
    token = csrf_token(client, f"/{tenant.slug}/")
    away = client.post(path, data={"csrf_token": token},
                       headers={"Referer": "https://evil.example/phish"})
    assert _location(away) == f"/{tenant.slug}/"
    back = client.post(path, data={"csrf_token": token},
                       headers={"Referer": f"http://localhost/{tenant.slug}/deelnemers/"})
    assert _location(back) == f"/{tenant.slug}/deelnemers/"
