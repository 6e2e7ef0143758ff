"""Network members: invitations (one e-mail, expiring, used once), joining and removal; the network
keeps one admin.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from blueprints.network.models import (
    NetworkInvitation,
)
from tenants.db import utcnow
from tenants.emails import is_email
from tenants.errors import DomainError, InvalidToken, NotFound, PermissionDenied
from tenants.identity import normalize_email, sha256, user_by_email
from tenants.models import NetworkMembership, NetworkRole, User

# --- members -----------------------------------------------------------------------------------

def membership_of(session: Session, user_id: int) -> NetworkMembership | None:
    return session.scalar(select(NetworkMembership).where(NetworkMembership.user_id == user_id))


def require_admin(member: NetworkMembership | None) -> None:
    if member is None or not member.is_admin:
        raise PermissionDenied(_l("Alleen de netwerkbeheerder mag dit."))


def members(session: Session) -> list[NetworkMembership]:
    """The network's members with their users, admins first, then by name."""
    rows = session.scalars(
        select(NetworkMembership).join(User, User.id == NetworkMembership.user_id)
        .options(joinedload(NetworkMembership.user)).order_by(User.name)).all()
    return sorted(rows, key=lambda m: 0 if m.is_admin else 1)


def open_invitations(session: Session) -> list[NetworkInvitation]:
    return list(session.scalars(
        select(NetworkInvitation).where(
            NetworkInvitation.accepted_at.is_(None), NetworkInvitation.revoked_at.is_(None),
            NetworkInvitation.expires_at > utcnow())
        .order_by(NetworkInvitation.created_at.desc())))


def invite(session: Session, admin: NetworkMembership, email: str, role: NetworkRole,
           organisation: str | None, max_age: timedelta) -> tuple[NetworkInvitation, str]:
    """Invite `email` to the network; returns the invitation and its token."""
    require_admin(admin)
    email = normalize_email(email)
    if not is_email(email):
        raise DomainError(_l("Vul een geldig e-mailadres in, zoals naam@example.org."))
    user = user_by_email(session, email)
    if user is not None and membership_of(session, user.id) is not None:
        raise DomainError(_l("%(email)s is al lid van het netwerk.", email=email))
    for old in session.scalars(select(NetworkInvitation).where(
            NetworkInvitation.email == email, NetworkInvitation.accepted_at.is_(None),
            NetworkInvitation.revoked_at.is_(None))):
        old.revoked_at = utcnow()
    token = secrets.token_urlsafe(32)
    invitation = NetworkInvitation(
        email=email, role=role, organisation=(organisation or "").strip() or None,
        token_hash=sha256(token), invited_by_id=admin.user_id,
        expires_at=utcnow() + max_age)
    session.add(invitation)
    session.flush()
    return invitation, token


def revoke_invitation(session: Session, admin: NetworkMembership, invitation_id: int) -> None:
    require_admin(admin)
    invitation = session.get(NetworkInvitation, invitation_id)
    if invitation is None:
        raise NotFound()
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()


def open_invitation(session: Session, token: str) -> NetworkInvitation:
    invitation = session.scalar(select(NetworkInvitation).where(
        NetworkInvitation.token_hash == sha256(token or "")))
    if invitation is None or not invitation.is_open:
        raise InvalidToken(_l("Deze uitnodiging is ongeldig, verlopen of al gebruikt."))
    return invitation


def accept_invitation(session: Session, token: str, user: User) -> NetworkMembership:
    """`user` accepts: they become a network member with the invitation's role."""
    invitation = open_invitation(session, token)
    if normalize_email(user.email) != invitation.email:
        raise InvalidToken(_l(
            "Deze uitnodiging is voor een ander e-mailadres. Log uit en open de link opnieuw."))
    invitation.accepted_at = utcnow()
    existing = membership_of(session, user.id)
    if existing is not None:
        return existing
    member = NetworkMembership(user_id=user.id, role=invitation.role,
                               organisation=invitation.organisation)
    session.add(member)
    session.flush()
    return member


def remove_member(session: Session, admin: NetworkMembership, membership_id: int) -> None:
    """Remove a member; their access ends at once. The last admin stays."""
    require_admin(admin)
    member = session.get(NetworkMembership, membership_id)
    if member is None:
        raise NotFound()
    if member.is_admin:
        admins = session.scalar(select(func.count()).select_from(NetworkMembership).where(
            NetworkMembership.role == NetworkRole.ADMIN)) or 0
        if admins <= 1:
            raise DomainError(_l("Het netwerk houdt minstens één beheerder."))
    session.delete(member)
    session.flush()
