"""Sharing reports with the municipality: an admin grants a report template from a month on,
and can revoke it; every grant and revocation is in the audit log. The municipality reads the
grants and the protected tables only through the kernel (tenants/aggregates.py).

The templates are the tables a municipality may see, protected so that no person can be
singled out (tenants/suppression.py): hours per hour type and outflow per outcome, per month,
quarter or year."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.reports.models import SHARE_TEMPLATES, ReportShare
from tenants import audit
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound
from tenants.models import Municipality, Tenant

TEMPLATE_LABELS = {
    "uren": _l("Uren per soort"),
    "uitstroom": _l("Uitstroom naar bestemming"),
}
TEMPLATE_DEFINITIONS = {
    "uren": _l("Goedgekeurde uren per soort (trajectwerk, vrijwilligerswerk, tegenprestatie, "
               "scholing), per maand, kwartaal of jaar. Geen aantallen personen, geen namen."),
    "uitstroom": _l("Afgeronde trajecten per bestemming (betaald werk, opleiding, …), per "
                    "maand, kwartaal of jaar, met het aandeel per bestemming."),
}
assert set(TEMPLATE_LABELS) == set(SHARE_TEMPLATES)


@dataclass(frozen=True)
class ShareData:
    template: str
    from_month: date


def municipality_of(session: Session, tenant: Tenant) -> Municipality | None:
    if tenant.municipality_id is None:
        return None
    return session.get(Municipality, tenant.municipality_id)


def shares(session: Session) -> list[ReportShare]:
    """The tenant's grants, active first, newest first."""
    return list(session.scalars(select(ReportShare).order_by(
        ReportShare.revoked_at.is_not(None), ReportShare.granted_at.desc(), ReportShare.id)))


def grant(session: Session, actor: Actor, tenant: Tenant, data: ShareData) -> ReportShare:
    """Let the tenant's municipality see a template from a month on. Raises DomainError when
    the tenant has no municipality, the template is unknown or already shared."""
    if tenant.municipality_id is None:
        raise DomainError(_l("Uw organisatie is niet aan een gemeente gekoppeld; vraag de "
                             "platformbeheerder dat te doen."))
    if data.template not in SHARE_TEMPLATES:
        raise DomainError(_l("Kies wat u wilt delen."))
    if not date(2000, 1, 1) <= data.from_month <= date(2100, 12, 1):
        raise DomainError(_l("Kies een maand tussen 2000 en 2100."))
    active = session.scalar(select(ReportShare).where(
        ReportShare.template == data.template, ReportShare.revoked_at.is_(None)))
    if active is not None:
        raise DomainError(_l("Dit deelt u al met de gemeente. Trek het eerst in om de "
                             "beginmaand te wijzigen."))
    share = ReportShare(municipality_id=tenant.municipality_id, template=data.template,
                        from_month=data.from_month.replace(day=1), granted_by=actor.user_id)
    session.add(share)
    session.flush()
    audit.record(session, actor, "report_share.granted", share, template=data.template,
                 from_month=share.from_month.isoformat(),
                 municipality_id=tenant.municipality_id)
    return share


def revoke(session: Session, actor: Actor, share_id: int) -> ReportShare:
    """End a grant at once: the municipality's portal no longer shows its tables."""
    share = session.scalar(select(ReportShare).where(
        ReportShare.id == share_id, ReportShare.revoked_at.is_(None)).with_for_update())
    if share is None:
        raise NotFound()
    share.revoked_at = utcnow()
    share.revoked_by = actor.user_id
    session.flush()
    audit.record(session, actor, "report_share.revoked", share, template=share.template,
                 municipality_id=share.municipality_id)
    return share
