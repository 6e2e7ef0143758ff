"""Where a logged-in user lands, and the places they can switch between."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenants.membership import memberships_for_user, municipality_memberships
from tenants.models import NetworkMembership, User


@dataclass(frozen=True)
class Place:
    kind: str  # tenant, municipality, network, operator
    name: str
    key: str  # tenant slug / cbs code
    role: str | None = None


def places_for(session: Session, user: User) -> list[Place]:
    """Every tenant, municipality and network area the user may enter."""
    places = [Place("tenant", m.tenant.name, m.tenant.slug, m.role.value)
              for m in memberships_for_user(session, user)]
    places += [Place("municipality", str(_l("Gemeente %(name)s", name=mm.municipality.name)),
                     mm.municipality.cbs_code) for mm in municipality_memberships(session, user)]
    if session.scalar(select(NetworkMembership.id).where(NetworkMembership.user_id == user.id)):
        places.append(Place("network", str(_l("Netwerk Werk in de wijk")), "netwerk"))
    if user.is_platform_operator:
        places.append(Place("operator", str(_l("Platformbeheer")), "beheer"))
    return places
