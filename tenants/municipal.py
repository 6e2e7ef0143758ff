"""Municipality accounts: the operator creates a municipality and its first officer; officers
invite colleagues with a role (beleid: aggregates only; consulent: aggregates and the progress
of the municipality's own clients).

Rules:
- a CBS code is four digits; a municipality that already has officers gets new ones only by
  their invitation (the operator adds the first);
- an invitation is for one e-mail and role, expires, is used once; inviting again replaces it;
- an officer invites with at most their own role (a beleid officer cannot make a consulent);
- every change is written to the platform's security log (municipalities are no tenants).
Two-factor is required for every municipality account (tenants.web._load_municipality and
tenants.membership.requires_two_factor).
"""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from tenants import audit
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError, InvalidToken, NotFound
from tenants.identity import normalize_email, sha256, user_by_email
from tenants.models import (
    MunicipalRole,
    Municipality,
    MunicipalityInvitation,
    MunicipalityMembership,
    User,
)

CBS_CODE_RE = re.compile(r"^[0-9]{4}$")
ROLE_LABELS = {
    MunicipalRole.BELEID: _l("Beleid (alleen totalen)"),
    MunicipalRole.CONSULENT: _l("Consulent (totalen en voortgang van eigen cliënten)"),
}


def _log(session: Session, actor: Actor, action: str, municipality: Municipality, **details):
    audit.record_security(session, action, user_id=actor.user_id, email=actor.email,
                          ip=actor.ip, municipality=municipality.cbs_code, **details)


def membership_of(session: Session, municipality: Municipality,
                  user: User) -> MunicipalityMembership | None:
    return session.scalar(select(MunicipalityMembership).where(
        MunicipalityMembership.municipality_id == municipality.id,
        MunicipalityMembership.user_id == user.id))


def officers(session: Session, municipality: Municipality) -> list[MunicipalityMembership]:
    """The municipality's officers with their users, by name."""
    return list(session.scalars(
        select(MunicipalityMembership)
        .join(User, User.id == MunicipalityMembership.user_id)
        .options(joinedload(MunicipalityMembership.user))
        .where(MunicipalityMembership.municipality_id == municipality.id)
        .order_by(User.name)))


def open_invitations(session: Session, municipality: Municipality) -> list[MunicipalityInvitation]:
    return list(session.scalars(
        select(MunicipalityInvitation)
        .where(MunicipalityInvitation.municipality_id == municipality.id,
               MunicipalityInvitation.accepted_at.is_(None),
               MunicipalityInvitation.revoked_at.is_(None),
               MunicipalityInvitation.expires_at > utcnow())
        .order_by(MunicipalityInvitation.created_at.desc())))


def _add_officer(session: Session, actor: Actor, municipality: Municipality, user: User,
                 role: MunicipalRole) -> MunicipalityMembership:
    membership = MunicipalityMembership(user_id=user.id, municipality_id=municipality.id,
                                        role=role)
    session.add(membership)
    session.flush()
    _log(session, actor, "municipality.officer_added", municipality, officer=user.email,
         role=role.value)
    return membership


def _invite(session: Session, actor: Actor, municipality: Municipality, email: str,
            role: MunicipalRole, max_age: timedelta) -> tuple[MunicipalityInvitation, str]:
    for old in session.scalars(select(MunicipalityInvitation).where(
            MunicipalityInvitation.municipality_id == municipality.id,
            MunicipalityInvitation.email == email,
            MunicipalityInvitation.accepted_at.is_(None),
            MunicipalityInvitation.revoked_at.is_(None))):
        old.revoked_at = utcnow()
    token = secrets.token_urlsafe(32)
    invitation = MunicipalityInvitation(
        municipality_id=municipality.id, email=email, role=role, token_hash=sha256(token),
        invited_by_id=actor.user_id, expires_at=utcnow() + max_age)
    session.add(invitation)
    session.flush()
    _log(session, actor, "municipality.officer_invited", municipality, officer=email,
         role=role.value)
    return invitation, token


def _role(value) -> MunicipalRole:
    try:
        return MunicipalRole(value)
    except ValueError:
        raise DomainError(_l("Kies de rol beleid of consulent.")) from None


def create_municipality(session: Session, actor: Actor, cbs_code: str, name: str, email: str,
                        role, max_age: timedelta
                        ) -> tuple[Municipality, MunicipalityMembership | None, str | None]:
    """The operator's step: the municipality (made when its CBS code is new) and its first
    officer. An existing user becomes an officer at once; a new address gets an invitation,
    whose token is returned (None otherwise)."""
    code = (cbs_code or "").strip()
    if not CBS_CODE_RE.match(code):
        raise DomainError(_l("Een CBS-gemeentecode bestaat uit vier cijfers, bijvoorbeeld 0758."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Vul de naam van de gemeente in."))
    role = _role(role)
    email = normalize_email(email)
    municipality = session.scalar(select(Municipality).where(Municipality.cbs_code == code))
    if municipality is None:
        municipality = Municipality(cbs_code=code, name=name)
        session.add(municipality)
        session.flush()
        _log(session, actor, "municipality.created", municipality, name=name)
    elif municipality.name != name:
        raise DomainError(_l("Gemeentecode %(code)s is al gemeente %(name)s.", code=code,
                             name=municipality.name))
    elif session.scalar(select(func.count()).select_from(MunicipalityMembership).where(
            MunicipalityMembership.municipality_id == municipality.id)):
        raise DomainError(_l("Gemeente %(name)s heeft al medewerkers: zij nodigen hun "
                             "collega's zelf uit.", name=municipality.name))
    user = user_by_email(session, email)
    if user is not None:
        return municipality, _add_officer(session, actor, municipality, user, role), None
    _invitation, token = _invite(session, actor, municipality, email, role, max_age)
    return municipality, None, token


def invite_colleague(session: Session, actor: Actor, municipality: Municipality,
                     inviter: MunicipalityMembership, email: str, role,
                     max_age: timedelta) -> tuple[MunicipalityInvitation, str]:
    """An officer invites a colleague with a role up to their own."""
    role = _role(role)
    if role.rank > inviter.role.rank:
        raise DomainError(_l("U kunt alleen collega's uitnodigen met uw eigen rol of een "
                             "beperktere."))
    email = normalize_email(email)
    existing = user_by_email(session, email)
    if existing is not None and membership_of(session, municipality, existing) is not None:
        raise DomainError(_l("%(email)s werkt al voor deze gemeente in Wijkwerk.", email=email))
    return _invite(session, actor, municipality, email, role, max_age)


def open_invitation(session: Session, token: str) -> MunicipalityInvitation:
    invitation = session.scalar(select(MunicipalityInvitation).where(
        MunicipalityInvitation.token_hash == sha256(token or "")))
    if invitation is None or not invitation.is_open:
        raise InvalidToken(_l("Deze uitnodiging is ongeldig, verlopen of al gebruikt."))
    return invitation


def accept_invitation(session: Session, actor: Actor, token: str,
                      user: User) -> MunicipalityMembership:
    """`user` accepts: they become an officer with the invitation's role."""
    invitation = open_invitation(session, token)
    if normalize_email(user.email) != invitation.email:
        raise InvalidToken(_l(
            "Deze uitnodiging is voor een ander e-mailadres. Log uit en open de link opnieuw."))
    invitation.accepted_at = utcnow()
    municipality = invitation.municipality
    existing = membership_of(session, municipality, user)
    if existing is not None:
        return existing
    return _add_officer(session, actor, municipality, user, invitation.role)


def get_invitation(session: Session, municipality: Municipality,
                   invitation_id: int) -> MunicipalityInvitation:
    invitation = session.scalar(select(MunicipalityInvitation).where(
        MunicipalityInvitation.id == invitation_id,
        MunicipalityInvitation.municipality_id == municipality.id))
    if invitation is None:
        raise NotFound()
    return invitation


def revoke_invitation(session: Session, actor: Actor, municipality: Municipality,
                      invitation_id: int) -> None:
    invitation = get_invitation(session, municipality, invitation_id)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        _log(session, actor, "municipality.invitation_revoked", municipality,
             officer=invitation.email)
