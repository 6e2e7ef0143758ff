"""The demo's subscriptions (called by blueprints/demo): the three DESIGN.md tenants on three
plans, all in order, and two extra small tenants that show what a failed payment looks like:
one past due (everything works, the admin sees the banner) and one read-only (Stripe gave up).
No Stripe ids: with a key configured, the reconciliation leaves these alone. Idempotent."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenants.db import utcnow
from tenants.models import Role, Tenant, TenantKind, TenantStatus

#: slug -> (plan, monthly cents, purchase-order number)
PLANS = {
    "ons-breda": ("basis", 4900, None),
    "kluswinkel-lelystad": ("plus", 9900, "LLS-2026-0113"),
    "vrijwilligerscentrale-landgraaf": ("groot", 19900, None),
}
#: the extra small tenants: slug, name, admin's name, state
SMALL = [
    ("klushulp-kanaleneiland", "Klushulp Kanaleneiland", "Priya Ramdin", "past_due"),
    ("repaircafe-hoogvliet", "Repaircafé Hoogvliet", "Bram Visser", "unpaid"),
]


def seed_subscriptions(session: Session, user, member) -> None:
    """`user(email, name, two_factor=…)` and `member(tenant, user, role)` are the demo's own
    account helpers (the demo password, two-factor for admins)."""
    renews = utcnow() + timedelta(days=18)
    for slug, (plan, cents, po) in PLANS.items():
        tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
        if tenant is None or tenant.subscription_status is not None:
            continue
        tenant.plan, tenant.subscription_status = plan, "active"
        tenant.subscription_monthly_cents, tenant.purchase_order = cents, po
        tenant.subscription_renews_at = renews
    for slug, name, admin_name, state in SMALL:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            tenant = Tenant(slug=slug, name=name, kind=TenantKind.BEWONERSINITIATIEF,
                            plan="basis", subscription_status=state,
                            subscription_monthly_cents=4900,
                            failed_payments=1 if state == "past_due" else 4,
                            subscription_renews_at=utcnow() - timedelta(days=3),
                            status=TenantStatus.READ_ONLY if state == "unpaid"
                            else TenantStatus.ACTIVE)
            session.add(tenant)
            session.flush()
        member(tenant, user(f"admin@{slug}.example.org", admin_name, two_factor=True),
               Role.ADMIN)
    session.flush()
