"""Arranging questions and articles through the real services."""
from __future__ import annotations

from datetime import date

from blueprints.knowledge import services
from tenants.actor import Actor
from tenants.extensions import db
from tests.helpers import unique


def actor(user) -> Actor:
    return Actor(user_id=user.id, email=user.email)


def ask(app, user, title: str | None = None, *, anonymous: bool = False,
        theme: str = "begeleiding", body: str = "Hoe doen jullie dit?") -> int:
    with app.test_request_context():
        q = services.submit_question(db.session, actor(user), title=title or unique("Vraag"),
                                     body=body, theme=theme, anonymous=anonymous)
        db.session.commit()
        question_id = q.id
        db.session.remove()
    return question_id


def answer(app, admin, question_id: int, status: str = "beantwoord",
           text: str = "Ja, dat mag.") -> None:
    with app.test_request_context():
        services.answer_question(db.session, actor(admin), question_id, status=status,
                                 answer=text, programme_topic=None)
        db.session.commit()
        db.session.remove()


def write(app, user, title: str | None = None, body: str = "Tekst", **kw) -> int:
    with app.test_request_context():
        a = services.create_article(db.session, actor(user), title=title or unique("Artikel"),
                                    body=body, theme=kw.get("theme", "ontheffing"),
                                    sources=kw.get("sources", "Participatiewet art. 9"),
                                    last_checked_on=kw.get("checked", date(2026, 11, 1)))
        db.session.commit()
        article_id = a.id
        db.session.remove()
    return article_id
