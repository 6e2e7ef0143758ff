"""The demo's sharing with municipalities.

- report shares (`seed_report_shares`): ONS Breda shares both templates with Breda, the Kluswinkel with Lelystad, from January of last year; Landgraaf shares nothing. Called by the demo (idempotent: a template already shared is left alone).
- client progress (`seed_progress_shares`): in ONS Breda three participants paid by Breda (the demo participant among them) with a recorded consent or assignment, in the Kluswinkel one paid by Lelystad (the demo's participants are paid by their cooperative's municipality); Landgraaf shares nothing. Called by blueprints/demo for each tenant, inside its context; idempotent (a tenant with any recorded ground is left as it is).
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from blueprints.municipality.models import Ground, ProgressShare
from blueprints.municipality.sharing import PARTS, NewShare, record_share
from blueprints.participants.models import Participant
from blueprints.reports import sharing
from blueprints.reports.models import SHARE_TEMPLATES, ReportShare
from blueprints.trajectories.models import Trajectory
from tenants.actor import Actor
from tenants.identity import normalize_email
from tenants.membership import tenant_by_slug
from tenants.models import Tenant, User
from tenants.tenancy import tenant_context

DEMO_SHARES = {"ons-breda": SHARE_TEMPLATES, "kluswinkel-lelystad": SHARE_TEMPLATES}


def seed_report_shares(session, today: date | None = None) -> None:
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

SHARED = {"ons-breda": 3, "kluswinkel-lelystad": 1}


def seed_progress_shares(session: Session, tenant: Tenant, admin: User, today: date | None = None) -> None:
    wanted = SHARED.get(tenant.slug)
    if not wanted:
        return
    if session.scalar(select(func.count()).select_from(ProgressShare)):
        return
    today = today or date.today()
    has_trajectory = exists().where(Trajectory.tenant_id == Participant.tenant_id,
                                    Trajectory.participant_id == Participant.id)
    people = session.scalars(
        select(Participant)
        .where(Participant.paying_municipality_id.is_not(None),
               Participant.anonymised_at.is_(None), has_trajectory)
        # the demo participant's own account first: "Mijn pagina" shows the sharing
        .order_by(Participant.user_id.is_(None), Participant.created_at).limit(wanted)).all()
    actor = Actor(user_id=admin.id, email=admin.email)
    for n, person in enumerate(people):
        ground = Ground.ASSIGNMENT if n == 1 else Ground.CONSENT
        reference = (f"WIJ-{2026}-{1040 + n}" if ground == Ground.ASSIGNMENT
                     else "Getekend formulier in dossier")
        record_share(session, actor, person, NewShare(
            ground.value, reference, list(PARTS), today - timedelta(days=60 + 20 * n),
            today + timedelta(days=300)), today)
