"""The rules of the question box and the knowledge base.

Anonymity lives in one place: `author_label`. A question or comment posted anonymously keeps
its author (the network admin sees who asked, and the author sees their own), but every page,
export and list a member reaches goes through `author_label`, which names nobody else.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from blueprints.knowledge.models import (
    Article,
    ArticleVersion,
    Author,
    Comment,
    Question,
    QuestionArticle,
    QuestionStatus,
    Report,
    Theme,
    Visibility,
    Vote,
)
from tenants import audit, inputs
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.identity import normalize_email
from tenants.models import NetworkMembership, User
from tenants.network import has_trigram, is_network_admin, is_network_member

#: votes a member may have on open questions at once; they return when a question is answered
VOTE_BUDGET = 5
#: open reports by different members that hide a message until a network admin reviews it
REPORT_THRESHOLD = 3
SIMILAR_LIMIT = 5

THEME_LABELS = {
    Theme.BEGELEIDING: _l("Begeleiding"),
    Theme.AANSPRAKELIJKHEID: _l("Aansprakelijkheid"),
    Theme.UITKERING: _l("Uitkering en regels"),
    Theme.ONTHEFFING: _l("Ontheffing"),
    Theme.ONDERNEMEN: _l("Ondernemen vanuit een uitkering"),
    Theme.FINANCIERING: _l("Financiering"),
    Theme.ANDERS: _l("Anders"),
}
STATUS_LABELS = {
    QuestionStatus.OPEN: _l("Open"),
    QuestionStatus.IN_BEHANDELING: _l("In behandeling"),
    QuestionStatus.BEANTWOORD: _l("Beantwoord"),
    QuestionStatus.BUITEN_SCOPE: _l("Buiten scope"),
}
VOTE_HOLDING = [s for s in QuestionStatus if s.holds_votes]

# --- who may do what ---------------------------------------------------------------------


def require_admin(session: Session, actor: Actor) -> None:
    if not is_network_admin(session, actor.user_id):
        raise PermissionDenied()


def can_write_articles(session: Session, user_id: int | None) -> bool:
    if is_network_admin(session, user_id):
        return True
    return user_id is not None and session.scalar(
        select(Author.id).where(Author.user_id == user_id)) is not None


def author_label(author_name: str, anonymous: bool, *, is_author: bool, viewer_is_admin: bool
                 ) -> str:
    """The name shown beside a question or comment. Anonymous posts are anonymous towards
    other members; the network admin and the author themselves see the name."""
    if not anonymous:
        return author_name
    if viewer_is_admin:
        return _("%(name)s (anoniem voor leden)", name=author_name)
    if is_author:
        return _("u (anoniem voor andere leden)")
    return _("Anoniem lid")


# --- text ----------------------------------------------------------------------------------


def _text(value: str | None, label: str, maximum: int, *, required: bool = True) -> str:
    value = inputs.normalise(value or "").strip()
    if inputs.has_control_characters(value):  # a NUL never reaches PostgreSQL
        raise DomainError(inputs.CONTROL_MESSAGE)
    if required and not value:
        raise DomainError(_("Vul %(label)s in.", label=label))
    if len(value) > maximum:
        raise DomainError(_("%(label)s is hoogstens %(n)s tekens.", label=label, n=maximum))
    return value


STOPWORDS = frozenset("""de het een en van in op te voor met aan als bij door dat die dit er
hoe is je kan kun kunnen mag moet naar niet of om ook over tot uit wat we wel wij wie zijn
zit zich hebben heeft wordt worden waarom wanneer welke onze ons ik u mijn""".split())


def _words(text: str) -> set[str]:
    """Content words, cut to six letters so that 'vrijwilligers' meets 'vrijwilliger'."""
    return {w[:6] for w in re.findall(r"\w+", text.lower()) if len(w) > 2 and w not in STOPWORDS}


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


# --- the knowledge base ------------------------------------------------------------------------


def _require_writer(session: Session, actor: Actor) -> None:
    if not can_write_articles(session, actor.user_id):
        raise PermissionDenied()


def _article_fields(title, body, theme, sources, last_checked_on):
    try:
        theme_value = Theme(theme)
    except ValueError:
        raise DomainError(_("Kies een thema uit de lijst.")) from None
    if not isinstance(last_checked_on, date):
        raise DomainError(_("Vul de datum van de laatste controle in."))
    if last_checked_on > date.today():
        raise DomainError(_("De datum van de laatste controle ligt in de toekomst."))
    sources = "\n".join(line.strip() for line in (sources or "").splitlines() if line.strip())
    return dict(title=_text(title, _("een titel"), 200), body=_text(body, _("de tekst"), 50000),
                theme=theme_value, sources=_text(sources, _("de bronnen"), 5000,
                                                 required=False),
                last_checked_on=last_checked_on)


def _snapshot(session: Session, article: Article, actor: Actor, note: str | None) -> None:
    session.add(ArticleVersion(
        article_id=article.id, version=article.version, title=article.title,
        body=article.body, theme=article.theme, sources=article.sources,
        last_checked_on=article.last_checked_on, author_id=actor.user_id,
        note=_text(note, _("de toelichting"), 300, required=False) or None))


def create_article(session: Session, actor: Actor, *, title: str, body: str, theme: str,
                   sources: str, last_checked_on: date, question_id: int | None = None,
                   note: str | None = None) -> Article:
    _require_writer(session, actor)
    article = Article(**_article_fields(title, body, theme, sources, last_checked_on),
                      question_id=question_id, version=1)
    session.add(article)
    session.flush()
    _snapshot(session, article, actor, note or _("Eerste versie"))
    session.flush()
    return article


def update_article(session: Session, actor: Actor, article_id: int, *, title: str, body: str,
                   theme: str, sources: str, last_checked_on: date, note: str | None) -> Article:
    _require_writer(session, actor)
    article = get_article(session, article_id)
    fields = _article_fields(title, body, theme, sources, last_checked_on)
    if all(getattr(article, k) == v for k, v in fields.items()):
        raise DomainError(_("Er is niets gewijzigd."))
    for key, value in fields.items():
        setattr(article, key, value)
    article.version += 1
    article.updated_at = utcnow()
    session.flush()
    _snapshot(session, article, actor, note)
    session.flush()
    return article


def get_article(session: Session, article_id: int) -> Article:
    article = session.scalar(select(Article).where(Article.id == article_id))
    if article is None:
        raise NotFound()
    return article


def search_articles(session: Session, *, search: str | None = None, theme: str | None = None
                    ) -> list[Article]:
    query = select(Article).order_by(Article.title)
    if theme in {t.value for t in Theme}:
        query = query.where(Article.theme == Theme(theme))
    for word in (search or "").split()[:8]:
        pattern = f"%{_escape_like(word)}%"
        query = query.where(or_(Article.title.ilike(pattern, escape="\\"),
                                Article.body.ilike(pattern, escape="\\"),
                                Article.sources.ilike(pattern, escape="\\")))
    return list(session.scalars(query.limit(200)))


def article_questions(session: Session, article_id: int) -> list[Question]:
    return list(session.scalars(
        select(Question).join(QuestionArticle, QuestionArticle.question_id == Question.id)
        .where(QuestionArticle.article_id == article_id,
               Question.visibility == Visibility.VISIBLE).order_by(Question.title)))


@dataclass
class VersionRow:
    version: ArticleVersion
    diff: list[tuple[str, str]]  # (kind: add/del/ctx/hunk, line)


def _diff_text(v: ArticleVersion) -> list[str]:
    return ([f"# {v.title}", f"[{THEME_LABELS[v.theme]}]", ""] + v.body.splitlines()
            + ["", _("Bronnen:")] + v.sources.splitlines()
            + [_("Laatst gecontroleerd: %(d)s", d=v.last_checked_on.strftime("%d-%m-%Y"))])


def article_history(session: Session, article_id: int) -> list[VersionRow]:
    """Every version, newest first, each with what it changed against the one before."""
    get_article(session, article_id)
    versions = list(session.scalars(
        select(ArticleVersion).where(ArticleVersion.article_id == article_id)
        .options(selectinload(ArticleVersion.author)).order_by(ArticleVersion.version)))
    rows = []
    previous: list[str] = []
    for v in versions:
        current = _diff_text(v)
        lines = []
        for line in difflib.unified_diff(previous, current, lineterm="", n=1):
            if line.startswith(("---", "+++")):
                continue
            kind = {"@": "hunk", "+": "add", "-": "del"}.get(line[:1], "ctx")
            lines.append((kind, line[1:] if kind != "hunk" else "…"))
        rows.append(VersionRow(v, lines))
        previous = current
    return list(reversed(rows))


def article_from_question(session: Session, actor: Actor, question_id: int) -> Article:
    """An answered question becomes an article in one step (never naming who asked)."""
    require_admin(session, actor)
    question = get_question(session, question_id, viewer_is_admin=True)
    if question.status != QuestionStatus.BEANTWOORD or not question.answer:
        raise DomainError(_("Alleen een beantwoorde vraag kan een artikel worden."))
    existing = session.scalar(select(Article).where(Article.question_id == question.id))
    if existing is not None:
        raise DomainError(_("Van deze vraag is al een artikel gemaakt."))
    body = (f"## {_('De vraag')}\n\n{question.body}\n\n## {_('Het antwoord')}\n\n"
            f"{question.answer}")
    article = create_article(session, actor, title=question.title, body=body,
                             theme=question.theme.value, sources="",
                             last_checked_on=date.today(), question_id=question.id,
                             note=_("Gemaakt van een beantwoorde vraag"))
    session.add(QuestionArticle(question_id=question.id, article_id=article.id))
    session.flush()
    return article


def authors(session: Session) -> list[User]:
    return list(session.scalars(select(User).join(Author, Author.user_id == User.id)
                                .order_by(User.name)))


def invite_author(session: Session, actor: Actor, email: str) -> User:
    """A network admin lets a network member write articles."""
    require_admin(session, actor)
    user = session.scalar(select(User).where(User.email == normalize_email(email or "")))
    if user is None or not is_network_member(session, user.id):
        raise DomainError(_("Er is geen netwerklid met dit e-mailadres."))
    if session.scalar(select(Author.id).where(Author.user_id == user.id)) is not None:
        raise DomainError(_("%(name)s schrijft al mee.", name=user.name))
    session.add(Author(user_id=user.id, invited_by_id=actor.user_id))
    session.flush()
    audit.record_security(session, "network.author_invited", user_id=actor.user_id,
                          email=actor.email, ip=actor.ip, author=user.email)
    return user


def remove_author(session: Session, actor: Actor, user_id: int) -> None:
    require_admin(session, actor)
    row = session.scalar(select(Author).where(Author.user_id == user_id))
    if row is None:
        raise NotFound()
    session.delete(row)
    session.flush()

