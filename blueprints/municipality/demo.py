"""The demo's shared client progress: in ONS Breda three participants paid by Breda (the
demo participant among them) with a recorded consent or assignment, in the Kluswinkel one paid
by Lelystad (the demo's participants are paid by their cooperative's municipality); Landgraaf
shares nothing. Called by blueprints/demo for each tenant, inside its
context; idempotent (a tenant with any recorded ground is left as it is)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from blueprints.municipality.models import Ground, ProgressShare
from blueprints.municipality.sharing import PARTS, NewShare, record_share
from blueprints.participants.models import Participant
from blueprints.trajectories.models import Trajectory
from tenants.actor import Actor
from tenants.models import Tenant, User

SHARED = {"ons-breda": 3, "kluswinkel-lelystad": 1}


def seed_shares(session: Session, tenant: Tenant, admin: User, today: date | None = None) -> None:
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
