"""The demo: ONS Breda shares with Breda, the Kluswinkel with Lelystad, Landgraaf nothing."""
from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import update

from blueprints.demo.cli import DEMO_TOTP_SECRET
from tenants.extensions import db
from tenants.models import User
from tests.helpers import csrf_token


@pytest.fixture(scope="module")
def seeded(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # idempotent: no second grant
    return runner


def _officer(app, city):
    """The demo officer, logged in with the demo code. Other tests may have used this code in
    the same 30 seconds (a code is accepted once): the officer's last used step is cleared
    first, as arranging the test, not as a way around the rule."""
    with app.app_context():
        db.session.execute(update(User).where(User.email == f"gemeente@{city}.example.org")
                           .values(totp_last_step=None))
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"csrf_token": csrf_token(client),
                                "email": f"gemeente@{city}.example.org",
                                "password": "wijkwerk-demo"})
    client.post("/login/code", data={"csrf_token": csrf_token(client, "/login/code"),
                                     "code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
    return client


@pytest.mark.parametrize("city, code, sharing, not_sharing", [
    ("breda", "0758", "Bewonerscoöperatie ONS", ("Kluswinkel", "Vrijwilligerscentrale")),
    ("lelystad", "0995", "Kluswinkel", ("Bewonerscoöperatie ONS", "Vrijwilligerscentrale")),
])
def test_the_demo_municipalities_see_what_is_shared_with_them(app, seeded, city, code,
                                                                sharing, not_sharing):
    html = _officer(app, city).get(f"/gemeente/{code}/").get_data(as_text=True)
    assert sharing in html and 'id="tabel-uren"' in html and 'id="tabel-uitstroom"' in html
    assert html.count('id="tabel-uren"') == 1  # shared once, not twice after a second seed
    for name in not_sharing:
        assert name not in html


def test_landgraaf_sees_nothing_shared(app, seeded):
    html = _officer(app, "landgraaf").get("/gemeente/0882/").get_data(as_text=True)
    assert "Er zijn nog geen rapportages met u gedeeld." in html
    assert "Vrijwilligerscentrale" not in html
