"""Declarative base, id scheme and the tenant-owned mixin.

Ids are 63-bit integers made by the application (time in milliseconds, then random bits), so
that a composite primary key `(tenant_id, id)` works the same on SQLite (which only
auto-increments a lone INTEGER PRIMARY KEY) and PostgreSQL, and ids are not guessable counters.
"""
from __future__ import annotations

import itertools
import secrets
import threading
import time
from datetime import datetime, timezone

from sqlalchemy import BigInteger, DateTime, ForeignKey, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_EPOCH_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
_lock = threading.Lock()
_counter = itertools.count(secrets.randbelow(1 << 10))


def new_id() -> int:
    """A unique, roughly time-ordered positive 63-bit id: 41 bits ms, 10 counter, 12 random."""
    ms = int(time.time() * 1000) - _EPOCH_MS
    with _lock:
        seq = next(_counter) & 0x3FF
    return (ms << 22) | (seq << 12) | secrets.randbelow(1 << 12)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use tenants.db.utcnow()")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={int: BigInteger, datetime: UTCDateTime},
    )


class TenantScoped:
    """Mixin for every tenant-owned model.

    The primary key is `(tenant_id, id)`. The ORM adds `tenant_id = <current tenant>` to every
    query and stamps new rows (tenants.tenancy); PostgreSQL's row-level security enforces the
    same in the database. Children reference parents by `(tenant_id, parent_id)`: use
    `tenant_fk()`.
    """

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(
            BigInteger, ForeignKey("tenants.id", ondelete="RESTRICT"), primary_key=True,
            sort_order=-100,
        )

    @declared_attr
    def id(cls) -> Mapped[int]:
        return mapped_column(BigInteger, primary_key=True, default=new_id, sort_order=-99)


def tenant_fk(local: str, remote: str, **kw):
    """A composite foreign key `(tenant_id, local) -> remote_table(tenant_id, remote_col)`.

    `remote` is "table.column". Use in `__table_args__`; a row can then never point into
    another tenant.
    """
    from sqlalchemy import ForeignKeyConstraint

    table, column = remote.split(".")
    return ForeignKeyConstraint(
        ["tenant_id", local], [f"{table}.tenant_id", f"{table}.{column}"], **kw
    )


def use_real_sqlite_transactions(engine) -> None:
    """Keep a savepoint inside its transaction on SQLite.

    Python's sqlite3 driver begins a transaction only before a write. A SAVEPOINT that comes
    first (a get-or-create in `begin_nested()` after only reads) then opens a transaction of
    its own, and its RELEASE commits it: the row was committed even when the request rolled
    back afterwards. Beginning the transaction just before such a savepoint makes it nest as on
    PostgreSQL. (SQLAlchemy's full recipe — driver transactions off, BEGIN at every start —
    would also make plain reads transactional, which changes what concurrent readers see.)
    """
    from sqlalchemy import event

    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "savepoint")
    def _begin_before_savepoint(connection, _name):
        dbapi_connection = connection.connection.dbapi_connection
        if not dbapi_connection.in_transaction:
            dbapi_connection.execute("BEGIN")


def private_sqlite_file(engine) -> None:
    """Keep a SQLite database file readable by the app's user only (0600).

    sqlite3 creates the file with the process umask (0644 by default: every local user could
    read the benefit recipients' data). It is set to 0600 on every new connection, which is
    before anything is written to it; SQLite gives its journal and WAL files the database
    file's permissions.
    """
    import os

    from sqlalchemy import event

    if engine.dialect.name != "sqlite":
        return
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return

    @event.listens_for(engine, "connect")
    def _owner_only(_dbapi_connection, _record):
        try:
            if os.stat(database).st_mode & 0o077:
                os.chmod(database, 0o600)
        except FileNotFoundError:  # nothing written yet
            pass


def sqlite_write_pending(session) -> bool:
    """Whether `session` holds an open SQLite write transaction.

    SQLite has one writer: a write on another connection of this thread would wait for this
    transaction to end, which it does not do while this thread waits. (Reads begin no
    transaction in Python's sqlite3, so a session that has only read holds nothing.)
    """
    if not session.in_transaction():
        return False
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    return bool(connection.connection.dbapi_connection.in_transaction)


def _server_hung_up(dbapi_connection) -> bool:
    """Whether the server has spoken on an idle connection: a local poll of the socket, no
    round trip. A server that ends a connection (a restart, `pg_terminate_backend`, an idle
    timeout) sends its goodbye and closes it, so the socket turns readable; between requests
    nothing else arrives unasked. False where there is no socket (SQLite)."""
    import select

    if getattr(dbapi_connection, "closed", False):
        return True
    fileno = getattr(dbapi_connection, "fileno", None)
    if fileno is None:
        return False
    try:
        poller = select.poll()
        poller.register(fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no socket any more
        return True
    except Exception:  # noqa: BLE001 - the driver refuses: let the ping decide
        return True


def ping_when_idle(engine, idle_seconds: float) -> None:
    """Check a pooled connection before use only when there is reason to, instead of
    `pool_pre_ping`'s round trip on every checkout.

    A round trip (ping) goes out when the connection sat unused for `idle_seconds` (a quiet
    worker; a network that dropped it silently) or when the server hung up on it (seen
    without a round trip: its socket turned readable — a restart, a terminated backend). When
    the ping fails, every pooled connection older than now is replaced before this request goes
    on. What the rule still misses — a database gone silently between two requests moments
    apart — fails that one request with a 503 and Retry-After (app.database_unavailable), and
    SQLAlchemy then replaces the pool's connections, so the next request works.
    `pool_recycle` (config) retires old connections.
    """
    import time

    from sqlalchemy import event
    from sqlalchemy.exc import InvalidatePoolError

    @event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_connection, record):
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_needed(dbapi_connection, record, _proxy):
        since = record.info.get("idle_since")
        if since is None:
            return  # a new connection
        if time.monotonic() - since < idle_seconds and not _server_hung_up(dbapi_connection):
            return  # used moments ago, and the server has said nothing since
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise InvalidatePoolError("a pooled connection is dead") from exc


def pool_state(session) -> dict:
    """The connection pool of `session`'s engine in this process: its size, the connections in
    use and the overflow beyond the size (for the operator's health page). Empty for a pool
    without these figures (SQLite's)."""
    return pool_figures(session.get_bind().pool)


def pool_figures(pool) -> dict:
    """A pool's `size`, `checkedout` and `overflow` (negative while fewer connections than the
    size are open); empty for a pool without them (an in-memory SQLite database's)."""
    state = {}
    for name in ("size", "checkedout", "overflow"):
        value = getattr(pool, name, None)
        if callable(value):
            state[name] = value()
    return state
