"""Who belongs to the national network (LSA), and who runs it.

Features under /netwerk/ ask here rather than importing each other. One function says who is a
network admin, so that the rule can change in one place.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tenants.models import NetworkMembership, User


def network_membership(session: Session, user_id: int | None) -> NetworkMembership | None:
    if user_id is None:
        return None
    return session.scalar(select(NetworkMembership).where(NetworkMembership.user_id == user_id))


def is_network_member(session: Session, user_id: int | None) -> bool:
    return network_membership(session, user_id) is not None


def is_network_admin(session: Session, user_id: int | None) -> bool:
    """A network admin runs the meeting, answers questions, reviews reported messages and
    invites authors. The membership's role says so where it has one; otherwise the e-mail
    addresses in the setting NETWORK_ADMIN_EMAILS."""
    membership = network_membership(session, user_id)
    if membership is None:
        return False
    role = getattr(membership, "role", None)
    if role is not None:
        return str(getattr(role, "value", role)) == "admin"
    user = session.get(User, membership.user_id)
    admins = {e.strip().lower() for e in current_app.config.get("NETWORK_ADMIN_EMAILS", ())}
    return user is not None and user.email.lower() in admins


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
