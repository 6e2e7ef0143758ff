"""Host organisations (inzetorganisaties): where participants do their work."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from blueprints.participants.models import HostOrganisation
from blueprints.participants.services.rules import HOST_KINDS, normalise_postcode
from tenants import audit, hooks
from tenants.actor import Actor
from tenants.bsn import BSN_MESSAGE, contains_bsn
from tenants.errors import DomainError, NotFound


# --- host organisations ----------------------------------------------------------------------

@dataclass
class HostData:
    name: str
    kind: str
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    vog_required: bool = False
    insurance_covered: bool = True
    notes: str | None = None
    #: the customer funding work here: who pays its hours (blueprints.hours.services.payer)
    payer_customer_id: int | None = None


def check_payer(session: Session, payer_customer_id: int | None, current: int | None) -> None:
    """A funder (of a host organisation or a trajectory) must be a customer of this
    cooperative, not archived unless it already was the funder: asked through
    tenants.hooks.payer_choices, which customers answer."""
    if payer_customer_id is None:
        return
    if payer_customer_id not in dict(hooks.payer_choices.ask(session, keep=current)):
        raise DomainError(_l("Deze klant bestaat niet (meer). Kies wie de uren betaalt uit "
                             "de lijst."))


def payer_options(session: Session, keep: int | None = None) -> list[tuple[int, str]]:
    """The customers to choose a funder from (customers answer; [] without them)."""
    return hooks.payer_choices.ask(session, keep=keep)


def payer_name(session: Session, payer_customer_id: int | None) -> str | None:
    """The name of a funder, for a page (None without one)."""
    if payer_customer_id is None:
        return None
    return dict(hooks.payer_choices.ask(session, keep=payer_customer_id)).get(payer_customer_id)


def _host_values(session: Session, data: HostData, current: HostOrganisation | None) -> dict:
    name = (data.name or "").strip()
    if not name:
        raise DomainError(_l("Vul de naam van de inzetorganisatie in."))
    if data.kind not in HOST_KINDS:
        raise DomainError(_l("Kies het soort organisatie."))
    for text in (data.notes, data.contact_name, data.street):
        if contains_bsn(text):
            raise DomainError(BSN_MESSAGE)
    clash = session.scalar(select(HostOrganisation).where(
        func.lower(HostOrganisation.name) == name.lower()))
    if clash is not None and clash is not current:
        raise DomainError(_l("Er is al een inzetorganisatie met deze naam."))
    check_payer(session, data.payer_customer_id, current.payer_customer_id if current else None)
    clean = lambda v: (v or "").strip() or None  # noqa: E731
    return {"name": name, "kind": data.kind, "contact_name": clean(data.contact_name),
            "contact_email": clean(data.contact_email), "contact_phone": clean(data.contact_phone),
            "street": clean(data.street), "postcode": normalise_postcode(data.postcode),
            "city": clean(data.city), "vog_required": data.vog_required,
            "insurance_covered": data.insurance_covered, "notes": clean(data.notes),
            "payer_customer_id": data.payer_customer_id}


def create_host(session: Session, actor: Actor, data: HostData) -> HostOrganisation:
    host = HostOrganisation(**_host_values(session, data, None))
    session.add(host)
    session.flush()
    audit.record(session, actor, "host.created", host, name=host.name)
    return host


def update_host(session: Session, actor: Actor, host: HostOrganisation,
                data: HostData) -> HostOrganisation:
    for key, value in _host_values(session, data, host).items():
        setattr(host, key, value)
    audit.record(session, actor, "host.updated", host, name=host.name)
    return host


def hosts(session: Session) -> list[HostOrganisation]:
    return list(session.scalars(select(HostOrganisation).order_by(HostOrganisation.name)))


def get_host(session: Session, host_id: int) -> HostOrganisation:
    host = session.scalar(select(HostOrganisation).where(HostOrganisation.id == host_id))
    if host is None:
        raise NotFound(_l("Deze inzetorganisatie bestaat niet."))
    return host
