"""Members report messages; enough reports hide one until a network admin reviews it."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from blueprints.knowledge.models import (
    Comment,
    Question,
    Report,
    Visibility,
)
from blueprints.knowledge.services.common import REPORT_THRESHOLD, _text, require_admin
from blueprints.knowledge.services.questions import get_question
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.network import is_network_member

# --- reports and review ----------------------------------------------------------------------


def report(session: Session, actor: Actor, question_id: int, comment_id: int | None = None,
           reason: str | None = None) -> bool:
    """Report a question or a comment. True when this report hid it."""
    if not is_network_member(session, actor.user_id):
        raise PermissionDenied()
    question = get_question(session, question_id)
    target = question
    if comment_id is not None:
        target = session.scalar(select(Comment).where(
            Comment.id == comment_id, Comment.question_id == question_id,
            Comment.visibility == Visibility.VISIBLE))
        if target is None:
            raise NotFound()
    same = select(Report.id).where(Report.question_id == question_id,
                                   Report.reporter_id == actor.user_id)
    same = same.where(Report.comment_id.is_(None) if comment_id is None
                      else Report.comment_id == comment_id)
    if session.scalar(same) is not None:
        raise DomainError(_("U heeft dit bericht al gemeld."))
    session.add(Report(reporter_id=actor.user_id, question_id=question_id,
                       comment_id=comment_id, reason=_text(reason, _("een reden"), 300,
                                                           required=False) or None))
    session.flush()
    count = session.scalar(select(func.count(Report.id)).where(
        Report.question_id == question_id, Report.dismissed_at.is_(None),
        Report.comment_id.is_(None) if comment_id is None else Report.comment_id == comment_id))
    if count >= REPORT_THRESHOLD and target.visibility == Visibility.VISIBLE:
        target.visibility = Visibility.HIDDEN
        session.flush()
        return True
    return False


@dataclass
class HiddenMessage:
    question: Question
    comment: Comment | None
    reasons: list[str]


def hidden_messages(session: Session, actor: Actor) -> list[HiddenMessage]:
    require_admin(session, actor)
    found = []
    for q in session.scalars(select(Question).where(Question.visibility == Visibility.HIDDEN)
                             .order_by(Question.created_at)):
        found.append(HiddenMessage(q, None, []))
    for c in session.scalars(select(Comment).where(Comment.visibility == Visibility.HIDDEN)
                             .order_by(Comment.created_at)):
        found.append(HiddenMessage(get_question(session, c.question_id, viewer_is_admin=True),
                                   c, []))
    reasons = session.execute(select(Report.question_id, Report.comment_id, Report.reason)
                              .where(Report.dismissed_at.is_(None), Report.reason.is_not(None)))
    by_key: dict = {}
    for qid, cid, reason in reasons:
        by_key.setdefault((qid, cid), []).append(reason)
    for item in found:
        item.reasons = by_key.get((item.question.id, item.comment.id if item.comment else None),
                                  [])
    return found


def review(session: Session, actor: Actor, question_id: int, comment_id: int | None,
           keep: bool) -> None:
    """A network admin restores a hidden message (its reports no longer count) or removes it."""
    require_admin(session, actor)
    question = get_question(session, question_id, viewer_is_admin=True)
    target = question
    if comment_id is not None:
        target = session.scalar(select(Comment).where(Comment.id == comment_id,
                                                      Comment.question_id == question_id))
        if target is None:
            raise NotFound()
    target.visibility = Visibility.VISIBLE if keep else Visibility.REMOVED
    if keep:
        for r in session.scalars(select(Report).where(
                Report.question_id == question_id, Report.dismissed_at.is_(None),
                Report.comment_id.is_(None) if comment_id is None
                else Report.comment_id == comment_id)):
            r.dismissed_at = utcnow()
    session.flush()
