"""What the platform operator may read: tenants and their subscription state, no personal data."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenants import audit, plans
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound
from tenants.models import Municipality, MunicipalityMembership, Tenant
from tenants.suppression import MAX_THRESHOLD, PLATFORM_THRESHOLD, threshold_for
from tenants.tenancy import tenant_context

#: subscription statuses that bring in money each month
BILLING = ("active", "trialing", "past_due")


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


def monthly_revenue(tenants: list[Tenant]) -> int:
    """What the running subscriptions bill per month, in cents (VAT excluded)."""
    return sum(t.subscription_monthly_cents or 0 for t in tenants
               if t.subscription_status in BILLING)


def plan_choices() -> list[tuple[str, str]]:
    return [(p.key, str(p.name)) for p in plans.PLANS.values()]


def assign_plan(session: Session, actor: Actor, tenant_id: int, plan_key: str,
                pilot_until: date | None, coupon: str | None) -> Tenant:
    """The operator's plan, pilot and discount for a tenant. With billing on, a running
    subscription's webhooks set the plan again from what the tenant pays."""
    if plan_key not in plans.PLANS:
        raise DomainError(_l("Kies een abonnement uit de lijst."))
    tenant = session.scalar(select(Tenant).where(Tenant.id == tenant_id).with_for_update(of=Tenant))
    if tenant is None:
        raise NotFound()
    tenant.plan = plan_key
    tenant.pilot_until = pilot_until
    tenant.stripe_coupon = (coupon or "").strip() or None
    with tenant_context(session, tenant.id):
        audit.record(session, actor, "billing.plan_assigned", object_type="Tenant",
                     object_id=tenant.id, plan=plan_key,
                     pilot_until=pilot_until.isoformat() if pilot_until else None,
                     coupon=tenant.stripe_coupon)
    return tenant


def set_threshold(session: Session, actor: Actor, municipality_id: int, value,
                  platform: int = PLATFORM_THRESHOLD) -> Municipality:
    """Raise (or lower again) a municipality's suppression threshold: a whole number from the
    platform's (5) to MAX_THRESHOLD (10); the platform's own is stored as none. Written to the
    platform's security log (municipalities are no tenants). Anything else changes nothing."""
    low, high = max(platform, PLATFORM_THRESHOLD), MAX_THRESHOLD
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 2 and low <= int(text) <= high):
        raise DomainError(_l("Kies als drempel een heel getal van %(low)s tot en met %(high)s "
                             "personen.", low=low, high=high))
    threshold = int(text)
    municipality = session.scalar(select(Municipality).where(
        Municipality.id == municipality_id).with_for_update())
    if municipality is None:
        raise NotFound()
    before = threshold_for(municipality.suppression_threshold, platform)
    municipality.suppression_threshold = None if threshold == platform else threshold
    audit.record_security(session, "municipality.threshold_set", user_id=actor.user_id,
                          email=actor.email, ip=actor.ip, municipality=municipality.cbs_code,
                          before=before, after=threshold)
    return municipality
