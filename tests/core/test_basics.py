"""Health check, Dutch formats, language switch, the tenant chooser."""
from __future__ import annotations

from datetime import date, datetime, timezone

from tenants.models import Role
from tests.helpers import login, post


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"
    assert response.json["rate_limits"] == "memory"  # no REDIS_URL in the tests


def test_dutch_date_and_money_formats(app):
    from tenants.formatting import format_date, format_datetime, format_money

    with app.test_request_context("/"):
        assert format_date(date(2026, 11, 22)) == "22-11-2026"
        assert format_money(123456) == "€\xa01.234,56"
        assert format_money(-5) == "€\xa0-0,05"
        assert format_datetime(datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)) == "22-11-2026 10:30"


def test_language_switch_changes_the_page_language(client):
    assert 'lang="nl"' in client.get("/login").get_data(as_text=True)
    post(client, "/taal", {"lang": "en", "next": "/login"}, token_from="/login")
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)
    post(client, "/taal", {"lang": "nl", "next": "//evil.example.com"}, token_from="/login")
    assert 'lang="nl"' in client.get("/login").get_data(as_text=True)


def test_user_in_two_tenants_chooses_and_switches(client, make):
    noord, zuid = make.tenant(name="Wijkcoöperatie Noord"), make.tenant(name="Wijkcoöperatie Zuid")
    coach = make.member(noord, Role.SUPERVISOR)
    make.member(zuid, Role.SUPERVISOR, user=coach)
    login(client, coach)
    chooser = client.get("/", follow_redirects=True)
    assert chooser.request.path == "/kies-organisatie"
    html = chooser.get_data(as_text=True)
    assert "Wijkcoöperatie Noord" in html and "Wijkcoöperatie Zuid" in html
    assert "Wijkcoöperatie Zuid" in client.get(f"/{zuid.slug}/").get_data(as_text=True)
    # the last tenant visited is where "/" goes next time
    assert client.get("/").headers["Location"] == f"/{zuid.slug}/"


def test_pages_never_answer_500_on_garbage(client, make):
    tenant = make.tenant()
    user = make.member(tenant, Role.ADMIN)
    login(client, user)
    for path in ("/%00", f"/{tenant.slug}/team/lid/abc/rol", f"/{tenant.slug}/team/auditlog?voor=x",
                 "/gemeente/abcd/", "/uitnodiging/" + "x" * 300 + "/y"):
        assert client.get(path).status_code < 500, path
