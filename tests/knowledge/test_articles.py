"""The knowledge base: who writes, versions with a diff, search, sources, one-step articles."""
from __future__ import annotations

from datetime import date

import pytest

from blueprints.knowledge import services
from blueprints.knowledge.models import Article
from tenants.errors import DomainError, PermissionDenied
from tenants.extensions import db
from tests.helpers import login, post, unique
from tests.knowledge.builders import actor, answer, ask, write


def test_members_read_but_do_not_write(app, client, network):
    admin, members = network
    article_id = write(app, admin, unique("Ontheffing art. 9"))
    login(client, members[0])
    assert client.get(f"/netwerk/kennisbank/{article_id}").status_code == 200
    assert client.get("/netwerk/kennisbank/nieuw").status_code == 404
    assert client.get(f"/netwerk/kennisbank/{article_id}/bewerken").status_code == 404
    with app.test_request_context():
        with pytest.raises(PermissionDenied):
            services.create_article(db.session, actor(members[0]), title="x", body="y",
                                    theme="anders", sources="", last_checked_on=date.today())
        db.session.remove()


def test_an_invited_author_writes(app, client, network):
    admin, members = network
    admin_client = app.test_client()
    login(admin_client, admin)
    response = post(admin_client, "/netwerk/kennisbank/auteurs", {"email": members[1].email},
                    token_from="/netwerk/kennisbank/", follow_redirects=True)
    assert "Pieter Hoekstra kan nu artikelen schrijven." in response.get_data(as_text=True)
    login(client, members[1])
    title = unique("Artikel van een auteur")
    response = post(client, "/netwerk/kennisbank/nieuw", {
        "title": title, "theme": "financiering", "body": "## Subsidie\n\nZonder btw.",
        "sources": "[Wet OB](https://wetten.overheid.nl/BWBR0002629)",
        "last_checked_on": "2026-11-20"}, token_from="/netwerk/kennisbank/nieuw")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert title in page and "<h2>Subsidie</h2>" in page
    assert "20-11-2026" in page
    assert 'href="https://wetten.overheid.nl/BWBR0002629"' in page


def test_a_future_check_date_or_bad_date_is_refused_in_dutch(app, client, network):
    admin, _members = network
    login(client, admin)
    response = post(client, "/netwerk/kennisbank/nieuw", {
        "title": "x", "theme": "anders", "body": "y", "last_checked_on": "2099-01-01"},
        token_from="/netwerk/kennisbank/nieuw")
    assert "De datum van de laatste controle ligt in de toekomst." in response.get_data(
        as_text=True)
    response = post(client, "/netwerk/kennisbank/nieuw", {
        "title": "x", "theme": "anders", "body": "y", "last_checked_on": "31-31-2026"},
        token_from="/netwerk/kennisbank/nieuw")
    assert response.status_code == 200
    assert "Vul een bestaande datum in" in response.get_data(as_text=True)


def test_every_change_is_a_version_with_who_and_a_diff(app, client, network):
    admin, members = network
    title = unique("Vrijwilligersvergoeding")
    article_id = write(app, admin, title, body="Maximaal € 210 per maand.")
    login(client, admin)
    response = post(client, f"/netwerk/kennisbank/{article_id}/bewerken", {
        "title": title, "theme": "ontheffing", "body": "Maximaal € 220 per maand.",
        "sources": "Participatiewet art. 9", "last_checked_on": "2026-11-21",
        "note": "Bedrag 2026"}, token_from="/netwerk/kennisbank/")
    assert response.status_code == 302
    history = client.get(f"/netwerk/kennisbank/{article_id}/versies").get_data(as_text=True)
    assert "Versie 2" in history and "Versie 1" in history and "Bedrag 2026" in history
    assert "Henk Postma" in history
    assert "Maximaal € 210 per maand." in history and "Maximaal € 220 per maand." in history
    assert 'class="diff-del"' in history and 'class="diff-add"' in history
    with app.test_request_context():
        rows = services.article_history(db.session, article_id)
        assert [r.version.version for r in rows] == [2, 1]
        assert ("del", "Maximaal € 210 per maand.") in rows[0].diff
        assert ("add", "Maximaal € 220 per maand.") in rows[0].diff
        with pytest.raises(DomainError, match="niets gewijzigd"):
            a = db.session.get(Article, article_id)
            services.update_article(db.session, actor(admin), article_id, title=a.title,
                                    body=a.body, theme=a.theme.value, sources=a.sources,
                                    last_checked_on=a.last_checked_on, note=None)
        db.session.remove()


def test_search_by_word_and_theme(app, client, network):
    admin, members = network
    word = unique("kostendelersnorm")
    write(app, admin, unique("Normen"), body=f"De {word} geldt bij huisgenoten.",
          theme="uitkering_en_regels")
    login(client, members[0])
    assert word in client.get(f"/netwerk/kennisbank/?q={word}").get_data(as_text=True) or \
        "Normen" in client.get(f"/netwerk/kennisbank/?q={word}").get_data(as_text=True)
    found = client.get(f"/netwerk/kennisbank/?q={word}&thema=uitkering_en_regels")
    assert "Normen" in found.get_data(as_text=True)
    assert "Normen" not in client.get(
        f"/netwerk/kennisbank/?q={word}&thema=financiering").get_data(as_text=True)
    assert client.get("/netwerk/kennisbank/?q=%25_\\&thema=onzin").status_code == 200


def test_an_answered_question_becomes_an_article_in_one_step(app, client, network):
    admin, members = network
    title = unique("Mag een vrijwilliger begeleiden")
    question_id = ask(app, members[1], title)
    login(client, admin)
    refused = post(client, f"/netwerk/vragen/{question_id}/artikel", {},
                   token_from="/netwerk/vragen/", follow_redirects=True)
    assert "Alleen een beantwoorde vraag kan een artikel worden." in refused.get_data(
        as_text=True)
    answer(app, admin, question_id, text="Ja: art. 10 lid 3 Pw.")
    response = post(client, f"/netwerk/vragen/{question_id}/artikel", {},
                    token_from="/netwerk/vragen/")
    assert response.status_code == 302 and "/bewerken" in response.headers["Location"]
    article_path = response.headers["Location"].replace("/bewerken", "")
    page = client.get(article_path).get_data(as_text=True)
    assert title in page and "Ja: art. 10 lid 3 Pw." in page
    question_page = client.get(f"/netwerk/vragen/{question_id}").get_data(as_text=True)
    assert article_path in question_page  # the question links to its article
    again = post(client, f"/netwerk/vragen/{question_id}/artikel", {},
                 token_from="/netwerk/vragen/", follow_redirects=True)
    assert "Van deze vraag is al een artikel gemaakt." in again.get_data(as_text=True)


def test_the_admin_links_articles_to_a_question(app, client, network):
    admin, members = network
    article_id = write(app, admin, unique("Gekoppeld artikel"))
    question_id = ask(app, members[1])
    login(client, admin)
    post(client, f"/netwerk/vragen/{question_id}/beantwoorden",
         {"status": "in_behandeling", "answer": "", "articles": [str(article_id), "x"]},
         token_from="/netwerk/vragen/")
    member = app.test_client()
    login(member, members[0])
    assert f"/netwerk/kennisbank/{article_id}" in member.get(
        f"/netwerk/vragen/{question_id}").get_data(as_text=True)
