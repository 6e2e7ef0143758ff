"""The subscription's periodic job (tenants.jobs): every night Stripe's subscriptions are read
again and applied, so a webhook that never arrived (an outage, a wrong endpoint) heals itself
within a day. With billing off it does nothing."""
from __future__ import annotations

from flask import current_app

from tenants import jobs
from tenants.extensions import db


@jobs.huey.periodic_task(jobs.crontab(hour="3", minute="40"), name="billing.reconcile")
def reconcile_subscriptions() -> int:
    """Every day at 03:40 UTC; returns how many tenants changed."""
    from blueprints.billing import gateway, services

    with jobs.job_app_context():
        if not gateway.enabled():
            return 0
        return services.reconcile(db.session, current_app.config, gateway.client())
