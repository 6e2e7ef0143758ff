"""A savepoint that comes first in a transaction must not commit it on SQLite."""
from __future__ import annotations

from sqlalchemy import func, select

from tenants.models import Counter
from tenants.tenancy import tenant_context


def test_a_row_added_in_a_first_savepoint_is_rolled_back_with_its_transaction(make, session):
    tenant = make.tenant()
    with tenant_context(session, tenant.id):
        session.scalar(select(func.count()).select_from(Counter))  # a read first: no write yet
        with session.begin_nested():
            session.add(Counter(name="savepoint-test", value=1))
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Counter).where(
            Counter.name == "savepoint-test")) == 0
    session.rollback()
