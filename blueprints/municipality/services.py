"""Narrow cross-tenant reads for a municipality: aggregates only, never personal data."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenants.models import Municipality, Tenant


def tenants_in(session: Session, municipality: Municipality) -> list[Tenant]:
    """Cooperatives registered in this municipality (names and kinds are public)."""
    return list(session.scalars(
        select(Tenant).where(Tenant.municipality_id == municipality.id).order_by(Tenant.name)
    ))
