"""Server-side login sessions.

The signed session cookie carries only a random session token; the row in `user_sessions`
decides whether it is still valid. Logout revokes the row; a password change, a reset, or
deactivating an account revokes all of the user's rows. Idle and absolute timeouts apply.

A session's `created_at` is when its user last proved who they are (password, and code where
two-factor is on): at login, and again when they confirm their password before changing a
factor, which replaces the session by a new one (`renew_session`). "Recently authenticated"
is therefore a property of the server-side row, not of anything the browser sends.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tenants.db import utcnow
from tenants.identity import sha256
from tenants.models import User, UserSession

_TOUCH_EVERY = timedelta(minutes=1)


def start_session(session: Session, user: User, *, ip: str | None, user_agent: str | None) -> str:
    """Open a new login session for `user`; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(
        user_id=user.id, token_hash=sha256(token), ip=ip, user_agent=(user_agent or "")[:200],
    ))
    user.last_login_at = utcnow()
    session.flush()
    return token


def resolve_session(session: Session, user_id: int, token: str | None, *,
                    idle: timedelta, absolute: timedelta) -> User | None:
    """The user of a valid session token, or None (revoked, expired, or not theirs)."""
    if not token:
        return None
    row = session.scalar(select(UserSession).where(UserSession.token_hash == sha256(token)))
    now = utcnow()
    if (
        row is None
        or row.user_id != user_id
        or row.revoked_at is not None
        or row.last_seen_at + idle < now
        or row.created_at + absolute < now
    ):
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
    return user


def revoke_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(
            update(UserSession)
            .where(UserSession.token_hash == sha256(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def revoke_all_sessions(session: Session, user: User, *, except_token: str | None = None) -> int:
    """End every open session of `user` (but the current one, if given); returns how many."""
    stmt = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if except_token:
        stmt = stmt.where(UserSession.token_hash != sha256(except_token))
    return session.execute(stmt.values(revoked_at=utcnow())).rowcount or 0


def open_sessions(session: Session, user: User) -> list[UserSession]:
    return list(session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    ))


def authenticated_at(session: Session, token: str | None):
    """When the holder of this open session last typed their password (and code), or None."""
    if not token:
        return None
    return session.scalar(select(UserSession.created_at).where(
        UserSession.token_hash == sha256(token), UserSession.revoked_at.is_(None)))


def renew_session(session: Session, user: User, old_token: str | None, *, ip: str | None,
                  user_agent: str | None) -> str:
    """Replace the current session by a new one authenticated now; returns its token."""
    token = start_session(session, user, ip=ip, user_agent=user_agent)
    revoke_session(session, old_token)
    return token
