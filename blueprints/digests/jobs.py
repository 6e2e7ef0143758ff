"""The daily digest's jobs (tenants.jobs): every morning the scheduler enqueues one job per
tenant; each runs in its tenant and mails its members' digests (blueprints.digests.services).
Running twice on one day sends nothing new: the first run remembered every item it mentioned."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tenants import jobs
from tenants.extensions import db
from tenants.models import Tenant, TenantStatus
from tenants.tenancy import current_tenant_id


@jobs.tenant_task(name="digests.send_daily_digests", retries=2, retry_delay=600)
def send_daily_digests(today_iso: str | None = None) -> int:
    """Mail the tenant's digests for the day; how many mails were queued."""
    from blueprints.digests.services import send_digests

    tenant = db.session.get(Tenant, current_tenant_id(db.session))
    today = date.fromisoformat(today_iso) if today_iso else date.today()
    return send_digests(db.session, tenant, today)


@jobs.huey.periodic_task(jobs.crontab(hour="5", minute="45"), name="digests.daily_digests")
def daily_digests() -> int:
    """Every day at 05:45 UTC (before the working day): one job per active tenant. Returns
    how many were enqueued."""
    with jobs.job_app_context():
        tenant_ids = list(db.session.scalars(
            select(Tenant.id).where(Tenant.status == TenantStatus.ACTIVE).order_by(Tenant.id)))
        db.session.rollback()
    for tenant_id in tenant_ids:
        send_daily_digests(tenant_id)
    return len(tenant_ids)
