"""Questions, votes, comments, reports, articles and their versions: platform tables."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.db import Base, new_id, utcnow


def _enum(e: type[enum.Enum], name: str) -> Enum:
    return Enum(e, name=name, native_enum=False, create_constraint=True, length=32,
                values_callable=lambda members: [m.value for m in members],
                validate_strings=True)


class Theme(str, enum.Enum):
    BEGELEIDING = "begeleiding"
    AANSPRAKELIJKHEID = "aansprakelijkheid"
    UITKERING = "uitkering_en_regels"
    ONTHEFFING = "ontheffing"
    ONDERNEMEN = "ondernemen_vanuit_uitkering"
    FINANCIERING = "financiering"
    ANDERS = "anders"


class QuestionStatus(str, enum.Enum):
    #: submitted, waiting for the meeting
    OPEN = "open"
    #: being worked on (after the meeting, no final answer yet)
    IN_BEHANDELING = "in_behandeling"
    BEANTWOORD = "beantwoord"
    BUITEN_SCOPE = "buiten_scope"

    @property
    def holds_votes(self) -> bool:
        """Votes on a question count against a member's budget until it is answered or put
        out of scope; then they return."""
        return self in (QuestionStatus.OPEN, QuestionStatus.IN_BEHANDELING)


class Visibility(str, enum.Enum):
    VISIBLE = "visible"
    #: hidden after three reports, until a network admin reviews it
    HIDDEN = "hidden"
    #: removed by a network admin after review
    REMOVED = "removed"


class Question(Base):
    __tablename__ = "network_questions"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    #: always stored; shown to members only when not anonymous, to network admins always
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    theme: Mapped[Theme] = mapped_column(_enum(Theme, "network_theme"))
    status: Mapped[QuestionStatus] = mapped_column(
        _enum(QuestionStatus, "network_question_status"), default=QuestionStatus.OPEN)
    #: the part of the meeting's programme where it is discussed (a free label)
    programme_topic: Mapped[str | None] = mapped_column(String(120))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]
    visibility: Mapped[Visibility] = mapped_column(
        _enum(Visibility, "network_visibility"), default=Visibility.VISIBLE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User", foreign_keys=[author_id], lazy="raise")
    articles: Mapped[list["Article"]] = relationship(
        secondary="network_question_articles", lazy="raise", order_by="Article.title")


class Vote(Base):
    __tablename__ = "network_question_votes"
    __table_args__ = (UniqueConstraint("question_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    question_id: Mapped[int] = mapped_column(ForeignKey("network_questions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Comment(Base):
    __tablename__ = "network_question_comments"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    question_id: Mapped[int] = mapped_column(ForeignKey("network_questions.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[Visibility] = mapped_column(
        _enum(Visibility, "network_visibility"), default=Visibility.VISIBLE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User", foreign_keys=[author_id], lazy="raise")


class Report(Base):
    """A member reports a question or a comment; three open reports hide it."""

    __tablename__ = "network_reports"
    __table_args__ = (UniqueConstraint("reporter_id", "question_id", "comment_id"),
                      Index("ix_network_reports_question_comment", "question_id", "comment_id"))

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("network_questions.id"))
    #: None: the report is about the question itself
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("network_question_comments.id"))
    reason: Mapped[str | None] = mapped_column(String(300))
    #: set when a network admin restored the message: the report no longer counts
    dismissed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Author(Base):
    """An invited author of the knowledge base (besides the network admins)."""

    __tablename__ = "network_authors"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Article(Base):
    __tablename__ = "network_articles"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown; rendered and sanitised on display (blueprints.knowledge.markup)
    body: Mapped[str] = mapped_column(Text)
    theme: Mapped[Theme] = mapped_column(_enum(Theme, "network_theme"))
    #: one source per line: a title, optionally followed by a web address
    sources: Mapped[str] = mapped_column(Text, default="")
    last_checked_on: Mapped[date]
    version: Mapped[int] = mapped_column(default=1)
    #: the question it grew from, if any
    question_id: Mapped[int | None] = mapped_column(ForeignKey("network_questions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleVersion(Base):
    """Every saved state of an article: who changed it, when, and why."""

    __tablename__ = "network_article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    article_id: Mapped[int] = mapped_column(ForeignKey("network_articles.id"))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    theme: Mapped[Theme] = mapped_column(_enum(Theme, "network_theme"))
    sources: Mapped[str] = mapped_column(Text, default="")
    last_checked_on: Mapped[date]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User", foreign_keys=[author_id], lazy="raise")


class QuestionArticle(Base):
    __tablename__ = "network_question_articles"
    __table_args__ = (UniqueConstraint("question_id", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    question_id: Mapped[int] = mapped_column(ForeignKey("network_questions.id"))
    article_id: Mapped[int] = mapped_column(ForeignKey("network_articles.id"), index=True)
