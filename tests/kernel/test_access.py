"""Access rules, generated from the URL map so that every later route is covered too.

- a user who is not a member of a tenant gets 404 on every URL of it;
- a participant gets 403 on every page that needs a higher role;
- a logged-out visitor is sent to /login from every page that is not public.
"""
from __future__ import annotations

import re

import pytest

from tenants.models import Role
from tests.helpers import csrf_token, login

PUBLIC_ENDPOINTS = {
    "static", "core.index", "core.healthz", "core.set_language", "auth.login",
    "auth.login_code", "auth.logout", "auth.forgot_password", "auth.reset_password",
    "auth.accept", "auth.accept_municipal",
    "stripe_webhook.receive",  # signed by Stripe instead of a login (tests/onlinepay)
    # a mailed, signed link or invitation instead of a login (tests/network)
    "network_links.cancel", "network_links.accept", "network_links.accept_invitation",
    "billing_webhook.receive",  # signed by Stripe instead of a login (tests/billing)
    "metrics",  # Prometheus: a bearer token instead of a login, else 404 (test_metrics.py)
}
TENANT_PREFIX = "/<slug:tenant_slug>"


def _fill(rule: str, **values) -> str:
    def repl(match):
        converter, name = match.group(1), match.group(2)
        if name in values:
            return str(values[name])
        return "1" if converter == "int" else ("0758" if converter == "cbs" else "x")
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", repl, rule)


def _rules(app, predicate):
    from app import create_app  # noqa: F401  (the app fixture is built the same way)

    return [r for r in app.url_map.iter_rules() if predicate(r)]


def _method(rule) -> str:
    return "GET" if "GET" in rule.methods else "POST"


def _request(client, rule, url):
    if _method(rule) == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(client, "/account")})


def tenant_rules(app):
    return [r for r in _rules(app, lambda r: r.rule.startswith(TENANT_PREFIX))
            if not getattr(app.view_functions[r.endpoint], "_public_tenant_view", False)]


@pytest.fixture
def tenants_and_users(make):
    a, b = make.tenant(name="Coöperatie Noord"), make.tenant(name="Coöperatie Zuid")
    admin_a = make.member(a, Role.ADMIN)
    make.member(b, Role.ADMIN)  # B has data of its own
    participant_a = make.member(a, Role.PARTICIPANT)
    return a, b, admin_a, participant_a


def test_the_url_map_has_tenant_routes(app):
    assert len(tenant_rules(app)) >= 5


def test_non_member_gets_404_on_every_tenant_url(app, client, tenants_and_users):
    a, b, admin_a, _ = tenants_and_users
    login(client, admin_a)
    checked = []
    for rule in tenant_rules(app):
        url = _fill(rule.rule, tenant_slug=b.slug)
        response = _request(client, rule, url)
        assert response.status_code == 404, f"{_method(rule)} {url} answered {response.status_code}"
        assert b.name not in response.get_data(as_text=True)
        checked.append(url)
    # the same user does reach their own tenant
    assert client.get(f"/{a.slug}/").status_code == 200
    assert checked


def test_unknown_tenant_and_malformed_slug_answer_404(client, tenants_and_users):
    _, _, admin_a, _ = tenants_and_users
    login(client, admin_a)
    assert client.get("/bestaat-niet-xyz/").status_code == 404
    assert client.get("/Hoofd_Letters!/").status_code == 404
    assert client.get("/" + "a" * 80 + "/").status_code == 404


def test_participant_gets_403_on_pages_for_higher_roles(app, client, tenants_and_users):
    a, _, _, participant = tenants_and_users
    login(client, participant)
    guarded = [r for r in tenant_rules(app)
               if getattr(app.view_functions[r.endpoint], "_required_role", Role.PARTICIPANT)
               .rank > Role.PARTICIPANT.rank]
    assert guarded, "expected admin-only tenant pages"
    for rule in guarded:
        url = _fill(rule.rule, tenant_slug=a.slug)
        response = _request(client, rule, url)
        assert response.status_code == 403, f"{_method(rule)} {url} answered {response.status_code}"
        assert "geen toegang" in response.get_data(as_text=True).lower()
    assert client.get(f"/{a.slug}/", follow_redirects=True).status_code == 200


def test_logged_out_visitor_is_sent_to_login(app, client, tenants_and_users):
    a, *_ = tenants_and_users
    # The bearer-token API answers 401 JSON instead: tests/api/test_access.py.
    rules = _rules(app, lambda r: r.endpoint not in PUBLIC_ENDPOINTS
                   and not r.rule.startswith("/api/"))
    assert rules
    for rule in rules:
        if getattr(app.view_functions[rule.endpoint], "_public_tenant_view", False):
            continue
        url = _fill(rule.rule, tenant_slug=a.slug)
        if _method(rule) == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf_token(client, "/login")})
        assert response.status_code == 302, f"{url} answered {response.status_code}"
        assert "/login" in response.headers["Location"], url


def test_refused_access_is_logged(app, client, tenants_and_users, session):
    from sqlalchemy import select

    from tenants.models import SecurityEvent

    _, b, admin_a, _ = tenants_and_users
    login(client, admin_a)
    client.get(f"/{b.slug}/team/")
    event = session.scalar(select(SecurityEvent).where(
        SecurityEvent.user_id == admin_a.id, SecurityEvent.action == "access.refused"))
    assert event is not None and event.path == f"/{b.slug}/team/"


def test_municipality_pages_are_404_for_others(app, client, make, session):
    from tenants.membership import municipality_by_code
    from tenants.models import MunicipalityMembership

    viewer = make.user(totp=True)
    breda = municipality_by_code(session, "0758")
    session.add(MunicipalityMembership(user_id=viewer.id, municipality_id=breda.id))
    session.commit()
    login(client, viewer)
    assert client.get("/gemeente/0758/").status_code == 200
    assert client.get("/gemeente/0995/").status_code == 404
    assert client.get("/gemeente/9999/").status_code == 404


def test_operator_and_network_areas_are_404_for_ordinary_users(client, make):
    user = make.user()
    login(client, user)
    assert client.get("/beheer/").status_code == 404
    assert client.get("/netwerk/").status_code == 404


def test_an_id_beyond_bigint_answers_404_not_500(client, tenants_and_users):
    a, _, admin_a, _ = tenants_and_users
    login(client, admin_a)
    assert client.get(f"/{a.slug}/deelnemers/{10**30}/").status_code == 404
    assert client.get(f"/{a.slug}/deelnemers/{2**63 - 1}/").status_code == 404
