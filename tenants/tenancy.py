"""Tenancy, layer 1 (the ORM) and the hook for layer 2 (PostgreSQL row-level security).

The current tenant lives in `session.info["tenant_id"]`. With it set:
- every ORM SELECT, relationship load and bulk UPDATE/DELETE on a `TenantScoped` model gets
  `tenant_id = :wijkwerk_tenant_id` added (`do_orm_execute` + `with_loader_criteria`: one option
  for every tenant, the tenant a parameter of each execution, see `_TenantParam`);
- new tenant rows are stamped with it; a row of another tenant, or a changed `tenant_id`,
  raises `TenantViolation` at flush;
- on PostgreSQL each transaction starts with `set_config('app.tenant_id', …, true)`, which the
  row-level security policies read (or, on Citus, `SET LOCAL app.tenant_id = '…'`: see
  "The form of the setting" below). Transaction-local, so a pooled connection never carries a
  tenant into the next request. One statement per transaction: a setting the open transaction
  already holds is not sent again, and a transaction with neither tenant nor user sends none
  (a new transaction starts with both unset). A tenant page names its tenant by slug before
  anything is read (`expect_tenant`): its first transaction then sets the tenant the database
  finds for that slug, in the same one statement, while the ORM side stays without a tenant
  until the membership is checked and `set_tenant` is called.
- the database keeps seeing a tenant until the transaction that wrote under it ends: checks that
  run at COMMIT (the ledger's deferred balance trigger) read through row-level security, and
  with the tenant cleared they would see no rows and pass anything. Leaving `tenant_context()`
  therefore clears the tenant on the ORM side only; switching the database to another tenant in
  a transaction that has written runs the deferred checks first (`SET CONSTRAINTS ALL
  IMMEDIATE`), while the rows are still visible.
With no tenant set, a query on a tenant model raises `TenantNotSet`.

The form of the setting: per engine, `configure_setting(engine, mode)` (DATABASE_TENANT_SETTING):
- `set_config` (default): `SELECT set_config('app.tenant_id', :t, true), set_config(...)`, one
  statement, with the slug lookup folded in. Citus does not pass `set_config` on to its workers.
- `set_local`: `SET LOCAL app.tenant_id = '<int>'; SET LOCAL app.user_id = '<int>'` (one round
  trip; the values are validated integers, never text from a request), which Citus forwards to
  the workers when the role has `citus.propagate_set_commands = 'local'`. The slug lookup is then
  a separate statement before it.
- `auto`: `set_local` when the database has the citus extension, else `set_config`, looked up once
  per engine (one statement, on its first transaction).
An engine uses one form in every transaction, so the two are never mixed in one (on Citus the
coordinator then believed one tenant while the workers used another).

Cross-tenant reads (a user's own memberships, the operator's aggregates) pass
`execution_options(all_tenants=True)`; only kernel services in this package do so, and on
PostgreSQL the policies still decide what such a query can see.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import BigInteger, event, text
from sqlalchemy.orm import ORMExecuteState, Session, scoped_session, with_loader_criteria
from sqlalchemy.orm.evaluator import UnevaluatableError
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.util import find_tables

from tenants.db import TenantScoped

TENANT_KEY = "tenant_id"
USER_KEY = "user_id"
#: the tenant the open PostgreSQL transaction's setting holds ("" when none); absent: not issued
DB_TENANT_KEY = "_db_tenant_id"
#: the user the open PostgreSQL transaction's setting holds ("" when none); absent: not issued
DB_USER_KEY = "_db_user_id"
#: the slug of the tenant a request is for, until its first transaction begins (expect_tenant)
PENDING_SLUG_KEY = "_tenant_slug"
#: set when the open transaction has flushed a change: its deferred checks are still to run
WROTE_KEY = "_wrote"


SET_CONFIG = "set_config"
SET_LOCAL = "set_local"
AUTO = "auto"
SETTING_MODES = (SET_CONFIG, SET_LOCAL, AUTO)
#: the engine attribute holding its form of the setting (absent: set_config)
_MODE_ATTR = "_wijkwerk_tenant_setting"
_SETTING_VALUE = re.compile(r"-?[0-9]{1,19}")


class TenantNotSet(RuntimeError):
    """A tenant-owned model was queried or written with no current tenant."""


class TenantViolation(RuntimeError):
    """A write would put or move a row into a tenant other than the current one."""


def current_tenant_id(session: Session) -> int | None:
    return session.info.get(TENANT_KEY)


def _real(session) -> Session:
    """The Session behind a scoped_session proxy (Flask-SQLAlchemy's db.session)."""
    return session() if isinstance(session, scoped_session) else session


def configure_setting(engine, mode: str) -> None:
    """Choose how `engine` sends the tenant and user to PostgreSQL (see the module docstring)."""
    if mode not in SETTING_MODES:
        raise ValueError(f"tenant setting mode must be one of {SETTING_MODES}, not {mode!r}")
    setattr(engine, _MODE_ATTR, mode)


def setting_mode(conn) -> str:
    """`set_config` or `set_local`: the form `conn`'s engine uses (`auto` resolved once)."""
    engine = conn.engine
    mode = getattr(engine, _MODE_ATTR, SET_CONFIG)
    if conn.dialect.name != "postgresql":
        return SET_CONFIG  # unused there: SQLite has no settings
    if mode == AUTO:
        citus = conn.execute(text(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")).scalar()
        mode = SET_LOCAL if citus else SET_CONFIG
        setattr(engine, _MODE_ATTR, mode)
    return mode


def outer_joins_split(session) -> bool:
    """Whether queries must not LEFT JOIN reference tables to a distributed one: true on Citus
    (the set_local form), where such a join under row-level security crashed the coordinator
    (Citus 13.2.2). Begins the session's transaction if it has not begun."""
    return setting_mode(_real(session).connection()) == SET_LOCAL


def _literal(value: str) -> str:
    """A setting value for SET LOCAL: '' or an integer, checked (never request text)."""
    if value != "" and not _SETTING_VALUE.fullmatch(value):
        raise ValueError(f"not an integer setting: {value!r}")
    return f"'{value}'"


def _set_local(conn, **settings: str) -> None:
    """`SET LOCAL app.<name> = '<int>'` for each setting, in one round trip (psycopg sends a
    statement list without parameters as one simple query and never prepares it)."""
    conn.exec_driver_sql("; ".join(
        f"SET LOCAL app.{name} = {_literal(value)}" for name, value in settings.items()))


def send_settings(conn, *, tenant_id: int | None | str = ..., user_id: int | None | str = ...
                  ) -> None:
    """Set `app.tenant_id` and/or `app.user_id` for the open transaction of `conn`, in the
    engine's form; None sets the empty value. For code outside a tenancy Session (tests,
    scripts): a Session does this itself."""
    settings = {}
    for name, value in (("tenant_id", tenant_id), ("user_id", user_id)):
        if value is not ...:
            settings[name] = "" if value in (None, "") else str(int(value))
    if not settings:
        return
    if setting_mode(conn) == SET_LOCAL:
        _set_local(conn, **settings)
    else:
        conn.execute(text("SELECT " + ", ".join(
            f"set_config('app.{name}', :{name}, true)" for name in settings)), settings)


def _apply_settings(session: Session, connection=None, *, began: bool = False) -> None:
    """Copy the tenant and user into the PostgreSQL transaction (no-op on SQLite).

    Called with `connection` when a transaction (`began`) or a savepoint begins, without it
    when the tenant or user changes inside one. Sends nothing when the transaction already
    holds both values.
    """
    session = _real(session)
    conn = connection
    slug = None
    if conn is None:
        if not session.in_transaction():
            return  # after_begin will do it
        conn = session.connection()
    elif began:
        slug = session.info.pop(PENDING_SLUG_KEY, None)  # the first transaction only
    if conn.dialect.name != "postgresql":
        return
    tenant = session.info.get(TENANT_KEY)
    user = session.info.get(USER_KEY)
    user_setting = "" if user is None else str(int(user))
    local = setting_mode(conn) == SET_LOCAL
    if tenant is None and slug and local:
        # SET LOCAL takes no subquery: look the tenant up first (tenants has no row-level
        # security), then set it with the user. A slug of no tenant sets none.
        found = conn.execute(text("SELECT id FROM tenants WHERE slug = :slug"),
                             {"slug": slug}).scalar()
        tenant_setting = "" if found is None else str(int(found))
        _set_local(conn, tenant_id=tenant_setting, user_id=user_setting)
        session.info[DB_TENANT_KEY] = tenant_setting
        session.info[DB_USER_KEY] = user_setting
        return
    if tenant is None and slug:
        # The database finds the tenant by its slug in the same statement (tenants has no
        # row-level security); what it set comes back, so set_tenant() with that tenant after
        # the membership check sends nothing. A slug of no tenant sets none.
        tenant_setting = conn.execute(
            text(
                "SELECT set_config('app.tenant_id', COALESCE("
                "(SELECT CAST(id AS text) FROM tenants WHERE slug = :slug), ''), true), "
                "set_config('app.user_id', :user, true)"
            ),
            {"slug": slug, "user": user_setting},
        ).scalar_one()
        session.info[DB_TENANT_KEY] = tenant_setting
        session.info[DB_USER_KEY] = user_setting
        return
    tenant_setting = "" if tenant is None else str(int(tenant))
    if began:
        # A new transaction starts with both settings unset (they are transaction-local).
        session.info[DB_TENANT_KEY] = session.info[DB_USER_KEY] = ""
    if (session.info.get(DB_TENANT_KEY), session.info.get(DB_USER_KEY)) == (
            tenant_setting, user_setting):
        return  # the open transaction holds these already
    if (connection is None and session.info.get(WROTE_KEY)
            and session.info.get(DB_TENANT_KEY, "") not in ("", tenant_setting)):
        # This transaction wrote under the tenant being replaced: run the checks deferred to
        # COMMIT now, while row-level security still shows that tenant's rows.
        _run_deferred_checks(conn)
    if local:
        _set_local(conn, tenant_id=tenant_setting, user_id=user_setting)
    else:
        conn.execute(
            text(
                "SELECT set_config('app.tenant_id', :tenant, true), "
                "set_config('app.user_id', :user, true)"
            ),
            {"tenant": tenant_setting, "user": user_setting},
        )
    session.info[DB_TENANT_KEY] = tenant_setting
    session.info[DB_USER_KEY] = user_setting


def _run_deferred_checks(conn) -> None:
    """Fire the pending deferred constraint triggers now, then defer again (the only deferrable
    constraint, the ledger's balance trigger, is INITIALLY DEFERRED)."""
    conn.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    conn.execute(text("SET CONSTRAINTS ALL DEFERRED"))


def set_tenant(session: Session, tenant_id: int | None) -> None:
    """Make `tenant_id` the current tenant of `session` (and of its open transaction)."""
    session.info[TENANT_KEY] = None if tenant_id is None else int(tenant_id)
    session.info.pop(PENDING_SLUG_KEY, None)
    _apply_settings(session)


def expect_tenant(session: Session, slug: str | None) -> None:
    """Name the tenant a request is for, by the slug in its URL, before anything is read.

    Only the database side: the request's first transaction sets `app.tenant_id` to the
    tenant with this slug in the statement it sends anyway, so the login's own query can
    read the membership through row-level security. The ORM filter stays without a tenant
    (and refuses tenant queries) until `set_tenant()` after the membership check; leaving the
    tenant unset or setting another one resets the database side as well. Applies to the first
    transaction only, and only when it has not begun yet.
    """
    session = _real(session)
    if slug and not session.in_transaction() and session.info.get(TENANT_KEY) is None:
        session.info[PENDING_SLUG_KEY] = slug


def set_user(session: Session, user_id: int | None) -> None:
    """Record the acting user; PostgreSQL lets a user see their own memberships by it."""
    session.info[USER_KEY] = None if user_id is None else int(user_id)
    _apply_settings(session)


@contextmanager
def tenant_context(session: Session, tenant_id: int) -> Iterator[None]:
    """Run a block for one tenant (CLI, jobs, webhooks, tests), restoring the previous tenant
    after.

    Pending rows are flushed before leaving. With no tenant before (a webhook, a job), only the
    ORM side is cleared: the open database transaction keeps this tenant until it commits or
    rolls back, so the checks PostgreSQL runs at COMMIT see the rows written here. The setting is
    transaction-local, so the pooled connection carries nothing into the next transaction.
    Returning to another tenant switches the database too, after running the deferred checks.
    """
    previous = session.info.get(TENANT_KEY)
    set_tenant(session, tenant_id)
    try:
        yield
        session.flush()  # pending rows belong to this tenant: write them while it is set
    finally:
        if previous is None:
            _real(session).info[TENANT_KEY] = None
        else:
            set_tenant(session, previous)


_tenant_tables: frozenset[str] | None = None


def _tenant_table_names() -> frozenset[str]:
    global _tenant_tables
    if _tenant_tables is None:
        from tenants.db import Base

        _tenant_tables = frozenset(
            m.local_table.name for m in Base.registry.mappers
            if issubclass(m.class_, TenantScoped)
        )
    return _tenant_tables


def _touches_tenant_tables(statement) -> bool:
    names = _tenant_table_names()
    for table in find_tables(statement, include_aliases=True, include_crud=True,
                             check_columns=True):
        element = getattr(table, "element", table)  # an alias points at its table
        if getattr(element, "name", None) in names:
            return True
    return False


def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get("all_tenants"):
        return
    tenant_id = state.session.info.get(TENANT_KEY)
    if state.is_column_load and not state.is_relationship_load:
        # Refresh/expired attribute loads go by the full primary key, tenant included. The
        # filter the object's own load passed on to them (joined eager loads need it passed
        # on) filters by the object's tenant, as the primary key does.
        _set_tenant_param(state, _refreshed_tenant(state) or tenant_id)
        return
    if tenant_id is None:
        if _touches_tenant_tables(state.statement):
            raise TenantNotSet("No tenant is set for a query on a tenant-owned model.")
        return
    if (state.is_update or state.is_delete) and isinstance(state.parameters, (list, tuple)):
        _check_rows_by_key(state, tenant_id)
    # Added to every statement: it filters each tenant entity wherever it appears (FROM,
    # joins, subqueries, relationship loads) and leaves other entities alone. The option is
    # the same for every tenant; the tenant is a parameter of this execution.
    state.statement = state.statement.options(_TENANT_CRITERIA)
    _set_tenant_param(state, tenant_id)


def _check_rows_by_key(state: ORMExecuteState, tenant_id: int) -> None:
    """The ORM's bulk UPDATE/DELETE by primary key (`session.execute(update(M), [rows])`)
    has no WHERE for the filter to join: each row's key must name the current tenant."""
    mapper = state.bind_mapper
    if mapper is None or not issubclass(mapper.class_, TenantScoped):
        return
    if any(row.get("tenant_id") != tenant_id for row in state.parameters):
        raise TenantViolation(
            f"A {mapper.class_.__name__} of another tenant cannot be changed here.")


def _refreshed_tenant(state: ORMExecuteState) -> int | None:
    """The tenant of the object a refresh/expired-attribute load is for (None: no tenant
    object)."""
    refresh = getattr(state.load_options, "_refresh_state", None)  # (SQLAlchemy's own name)
    if refresh is None or refresh.key is None or not issubclass(refresh.class_, TenantScoped):
        return None
    mapper = refresh.mapper
    for column, value in zip(mapper.primary_key, refresh.key[1]):
        if column.key == "tenant_id":
            return value
    return None


def _set_tenant_param(state: ORMExecuteState, tenant_id: int | None) -> None:
    """Give the execution the tenant filter's parameter (none without a tenant: a statement
    carrying the filter then fails)."""
    if tenant_id is None:
        return
    params = state.parameters
    if isinstance(params, (list, tuple)):  # executemany: every row gets the tenant
        state.parameters = [{**row, TENANT_PARAM: tenant_id} for row in params]
    else:
        state.parameters = {**params, TENANT_PARAM: tenant_id} if params else {
            TENANT_PARAM: tenant_id}


#: the name of the tenant filter's bound parameter: given per execution by `_on_execute`
TENANT_PARAM = "wijkwerk_tenant_id"


def _not_in_python():
    raise UnevaluatableError("the tenant is a parameter of the execution")


class _TenantParam(BindParameter):
    """The tenant filter's bound parameter: one name for every tenant, its value supplied per
    execution (`_on_execute`), never stored in the statement.

    Left out of the parameters SQLAlchemy extracts from a statement's cache key: the compiled
    form is the same for every tenant (one cache entry per statement shape), and the value
    comes from the execution's parameters only. A statement carrying the filter without that
    parameter fails ("A value is required for bind parameter"), it never runs unfiltered.
    The bulk UPDATE/DELETE "evaluate" synchronisation cannot read the value in Python: its
    `callable_` refuses, and SQLAlchemy's "auto" synchronisation then uses "fetch" (RETURNING)
    to find the rows it changed.

    Why not a value per tenant: `with_loader_criteria(..., lambda cls: cls.tenant_id ==
    tenant_id)` puts the tenant in the cache key's extracted parameters, and the annotated copy
    of that parameter made for each entity the criteria lands on hashes like the original: every
    execution then compared them with `==`, building SQL expressions (~0.1 ms per statement).
    """

    inherit_cache = True

    def _gen_cache_key(self, anon_map, bindparams):
        return super()._gen_cache_key(anon_map, None)


_TENANT_BIND = _TenantParam(TENANT_PARAM, type_=BigInteger(), required=True,
                            callable_=_not_in_python)

#: the tenant filter, one option for every tenant. Passed on to loaders (the default): a joined
#: eager load applies only criteria that are; the loads of the objects it loaded carry it too,
#: and `_on_execute` gives each of them the parameter.
_TENANT_CRITERIA = with_loader_criteria(
    TenantScoped,
    lambda cls: cls.tenant_id == _TENANT_BIND,
    include_aliases=True,
)


def _before_flush(session: Session, flush_context, instances) -> None:
    tenant_id = session.info.get(TENANT_KEY)
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if tenant_id is None:
            raise TenantNotSet(f"No tenant is set to stamp a new {type(obj).__name__}.")
        if obj.tenant_id is None:
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id:
            raise TenantViolation(
                f"A new {type(obj).__name__} for another tenant cannot be added here."
            )
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantScoped):
            continue
        from sqlalchemy import inspect

        hist = inspect(obj).attrs.tenant_id.history
        if hist.has_changes():
            raise TenantViolation("tenant_id cannot change after insert.")
        if tenant_id is None:
            raise TenantNotSet(f"No tenant is set to change a {type(obj).__name__}.")
        if obj.tenant_id != tenant_id:
            raise TenantViolation(
                f"A {type(obj).__name__} of another tenant cannot be changed here."
            )


def _after_begin(session: Session, transaction, connection) -> None:
    # Also for a savepoint: it starts with the settings of the transaction around it.
    _apply_settings(session, connection, began=not transaction.nested)


def _after_flush(session: Session, flush_context) -> None:
    session.info[WROTE_KEY] = True


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:  # the database transaction ended: its setting is gone
        session.info.pop(WROTE_KEY, None)
        session.info.pop(DB_TENANT_KEY, None)
        session.info.pop(DB_USER_KEY, None)
    elif transaction.nested:
        # A savepoint rolled back takes back the settings made inside it: whatever the
        # transaction holds now, the next change is sent, not assumed.
        session.info.pop(DB_USER_KEY, None)


def install(session_class) -> None:
    """Attach the listeners to a Session class (Flask-SQLAlchemy's, or a test's)."""
    if event.contains(session_class, "do_orm_execute", _on_execute):
        return
    event.listen(session_class, "do_orm_execute", _on_execute)
    event.listen(session_class, "before_flush", _before_flush)
    event.listen(session_class, "after_begin", _after_begin)
    event.listen(session_class, "after_flush", _after_flush)
    event.listen(session_class, "after_transaction_end", _after_transaction_end)
