"""Password reset by e-mailed token: expiry, single use, no enumeration."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from tenants.db import utcnow
from tenants.models import PasswordResetToken
from tests.helpers import csrf_token, login

SAME_ANSWER = "Als dit e-mailadres bij ons bekend is"


def _outbox(app):
    """Mail sent in tests (Flask-Mailman's locmem backend keeps it on the app's mail state)."""
    return getattr(app.extensions["mailman"], "outbox", None) or []


def _request_reset(client, email):
    return client.post("/wachtwoord-vergeten", data={
        "csrf_token": csrf_token(client, "/wachtwoord-vergeten"), "email": email},
        follow_redirects=True)


def _link_for(app, email):
    message = [m for m in _outbox(app) if email in m.to][-1]
    return re.search(r"https?://[^/]+(/wachtwoord-herstellen/\S+)", message.body).group(1)


def _set_password(client, path, password):
    return client.post(path, data={"csrf_token": csrf_token(client, path),
                                   "password": password, "confirm": password})


def test_reset_flow_sets_a_new_password_and_ends_sessions(app, client, make):
    user = make.user()
    other = app.test_client()
    login(other, user)
    response = _request_reset(client, user.email)
    assert SAME_ANSWER in response.get_data(as_text=True)
    path = _link_for(app, user.email)
    done = _set_password(client, path, "nieuw wachtwoord voor de wijk")
    assert done.status_code == 302
    login(app.test_client(), user, password="nieuw wachtwoord voor de wijk")
    assert other.get("/account").status_code == 302  # the other session ended


def test_unknown_address_gets_the_same_answer_and_no_mail(app, client):
    before = len(_outbox(app))
    response = _request_reset(client, "onbekend-adres@example.org")
    assert SAME_ANSWER in response.get_data(as_text=True)
    assert len(_outbox(app)) == before


def test_a_reset_link_works_once(app, client, make):
    user = make.user()
    _request_reset(client, user.email)
    path = _link_for(app, user.email)
    assert _set_password(client, path, "eerste nieuwe wachtwoord").status_code == 302
    again = client.get(path)
    assert again.status_code == 400
    assert "werkt niet" in again.get_data(as_text=True)


def test_an_expired_reset_link_is_refused(app, client, make, session):
    user = make.user()
    _request_reset(client, user.email)
    path = _link_for(app, user.email)
    session.execute(update(PasswordResetToken).where(PasswordResetToken.user_id == user.id)
                    .values(expires_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    response = client.post(path, data={"csrf_token": csrf_token(client, "/login"),
                                       "password": "wat dan ook lang", "confirm": "wat dan ook lang"})
    assert response.status_code == 400
    assert "ongeldig of verlopen" in response.get_data(as_text=True)
    login(app.test_client(), user)  # password unchanged


def test_a_forged_token_is_refused(client):
    response = client.get("/wachtwoord-herstellen/verzonnen-token")
    assert response.status_code == 400 and "ongeldig of verlopen" in response.get_data(as_text=True)


def test_reset_tokens_are_stored_hashed(app, client, make, session):
    user = make.user()
    _request_reset(client, user.email)
    token = _link_for(app, user.email).rsplit("/", 1)[1]
    stored = session.scalars(select(PasswordResetToken.token_hash)
                             .where(PasswordResetToken.user_id == user.id)).all()
    assert stored and token not in stored


def test_smtp_down_gives_a_known_address_the_same_answer(app, client, make, monkeypatch):
    """No error tells an attacker which addresses exist (issue #9, finding 7)."""
    import flask_mailman

    def smtp_down(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP is down")

    monkeypatch.setattr(flask_mailman.EmailMessage, "send", smtp_down)
    user = make.user()
    known = client.post("/wachtwoord-vergeten", data={
        "csrf_token": csrf_token(client, "/wachtwoord-vergeten"), "email": user.email})
    unknown = client.post("/wachtwoord-vergeten", data={
        "csrf_token": csrf_token(client, "/wachtwoord-vergeten"),
        "email": "niemand-bekend@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert SAME_ANSWER in client.get(known.headers["Location"]).get_data(as_text=True)
