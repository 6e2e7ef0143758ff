"""Municipal API tokens: a municipality's credential for the read-only municipal API
(/api/v1/gemeente/<cbs_code>/…), which reads exactly what the portal shows.

- A token is `wwg_<32 random bytes, URL-safe base64>`; only its SHA-256 is stored (as the
  cooperative's ApiToken); the plain token is shown once, when it is made. The prefix differs
  from the cooperative's `ww_<tenant>_…`: a cooperative's token is no municipal token and the
  other way round.
- Any officer of the municipality makes one (after recent re-authentication, the rule of
  RECENT_AUTH_REQUIRED), with a name and optionally an expiry; it belongs to the municipality
  and carries the maker's role. Every officer sees the municipality's tokens and may revoke
  any of them (a token belongs to the municipality, not to a person).
- A token works while it is not revoked or expired and its maker is still an active officer
  of the municipality, with a membership older than the token.
- The API serves aggregates only, for both roles: a consulent's token does not reach client
  progress (that stays in the portal, where each view is shown to the participant).
- Making and revoking are written to the platform's security log with the municipality.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.municipality.models import MunicipalApiToken
from tenants import audit
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound
from tenants.identity import sha256
from tenants.models import Municipality, MunicipalityMembership, User

TOKEN_PREFIX = "wwg"
TOKEN_RE = re.compile(r"^wwg_[A-Za-z0-9_-]{43}$")
NAME_MAX = 80
#: expiry choices of the page, in days; "" is no expiry
LIFETIME_DAYS = (30, 90, 365)
#: last_used_at is written at most this often per token
TOUCH_EVERY = timedelta(minutes=1)


class TokenRejected(DomainError):
    """The presented token does not authenticate a municipality (answered with 401)."""

    default_message = _l("Deze API-sleutel is ongeldig.")

    def __init__(self, message=None, *, code: str = "invalid_token", reason: str = "invalid"):
        super().__init__(message)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class TokenListing:
    token: MunicipalApiToken
    maker: str


@dataclass(frozen=True)
class MunicipalAccess:
    token: MunicipalApiToken
    municipality: Municipality
    user: User


def new_token_value() -> str:
    return f"{TOKEN_PREFIX}_{secrets.token_urlsafe(32)}"


def is_municipal_token(value: str | None) -> bool:
    return bool(TOKEN_RE.match(value or ""))


def _log(session: Session, actor: Actor, action: str, municipality: Municipality, **details):
    audit.record_security(session, action, user_id=actor.user_id, email=actor.email,
                          ip=actor.ip, municipality=municipality.cbs_code, **details)


def tokens_of(session: Session, municipality: Municipality) -> list[TokenListing]:
    """The municipality's tokens, newest first, with their maker's name."""
    rows = session.execute(
        select(MunicipalApiToken, User.name)
        .join(User, User.id == MunicipalApiToken.user_id)
        .where(MunicipalApiToken.municipality_id == municipality.id)
        .order_by(MunicipalApiToken.created_at.desc(), MunicipalApiToken.id.desc()))
    return [TokenListing(token, name) for token, name in rows]


def create_token(session: Session, actor: Actor, municipality: Municipality,
                 membership: MunicipalityMembership | None, name: str,
                 lifetime: timedelta | None, *, now: datetime | None = None
                 ) -> tuple[MunicipalApiToken, str]:
    """A token of the municipality with the officer's role; returns it and the plain token
    (shown once). Raises NotFound for someone who is no officer here, DomainError for a
    missing or too long name."""
    if membership is None or membership.municipality_id != municipality.id:
        raise NotFound()
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Geef de sleutel een naam, zodat u hem later herkent."))
    if len(name) > NAME_MAX:
        raise DomainError(_l("Hoogstens %(n)s tekens.", n=NAME_MAX))
    now = now or utcnow()
    value = new_token_value()
    token = MunicipalApiToken(
        municipality_id=municipality.id, user_id=membership.user_id, role=membership.role,
        name=name, token_hash=sha256(value), created_at=now,
        expires_at=now + lifetime if lifetime else None)
    session.add(token)
    session.flush()
    _log(session, actor, "municipality.api_token_created", municipality, token_id=token.id,
         name=name, role=token.role.value,
         expires_at=token.expires_at.isoformat() if token.expires_at else None)
    return token, value


def revoke_token(session: Session, actor: Actor, municipality: Municipality, token_id: int,
                 *, now: datetime | None = None) -> MunicipalApiToken:
    """Revoke one of the municipality's tokens (again: nothing changes). Raises NotFound for
    a token of another municipality or none."""
    token = session.scalar(select(MunicipalApiToken).where(
        MunicipalApiToken.id == token_id,
        MunicipalApiToken.municipality_id == municipality.id))
    if token is None:
        raise NotFound(_l("Deze API-sleutel bestaat niet."))
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        _log(session, actor, "municipality.api_token_revoked", municipality,
             token_id=token.id, name=token.name)
    return token


def authenticate(session: Session, value: str | None,
                 now: datetime | None = None) -> MunicipalAccess:
    """Which municipality a bearer token speaks for. Raises TokenRejected when the token is
    malformed (a cooperative's token too), unknown, revoked or expired, or its maker is no
    longer an active officer of the municipality. Records the use (at most once a minute);
    the caller commits."""
    now = now or utcnow()
    if not is_municipal_token(value):
        raise TokenRejected(reason="malformed")
    token = session.scalar(select(MunicipalApiToken).where(
        MunicipalApiToken.token_hash == sha256(value)))
    if token is None:
        raise TokenRejected(reason="unknown token")
    if token.revoked_at is not None:
        raise TokenRejected(_l("Deze API-sleutel is ingetrokken."), code="token_revoked",
                            reason="revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRejected(_l("Deze API-sleutel is verlopen. Maak een nieuwe in het "
                               "gemeenteportaal."), code="token_expired", reason="expired")
    user = session.scalar(select(User).where(User.id == token.user_id))
    if user is None or not user.is_active:
        raise TokenRejected(reason="user inactive")
    membership = session.scalar(select(MunicipalityMembership).where(
        MunicipalityMembership.municipality_id == token.municipality_id,
        MunicipalityMembership.user_id == user.id))
    if membership is None or membership.created_at > token.created_at:
        raise TokenRejected(_l("Deze API-sleutel geldt niet meer: wie hem maakte werkt niet "
                               "meer voor deze gemeente in Wijkwerk."), reason="not an officer")
    municipality = session.scalar(select(Municipality).where(
        Municipality.id == token.municipality_id))
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
    return MunicipalAccess(token=token, municipality=municipality, user=user)
