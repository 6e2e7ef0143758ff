"""Member organisations: a cooperative joins and leaves by its own admin; the network admin adds a
municipality.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.network.models import (
    NetworkOrganisation,
    OrganisationKind,
)
from blueprints.network.services.members import require_admin
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound
from tenants.models import Municipality, NetworkMembership, Tenant

# --- member organisations ----------------------------------------------------------------------

def organisations(session: Session) -> list[NetworkOrganisation]:
    """The current member organisations (names and kinds are public within the network)."""
    return list(session.scalars(
        select(NetworkOrganisation).where(NetworkOrganisation.left_at.is_(None))
        .order_by(NetworkOrganisation.kind, NetworkOrganisation.name)))


def cooperative_membership(session: Session, tenant_id: int) -> NetworkOrganisation | None:
    return session.scalar(select(NetworkOrganisation).where(
        NetworkOrganisation.cooperative_id == tenant_id))


def join_network(session: Session, tenant: Tenant) -> NetworkOrganisation:
    """The cooperative joins the network (its admin's choice; the route checks the role)."""
    row = cooperative_membership(session, tenant.id)
    if row is None:
        row = NetworkOrganisation(kind=OrganisationKind.COOPERATIVE, cooperative_id=tenant.id,
                                  name=tenant.name)
        session.add(row)
    elif row.left_at is None:
        raise DomainError(_l("%(name)s is al lid van het netwerk.", name=tenant.name))
    row.left_at, row.joined_at, row.name = None, utcnow(), tenant.name
    session.flush()
    return row


def leave_network(session: Session, tenant: Tenant) -> None:
    row = cooperative_membership(session, tenant.id)
    if row is None or row.left_at is not None:
        raise DomainError(_l("%(name)s is geen lid van het netwerk.", name=tenant.name))
    row.left_at = utcnow()
    row.benchmark_since = None  # leaving ends sharing in the benchmark; rejoining asks again
    session.flush()


def add_municipality(session: Session, admin: NetworkMembership, cbs_code: str
                     ) -> NetworkOrganisation:
    require_admin(admin)
    municipality = session.scalar(select(Municipality).where(
        Municipality.cbs_code == (cbs_code or "").strip()))
    if municipality is None:
        raise DomainError(_l("Onbekende gemeentecode %(code)s.", code=cbs_code))
    row = session.scalar(select(NetworkOrganisation).where(
        NetworkOrganisation.municipality_id == municipality.id))
    if row is None:
        row = NetworkOrganisation(kind=OrganisationKind.MUNICIPALITY,
                                  municipality_id=municipality.id,
                                  name=f"Gemeente {municipality.name}")
        session.add(row)
    elif row.left_at is None:
        raise DomainError(_l("%(name)s is al lid van het netwerk.", name=row.name))
    row.left_at = None
    session.flush()
    return row


def remove_organisation(session: Session, admin: NetworkMembership, organisation_id: int
                        ) -> None:
    require_admin(admin)
    row = session.get(NetworkOrganisation, organisation_id)
    if row is None or row.left_at is not None:
        raise NotFound()
    row.left_at = utcnow()
    row.benchmark_since = None
