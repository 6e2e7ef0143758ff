"""The knowledge base: articles with versions and their diffs, search, and invited authors."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from blueprints.knowledge.models import (
    Article,
    ArticleVersion,
    Author,
    Question,
    QuestionArticle,
    QuestionStatus,
    Theme,
    Visibility,
)
from blueprints.knowledge.services.common import (
    THEME_LABELS,
    _text,
    can_write_articles,
    require_admin,
)
from blueprints.knowledge.services.questions import _escape_like, get_question
from tenants import audit
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.identity import normalize_email
from tenants.models import User
from tenants.network import is_network_member

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
