"""Questions, the similar-question search, votes (a budget per member) and comments."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from blueprints.knowledge.models import (
    Comment,
    Question,
    QuestionStatus,
    Theme,
    Visibility,
    Vote,
)
from blueprints.knowledge.services.common import (
    SIMILAR_LIMIT,
    VOTE_BUDGET,
    VOTE_HOLDING,
    _text,
    _words,
    author_label,
)
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.models import NetworkMembership
from tenants.network import has_trigram, is_network_admin, is_network_member

# --- questions -----------------------------------------------------------------------------


def submit_question(session: Session, actor: Actor, *, title: str, body: str, theme: str,
                    anonymous: bool) -> Question:
    if not is_network_member(session, actor.user_id):
        raise PermissionDenied()
    try:
        theme_value = Theme(theme)
    except ValueError:
        raise DomainError(_("Kies een thema uit de lijst.")) from None
    question = Question(author_id=actor.user_id, anonymous=bool(anonymous),
                        title=_text(title, _("een titel"), 200),
                        body=_text(body, _("uw vraag"), 5000), theme=theme_value)
    session.add(question)
    session.flush()
    return question


def get_question(session: Session, question_id: int, *, viewer_is_admin: bool = False
                 ) -> Question:
    """A question a member may see: not removed, and hidden ones only for the admin."""
    question = session.scalar(select(Question).where(Question.id == question_id)
                              .options(selectinload(Question.author)))
    if question is None:
        raise NotFound()
    if question.visibility != Visibility.VISIBLE and not viewer_is_admin:
        raise NotFound()
    return question


@dataclass
class QuestionRow:
    question: Question
    votes: int
    comments: int
    voted: bool
    author: str


def _vote_counts():
    return (select(Vote.question_id, func.count(Vote.id).label("n"))
            .group_by(Vote.question_id).subquery())


def list_questions(session: Session, viewer_id: int, *, theme: str | None = None,
                   status: str | None = None, search: str | None = None,
                   topic: str | None = None) -> list[QuestionRow]:
    """The question box, most supported first; a fixed number of queries however many."""
    admin = is_network_admin(session, viewer_id)
    votes = _vote_counts()
    comments = (select(Comment.question_id, func.count(Comment.id).label("n"))
                .where(Comment.visibility == Visibility.VISIBLE)
                .group_by(Comment.question_id).subquery())
    mine = select(Vote.question_id).where(Vote.user_id == viewer_id)
    query = (select(Question, func.coalesce(votes.c.n, 0), func.coalesce(comments.c.n, 0),
                    Question.id.in_(mine))
             .outerjoin(votes, votes.c.question_id == Question.id)
             .outerjoin(comments, comments.c.question_id == Question.id)
             .where(Question.visibility == Visibility.VISIBLE)
             .options(selectinload(Question.author))
             .order_by(func.coalesce(votes.c.n, 0).desc(), Question.created_at.desc()))
    if theme in {t.value for t in Theme}:
        query = query.where(Question.theme == Theme(theme))
    if status in {s.value for s in QuestionStatus}:
        query = query.where(Question.status == QuestionStatus(status))
    if topic:
        query = query.where(Question.programme_topic == topic)
    for word in (search or "").split()[:8]:
        pattern = f"%{_escape_like(word)}%"
        query = query.where(or_(Question.title.ilike(pattern, escape="\\"),
                                Question.body.ilike(pattern, escape="\\")))
    rows = []
    for question, n_votes, n_comments, voted in session.execute(query.limit(500)):
        rows.append(QuestionRow(question, n_votes, n_comments, bool(voted), author_label(
            question.author.name, question.anonymous, is_author=question.author_id == viewer_id,
            viewer_is_admin=admin)))
    return rows


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def similar_questions(session: Session, text: str, *, exclude_id: int | None = None,
                      limit: int = SIMILAR_LIMIT) -> list[Question]:
    """Existing questions like `text`: trigram similarity on PostgreSQL with pg_trgm, else
    shared content words."""
    text = (text or "").strip()[:300]
    if len(text) < 3:
        return []
    base = select(Question).where(Question.visibility == Visibility.VISIBLE)
    if exclude_id is not None:
        base = base.where(Question.id != exclude_id)
    if has_trigram(session):
        score = func.greatest(func.similarity(Question.title, text),
                              func.word_similarity(Question.title, text))
        return list(session.scalars(base.where(score > 0.3).order_by(score.desc())
                                    .limit(limit)))
    wanted = _words(text)
    if not wanted:
        return []
    scored = []
    for question in session.scalars(base.order_by(Question.created_at.desc()).limit(1000)):
        have = _words(question.title)
        shared = len(wanted & have)
        if shared and shared / min(len(wanted), len(have)) >= 0.5:
            scored.append((shared / len(wanted | have), question))
    scored.sort(key=lambda pair: -pair[0])
    return [q for _score, q in scored[:limit]]


def votes_used(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count(Vote.id)).join(Question, Question.id == Vote.question_id)
        .where(Vote.user_id == user_id, Question.status.in_(VOTE_HOLDING))) or 0


def votes_left(session: Session, user_id: int) -> int:
    return max(0, VOTE_BUDGET - votes_used(session, user_id))


def vote_count(session: Session, question_id: int) -> int:
    return session.scalar(select(func.count(Vote.id)).where(Vote.question_id == question_id)) or 0


def has_voted(session: Session, question_id: int, user_id: int) -> bool:
    return session.scalar(select(Vote.id).where(Vote.question_id == question_id,
                                                Vote.user_id == user_id)) is not None


def vote(session: Session, actor: Actor, question_id: int) -> Question:
    """Support a question with one of the member's votes."""
    # One member's votes one at a time: the budget cannot be overspent by two quick taps.
    membership = session.scalar(select(NetworkMembership).where(
        NetworkMembership.user_id == actor.user_id).with_for_update())
    if membership is None:
        raise PermissionDenied()
    question = get_question(session, question_id)
    if not question.status.holds_votes:
        raise DomainError(_("Deze vraag is al afgehandeld: steunen kan niet meer."))
    if has_voted(session, question_id, actor.user_id):
        raise DomainError(_("U steunt deze vraag al."))
    if votes_used(session, actor.user_id) >= VOTE_BUDGET:
        raise DomainError(_("U heeft al uw %(n)s stemmen gebruikt. Trek een stem in, of wacht "
                            "tot een vraag die u steunt beantwoord is: dan krijgt u die stem "
                            "terug.", n=VOTE_BUDGET))
    session.add(Vote(question_id=question_id, user_id=actor.user_id))
    session.flush()
    return question


def unvote(session: Session, actor: Actor, question_id: int) -> Question:
    question = get_question(session, question_id)
    existing = session.scalar(select(Vote).where(Vote.question_id == question_id,
                                                 Vote.user_id == actor.user_id))
    if existing is None:
        raise DomainError(_("U steunt deze vraag niet."))
    if not question.status.holds_votes:
        raise DomainError(_("Deze vraag is al afgehandeld; uw stem is al teruggegeven."))
    session.delete(existing)
    session.flush()
    return question


def add_comment(session: Session, actor: Actor, question_id: int, body: str,
                anonymous: bool) -> Comment:
    if not is_network_member(session, actor.user_id):
        raise PermissionDenied()
    get_question(session, question_id)
    comment = Comment(question_id=question_id, author_id=actor.user_id,
                      anonymous=bool(anonymous), body=_text(body, _("een reactie"), 3000))
    session.add(comment)
    session.flush()
    return comment


@dataclass
class CommentRow:
    comment: Comment
    author: str


def visible_comments(session: Session, question_id: int, viewer_id: int) -> list[CommentRow]:
    admin = is_network_admin(session, viewer_id)
    query = (select(Comment).where(Comment.question_id == question_id)
             .options(selectinload(Comment.author)).order_by(Comment.created_at))
    if not admin:
        query = query.where(Comment.visibility == Visibility.VISIBLE)
    else:
        query = query.where(Comment.visibility != Visibility.REMOVED)
    return [CommentRow(c, author_label(c.author.name, c.anonymous,
                                       is_author=c.author_id == viewer_id,
                                       viewer_is_admin=admin))
            for c in session.scalars(query)]


def question_author_label(session: Session, question: Question, viewer_id: int) -> str:
    return author_label(question.author.name, question.anonymous,
                        is_author=question.author_id == viewer_id,
                        viewer_is_admin=is_network_admin(session, viewer_id))
