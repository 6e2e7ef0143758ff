"""The platform's plans, in one place: name, limits, features, price, Stripe price id.

- `gratis` is for small initiatives (up to 10 participants); the paid plans go by size.
- A tenant's plan is `Tenant.plan`. With billing on (STRIPE_SECRET_KEY) the subscription's
  webhooks set it from the Stripe price; with billing off the operator assigns it. A pilot
  (`Tenant.pilot_until`) gives the largest plan's limits until that day.
- Limits are checked only when something is *added* (a participant, a staff invitation): a
  downgrade below current use keeps every row and blocks new additions only.
- Stripe price ids come from the configuration (`STRIPE_PRICE_<PLAN>`), never from code.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from tenants.errors import DomainError


@dataclass(frozen=True)
class Plan:
    key: str
    name: object  #: a lazy Dutch name
    #: participants (deelnemers) and staff users (beheerders and begeleiders); None: no limit
    max_participants: int | None
    max_staff: int | None
    #: price per month in cents, VAT excluded (0: free)
    monthly_cents: int
    features: tuple[str, ...] = ()

    @property
    def price_setting(self) -> str:
        return f"STRIPE_PRICE_{self.key.upper()}"


PLANS: dict[str, Plan] = {p.key: p for p in (
    Plan("gratis", _l("Gratis"), 10, 3, 0, ("uren", "deelnemers")),
    Plan("basis", _l("Basis"), 40, 8, 4900, ("uren", "deelnemers", "facturen")),
    Plan("plus", _l("Plus"), 150, 20, 9900,
         ("uren", "deelnemers", "facturen", "rapportages", "api")),
    Plan("groot", _l("Groot"), None, None, 19900,
         ("uren", "deelnemers", "facturen", "rapportages", "api", "netwerk")),
)}
#: the plan of a tenant whose plan key is unknown (never stricter than what it had)
DEFAULT = "basis"
PAID = tuple(k for k, p in PLANS.items() if p.monthly_cents > 0)
LARGEST = "groot"


def plan(key: str | None) -> Plan:
    return PLANS.get(key or DEFAULT, PLANS[DEFAULT])


def effective_plan(tenant, today: date | None = None) -> Plan:
    """The plan whose limits apply now: the largest during a pilot, else the tenant's own."""
    today = today or date.today()
    pilot = getattr(tenant, "pilot_until", None)
    if pilot is not None and pilot >= today:
        return PLANS[LARGEST]
    return plan(tenant.plan)


def price_id(config, key: str) -> str | None:
    return config.get(plan(key).price_setting) if key in PLANS else None


def plan_for_price(config, price: str | None) -> str | None:
    """The plan key whose configured Stripe price id is `price`."""
    if not price:
        return None
    for key in PAID:
        if config.get(PLANS[key].price_setting) == price:
            return key
    return None


class PlanLimitReached(DomainError):
    """Adding one more would go past the plan's limit."""


def check_room(tenant, kind: str, in_use: int, today: date | None = None) -> None:
    """Raise PlanLimitReached (Dutch, with the way up) when one more `kind` ("participants" or
    "staff") does not fit the tenant's plan with `in_use` already there."""
    current = effective_plan(tenant, today)
    limit = current.max_participants if kind == "participants" else current.max_staff
    if limit is None or in_use < limit:
        return
    if kind == "participants":
        message = _l("Het abonnement %(plan)s heeft ruimte voor %(limit)s deelnemers en die zijn "
                     "er al. Bestaande gegevens blijven gewoon staan. Kies een groter abonnement "
                     "via ‘Abonnement’ in het menu om meer deelnemers toe te voegen.",
                     plan=current.name, limit=limit)
    else:
        message = _l("Het abonnement %(plan)s heeft ruimte voor %(limit)s medewerkers "
                     "(beheerders en begeleiders) en die zijn er al. Kies een groter abonnement "
                     "via ‘Abonnement’ in het menu om meer medewerkers uit te nodigen.",
                     plan=current.name, limit=limit)
    raise PlanLimitReached(message)


#: Stripe's subscription statuses in words (the billing page, the operator's page)
STATE_LABELS = {
    "active": _l("actief"),
    "trialing": _l("proefperiode"),
    "past_due": _l("betaling mislukt, Stripe probeert opnieuw"),
    "unpaid": _l("niet betaald: alleen lezen"),
    "canceled": _l("opgezegd"),
    "incomplete": _l("wacht op de eerste betaling"),
    "incomplete_expired": _l("eerste betaling verlopen"),
    "paused": _l("gepauzeerd"),
}


def state_label(tenant) -> str:
    """The subscription's state in Dutch; without a subscription: the tenant's own status."""
    status = getattr(tenant, "subscription_status", None)
    if status in STATE_LABELS:
        return str(STATE_LABELS[status])
    if getattr(getattr(tenant, "status", None), "value", None) == "read_only":
        return str(_l("alleen lezen"))
    return str(_l("toegekend door de beheerder"))


def check_tenant_room(session, kind: str, in_use: int, today: date | None = None) -> None:
    """check_room for the session's current tenant."""
    from sqlalchemy import select

    from tenants.models import Tenant
    from tenants.tenancy import current_tenant_id

    tenant = session.scalar(select(Tenant).where(Tenant.id == current_tenant_id(session)))
    if tenant is not None:
        check_room(tenant, kind, in_use, today)
