"""Figures for the start page of a tenant."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenants.db import utcnow
from tenants.models import Invitation, Membership, Role


@dataclass(frozen=True)
class TeamCounts:
    admins: int
    supervisors: int
    participants: int
    open_invitations: int


def team_counts(session: Session) -> TeamCounts:
    """How many members per role, and open invitations, in the current tenant (two queries)."""
    rows = dict(session.execute(
        select(Membership.role, func.count()).group_by(Membership.role)
    ).all())
    invitations = session.scalar(
        select(func.count()).select_from(Invitation).where(
            Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow())
    ) or 0
    return TeamCounts(rows.get(Role.ADMIN, 0), rows.get(Role.SUPERVISOR, 0),
                      rows.get(Role.PARTICIPANT, 0), invitations)
