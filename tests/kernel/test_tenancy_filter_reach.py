"""The ORM tenant filter reaches a tenant entity wherever it appears in a statement.

Tenant A and tenant B each have a participant and a trajectory, joined to each other by
conditions that do not mention the tenant (so only the filter keeps A's rows out of B's
queries). Each statement runs as tenant B and must return B's rows only; its SQL must carry
`<table or alias>.tenant_id = ` for every tenant table it reads, which also makes the test
bite on PostgreSQL, where row-level security would hide A's rows anyway.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, event, select, true, update
from sqlalchemy.orm import (
    aliased,
    foreign,
    joinedload,
    registry,
    relationship,
    selectinload,
    subqueryload,
)

from blueprints.participants.models import Participant
from blueprints.trajectories.models import Trajectory
from tenants.db import TenantScoped
from tenants.tenancy import TenantNotSet, set_tenant, tenant_context
from tenants.tenancy import _tenant_table_names
from tests.tenant_rows import ROW_FACTORIES

SHARED = "gedeeld"  # the value both tenants' rows are joined on


class _Person(TenantScoped):
    """Participants, mapped again with a relationship to trajectories that ignores the tenant
    (the app's tenant models have no relationships to each other; loaders must still be
    filtered if one is added)."""


class _Track(TenantScoped):
    pass


_registry = registry()
_registry.map_imperatively(_Track, Trajectory.__table__)
_registry.map_imperatively(_Person, Participant.__table__, properties={
    "tracks": relationship(
        _Track, viewonly=True, lazy="select",
        primaryjoin=Participant.__table__.c.first_name
        == foreign(Trajectory.__table__.c.host_supervisor_name)),
})

_FROM = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+AS\s+(\w+))?", re.IGNORECASE)
_TARGET = re.compile(r"^\s*(?:UPDATE|DELETE\s+FROM)\s+(\w+)", re.IGNORECASE)


def _unfiltered_tables(sql: str) -> list[str]:
    """The tenant tables (or their aliases) a statement reads without `x.tenant_id = `."""
    tenant_tables = _tenant_table_names()
    found = [(m[1], m[2] or m[1]) for m in _FROM.finditer(sql)]
    target = _TARGET.match(sql)
    if target:
        found.append((target[1], target[1]))
    return [name for table, name in found
            if table in tenant_tables and not re.search(rf"\b{name}\.tenant_id = ", sql)]


@pytest.fixture
def world(make, session):
    a, b, user = make.tenant(), make.tenant(), make.user()
    ids = {}
    for tenant in (a, b):
        with tenant_context(session, tenant.id):
            track = ROW_FACTORIES[Trajectory](session, tenant, user)
            session.add(track)
            session.flush()
            person = session.get(Participant, (tenant.id, track.participant_id))
            person.first_name = SHARED
            track.host_supervisor_name = SHARED
            session.flush()
            ids[tenant.id] = (person.id, track.id)
    session.commit()
    return a, b, ids


@pytest.fixture
def checked(session):
    """Run as tenant B, recording each statement's SQL; fails for a tenant table read
    without its tenant condition."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)
    for sql in statements:
        if sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")) \
                and "set_config" not in sql:
            assert not _unfiltered_tables(sql), sql


def test_joins_aliases_and_subqueries_are_filtered(world, session, checked):
    a, b, ids = world
    (pa, ta), (pb, tb) = ids[a.id], ids[b.id]
    both = [a.id, b.id]
    from tenants.models import Tenant

    with tenant_context(session, b.id):
        assert session.execute(
            select(Participant.id, Trajectory.id).join(Trajectory, true())
            .where(Participant.id.in_([pa, pb]))).all() == [(pb, tb)]
        assert session.execute(
            select(Participant.id, Trajectory.id).outerjoin(Trajectory, true())
            .where(Participant.id.in_([pa, pb]))).all() == [(pb, tb)]
        other = aliased(Trajectory)
        assert session.execute(
            select(Trajectory.id, other.id).join(other, true())
            .where(Trajectory.id.in_([ta, tb]))).all() == [(tb, tb)]
        # tenant entities only inside a subquery, a derived table, a CTE, EXISTS
        assert session.scalars(select(Tenant.id).where(
            Tenant.id.in_(both), Tenant.id.in_(select(Trajectory.tenant_id)))).all() == [b.id]
        derived = select(Trajectory.tenant_id).subquery()
        assert session.scalars(select(derived.c.tenant_id)
                               .where(derived.c.tenant_id.in_(both))).all() == [b.id]
        cte = select(Trajectory.tenant_id).cte()
        assert session.scalars(select(cte.c.tenant_id)
                               .where(cte.c.tenant_id.in_(both))).all() == [b.id]
        assert session.scalars(select(Tenant.id).where(
            Tenant.id.in_(both),
            select(Trajectory.id).where(Trajectory.tenant_id == Tenant.id).exists())
        ).all() == [b.id]
        assert session.scalars(select(Tenant.id).where(Tenant.id.in_(both)).order_by(
            select(Participant.id).where(Participant.tenant_id == Tenant.id)
            .scalar_subquery())).all() != []
    assert checked


@pytest.mark.parametrize("loader", ["lazy", "selectin", "joined", "subquery"])
def test_relationship_loads_are_filtered(loader, world, session, checked):
    a, b, ids = world
    (pa, ta), (pb, tb) = ids[a.id], ids[b.id]
    options = {"lazy": [], "selectin": [selectinload(_Person.tracks)],
               "joined": [joinedload(_Person.tracks)],
               "subquery": [subqueryload(_Person.tracks)]}[loader]
    with tenant_context(session, b.id):
        people = session.scalars(select(_Person).where(_Person.id.in_([pa, pb]))
                                 .options(*options)).unique().all()
        assert [p.id for p in people] == [pb]
        assert [t.id for t in people[0].tracks] == [tb]
    session.rollback()
    with tenant_context(session, a.id):  # the same loads see A's rows in A
        person = session.scalars(select(_Person).where(_Person.id == pa)).one()
        assert [t.id for t in person.tracks] == [ta]
    session.rollback()


def test_update_and_delete_are_filtered(world, session, checked):
    a, b, ids = world
    ta, tb = ids[a.id][1], ids[b.id][1]
    with tenant_context(session, b.id):
        mine = session.get(Trajectory, (b.id, tb))
        # no WHERE of its own: only the filter keeps A's trajectory out
        assert session.execute(update(Trajectory).where(Trajectory.id.in_([ta, tb]))
                               .values(host_supervisor_name="nieuw")).rowcount == 1
        assert mine.host_supervisor_name == "nieuw"  # the session's copy was synchronised
        assert session.execute(delete(Trajectory).where(
            Trajectory.id.in_([ta, tb]))).rowcount == 1
    session.rollback()
    with tenant_context(session, a.id):
        assert session.get(Trajectory, (a.id, ta)).host_supervisor_name == SHARED


def test_loads_without_tenant_raise(world, session):
    a, b, ids = world
    with tenant_context(session, b.id):
        person = session.scalars(select(_Person).where(_Person.id == ids[b.id][0])).one()
    set_tenant(session, None)
    with pytest.raises(TenantNotSet):
        person.tracks  # a lazy load after the tenant is gone
    with pytest.raises(TenantNotSet):
        session.execute(update(Trajectory).values(host_supervisor_name="x"))
    session.rollback()


def test_expired_objects_refresh_by_their_own_tenant(world, session):
    """A refresh of expired attributes goes by the object's primary key, tenant included; the
    filter its load passed on to it filters by the object's tenant, whatever is current on the
    ORM side (on PostgreSQL row-level security still hides the row from another tenant)."""
    a, b, ids = world

    def load():
        with tenant_context(session, a.id):
            person = session.scalars(select(_Person).where(_Person.id == ids[a.id][0])
                                     .options(joinedload(_Person.tracks))).unique().one()
            track = session.get(Trajectory, (a.id, ids[a.id][1]))
        session.commit()  # expires both
        return person, track

    person, track = load()
    with tenant_context(session, a.id):
        assert (person.first_name, track.host_supervisor_name) == (SHARED, SHARED)
    session.rollback()
    if session.get_bind().dialect.name == "sqlite":
        person, track = load()
        assert track.host_supervisor_name == SHARED  # no tenant current
        with tenant_context(session, b.id):
            assert person.first_name == SHARED
        session.rollback()


def test_bulk_update_by_primary_key_stays_in_its_tenant(world, session):
    """`session.execute(update(M), [rows])` (the ORM's bulk UPDATE by primary key) takes no
    WHERE and so no filter: each row must name the current tenant in its key, or nothing is
    written."""
    from tenants.tenancy import TenantViolation

    a, b, ids = world
    ta, tb = ids[a.id][1], ids[b.id][1]
    with tenant_context(session, b.id):
        session.execute(update(Trajectory), [
            {"tenant_id": b.id, "id": tb, "host_supervisor_name": "eigen"}])
        assert session.get(Trajectory, (b.id, tb)).host_supervisor_name == "eigen"
        with pytest.raises(TenantViolation):
            session.execute(update(Trajectory), [
                {"tenant_id": a.id, "id": ta, "host_supervisor_name": "vreemd"}])
        with pytest.raises(TenantViolation):
            session.execute(update(Trajectory), [{"id": ta, "host_supervisor_name": "vreemd"}])
    session.rollback()
    with tenant_context(session, a.id):
        assert session.get(Trajectory, (a.id, ta)).host_supervisor_name == SHARED
