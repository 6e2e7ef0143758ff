"""What the platform operator may read: tenants and their subscription state, no personal data."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenants.models import Municipality, Tenant


def all_tenants(session: Session) -> list[Tenant]:
    return list(session.scalars(select(Tenant).order_by(Tenant.name)))


def municipality_choices(session: Session) -> list[tuple[str, str]]:
    rows = session.scalars(select(Municipality).order_by(Municipality.name))
    return [(m.cbs_code, f"{m.name} ({m.cbs_code})") for m in rows]
