"""The organiser's side: the meeting programme's topics, answers, and the export of questions."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.knowledge.models import (
    Article,
    Question,
    QuestionArticle,
    QuestionStatus,
)
from blueprints.knowledge.services.common import STATUS_LABELS, THEME_LABELS, _text, require_admin
from blueprints.knowledge.services.questions import get_question, list_questions
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError

# --- the organiser: programme and answers ------------------------------------------------------


def programme_topics(session: Session) -> list[str]:
    return list(session.scalars(select(Question.programme_topic).distinct()
                                .where(Question.programme_topic.is_not(None))
                                .order_by(Question.programme_topic)))


def answer_question(session: Session, actor: Actor, question_id: int, *, status: str,
                    answer: str | None, programme_topic: str | None,
                    article_ids: list[int] | None = None) -> Question:
    require_admin(session, actor)
    question = get_question(session, question_id, viewer_is_admin=True)
    try:
        new_status = QuestionStatus(status)
    except ValueError:
        raise DomainError(_("Kies een status uit de lijst.")) from None
    answer = _text(answer, _("het antwoord"), 20000, required=False) or None
    if new_status == QuestionStatus.BEANTWOORD and not answer:
        raise DomainError(_("Een beantwoorde vraag heeft een antwoord: vul het in."))
    question.status = new_status
    question.programme_topic = _text(programme_topic, _("het programma-onderdeel"), 120,
                                     required=False) or None
    if answer != question.answer:
        question.answer = answer
        question.answered_by_id = actor.user_id if answer else None
        question.answered_at = utcnow() if answer else None
    if article_ids is not None:
        wanted = set(session.scalars(select(Article.id).where(Article.id.in_(article_ids))))
        have = {link.article_id: link for link in session.scalars(
            select(QuestionArticle).where(QuestionArticle.question_id == question.id))}
        for article_id in wanted - have.keys():
            session.add(QuestionArticle(question_id=question.id, article_id=article_id))
        for article_id in have.keys() - wanted:
            session.delete(have[article_id])
    session.flush()
    return question


def linked_articles(session: Session, question_id: int) -> list[Article]:
    return list(session.scalars(
        select(Article).join(QuestionArticle, QuestionArticle.article_id == Article.id)
        .where(QuestionArticle.question_id == question_id).order_by(Article.title)))


def export_rows(session: Session, viewer_id: int) -> tuple[list[str], list[list]]:
    """The question box as a table (for the programme): authors as members may see them."""
    headers = [_("Titel"), _("Thema"), _("Status"), _("Programma-onderdeel"), _("Steun"),
               _("Reacties"), _("Gesteld door"), _("Ingediend op")]
    rows = [[r.question.title, str(THEME_LABELS[r.question.theme]),
             str(STATUS_LABELS[r.question.status]), r.question.programme_topic or "", r.votes,
             r.comments, r.author, r.question.created_at]
            for r in list_questions(session, viewer_id)]
    return headers, rows
