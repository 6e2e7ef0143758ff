"""What the platform operator may read: tenants and their subscription state, no personal data."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenants.models import Municipality, MunicipalityMembership, Tenant


def all_tenants(session: Session) -> list[Tenant]:
    return list(session.scalars(select(Tenant).order_by(Tenant.name)))


def municipality_choices(session: Session) -> list[tuple[str, str]]:
    rows = session.scalars(select(Municipality).order_by(Municipality.name))
    return [(m.cbs_code, f"{m.name} ({m.cbs_code})") for m in rows]


def municipalities_with_officers(session: Session) -> list[tuple[Municipality, int]]:
    """Municipalities that have officers, with how many (one grouped query)."""
    count = func.count(MunicipalityMembership.id)
    rows = session.execute(
        select(Municipality, count)
        .join(MunicipalityMembership, MunicipalityMembership.municipality_id == Municipality.id)
        .group_by(Municipality.id).order_by(Municipality.name))
    return [(m, n) for m, n in rows]
