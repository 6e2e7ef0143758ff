"""The demo's question box: the six questions of the LSA's call, answered with sources and a
caution where a fact is uncertain, with votes, and articles with a history."""
from __future__ import annotations

from sqlalchemy import func, select

from blueprints.knowledge.demo import QUESTIONS, seed_knowledge
from blueprints.knowledge.models import Article, ArticleVersion, Question, QuestionStatus, Vote
from tenants.extensions import db
from tests.helpers import csrf_token


def _seed(app):
    with app.app_context():
        seed_knowledge(db.session, "wijkwerk-demo")
        db.session.commit()
        db.session.remove()


def test_the_six_questions_are_answered_with_sources_and_caution(app):
    _seed(app)
    with app.app_context():
        titles = [q["title"] for q in QUESTIONS]
        questions = db.session.scalars(select(Question).where(Question.title.in_(titles))).all()
        assert len(questions) == 6
        for q in questions:
            assert q.status == QuestionStatus.BEANTWOORD and q.answer
            assert db.session.scalar(select(func.count(Vote.id)).where(
                Vote.question_id == q.id)) >= 2
            article = db.session.scalar(select(Article).where(Article.question_id == q.id))
            assert article is not None and article.sources.strip(), q.title
        cautious = [q for q in questions if "*Let op:*" in q.answer]
        assert len(cautious) >= 4
        assert db.session.scalar(select(func.count()).select_from(ArticleVersion).where(
            ArticleVersion.version == 2)) >= 1
        db.session.remove()


def test_seeding_twice_changes_nothing(app):
    _seed(app)
    with app.app_context():
        counts = [db.session.scalar(select(func.count()).select_from(m))
                  for m in (Question, Vote, Article, ArticleVersion)]
        db.session.remove()
    _seed(app)
    with app.app_context():
        assert counts == [db.session.scalar(select(func.count()).select_from(m))
                          for m in (Question, Vote, Article, ArticleVersion)]
        db.session.remove()


def test_a_demo_member_reads_an_answer(app):
    _seed(app)
    client = app.test_client()
    client.post("/login", data={"csrf_token": csrf_token(client),
                                "email": "lid1@lsa.example.org", "password": "wijkwerk-demo"})
    page = client.get("/netwerk/vragen/?q=ontheffing").get_data(as_text=True)
    assert "Wanneer krijg je een ontheffing" in page
    articles = client.get("/netwerk/kennisbank/?thema=ontheffing").get_data(as_text=True)
    assert "Wanneer krijg je een ontheffing" in articles
