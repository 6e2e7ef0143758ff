"""The scheduled report's jobs (tenants.jobs): every morning the scheduler enqueues one job per
tenant; each runs in its tenant and mails the due period's PDF (blueprints.reports.schedule),
which sends nothing when the period went already. Daily, so a month's report still leaves when
the scheduler was down on the first of the month."""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from tenants import jobs
from tenants.extensions import db
from tenants.models import Tenant
from tenants.tenancy import current_tenant_id


@jobs.tenant_task(name="reports.send_scheduled_report", retries=2, retry_delay=600)
def send_scheduled_report(today_iso: str | None = None) -> str | None:
    """Send the tenant's due report; the period's first day as text, or None (nothing due)."""
    from blueprints.reports.schedule import send_due
    from tenants.storage import uploads_root

    tenant = db.session.get(Tenant, current_tenant_id(db.session))
    today = date.fromisoformat(today_iso) if today_iso else date.today()
    period = send_due(db.session, tenant.name, today,
                      storage_root=uploads_root(current_app.instance_path))
    return period.start.isoformat() if period else None


@jobs.huey.periodic_task(jobs.crontab(hour="6", minute="15"), name="reports.scheduled_reports")
def scheduled_reports() -> int:
    """Every day at 06:15 UTC: one job per tenant (the schedules are per tenant, behind
    row-level security). Returns how many were enqueued."""
    with jobs.job_app_context():
        tenant_ids = list(db.session.scalars(select(Tenant.id).order_by(Tenant.id)))
        db.session.rollback()
    for tenant_id in tenant_ids:
        send_scheduled_report(tenant_id)
    return len(tenant_ids)
