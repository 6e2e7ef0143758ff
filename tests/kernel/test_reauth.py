"""Changing a factor needs the password (and code) typed in the last minutes; the change ends
the user's other sessions, is in the security log and is mailed (issue #9, finding 3 and 6.e)."""
from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select, update

from blueprints.api.models import ApiToken
from tenants.db import utcnow
from tenants.models import RecoveryCode, Role, SecurityEvent, User, UserSession
from tenants.tenancy import tenant_context
from tests.helpers import PASSWORD, csrf_token, login, post, totp_now

CONFIRM = "/account/bevestigen"
NEW_PASSWORD = "een nieuw lang wachtwoord"


def outbox(app):
    return list(getattr(app.extensions["mailman"], "outbox", None) or [])


def age_sessions(session, user, minutes=10):
    """The user logged in `minutes` ago (longer than RECENT_AUTH_SECONDS)."""
    session.execute(update(UserSession).where(UserSession.user_id == user.id)
                    .values(created_at=utcnow() - timedelta(minutes=minutes)))
    session.commit()


def open_sessions(session, user) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)))


def events(session, user, action) -> int:
    return session.scalar(select(func.count()).select_from(SecurityEvent).where(
        SecurityEvent.user_id == user.id, SecurityEvent.action == action))


def confirm(client, user, password=PASSWORD, code=None, next_url="/account"):
    path = f"{CONFIRM}?next={next_url}"
    data = {"csrf_token": csrf_token(client, path), "password": password}
    if user.totp_secret:
        data["code"] = code if code is not None else totp_now(user, 1)
    return client.post(path, data=data)


@pytest.fixture
def admin(make):
    tenant = make.tenant()
    return tenant, make.member(tenant, Role.ADMIN)


def test_a_stolen_session_cannot_replace_the_second_factor(app, client, admin, session):
    tenant, user = admin
    login(client, user)
    age_sessions(session, user)
    page = client.get("/account/tweestaps")
    assert page.status_code == 302
    assert page.headers["Location"].startswith(f"{CONFIRM}?next=/account/tweestaps")
    attacker_secret = pyotp.random_base32()
    attempt = post(client, "/account/tweestaps", {"code": pyotp.TOTP(attacker_secret).now()})
    assert attempt.status_code == 302 and CONFIRM in attempt.headers["Location"]
    session.expire_all()
    assert session.get(User, user.id).totp_secret == user.totp_secret
    assert "Bevestig eerst met uw wachtwoord" in client.get(CONFIRM).get_data(as_text=True)


def test_confirming_needs_the_password_and_the_current_code(app, client, admin, session):
    tenant, user = admin
    login(client, user)
    age_sessions(session, user)
    wrong = confirm(client, user, password="niet-het-wachtwoord")
    assert wrong.status_code == 200 and "Uw wachtwoord klopt niet" in wrong.get_data(as_text=True)
    no_code = confirm(client, user, code="")
    assert no_code.status_code == 200 and "code" in no_code.get_data(as_text=True)
    bad_code = confirm(client, user, code="000000")
    assert bad_code.status_code == 200 and "klopt niet" in bad_code.get_data(as_text=True)
    assert client.get("/account/tweestaps").status_code == 302  # still not confirmed
    assert events(session, user, "reauth.failed") == 3
    ok = confirm(client, user, next_url="/account/tweestaps")
    assert ok.status_code == 302 and ok.headers["Location"] == "/account/tweestaps"
    assert client.get("/account/tweestaps").status_code == 200
    assert events(session, user, "reauth.success") == 1


def test_replacing_the_app_ends_other_sessions_is_logged_and_mailed(app, client, admin, session,
                                                                   monkeypatch):
    monkeypatch.setitem(app.config, "TOTP_REPLAY_PROTECTION", False)  # two logins, one code
    tenant, user = admin
    phone = app.test_client()
    login(client, user)
    login(phone, user)
    age_sessions(session, user)
    confirm(client, user, next_url="/account/tweestaps")
    page = client.get("/account/tweestaps").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    before = len(outbox(app))
    done = post(client, "/account/tweestaps", {"code": pyotp.TOTP(secret).now()},
                token_from="/account/tweestaps")
    assert done.status_code == 200 and "<code>" in done.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, user.id).totp_secret == secret
    assert open_sessions(session, user) == 1
    assert phone.get(f"/{tenant.slug}/").status_code == 302  # the phone is logged out
    assert client.get(f"/{tenant.slug}/").status_code == 200
    assert events(session, user, "2fa.replaced") == 1
    [mail] = outbox(app)[before:]
    assert mail.to == [user.email] and "nieuwe app voor tweestapsverificatie" in mail.body


def test_new_recovery_codes_need_a_recent_password(app, client, admin, session):
    tenant, user = admin
    login(client, user)
    age_sessions(session, user)
    count = session.scalar(select(func.count()).select_from(RecoveryCode)
                           .where(RecoveryCode.user_id == user.id))
    refused = post(client, "/account/herstelcodes", token_from="/account")
    assert refused.status_code == 302 and CONFIRM in refused.headers["Location"]
    assert session.scalar(select(func.count()).select_from(RecoveryCode)
                          .where(RecoveryCode.user_id == user.id)) == count
    confirm(client, user)
    before = len(outbox(app))
    done = post(client, "/account/herstelcodes", token_from="/account")
    codes = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>",
                       done.get_data(as_text=True))
    assert len(codes) == 10
    assert events(session, user, "2fa.recovery_codes_renewed") == 1
    assert [m.to for m in outbox(app)[before:]] == [[user.email]]


def test_a_password_change_needs_a_recent_password_and_is_mailed(app, client, make, session):
    user = make.user()
    login(client, user)
    age_sessions(session, user)
    refused = post(client, "/account/wachtwoord", {
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert refused.status_code == 302 and CONFIRM in refused.headers["Location"]
    login(app.test_client(), user)  # the old password still works
    confirm(client, user)
    before = len(outbox(app))
    post(client, "/account/wachtwoord", {
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    login(app.test_client(), user, password=NEW_PASSWORD)
    assert events(session, user, "password.changed") == 1
    [mail] = [m for m in outbox(app)[before:] if m.to == [user.email]]
    assert "Uw wachtwoord is gewijzigd" in mail.body


def test_an_api_token_needs_a_recent_password(app, client, make, session):
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR)
    other = app.test_client()
    login(client, coach)
    login(other, coach)
    age_sessions(session, coach)
    data = {"name": "Koppeling", "tenant": str(tenant.id), "lifetime": "30"}
    refused = post(client, "/account/api-tokens", data, token_from="/account/api-tokens")
    assert refused.status_code == 302 and CONFIRM in refused.headers["Location"]
    with tenant_context(session, tenant.id):
        assert session.scalars(select(ApiToken)).all() == []
    session.rollback()
    confirm(client, coach, next_url="/account/api-tokens")
    before = len(outbox(app))
    made = post(client, "/account/api-tokens", data, token_from="/account/api-tokens")
    assert made.status_code == 200 and "ww_" in made.get_data(as_text=True)
    assert events(session, coach, "api.token_created") == 1
    assert other.get("/account").status_code == 302  # the other session ended
    assert [m.to for m in outbox(app)[before:]] == [[coach.email]]


def test_confirming_replaces_the_session(app, client, make, session):
    user = make.user()
    login(client, user)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    age_sessions(session, user)
    confirm(client, user)
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    assert thief.get("/account").status_code == 302  # the old session token is void
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "１２３４５６", "12345²", "ⅰⅱⅲⅳⅴⅵ"])
def test_a_non_ascii_code_is_refused_calmly(app, make, code):
    tenant = make.tenant()
    user = make.member(tenant, Role.ADMIN)
    client = app.test_client()
    client.post("/login", data={"csrf_token": csrf_token(client), "email": user.email,
                                "password": PASSWORD})
    response = client.post("/login/code", data={
        "csrf_token": csrf_token(client, "/login/code"), "code": code})
    assert response.status_code == 200 and "klopt niet" in response.get_data(as_text=True)
    login(client, user)
    again = confirm(client, user, code=code)
    assert again.status_code == 200 and "klopt niet" in again.get_data(as_text=True)
