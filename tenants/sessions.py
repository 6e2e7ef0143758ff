"""Server-side login sessions.

The signed session cookie carries only a random session token; the row in `user_sessions`
decides whether it is still valid. Logout revokes the row; a password change, a reset, or
deactivating an account revokes all of the user's rows. Idle and absolute timeouts apply.

A session's `created_at` is when its user last proved who they are (password, and code where
two-factor is on): at login, and again when they confirm their password before changing a
factor, which replaces the session by a new one (`renew_session`). "Recently authenticated"
is therefore a property of the server-side row, not of anything the browser sends.

Each request resolves its login in one query: the session row with its user and, on a tenant
page, the tenant named in the URL and the user's membership of it (`resolve_session`). Use
keeps a session open: "last seen" is moved forward at most once a minute by `touch_session`,
a statement of its own in a transaction of its own, committed whatever the page then does
(a page that only reads rolls back; readers must not be logged out at the idle limit) and
holding the row for that one statement only, so requests of one login never wait for each
other's pages (nor, on Citus, for another login's session write: see `touch_session`).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tenants import tenancy
from tenants.db import utcnow
from tenants.identity import sha256
from tenants.models import Membership, Tenant, User, UserSession

#: "last seen" is written at most this often per session
TOUCH_EVERY = timedelta(minutes=1)
#: the longest the touch waits for a lock before it skips (Citus: see `touch_session`)
TOUCH_LOCK_WAIT_MS = 100
#: SQLSTATE of "canceling statement due to lock timeout" (and of NOWAIT)
LOCK_NOT_AVAILABLE = "55P03"


@dataclass(frozen=True)
class Login:
    """A valid login session with its user; on a tenant page also the tenant the URL names
    (None: no such tenant) and the user's membership of it (None: not a member)."""

    user: User
    session_id: int
    last_seen_at: datetime
    tenant: Tenant | None = None
    membership: Membership | None = None

    def touch_due(self, now: datetime) -> bool:
        return now - self.last_seen_at >= TOUCH_EVERY


def start_session(session: Session, user: User, *, ip: str | None, user_agent: str | None) -> str:
    """Open a new login session for `user`; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(
        user_id=user.id, token_hash=sha256(token), ip=ip, user_agent=(user_agent or "")[:200],
    ))
    user.last_login_at = utcnow()
    session.flush()
    return token


_STATEMENTS: dict = {}


def _statements() -> dict:
    """The login's statements, built once per process with bound parameters (building one
    per request was a tenth of a millisecond of every page): `login` (the session row and
    its user), `login_tenant` (and the tenant of a slug), `login_membership` (and the
    user's membership of it), `membership` (Citus: the membership on its own)."""
    if not _STATEMENTS:
        login = (
            select(UserSession.id, UserSession.created_at, UserSession.last_seen_at,
                   UserSession.revoked_at, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.token_hash == bindparam("token_hash"),
                   UserSession.user_id == bindparam("user_id"))
        )
        with_tenant = login.add_columns(Tenant).outerjoin(
            Tenant, Tenant.slug == bindparam("tenant_slug"))
        _STATEMENTS.update(
            membership=select(Membership).where(
                Membership.tenant_id == bindparam("tenant_id"),
                Membership.user_id == bindparam("user_id"),
            ).execution_options(all_tenants=True),
            login_membership=with_tenant.add_columns(Membership).outerjoin(
                Membership, and_(Membership.tenant_id == Tenant.id,
                                 Membership.user_id == UserSession.user_id),
            ).execution_options(all_tenants=True),
            login_tenant=with_tenant,
            login=login,
        )
    return _STATEMENTS


def resolve_session(session: Session, user_id: int, token: str | None, *,
                    idle: timedelta, absolute: timedelta,
                    tenant_slug: str | None = None) -> Login | None:
    """The login of a valid session token, or None (revoked, expired, not theirs, or the user
    deactivated). One query: the session row, its user and, given `tenant_slug`, that tenant
    and the user's membership of it.

    The membership is read across tenants (the ORM has no tenant yet: it is what this decides);
    on PostgreSQL row-level security still decides what it sees, so the transaction must hold
    the user or that tenant (`tenancy.expect_tenant`). Nothing is written: see `touch_session`.
    """
    if not token:
        return None
    params = {"token_hash": sha256(token), "user_id": user_id}
    membership = None
    if tenant_slug is not None and tenancy.outer_joins_split(session):
        # Citus 13.2 (seen: 13.2.2 on PostgreSQL 15): reference tables LEFT JOINed to a
        # distributed table under row-level security crash the coordinator (signal 11). So the
        # membership is a query of its own there.
        row = session.execute(_statements()["login_tenant"],
                              {**params, "tenant_slug": tenant_slug}).first()
        if row is not None and row.Tenant is not None:
            membership = session.scalar(_statements()["membership"],
                                        {"tenant_id": row.Tenant.id, "user_id": user_id})
    elif tenant_slug is not None:
        row = session.execute(_statements()["login_membership"],
                              {**params, "tenant_slug": tenant_slug}).first()
        if row is not None:
            membership = row.Membership
    else:
        row = session.execute(_statements()["login"], params).first()
    now = utcnow()
    if (
        row is None
        or row.revoked_at is not None
        or row.last_seen_at + idle < now
        or row.created_at + absolute < now
        or not row.User.is_active
    ):
        return None
    if tenant_slug is None:
        return Login(row.User, row.id, row.last_seen_at)
    return Login(row.User, row.id, row.last_seen_at, row.Tenant, membership)


def touch_session(bind: Engine, session_id: int, *, now: datetime | None = None) -> bool:
    """Record that a session is in use: `last_seen_at = now`, unless it was written less than
    a minute ago. Committed at once, on a connection of its own (`bind` is the engine), so
    the page's own transaction neither carries nor undoes it. Never waits: on PostgreSQL a row
    another transaction holds is skipped (SKIP LOCKED; the next request touches it), and two
    requests of one login touch it once. True when this call wrote it.

    On Citus SKIP LOCKED is not enough: `user_sessions` is a reference table, and Citus takes
    an ExclusiveLock on its shard for `FOR UPDATE` (seen: 13.2.2), which waits for every open
    transaction that wrote *any* session row (another request's touch, a login, a logout). So
    in the set_local form (the one Citus needs) the touch also gives up after
    `TOUCH_LOCK_WAIT_MS` of waiting for any lock (`SET LOCAL lock_timeout`, this transaction
    only, passed on to the workers with it): skipped, like a held row. That is one statement
    more, once a minute per login, and only there: on plain PostgreSQL SKIP LOCKED is enough.
    """
    now = now or utcnow()
    stale = (
        select(UserSession.id)
        .where(UserSession.id == session_id, UserSession.last_seen_at < now - TOUCH_EVERY)
        .with_for_update(skip_locked=True)  # SQLite has no row locks: plain there
        .scalar_subquery()
        .correlate(None)
    )
    try:
        with bind.begin() as conn:
            if tenancy.setting_mode(conn) == tenancy.SET_LOCAL:  # Citus: see above
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{TOUCH_LOCK_WAIT_MS}ms'")
            result = conn.execute(
                update(UserSession).where(UserSession.id == stale).values(last_seen_at=now))
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            return False  # someone holds user_sessions: the next request touches it
        raise
    return result.rowcount == 1


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
