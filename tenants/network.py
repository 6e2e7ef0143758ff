"""Who belongs to the national network (LSA), and who runs it.

Features under /netwerk/ ask here rather than importing each other. One function says who is a
network admin, so that the rule can change in one place.
"""
from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tenants.models import NetworkMembership, NetworkRole


def network_membership(session: Session, user_id: int | None) -> NetworkMembership | None:
    if user_id is None:
        return None
    return session.scalar(select(NetworkMembership).where(NetworkMembership.user_id == user_id))


def is_network_member(session: Session, user_id: int | None) -> bool:
    return network_membership(session, user_id) is not None


def is_network_admin(session: Session, user_id: int | None) -> bool:
    """A network admin runs the meeting, answers questions, reviews reported messages and
    invites authors: the network membership's role says so."""
    membership = network_membership(session, user_id)
    return membership is not None and membership.role == NetworkRole.ADMIN


def has_trigram(session: Session) -> bool:
    """Whether PostgreSQL's pg_trgm extension is installed (similar-question suggestions use
    it; elsewhere they fall back to word overlap)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    cached = getattr(bind, "_wijkwerk_has_trigram", None)
    if cached is None:
        cached = bool(session.scalar(text(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")))
        bind._wijkwerk_has_trigram = cached
    return cached
