"""Rules for API tokens, and what the API reads: participants; invoices, customers and budgets.

- A token is `ww_<tenant id in base36>_<32 random bytes, URL-safe base64>`. Only its SHA-256 is
  stored; the plain token is shown once, when it is made.
- Only admins and supervisors make tokens, each for one of their own memberships; an admin
  must use two-factor first (as on the tenant pages).
- A token works until it expires (one year by default) or is revoked, and only while its user
  is active and still a member of the tenant with a membership at least as old as the token
  (someone removed and invited again does not get their old tokens back). The role is read
  live on every call: a token does not remember it.
- Making and revoking a token is written to the tenant's audit log.
- Invoices, customers and budgets are for admins only (the bookkeeper, the municipality's IT);
  drafts are listed only when asked for. Customers are shown without e-mail address and phone
  number: the API gives what bookkeeping needs, not how to reach someone.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from blueprints.api.models import ApiToken
from blueprints.customers.models import Customer, CustomerKind
from blueprints.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from blueprints.participants.models import (
    Consent,
    Exemption,
    HostOrganisation,
    Neighbourhood,
    Participant,
)
from blueprints.participants.services import consents_of, exemptions_of
from blueprints.trajectories.models import Trajectory
from tenants import audit
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound, PermissionDenied
from tenants.identity import sha256
from tenants.membership import membership_in, memberships_for_user
from tenants.models import AuditEvent, Membership, Municipality, Role, Tenant, User
from tenants.tenancy import set_tenant, set_user, tenant_context

TOKEN_PREFIX = "ww"
TOKEN_LIFETIME = timedelta(days=365)
LIFETIME_DAYS = (30, 90, 365)
NAME_MAX = 80
#: last_used_at is written at most this often per token (one UPDATE per minute, not per call)
TOUCH_EVERY = timedelta(minutes=1)
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
# 63-bit ids take at most 13 base-36 digits; token_urlsafe(32) gives 43 characters.
TOKEN_RE = re.compile(r"^ww_([0-9a-z]{1,13})_([A-Za-z0-9_-]{43})$")


class TokenRejected(DomainError):
    """The presented token does not authenticate anyone (answered with 401).

    `code` is the machine-readable reason given to the client, `reason` what the security log
    records.
    """

    default_message = _l("Deze API-sleutel is ongeldig.")

    def __init__(self, message=None, *, code: str = "invalid_token", reason: str = "invalid"):
        super().__init__(message)
        self.code = code
        self.reason = reason


# --- the token format ------------------------------------------------------------------------

def to_base36(number: int) -> str:
    if number < 0:
        raise ValueError(number)
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _DIGITS[rest] + digits
        if number == 0:
            return digits


def new_token_value(tenant_id: int) -> str:
    return f"{TOKEN_PREFIX}_{to_base36(tenant_id)}_{secrets.token_urlsafe(32)}"


def tenant_id_of(value: str | None) -> int | None:
    """The tenant id a well-formed token names, or None for anything else."""
    match = TOKEN_RE.match(value or "")
    if match is None:
        return None
    tenant_id = int(match.group(1), 36)
    return tenant_id if 0 < tenant_id < 1 << 63 else None


# --- managing tokens (the account page) ------------------------------------------------------

@dataclass(frozen=True)
class TokenListing:
    token: ApiToken
    tenant: Tenant
    role: Role


def eligible_memberships(session: Session, user: User) -> list[Membership]:
    """The user's memberships that may have API tokens (admin or supervisor)."""
    return [m for m in memberships_for_user(session, user)
            if m.role.rank >= Role.SUPERVISOR.rank]


def tokens_of(session: Session, user: User) -> list[TokenListing]:
    """All of the user's tokens in every tenant they belong to, newest first.

    One query per membership: each runs inside its own tenant, as row-level security wants.
    """
    listings: list[TokenListing] = []
    for membership in memberships_for_user(session, user):
        with tenant_context(session, membership.tenant_id):
            for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
                listings.append(TokenListing(token, membership.tenant, membership.role))
    return sorted(listings, key=lambda item: item.token.created_at, reverse=True)


def create_token(session: Session, actor: Actor, user: User, tenant_id: int, name: str, *,
                 lifetime: timedelta = TOKEN_LIFETIME,
                 now: datetime | None = None) -> tuple[ApiToken, Tenant, str]:
    """Make a token for `user` in the tenant `tenant_id`; returns it, its tenant and the plain
    token (shown once, never stored).

    Raises NotFound when the user is not a member there, PermissionDenied for a participant
    (or an admin without two-factor), DomainError for a missing or too long name.
    """
    membership = next((m for m in memberships_for_user(session, user)
                       if m.tenant_id == tenant_id), None)
    if membership is None:
        raise NotFound(_l("U bent geen lid van deze organisatie."))
    if membership.role.rank < Role.SUPERVISOR.rank:
        raise PermissionDenied(_l(
            "Alleen beheerders en begeleiders kunnen een API-sleutel maken."))
    if membership.role == Role.ADMIN and not user.has_totp:
        raise PermissionDenied(_l(
            "Als beheerder moet u eerst tweestapsverificatie instellen."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_l("Geef de sleutel een naam, zodat u hem later herkent."))
    if len(name) > NAME_MAX:
        raise DomainError(_l("Hoogstens %(n)s tekens.", n=NAME_MAX))
    now = now or utcnow()
    value = new_token_value(tenant_id)
    with tenant_context(session, tenant_id):
        token = ApiToken(user_id=user.id, name=name, token_hash=sha256(value),
                         created_at=now, expires_at=now + lifetime)
        session.add(token)
        session.flush()
        audit.record(session, actor, "api_token.created", token, name=name,
                     expires_at=token.expires_at.isoformat())
    return token, membership.tenant, value


def revoke_token(session: Session, actor: Actor, user: User, token_id: int,
                 now: datetime | None = None) -> ApiToken:
    """Revoke one of the user's own tokens (again: nothing changes). Raises NotFound."""
    for membership in memberships_for_user(session, user):
        with tenant_context(session, membership.tenant_id):
            token = session.scalar(select(ApiToken).where(
                ApiToken.id == token_id, ApiToken.user_id == user.id))
            if token is None:
                continue
            if token.revoked_at is None:
                token.revoked_at = now or utcnow()
                audit.record(session, actor, "api_token.revoked", token, name=token.name)
            return token
    raise NotFound(_l("Deze API-sleutel bestaat niet."))


# --- authenticating a call -------------------------------------------------------------------

@dataclass(frozen=True)
class TokenAccess:
    token: ApiToken
    tenant: Tenant
    user: User
    membership: Membership


def _reject(session: Session, message=None, *, code: str = "invalid_token",
            reason: str = "invalid"):
    set_tenant(session, None)
    set_user(session, None)
    raise TokenRejected(message, code=code, reason=reason)


def authenticate(session: Session, value: str | None, now: datetime | None = None) -> TokenAccess:
    """Who a bearer token speaks for. Sets the session's tenant and user on success.

    The tenant comes from the token itself; the hash is then looked up inside that tenant (the
    ORM filter and row-level security apply). Raises TokenRejected when the token is malformed,
    unknown, revoked or expired, its user is deactivated, or the user is no longer a member.
    Records the use (at most once a minute); the caller commits.
    """
    now = now or utcnow()
    tenant_id = tenant_id_of(value)
    if tenant_id is None:
        _reject(session, reason="malformed")
    tenant = session.scalar(select(Tenant).where(Tenant.id == tenant_id))
    if tenant is None:
        _reject(session, reason="unknown tenant")
    set_tenant(session, tenant.id)
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == sha256(value)))
    if token is None:
        _reject(session, reason="unknown token")
    if token.revoked_at is not None:
        _reject(session, _l("Deze API-sleutel is ingetrokken."), code="token_revoked",
                reason="revoked")
    if token.expires_at <= now:
        _reject(session, _l("Deze API-sleutel is verlopen. Maak een nieuwe via Mijn account."),
                code="token_expired", reason="expired")
    user = session.scalar(select(User).where(User.id == token.user_id))
    if user is None or not user.is_active:
        _reject(session, reason="user inactive")
    set_user(session, user.id)
    membership = membership_in(session, tenant, user)
    if membership is None or membership.created_at > token.created_at:
        _reject(session, _l("Deze API-sleutel geldt niet meer: u bent geen lid meer van "
                            "deze organisatie."), reason="not a member")
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
    return TokenAccess(token=token, tenant=tenant, user=user, membership=membership)


def require_role(access: TokenAccess, role: Role) -> None:
    """Raises PermissionDenied when the token's membership ranks below `role` (read live)."""
    if access.membership.role.rank < role.rank:
        if role == Role.ADMIN:
            raise PermissionDenied(_l(
                "Alleen beheerders kunnen facturen, klanten, budgetten en rapportages via de API "
                "lezen."))
        raise PermissionDenied(_l(
            "Uw rol in deze organisatie geeft geen toegang tot de API. Alleen beheerders en "
            "begeleiders kunnen de API gebruiken."))


# --- what the API shows of a participant ----------------------------------------------------

@dataclass(frozen=True)
class ParticipantFile:
    """A participant's file as the page shows it, with the names it refers to."""

    participant: Participant
    neighbourhood: str | None
    supervisor: str | None
    municipality: Municipality | None
    exemptions: list[Exemption]
    consents: list[Consent]


def participant_file(session: Session, participant: Participant) -> ParticipantFile:
    p = participant
    neighbourhood = session.scalar(select(Neighbourhood.name).where(
        Neighbourhood.id == p.neighbourhood_id)) if p.neighbourhood_id else None
    supervisor = session.scalar(select(User.name).where(
        User.id == p.supervisor_id)) if p.supervisor_id else None
    municipality = session.scalar(select(Municipality).where(
        Municipality.id == p.paying_municipality_id)) if p.paying_municipality_id else None
    return ParticipantFile(p, neighbourhood, supervisor, municipality,
                           exemptions_of(session, p), consents_of(session, p))


def names_for_trajectories(session: Session, trajectories: list[Trajectory]
                           ) -> tuple[dict[int, str], dict[int, str]]:
    """Host organisation and job coach names by id: two queries at most, whatever the count."""
    host_ids = {t.host_organisation_id for t in trajectories if t.host_organisation_id}
    coach_ids = {t.job_coach_id for t in trajectories if t.job_coach_id}
    hosts = dict(session.execute(select(HostOrganisation.id, HostOrganisation.name).where(
        HostOrganisation.id.in_(host_ids))).all()) if host_ids else {}
    coaches = dict(session.execute(select(User.id, User.name).where(
        User.id.in_(coach_ids))).all()) if coach_ids else {}
    return hosts, coaches


# --- what the API shows of invoices, customers and budgets (admins) -------------------------
# Read-only: these functions change nothing, except `record_budgets_read` (one audit event).

INVOICE_PAGE_SIZE = 25
CUSTOMER_PAGE_SIZE = 25


@dataclass(frozen=True)
class InvoiceQuery:
    """Filters of the invoice list. Drafts are listed only when `status` is DRAFT."""

    status: InvoiceStatus | None = None
    kind: InvoiceKind | None = None
    year: int | None = None
    customer_id: int | None = None
    #: issue date on or after
    issued_since: date | None = None
    #: created, or changed as the audit log records it (sent, paid, credited, reminded, a
    #: draft's lines), at or after this moment
    updated_since: datetime | None = None


def _invoice_rows(f: InvoiceQuery):
    stmt = select(Invoice, Customer.name).join(
        Customer, and_(Customer.tenant_id == Invoice.tenant_id,
                       Customer.id == Invoice.customer_id))
    if f.status is not None:
        stmt = stmt.where(Invoice.status == f.status)
    else:
        stmt = stmt.where(Invoice.status != InvoiceStatus.DRAFT)
    if f.kind is not None:
        stmt = stmt.where(Invoice.kind == f.kind)
    if f.year is not None:
        # a sent invoice by the year of its number (= its issue date); a draft by its creation
        stmt = stmt.where(or_(Invoice.year == f.year,
                              and_(Invoice.year.is_(None),
                                   func.extract("year", Invoice.created_at) == f.year)))
    if f.customer_id is not None:
        stmt = stmt.where(Invoice.customer_id == f.customer_id)
    if f.issued_since is not None:
        stmt = stmt.where(Invoice.issue_date >= f.issued_since)
    if f.updated_since is not None:
        # Every change of an invoice is in the audit log with the invoice as its object
        # (invoicing.services); the index on (tenant_id, at) keeps this to recent events.
        changed = select(AuditEvent.object_id).where(
            AuditEvent.object_type == Invoice.__name__, AuditEvent.at >= f.updated_since)
        stmt = stmt.where(or_(Invoice.created_at >= f.updated_since,
                              cast(Invoice.id, String).in_(changed)))
    return stmt


def list_invoices(session: Session, f: InvoiceQuery, page: int = 1,
                  per_page: int = INVOICE_PAGE_SIZE) -> tuple[list[tuple[Invoice, str]], int]:
    """One page of (invoice, customer name), newest issue date first (drafts, which have none,
    first), and the number of matches: two queries, however many invoices."""
    stmt = _invoice_rows(f)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(Invoice.issue_date.desc().nulls_first(), Invoice.number_text.desc(),
                      Invoice.id.desc())
        .limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return [(invoice, name) for invoice, name in rows], int(total)


def ubl_offered(invoice: Invoice) -> bool:
    """Whether the invoice has an e-invoice to offer: sent, to a customer that can receive one
    (identified by OIN or KvK when it was sent; a resident has neither). Reads no database;
    the download itself may still refuse a document that lacked supplier data."""
    if invoice.status == InvoiceStatus.DRAFT or not invoice.number_text:
        return False
    customer = invoice.customer_snapshot or {}
    return bool(customer.get("oin") or customer.get("kvk_number"))


@dataclass(frozen=True)
class CustomerQuery:
    kind: CustomerKind | None = None
    #: None: archived and current customers; True: archived only; False: current only
    archived: bool | None = None


def list_customers(session: Session, f: CustomerQuery, page: int = 1,
                   per_page: int = CUSTOMER_PAGE_SIZE) -> tuple[list[Customer], int]:
    """One page of customers by name, and the number of matches: two queries."""
    stmt = select(Customer)
    if f.kind is not None:
        stmt = stmt.where(Customer.kind == f.kind)
    if f.archived is True:
        stmt = stmt.where(Customer.archived_at.is_not(None))
    elif f.archived is False:
        stmt = stmt.where(Customer.archived_at.is_(None))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(func.lower(Customer.name), Customer.id)
                           .limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return list(rows), int(total)


def record_budgets_read(session: Session, actor: Actor, year: int, page: int,
                        rows: int) -> None:
    """The budget list is every participant's budget, like the yearly budget export: one audit
    event per call, as that export records one (budgets.exported)."""
    audit.record(session, actor, "budgets.read", object_type="LedgerAccount", via="api",
                 year=year, page=page, rows=rows)
