"""The network's periodic jobs (tenants.jobs): offers that lapse pass on, reminders leave.

Meetings are the network's, not a tenant's: these run in an app context with no tenant set."""
from __future__ import annotations

from tenants import jobs
from tenants.extensions import db


@jobs.huey.periodic_task(jobs.crontab(minute="*/10"), name="network.lapse_offers")
def lapse_offers() -> int:
    """Every ten minutes: offers of a freed place not taken in time pass on to the next person
    waiting. Returns how many lapsed."""
    from blueprints.network.services import lapse_offers as lapse

    with jobs.job_app_context():
        try:
            count = lapse(db.session)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return count


@jobs.huey.periodic_task(jobs.crontab(hour="7", minute="0"), name="network.send_reminders")
def send_reminders() -> int:
    """Every day at 07:00 UTC: a reminder (with the calendar file) to everyone with a place at
    a meeting in the next two days, once. Returns how many were sent."""
    from blueprints.network.services import send_reminders as remind

    with jobs.job_app_context():
        try:
            count = remind(db.session)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return count
