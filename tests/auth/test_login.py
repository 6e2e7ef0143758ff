"""Logging in, two-factor, logout, sessions that really end."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from tenants.db import utcnow
from tenants.models import Role, SecurityEvent, UserSession
from tests.helpers import PASSWORD, csrf_token, login, post, totp_now, unique

WRONG = "Dit e-mailadres en wachtwoord horen niet bij elkaar"


def _post_login(client, email, password):
    return client.post("/login", data={"csrf_token": csrf_token(client), "email": email,
                                       "password": password})


def test_login_page_is_dutch_with_csrf(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="nl"' in html and "Inloggen" in html and 'name="csrf_token"' in html
    assert 'name="email"' in html and 'name="password"' in html


def test_supervisor_logs_in_and_lands_on_the_tenant(client, make):
    tenant = make.tenant()
    user = make.member(tenant, Role.SUPERVISOR)
    response = login(client, user)
    assert response.headers["Location"] == "/"
    page = client.get("/", follow_redirects=True)
    assert page.request.path == f"/{tenant.slug}/"
    assert "Welkom" in page.get_data(as_text=True)


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make, session):
    user = make.user()
    nobody = f"{unique('niemand')}@example.org"
    wrong = _post_login(client, user.email, "not-the-password")
    unknown = _post_login(client, nobody, "not-the-password")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert WRONG in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # not logged in
    failed = session.scalars(select(SecurityEvent).where(
        SecurityEvent.action == "login.failed",
        SecurityEvent.email.in_([user.email, nobody]))).all()
    assert len(failed) == 2


def test_login_form_errors_are_dutch_and_harmless(client):
    empty = client.post("/login", data={"csrf_token": csrf_token(client), "email": "",
                                        "password": ""})
    text = empty.get_data(as_text=True)
    assert empty.status_code == 200 and "Vul uw e-mailadres in." in text
    huge = client.post("/login", data={"csrf_token": csrf_token(client),
                                       "email": "a" * 5000 + "@example.org", "password": "x" * 5000})
    text = huge.get_data(as_text=True)
    assert huge.status_code == 200 and "hoogstens" in text


def test_missing_csrf_token_is_refused_in_dutch(client, make):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "beveiligingscode" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_two_factor_login_needs_the_code(client, make):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    first = _post_login(client, admin.email, PASSWORD)
    assert first.headers["Location"].endswith("/login/code")
    assert client.get(f"/{tenant.slug}/").status_code == 302  # not logged in yet
    bad = client.post("/login/code", data={"csrf_token": csrf_token(client, "/login/code"),
                                           "code": "000000"})
    assert bad.status_code == 200 and "klopt niet" in bad.get_data(as_text=True)
    good = client.post("/login/code", data={"csrf_token": csrf_token(client, "/login/code"),
                                            "code": totp_now(admin)})
    assert good.status_code == 302
    assert client.get(f"/{tenant.slug}/team/").status_code == 200


def test_code_step_without_password_step_goes_back_to_login(client):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_a_used_code_is_refused_when_replay_protection_is_on(app, client, make):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    code = totp_now(admin)
    assert app.config["TOTP_REPLAY_PROTECTION"] is True
    login(client, admin, code=code)
    other = app.test_client()
    _post_login(other, admin.email, PASSWORD)
    again = other.post("/login/code", data={"csrf_token": csrf_token(other, "/login/code"),
                                            "code": code})
    assert again.status_code == 200 and "al gebruikt" in again.get_data(as_text=True)


def test_recovery_code_logs_in_once(client, app, make, session):
    from tenants.identity import new_recovery_codes
    from tenants.models import User

    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    codes = new_recovery_codes(session, session.get(User, admin.id))
    session.commit()
    login(client, admin, code=codes[0])
    assert client.get(f"/{tenant.slug}/").status_code == 200
    other = app.test_client()
    _post_login(other, admin.email, PASSWORD)
    again = other.post("/login/code", data={"csrf_token": csrf_token(other, "/login/code"),
                                            "code": codes[0]})
    assert "herstelcode klopt niet of is al gebruikt" in again.get_data(as_text=True)


def test_admin_without_two_factor_must_enrol_first(client, make):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN, totp=False)
    response = login(client, admin)
    assert "/account/tweestaps" in response.headers["Location"]
    page = client.get(f"/{tenant.slug}/team/")
    assert page.status_code == 302 and "/account/tweestaps" in page.headers["Location"]


def test_enrolment_shows_qr_and_gives_recovery_codes(client, make, session):
    import re

    import pyotp

    from tenants.models import User

    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN, totp=False)
    login(client, admin)
    page = client.get("/account/tweestaps").get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    wrong = post(client, "/account/tweestaps", {"code": "123456"}, token_from="/account/tweestaps")
    assert "klopt niet" in wrong.get_data(as_text=True)
    done = post(client, "/account/tweestaps", {"code": pyotp.TOTP(secret).now()},
                token_from="/account/tweestaps")
    codes = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert session.get(User, admin.id).has_totp
    assert client.get(f"/{tenant.slug}/team/").status_code == 200


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, make):
    tenant = make.tenant()
    user = make.member(tenant, Role.SUPERVISOR)
    login(client, user)
    assert client.get(f"/{tenant.slug}/").status_code == 200
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    response = post(client, "/logout", token_from=f"/{tenant.slug}/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    replay = thief.get(f"/{tenant.slug}/")
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]


def test_password_change_ends_other_sessions(app, make):
    tenant = make.tenant()
    user = make.member(tenant, Role.SUPERVISOR)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    response = post(laptop, "/account/wachtwoord", {
        "current": PASSWORD, "password": "een nieuw lang wachtwoord",
        "confirm": "een nieuw lang wachtwoord"}, follow_redirects=True)
    assert "Uw wachtwoord is gewijzigd. 1 andere sessie is beëindigd." in response.get_data(as_text=True)
    assert laptop.get(f"/{tenant.slug}/").status_code == 200
    assert phone.get(f"/{tenant.slug}/").status_code == 302


def test_password_change_refuses_wrong_current_and_weak_new(client, make):
    user = make.user()
    login(client, user)
    wrong = post(client, "/account/wachtwoord", {"current": "fout-wachtwoord",
                 "password": "een nieuw lang wachtwoord", "confirm": "een nieuw lang wachtwoord"},
                 follow_redirects=True)
    assert "Uw huidige wachtwoord klopt niet." in wrong.get_data(as_text=True)
    weak = post(client, "/account/wachtwoord", {"current": PASSWORD, "password": "password1",
                "confirm": "password1"}, follow_redirects=True)
    assert "veel gebruikt" in weak.get_data(as_text=True)
    short = post(client, "/account/wachtwoord", {"current": PASSWORD, "password": "kort",
                 "confirm": "kort"}, follow_redirects=True)
    assert "minstens 8 tekens" in short.get_data(as_text=True)
    login(client.application.test_client(), user)  # the old password still works


def test_idle_session_expires(app, client, make, session):
    tenant = make.tenant()
    user = make.member(tenant, Role.SUPERVISOR)
    login(client, user)
    session.execute(update(UserSession).where(UserSession.user_id == user.id)
                    .values(last_seen_at=utcnow() - timedelta(hours=3)))
    session.commit()
    assert client.get(f"/{tenant.slug}/").status_code == 302


def test_an_active_session_still_ends_at_the_absolute_limit(app, client, make, session):
    tenant = make.tenant()
    user = make.member(tenant, Role.SUPERVISOR)
    login(client, user)
    assert client.get(f"/{tenant.slug}/").status_code == 200
    # in use a minute ago, but logged in 13 hours ago (the limit is 12)
    session.execute(update(UserSession).where(UserSession.user_id == user.id)
                    .values(created_at=utcnow() - timedelta(hours=13),
                            last_seen_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    assert client.get(f"/{tenant.slug}/").status_code == 302


def test_deactivated_user_is_logged_out_at_once(app, client, make, session):
    from tenants.models import User

    tenant = make.tenant()
    user = make.member(tenant, Role.SUPERVISOR)
    login(client, user)
    session.get(User, user.id).deactivated_at = utcnow()
    session.commit()
    assert client.get(f"/{tenant.slug}/").status_code == 302
    again = _post_login(app.test_client(), user.email, PASSWORD)
    assert WRONG in again.get_data(as_text=True)


def test_open_redirect_after_login_is_refused(client, make):
    user = make.user()
    client.get("/login?next=//evil.example.com/")
    response = login(client, user)
    assert response.headers["Location"] == "/"


def test_login_is_rate_limited_per_account(app, make):
    user = make.user()
    client = app.test_client()
    statuses = [_post_login(client, user.email, "wrong-password").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    blocked = _post_login(client, user.email, PASSWORD)
    assert blocked.status_code == 429
    assert "Te veel pogingen" in blocked.get_data(as_text=True)
    # the count is per account and address: the owner elsewhere is not locked out
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.3"
    assert _post_login(owner, user.email, PASSWORD).status_code == 302
