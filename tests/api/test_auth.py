"""Bearer-token authentication: only the Authorization header counts, and it is checked live."""
from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from blueprints.api.routes import openapi
from blueprints.api.models import ApiToken
from blueprints.api.services import to_base36
from tenants.db import utcnow
from tenants.models import Membership, Role, SecurityEvent, User
from tenants.tenancy import tenant_context
from tests.api.conftest import bearer
from tests.helpers import csrf_token, login

ME = "/api/v1/me"


def _assert_401(response, code: str):
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.is_json and response.json["error"]["code"] == code
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.headers["Cache-Control"] == "no-store"
    return response.json["error"]["message"]


def test_a_valid_token_answers_who_it_is(client, coop, issue):
    tenant, _, coach = coop
    response = client.get(ME, headers=bearer(issue(coach, tenant, name="Rapportage")))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.json["data"]
    assert data["user"] == {"id": str(coach.id), "name": "Ahmed El Khatib",
                            "email": coach.email}
    assert data["tenant"] == {"id": str(tenant.id), "slug": tenant.slug, "name": tenant.name}
    assert data["role"] == "supervisor" and data["token"]["name"] == "Rapportage"


def test_no_token_is_401_in_dutch(client):
    message = _assert_401(client.get(ME), "missing_token")
    assert "Authorization: Bearer" in message
    assert "error=" not in client.get(ME).headers["WWW-Authenticate"]


@pytest.mark.parametrize("header", [
    "Bearer",
    "Bearer nonsense",
    "Basic d2lqazp3ZXJr",
    "Bearer ww_1_" + "a" * 43,  # a tenant that does not exist
    "Bearer ww__" + "a" * 43,
    "Bearer ww_" + "z" * 20 + "_" + "a" * 43,  # more than 63 bits
    "Bearer " + "x" * 5000,
])
def test_malformed_and_unknown_tokens_are_401(client, header):
    response = client.get(ME, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json["error"]["code"] in {"missing_token", "invalid_token"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_well_formed_guess_for_a_real_tenant_is_401(client, coop, issue):
    tenant, _, coach = coop
    real = issue(coach, tenant)
    guess = f"ww_{to_base36(tenant.id)}_{secrets.token_urlsafe(32)}"
    message = _assert_401(client.get(ME, headers=bearer(guess)), "invalid_token")
    assert message == "Deze API-sleutel is ongeldig."
    _assert_401(client.get(ME, headers=bearer(real + "x")), "invalid_token")
    _assert_401(client.get(ME, headers=bearer(real[:-1])), "invalid_token")


def test_an_expired_token_is_401(client, coop, issue):
    tenant, _, coach = coop
    value = issue(coach, tenant, lifetime=timedelta(seconds=-1))
    message = _assert_401(client.get(ME, headers=bearer(value)), "token_expired")
    assert "verlopen" in message


def test_a_revoked_token_is_401(client, coop, issue, session):
    tenant, _, coach = coop
    value = issue(coach, tenant)
    with tenant_context(session, tenant.id):
        session.execute(update(ApiToken).values(revoked_at=utcnow()))
        session.commit()
    assert "ingetrokken" in _assert_401(client.get(ME, headers=bearer(value)), "token_revoked")


def test_a_logged_in_browser_without_a_token_is_401(client, coop):
    tenant, _, coach = coop
    login(client, coach)
    assert client.get(f"/{tenant.slug}/deelnemers/").status_code == 200  # the cookie works
    _assert_401(client.get(ME), "missing_token")
    _assert_401(client.get(f"/api/v1/{tenant.slug}/participants"), "missing_token")


def test_the_cookie_neither_helps_nor_changes_whose_call_it_is(client, coop, issue):
    tenant, admin, coach = coop
    value = issue(coach, tenant)
    login(client, admin)
    response = client.get(ME, headers=bearer(value))
    assert response.json["data"]["user"]["id"] == str(coach.id)
    assert "Set-Cookie" not in response.headers


def test_an_unexpected_error_is_json_in_dutch_whatever_the_cookie_says(client, coop,
                                                                       monkeypatch):
    _, _, coach = coop
    login(client, coach)
    client.post("/taal", data={"lang": "en", "csrf_token": csrf_token(client, "/account")})
    assert "My account" in client.get("/account").get_data(as_text=True)  # pages: English

    def broken():
        raise RuntimeError("kapot")

    monkeypatch.setattr(openapi, "document", broken)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 500 and response.headers["Cache-Control"] == "no-store"
    assert response.json["error"] == {
        "code": "internal_error",
        "message": "Er ging iets mis aan onze kant. Probeer het later opnieuw."}
    assert "Stuur uw API-sleutel mee" in client.get(ME).json["error"]["message"]


def test_a_removed_member_is_401_and_does_not_get_old_tokens_back(client, coop, issue, make,
                                                                  session):
    tenant, _, coach = coop
    value = issue(coach, tenant)
    assert client.get(ME, headers=bearer(value)).status_code == 200
    with tenant_context(session, tenant.id):
        session.execute(delete(Membership).where(Membership.user_id == coach.id))
        session.commit()
    assert "geen lid meer" in _assert_401(client.get(ME, headers=bearer(value)), "invalid_token")
    make.member(tenant, Role.SUPERVISOR, user=coach)  # invited again later
    _assert_401(client.get(ME, headers=bearer(value)), "invalid_token")


def test_a_deactivated_user_is_401(client, coop, issue, session):
    tenant, _, coach = coop
    value = issue(coach, tenant)
    session.execute(update(User).where(User.id == coach.id).values(deactivated_at=utcnow()))
    session.commit()
    _assert_401(client.get(ME, headers=bearer(value)), "invalid_token")


def test_the_role_is_read_live(client, coop, issue, session):
    tenant, _, coach = coop
    value = issue(coach, tenant)
    assert client.get(ME, headers=bearer(value)).status_code == 200
    with tenant_context(session, tenant.id):
        session.execute(update(Membership).where(Membership.user_id == coach.id)
                        .values(role=Role.PARTICIPANT))
        session.commit()
    response = client.get(ME, headers=bearer(value))
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert "Alleen beheerders en begeleiders" in response.json["error"]["message"]
    assert response.headers["Cache-Control"] == "no-store"


def test_use_is_recorded_and_refusals_are_logged(client, coop, issue, session):
    tenant, _, coach = coop
    value = issue(coach, tenant)
    client.get(ME, headers=bearer(value))
    with tenant_context(session, tenant.id):
        row = session.scalar(select(ApiToken))
        assert row.last_used_at is not None
    guess = f"ww_{to_base36(tenant.id)}_{secrets.token_urlsafe(32)}"
    client.get(ME, headers=bearer(guess))
    event = session.scalar(select(SecurityEvent).where(
        SecurityEvent.action == "api.token_refused", SecurityEvent.path == ME)
        .order_by(SecurityEvent.at.desc()))
    assert event is not None and event.details["reason"] == "unknown token"
    assert guess not in str(event.details)


def test_each_token_has_its_own_rate_limit(app, client, coop, issue, monkeypatch):
    tenant, admin, coach = coop
    monkeypatch.setitem(app.config, "LIMIT_API", "2 per minute")
    first, second = issue(coach, tenant), issue(admin, tenant)
    assert [client.get(ME, headers=bearer(first)).status_code for _ in range(2)] == [200, 200]
    limited = client.get(ME, headers=bearer(first))
    assert limited.status_code == 429 and limited.json["error"]["code"] == "rate_limited"
    assert "Retry-After" in limited.headers and limited.headers["Cache-Control"] == "no-store"
    assert client.get(ME, headers=bearer(second)).status_code == 200


def test_unknown_urls_and_methods_answer_json(client, coop, issue):
    tenant, _, coach = coop
    value = issue(coach, tenant)
    for url in ("/api/v1/bestaat-niet", "/api/v1/", f"/api/v1/{tenant.slug}/participants/abc",
                f"/api/v1/{tenant.slug}/participants/-1"):
        response = client.get(url, headers=bearer(value))
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found", url
        assert response.headers["Cache-Control"] == "no-store"
    posted = client.post(ME, headers=bearer(value))
    assert posted.status_code == 405 and posted.json["error"]["code"] == "method_not_allowed"
    assert "GET" in posted.headers["Allow"]
