"""Layer 1 of tenancy: the ORM filter and stamp, for every tenant-owned model."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from tenants.db import Base, TenantScoped
from tenants.models import AuditEvent, Membership, Role
from tenants.tenancy import TenantNotSet, TenantViolation, set_tenant, tenant_context
from tests.tenant_rows import APPEND_ONLY, ROW_FACTORIES


def tenant_models():
    return sorted((m.class_ for m in Base.registry.mappers
                   if issubclass(m.class_, TenantScoped)), key=lambda c: c.__name__)


def test_every_tenant_model_has_a_row_factory():
    missing = [m.__name__ for m in tenant_models() if m not in ROW_FACTORIES]
    assert not missing, f"add these models to tests/tenant_rows.py: {missing}"


def _move_to(session, model, row_id, tenant_id) -> int:
    """Rows an UPDATE … SET tenant_id changed: 0 when it reaches none, and 0 where the database
    refuses such an UPDATE outright (Citus: the distribution column never changes)."""
    try:
        with session.begin_nested():
            return session.execute(
                update(model).where(model.id == row_id)
                .values(tenant_id=tenant_id).execution_options(synchronize_session=False)
            ).rowcount
    except DBAPIError as error:
        if "partition" not in str(error) and "distribution column" not in str(error):
            raise
        return 0


@pytest.fixture
def two_tenants(make):
    a, b = make.tenant(name="Coöperatie A"), make.tenant(name="Coöperatie B")
    return a, b, make.user()


@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m.__name__)
def test_rows_of_tenant_a_are_invisible_in_tenant_b(model, two_tenants, session):
    a, b, user = two_tenants
    with tenant_context(session, a.id):
        row = ROW_FACTORIES[model](session, a, user)
        session.add(row)
        session.flush()
        assert row.tenant_id == a.id  # stamped with the current tenant
        row_id = row.id
    session.commit()

    with tenant_context(session, b.id):
        assert session.scalar(select(model).where(model.id == row_id)) is None
        assert session.scalar(select(func.count()).select_from(model)
                              .where(model.id == row_id)) == 0
        if model not in APPEND_ONLY:
            assert _move_to(session, model, row_id, b.id) == 0
    session.rollback()
    with tenant_context(session, a.id):
        assert session.scalar(select(model).where(model.id == row_id)) is not None


@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m.__name__)
def test_query_without_tenant_raises(model, session):
    set_tenant(session, None)
    with pytest.raises(TenantNotSet):
        session.scalars(select(model)).all()


def test_new_row_without_tenant_raises(session, make):
    user = make.user()
    set_tenant(session, None)
    session.add(Membership(user_id=user.id, role=Role.PARTICIPANT))
    with pytest.raises(TenantNotSet):
        session.flush()
    session.rollback()


def test_writing_a_row_for_another_tenant_raises(session, make):
    a, b, user = make.tenant(), make.tenant(), make.user()
    with tenant_context(session, b.id):
        session.add(Membership(tenant_id=a.id, user_id=user.id, role=Role.PARTICIPANT))
        with pytest.raises(TenantViolation):
            session.flush()
        session.rollback()


def test_tenant_id_cannot_change_after_insert(session, make):
    a, b, user = make.tenant(), make.tenant(), make.user()
    with tenant_context(session, a.id):
        membership = Membership(user_id=user.id, role=Role.PARTICIPANT)
        session.add(membership)
    session.commit()
    with tenant_context(session, a.id):
        membership = session.scalar(select(Membership).where(Membership.user_id == user.id))
        membership.tenant_id = b.id
        with pytest.raises(TenantViolation):
            session.flush()
        session.rollback()


def test_relationship_and_joined_loads_are_filtered(session, make):
    a, b = make.tenant(), make.tenant()
    user = make.user()
    make.member(a, Role.PARTICIPANT, user=user)
    make.member(b, Role.SUPERVISOR, user=user)
    with tenant_context(session, b.id):
        rows = session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
        assert [m.tenant_id for m in rows] == [b.id]


@pytest.mark.parametrize("model", sorted(APPEND_ONLY, key=lambda m: m.__name__),
                         ids=lambda m: m.__name__)
def test_append_only_tables_refuse_update_and_delete(model, session, make):
    from sqlalchemy import delete
    from sqlalchemy.exc import DatabaseError

    a, user = make.tenant(), make.user()
    with tenant_context(session, a.id):
        row = ROW_FACTORIES[model](session, a, user)
        session.add(row)
        session.flush()
        row_id = row.id
    session.commit()
    with tenant_context(session, a.id):
        with pytest.raises(DatabaseError):
            session.execute(update(model).where(model.id == row_id).values(id=row_id + 1))
        session.rollback()
    with tenant_context(session, a.id):
        with pytest.raises(DatabaseError):
            session.execute(delete(model).where(model.id == row_id))
        session.rollback()
    with tenant_context(session, a.id):
        assert session.scalar(select(model.id).where(model.id == row_id)) == row_id
