"""Tenants and who belongs to them: creation, invitations, roles, removal.

Rules:
- a slug is 3-50 lower-case letters, digits and hyphens, not a reserved word, unique;
- an invitation is for one e-mail and role, expires, is used once; inviting again replaces it;
- a tenant always keeps at least one admin;
- every change is written to the tenant's audit log.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from tenants import audit, plans
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError, InvalidToken, NotFound
from tenants.identity import normalize_email, sha256, user_by_email
from tenants.models import (
    Invitation,
    Membership,
    Municipality,
    MunicipalityMembership,
    Role,
    Tenant,
    TenantKind,
    User,
)
from tenants.tenancy import set_tenant, tenant_context

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,48})[a-z0-9]$")
RESERVED_SLUGS = frozenset({
    "account", "admin", "api", "beheer", "gemeente", "healthz", "hulp", "kies-organisatie",
    "login", "logout", "netwerk", "static", "taal", "uitnodiging", "wachtwoord-vergeten",
    "wachtwoord-herstellen", "inloggen", "uitloggen", "www", "mail", "help", "over",
    "metrics",
})


def slug_problem(slug: str):
    if not SLUG_RE.match(slug or "") or "--" in slug:
        return _l(
            "Een korte naam (slug) bestaat uit 3 tot 50 kleine letters, cijfers en streepjes, "
            "en begint en eindigt met een letter of cijfer."
        )
    if slug in RESERVED_SLUGS:
        return _l("Deze korte naam is gereserveerd. Kies een andere.")
    return None


def municipality_by_code(session: Session, cbs_code: str) -> Municipality | None:
    return session.scalar(select(Municipality).where(Municipality.cbs_code == cbs_code))


def tenant_by_slug(session: Session, slug: str) -> Tenant | None:
    return session.scalar(select(Tenant).where(Tenant.slug == slug))


@dataclass(frozen=True)
class NewTenant:
    slug: str
    name: str
    kind: TenantKind
    municipality_code: str | None
    admin_email: str
    admin_name: str | None = None


def create_tenant(session: Session, actor: Actor, data: NewTenant,
                  invitation_max_age: timedelta) -> tuple[Tenant, str | None]:
    """Create a tenant and make `admin_email` its admin.

    An existing user becomes admin at once; a new address gets an invitation, whose token is
    returned (None otherwise). Raises DomainError for a bad slug, a taken slug or an unknown
    municipality.
    """
    slug = (data.slug or "").strip().lower()
    problem = slug_problem(slug)
    if problem:
        raise DomainError(problem)
    if tenant_by_slug(session, slug) is not None:
        raise DomainError(_l("De korte naam %(slug)s is al in gebruik.", slug=slug))
    municipality = None
    if data.municipality_code:
        municipality = municipality_by_code(session, data.municipality_code.strip())
        if municipality is None:
            raise DomainError(_l("Onbekende gemeentecode %(code)s.", code=data.municipality_code))
    name = (data.name or "").strip()
    if not name:
        raise DomainError(_l("Geef de naam van de organisatie."))
    tenant = Tenant(slug=slug, name=name, kind=data.kind,
                    municipality_id=municipality.id if municipality else None)
    session.add(tenant)
    session.flush()
    token = None
    with tenant_context(session, tenant.id):
        audit.record(session, actor, "tenant.created", tenant, slug=slug)
        user = user_by_email(session, data.admin_email)
        if user is not None:
            _add_membership(session, actor, tenant, user, Role.ADMIN)
        else:
            _, token = invite(session, actor, tenant, data.admin_email, Role.ADMIN,
                              invitation_max_age)
        session.flush()
    return tenant, token


def _add_membership(session: Session, actor: Actor, tenant: Tenant, user: User,
                    role: Role) -> Membership:
    membership = Membership(tenant_id=tenant.id, user_id=user.id, role=role)
    session.add(membership)
    session.flush()
    audit.record(session, actor, "membership.created", membership, email=user.email,
                 role=role.value)
    return membership


def memberships_for_user(session: Session, user: User) -> list[Membership]:
    """All of a user's memberships, across tenants, with their tenant loaded.

    A narrow cross-tenant read: it asks only for rows of this user; on PostgreSQL the policy
    on memberships allows exactly those (app.user_id must be set to this user).
    """
    return list(session.scalars(
        select(Membership)
        .where(Membership.user_id == user.id)
        .join(Membership.tenant)
        .options(contains_eager(Membership.tenant))
        .order_by(Tenant.name)
        .execution_options(all_tenants=True)
    ))


def membership_in(session: Session, tenant: Tenant, user: User) -> Membership | None:
    """The user's membership of the current tenant, or None."""
    return session.scalar(select(Membership).where(
        Membership.tenant_id == tenant.id, Membership.user_id == user.id))


def municipality_memberships(session: Session, user: User) -> list[MunicipalityMembership]:
    return list(session.scalars(
        select(MunicipalityMembership).where(MunicipalityMembership.user_id == user.id)
    ))


def requires_two_factor(session: Session, user: User) -> bool:
    """Admins, municipality users and platform operators must use two-factor."""
    if user.is_platform_operator:
        return True
    if municipality_memberships(session, user):
        return True
    return any(m.role == Role.ADMIN for m in memberships_for_user(session, user))


def members(session: Session) -> list[Membership]:
    """The current tenant's members with their users, admins first."""
    rows = session.scalars(
        select(Membership).options(joinedload(Membership.user))
        .join(User, User.id == Membership.user_id).order_by(User.name)
    ).all()
    return sorted(rows, key=lambda m: -m.role.rank)


def open_invitations(session: Session) -> list[Invitation]:
    return list(session.scalars(
        select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
               Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())
    ))


def _check_staff_room(session: Session, tenant: Tenant, email: str) -> None:
    """The plan's limit on staff users (admins and supervisors), counting members and open
    staff invitations (a renewed invitation to the same address takes no extra room)."""
    staff = (Role.ADMIN, Role.SUPERVISOR)
    members = session.scalar(select(func.count()).select_from(Membership)
                             .where(Membership.role.in_(staff)))
    invited = session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.role.in_(staff), Invitation.email != email, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow()))
    plans.check_room(tenant, "staff", members + invited)


def invite(session: Session, actor: Actor, tenant: Tenant, email: str, role: Role,
           max_age: timedelta) -> tuple[Invitation, str]:
    """Invite `email` to the current tenant with `role`; returns the invitation and its token.

    Raises DomainError when the address is already a member. An earlier open invitation for the
    same address is revoked.
    """
    email = normalize_email(email)
    existing_user = user_by_email(session, email)
    if existing_user is not None and membership_in(session, tenant, existing_user):
        raise DomainError(_l("%(email)s is al lid van deze organisatie.", email=email))
    if role != Role.PARTICIPANT:
        _check_staff_room(session, tenant, email)
    for old in session.scalars(select(Invitation).where(
            Invitation.email == email, Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None))):
        old.revoked_at = utcnow()
    token = secrets.token_urlsafe(32)
    invitation = Invitation(tenant_id=tenant.id, email=email, role=role,
                            token_hash=sha256(token), invited_by_id=actor.user_id,
                            expires_at=utcnow() + max_age)
    session.add(invitation)
    session.flush()
    audit.record(session, actor, "invitation.created", invitation, email=email, role=role.value)
    return invitation, token


def get_invitation(session: Session, invitation_id: int) -> Invitation:
    invitation = session.scalar(select(Invitation).where(Invitation.id == invitation_id))
    if invitation is None:
        raise NotFound()
    return invitation


def revoke_invitation(session: Session, actor: Actor, invitation_id: int) -> None:
    invitation = get_invitation(session, invitation_id)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        audit.record(session, actor, "invitation.revoked", invitation, email=invitation.email)


def open_invitation(session: Session, tenant: Tenant, token: str) -> Invitation:
    """The open invitation of `tenant` with this token; sets the tenant. Raises InvalidToken."""
    set_tenant(session, tenant.id)
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == sha256(token)))
    if invitation is None or not invitation.is_open:
        raise InvalidToken(_l("Deze uitnodiging is ongeldig, verlopen of al gebruikt."))
    return invitation


def accept_invitation(session: Session, actor: Actor, tenant: Tenant, token: str,
                      user: User) -> Membership:
    """`user` accepts the invitation: they become a member with its role.

    The invitation must be open and addressed to the user's e-mail.
    """
    invitation = open_invitation(session, tenant, token)
    if normalize_email(user.email) != invitation.email:
        raise InvalidToken(_l(
            "Deze uitnodiging is voor een ander e-mailadres. Log uit en open de link opnieuw."))
    invitation.accepted_at = utcnow()
    existing = membership_in(session, tenant, user)
    if existing is not None:
        return existing
    return _add_membership(session, actor, tenant, user, invitation.role)


def _admin_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(Membership).where(Membership.role == Role.ADMIN)
    ) or 0


def get_membership(session: Session, membership_id: int) -> Membership:
    membership = session.scalar(
        select(Membership).where(Membership.id == membership_id)
        .options(joinedload(Membership.user))
    )
    if membership is None:
        raise NotFound()
    return membership


def change_role(session: Session, actor: Actor, membership_id: int, role: Role) -> Membership:
    """Give a member another role; the last admin keeps theirs."""
    membership = get_membership(session, membership_id)
    if membership.role == Role.ADMIN and role != Role.ADMIN and _admin_count(session) <= 1:
        raise DomainError(_l("Een organisatie heeft minstens één beheerder nodig."))
    old = membership.role
    membership.role = role
    audit.record(session, actor, "membership.role_changed", membership,
                 email=membership.user.email, old=old.value, new=role.value)
    return membership


def remove_member(session: Session, actor: Actor, membership_id: int) -> None:
    """Remove a member; their access ends at their next request. The last admin stays."""
    membership = get_membership(session, membership_id)
    if membership.role == Role.ADMIN and _admin_count(session) <= 1:
        raise DomainError(_l("Een organisatie heeft minstens één beheerder nodig."))
    audit.record(session, actor, "membership.removed", membership, email=membership.user.email,
                 role=membership.role.value)
    session.delete(membership)
