"""An anonymous question or comment: its author is stored, shown to the network admin and to
the author, and to no other member through any page or export."""
from __future__ import annotations

from sqlalchemy import select

from blueprints.knowledge.models import Question
from tenants.extensions import db
from tests.helpers import login, post, unique
from tests.knowledge.builders import ask


def _pages(client, question_id):
    paths = ["/netwerk/vragen/", f"/netwerk/vragen/{question_id}", "/netwerk/vragen/export.csv",
             "/netwerk/vragen/?status=open", "/netwerk/kennisbank/"]
    return {path: client.get(path) for path in paths}


def test_an_anonymous_question_does_not_name_its_author_to_members(app, client, make,
                                                                   network):
    _admin, members = network
    author = make.user(name="Wilhelmina Zonderland")
    from tests.knowledge.conftest import join_network
    join_network(app, author)
    title = unique("Anonieme vraag")
    question_id = ask(app, author, title, anonymous=True)
    with app.app_context():  # stored all the same
        assert db.session.scalar(select(Question.author_id).where(
            Question.title == title)) == author.id
    login(client, members[0])
    for path, response in _pages(client, question_id).items():
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert "Zonderland" not in body and author.email not in body, path
    page = client.get(f"/netwerk/vragen/{question_id}").get_data(as_text=True)
    assert "Anoniem lid" in page and title in page
    assert title in client.get("/netwerk/vragen/export.csv").get_data(as_text=True)


def test_an_anonymous_comment_does_not_name_its_author_to_members(app, client, make, network):
    _admin, members = network
    question_id = ask(app, members[1])
    commenter = make.user(name="Barend Geheimhouder")
    from tests.knowledge.conftest import join_network
    join_network(app, commenter)
    other = app.test_client()
    login(other, commenter)
    post(other, f"/netwerk/vragen/{question_id}/reageren",
         {"body": "Anonieme ervaring.", "anonymous": "y"}, token_from="/netwerk/vragen/")
    login(client, members[0])
    page = client.get(f"/netwerk/vragen/{question_id}").get_data(as_text=True)
    assert "Anonieme ervaring." in page and "Geheimhouder" not in page


def test_the_admin_and_the_author_see_who_asked(app, client, make, network):
    admin, members = network
    title = unique("Vraag van mij")
    question_id = ask(app, members[2], title, anonymous=True)
    login(client, admin)
    assert "Samira Bouzid (anoniem voor leden)" in client.get(
        f"/netwerk/vragen/{question_id}").get_data(as_text=True)
    assert "Samira Bouzid" in client.get("/netwerk/vragen/export.csv").get_data(as_text=True)
    own = app.test_client()
    login(own, members[2])
    assert "u (anoniem voor andere leden)" in own.get(
        f"/netwerk/vragen/{question_id}").get_data(as_text=True)


def test_a_named_question_shows_its_author(app, client, network):
    _admin, members = network
    question_id = ask(app, members[3], unique("Vraag met naam"))
    login(client, members[0])
    assert "Gerrit Veenstra" in client.get(f"/netwerk/vragen/{question_id}").get_data(
        as_text=True)


def test_an_article_made_from_an_anonymous_question_does_not_name_the_author(app, client,
                                                                              network):
    admin, members = network
    from tests.knowledge.builders import answer
    question_id = ask(app, members[2], unique("Anoniem naar artikel"), anonymous=True)
    answer(app, admin, question_id)
    admin_client = app.test_client()
    login(admin_client, admin)
    response = post(admin_client, f"/netwerk/vragen/{question_id}/artikel", {},
                    token_from="/netwerk/vragen/")
    assert response.status_code == 302
    article_path = response.headers["Location"].replace("/bewerken", "")
    login(client, members[0])
    for path in (article_path, article_path + "/versies"):
        body = client.get(path).get_data(as_text=True)
        assert "Samira" not in body and "Bouzid" not in body, path
