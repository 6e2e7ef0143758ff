"""Per-tenant counters: consecutive numbers without gaps (help-request references, invoices).

`next_number(session, name)` increments the counter row for (current tenant, name) with
`UPDATE … RETURNING` in the caller's transaction, so the row stays locked until commit and two
transactions never draw the same number; a rolled-back transaction gives its number back.
Sequences leave gaps and are never used for this.
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tenants.models import Counter
from tenants.tenancy import TenantNotSet, current_tenant_id


def next_number(session: Session, name: str) -> int:
    """The next number of counter `name` in the current tenant (1, 2, 3, …)."""
    if current_tenant_id(session) is None:
        raise TenantNotSet("A counter needs a tenant.")
    stmt = (update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
            .returning(Counter.value).execution_options(synchronize_session=False))
    value = session.execute(stmt).scalar()
    if value is not None:
        return value
    try:
        with session.begin_nested():
            session.add(Counter(name=name, value=0))
    except IntegrityError:
        pass  # another transaction created it first; its row lock orders us after it
    return session.execute(stmt).scalar()


def current_number(session: Session, name: str) -> int:
    return session.scalar(select(Counter.value).where(Counter.name == name)) or 0
