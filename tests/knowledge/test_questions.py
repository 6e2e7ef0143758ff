"""The question box: asking, similar questions, the vote budget, comments, answers."""
from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from blueprints.knowledge import services
from blueprints.knowledge.models import Question, QuestionStatus
from tenants.errors import DomainError, PermissionDenied
from tenants.extensions import db
from tests.helpers import login, post, unique
from tests.knowledge.builders import actor, answer, ask


def test_only_network_members_reach_the_question_box(app, client, make, network):
    outsider = make.user()
    login(client, outsider)
    for path in ("/netwerk/vragen/", "/netwerk/vragen/nieuw", "/netwerk/kennisbank/",
                 "/netwerk/vragen/export.csv"):
        assert client.get(path).status_code == 404
    _admin, members = network
    member_client = app.test_client()
    login(member_client, members[0])
    assert member_client.get("/netwerk/vragen/").status_code == 200


def test_a_member_asks_after_seeing_similar_questions(app, client, network):
    _admin, members = network
    word = unique("ontheffing")
    ask(app, members[1], f"Wanneer krijg je een {word} arbeidsplicht?")
    login(client, members[0])
    data = {"title": f"Hoe vraag je een {word} arbeidsplicht aan?", "body": "Mantelzorg.",
            "theme": "ontheffing"}
    first = post(client, "/netwerk/vragen/nieuw", data, token_from="/netwerk/vragen/nieuw")
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "Vergelijkbare vragen" in page and f"Wanneer krijg je een {word}" in page
    with app.app_context():
        assert db.session.scalar(select(Question).where(
            Question.title == data["title"])) is None
    second = post(client, "/netwerk/vragen/nieuw", {**data, "checked": "1"},
                  token_from="/netwerk/vragen/nieuw")
    assert second.status_code == 302
    assert "Uw vraag is geplaatst." in client.get(second.headers["Location"]).get_data(
        as_text=True)


def test_a_question_without_similar_ones_is_placed_at_once(app, client, network):
    _admin, members = network
    login(client, members[0])
    title = f"Zzqx {secrets.token_hex(5)} {secrets.token_hex(5)}"  # shares no word
    response = post(client, "/netwerk/vragen/nieuw", {"title": title, "body": "Tekst",
                                                      "theme": "anders"},
                    token_from="/netwerk/vragen/nieuw")
    assert response.status_code == 302


def test_bad_input_gets_a_dutch_message_not_a_500(client, network):
    _admin, members = network
    login(client, members[0])
    response = post(client, "/netwerk/vragen/nieuw", {"title": "", "body": "x" * 6000,
                                                      "theme": "geen-thema"},
                    token_from="/netwerk/vragen/nieuw")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vul een titel in." in page


def test_similar_questions_fall_back_to_shared_words(app, network):
    _admin, members = network
    word = unique("vrijwilligersbegeleiding")
    question_id = ask(app, members[0], f"Mag {word} door vrijwilligers?")
    with app.app_context():
        found = services.similar_questions(db.session, f"{word} vrijwilligers mag dat")
        assert question_id in [q.id for q in found]
        assert services.similar_questions(db.session, "ab") == []


def test_the_vote_budget_is_five_and_returns_when_answered(app, network):
    admin, members = network
    voter = members[0]
    ids = [ask(app, members[1]) for _ in range(6)]
    with app.test_request_context():
        for question_id in ids[:5]:
            services.vote(db.session, actor(voter), question_id)
        db.session.commit()
        assert services.votes_left(db.session, voter.id) == 0
        with pytest.raises(DomainError, match="al uw 5 stemmen"):
            services.vote(db.session, actor(voter), ids[5])
        db.session.rollback()
        with pytest.raises(DomainError, match="steunt deze vraag al"):
            services.vote(db.session, actor(voter), ids[0])
        db.session.rollback()
        db.session.remove()
    answer(app, admin, ids[0])
    answer(app, admin, ids[1], status="buiten_scope", text="")
    with app.test_request_context():
        assert services.votes_left(db.session, voter.id) == 2
        services.vote(db.session, actor(voter), ids[5])
        db.session.commit()
        assert services.vote_count(db.session, ids[0]) == 1  # the support stays on record
        with pytest.raises(DomainError, match="afgehandeld"):
            services.vote(db.session, actor(members[2]), ids[0])
        db.session.rollback()
        services.unvote(db.session, actor(voter), ids[5])
        db.session.commit()
        assert services.votes_left(db.session, voter.id) == 2
        db.session.remove()


def test_support_through_the_page(app, client, network):
    _admin, members = network
    question_id = ask(app, members[1], unique("Steunbare vraag"))
    login(client, members[0])
    response = post(client, f"/netwerk/vragen/{question_id}/steunen", {},
                    token_from="/netwerk/vragen/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "U steunt deze vraag." in page and "1 stem" in page
    assert "U heeft nog 4 stemmen over." in page


def test_only_the_admin_answers(app, client, network):
    admin, members = network
    question_id = ask(app, members[1])
    login(client, members[0])
    response = post(client, f"/netwerk/vragen/{question_id}/beantwoorden",
                    {"status": "beantwoord", "answer": "Zo."}, token_from="/netwerk/vragen/")
    assert response.status_code == 404
    with app.test_request_context():
        with pytest.raises(PermissionDenied):
            services.answer_question(db.session, actor(members[0]), question_id,
                                     status="beantwoord", answer="x", programme_topic=None)
        db.session.remove()


def test_the_admin_answers_and_groups_into_the_programme(app, client, network):
    admin, members = network
    question_id = ask(app, members[1], unique("Programmavraag"))
    login(client, admin)
    response = post(client, f"/netwerk/vragen/{question_id}/beantwoorden",
                    {"status": "beantwoord", "answer": "**Ja**, volgens art. 10 lid 3.",
                     "programme_topic": "Workshop 1"}, token_from="/netwerk/vragen/",
                    follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Het antwoord is opgeslagen." in page
    assert "<strong>Ja</strong>, volgens art. 10 lid 3." in page
    listing = client.get("/netwerk/vragen/?onderdeel=Workshop+1").get_data(as_text=True)
    assert "Workshop 1" in listing
    with app.app_context():
        q = db.session.get(Question, question_id)
        assert q.status == QuestionStatus.BEANTWOORD and q.programme_topic == "Workshop 1"


def test_an_answered_question_needs_an_answer(app, network):
    admin, members = network
    question_id = ask(app, members[1])
    with app.test_request_context():
        with pytest.raises(DomainError, match="heeft een antwoord"):
            services.answer_question(db.session, actor(admin), question_id,
                                     status="beantwoord", answer="  ", programme_topic=None)
        db.session.remove()


def test_comments_show_under_the_question(app, client, network):
    _admin, members = network
    question_id = ask(app, members[1])
    login(client, members[0])
    response = post(client, f"/netwerk/vragen/{question_id}/reageren",
                    {"body": "Bij ons werkt dat zo."}, token_from="/netwerk/vragen/",
                    follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Uw reactie is geplaatst." in page and "Bij ons werkt dat zo." in page
    assert "Marloes Dijkstra" in page


def test_an_unknown_question_is_404(client, network):
    _admin, members = network
    login(client, members[0])
    assert client.get("/netwerk/vragen/123456789").status_code == 404
    assert client.get(f"/netwerk/vragen/{10**30}").status_code == 404


def test_the_list_does_not_grow_queries_with_rows(app, client, network, count_queries):
    _admin, members = network
    login(client, members[0])
    for _ in range(2):
        ask(app, members[1])
    client.get("/netwerk/vragen/")
    with count_queries() as few:
        client.get("/netwerk/vragen/")
    for _ in range(5):
        question_id = ask(app, members[2])
        with app.test_request_context():
            services.vote(db.session, actor(members[3]), question_id) if _ < 3 else None
            db.session.commit()
            db.session.remove()
    with count_queries() as more:
        client.get("/netwerk/vragen/")
    assert more() == few()


def test_similar_questions_use_trigrams_on_postgresql(app, network):
    from tenants.network import has_trigram
    from tests.helpers import ON_POSTGRES

    _admin, members = network
    word = unique("aansprakelijkheidsverzekering")
    question_id = ask(app, members[0], f"Wie betaalt de {word} voor vrijwilligers?")
    with app.app_context():
        assert has_trigram(db.session) is ON_POSTGRES
        # a typo still finds it with trigrams; word overlap needs the words
        found = services.similar_questions(db.session, f"{word} vrijwilligers")
        assert question_id in [q.id for q in found]


def test_the_word_overlap_fallback(app, network, monkeypatch):
    _admin, members = network
    word = unique("uitkeringsregels")
    question_id = ask(app, members[0], f"Gelden de {word} ook voor vrijwilligers?")
    monkeypatch.setattr(services.questions, "has_trigram", lambda session: False)
    with app.app_context():
        found = services.similar_questions(db.session, f"vrijwilligers en {word}")
        assert question_id in [q.id for q in found]
        assert question_id not in [q.id for q in services.similar_questions(
            db.session, "Hoe vraag ik een subsidie aan bij de provincie")]


def test_similar_questions_while_typing(app, client, network):
    _admin, members = network
    word = unique("begeleidingsplicht")
    ask(app, members[1], f"Geldt de {word} ook voor ons?")
    login(client, members[0])
    response = client.get(f"/netwerk/vragen/vergelijkbaar?q={word}+voor+ons")
    assert response.status_code == 200
    assert f"Geldt de {word} ook voor ons?" in response.get_data(as_text=True)
    assert client.get("/netwerk/vragen/vergelijkbaar?q=").get_data(as_text=True).strip() == ""
    assert client.get("/netwerk/vragen/vergelijkbaar?q=" + "x" * 5000).status_code == 200


def test_control_characters_in_searches_and_texts_are_harmless(app, client, network):
    _admin, members = network
    login(client, members[0])
    for path in ("/netwerk/vragen/?q=a%00b&thema=%00&status=%00&onderdeel=%00",
                 "/netwerk/kennisbank/?q=%00&thema=%00", "/netwerk/vragen/vergelijkbaar?q=%00x"):
        assert client.get(path).status_code == 200, path
    with app.test_request_context():
        with pytest.raises(DomainError, match="stuurteken"):
            services.submit_question(db.session, actor(members[0]), title="Jan\x00de Vries",
                                     body="Regel een\nregel twee", theme="anders",
                                     anonymous=False)
        db.session.rollback()
        question = services.submit_question(db.session, actor(members[0]), title="Twee regels",
                                            body="Regel een\r\n\tregel twee", theme="anders",
                                            anonymous=False)
        assert question.body == "Regel een\r\n\tregel twee"
        db.session.rollback()
        db.session.remove()
