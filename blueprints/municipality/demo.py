"""The demo's report shares: ONS Breda shares both templates with Breda, the Kluswinkel with
Lelystad, from January of last year; Landgraaf shares nothing. Called by the demo (idempotent:
a template already shared is left alone)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from blueprints.reports import sharing
from blueprints.reports.models import SHARE_TEMPLATES, ReportShare
from tenants.actor import Actor
from tenants.identity import normalize_email
from tenants.membership import tenant_by_slug
from tenants.models import User
from tenants.tenancy import tenant_context

DEMO_SHARES = {"ons-breda": SHARE_TEMPLATES, "kluswinkel-lelystad": SHARE_TEMPLATES}


def seed_shares(session, today: date | None = None) -> None:
    since = date((today or date.today()).year - 1, 1, 1)
    for slug, templates in DEMO_SHARES.items():
        tenant = tenant_by_slug(session, slug)
        admin = session.scalar(select(User).where(
            User.email == normalize_email(f"admin@{slug}.example.org")))
        if tenant is None or admin is None:
            continue
        actor = Actor(user_id=admin.id, email=admin.email)
        with tenant_context(session, tenant.id):
            shared = set(session.scalars(select(ReportShare.template).where(
                ReportShare.revoked_at.is_(None))))
            for template in templates:
                if template not in shared:
                    sharing.grant(session, actor, tenant, sharing.ShareData(template, since))
