"""Kernel models: tenants, municipalities, users and their memberships, sessions, audit.

Platform tables (tenants, municipalities, users and their credentials, the security log) carry
no `tenant_id`. Tenant-owned tables (memberships, invitations, the audit log) use
`TenantScoped` and are guarded by the ORM filter and PostgreSQL row-level security.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenants.db import Base, TenantScoped, new_id, utcnow


def _enum(e: type[enum.Enum], name: str) -> Enum:
    return Enum(
        e, name=name, native_enum=False, create_constraint=True, length=32,
        values_callable=lambda members: [m.value for m in members], validate_strings=True,
    )


class Role(str, enum.Enum):
    #: runs the cooperative: staff, participants, customers, invoices, sharing
    ADMIN = "admin"
    #: begeleider / jobcoach: follows participants, approves hours, plans jobs
    SUPERVISOR = "supervisor"
    #: deelnemer: sees their own plan and budget, logs their own hours
    PARTICIPANT = "participant"
    #: bestuur (board): reads the reports and nothing personal; below every other role, and
    #: let in only where a view says so (tenants.web.require_role(..., board=True))
    BOARD = "bestuur"

    @property
    def rank(self) -> int:
        return {"bestuur": 0, "participant": 1, "supervisor": 2, "admin": 3}[self.value]


class MunicipalRole(str, enum.Enum):
    #: beleidsmedewerker: reads the aggregate reports cooperatives share
    BELEID = "beleid"
    #: klantmanager / consulent: the aggregates and the progress of the municipality's own
    #: clients for whom a cooperative recorded a ground for sharing
    CONSULENT = "consulent"

    @property
    def rank(self) -> int:
        return {"beleid": 1, "consulent": 2}[self.value]


class TenantKind(str, enum.Enum):
    #: a residents' initiative or cooperative, such as ONS in Breda
    BEWONERSINITIATIEF = "bewonersinitiatief"
    #: a (recognised) learning-work company
    LEERWERKBEDRIJF = "leerwerkbedrijf"
    #: a municipal programme, such as the Kluswinkel in Lelystad
    GEMEENTELIJK_PROJECT = "gemeentelijk_project"


class TenantStatus(str, enum.Enum):
    #: in use
    ACTIVE = "active"
    #: subscription lapsed: everything can be read, nothing changed
    READ_ONLY = "read_only"


class Municipality(Base):
    """A Dutch municipality, identified by its CBS code (e.g. 0758 Breda)."""

    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    cbs_code: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    #: the smallest group its protected tables show, when raised above the platform's
    #: (SUPPRESSION_THRESHOLD, 5); at most 10 (tenants/suppression.py). None: the platform's.
    suppression_threshold: Mapped[int | None]


class Tenant(Base):
    """A cooperative or programme: the unit of isolation."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    kind: Mapped[TenantKind] = mapped_column(_enum(TenantKind, "tenant_kind"))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    plan: Mapped[str] = mapped_column(String(30), default="basis")
    status: Mapped[TenantStatus] = mapped_column(
        _enum(TenantStatus, "tenant_status"), default=TenantStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: years after a participant's last trajectory ends before anonymisation is proposed;
    #: NULL = no proposals (blueprints.privacy)
    retention_years: Mapped[int | None]
    #: whether hours a participant logs themselves wait for a supervisor's approval
    hours_need_approval: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    #: volunteer allowance paid per hour of volunteer work, in cents (None: none paid)
    volunteer_allowance_cents_per_hour: Mapped[int | None]

    # --- the platform subscription (blueprints.billing); no personal data -------------------
    #: Stripe's customer and subscription ids (None: never subscribed / billing off)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(40))
    #: Stripe's subscription status as last applied: active, trialing, past_due, unpaid,
    #: canceled, incomplete, incomplete_expired, paused (None: no subscription)
    subscription_status: Mapped[str | None] = mapped_column(String(24))
    #: Stripe's `created` time (epoch seconds) of the event the state above comes from: an
    #: older event never moves the state back
    subscription_event_at: Mapped[int | None] = mapped_column(BigInteger)
    #: the end of the period paid for: the next renewal
    subscription_renews_at: Mapped[datetime | None]
    #: price per month the subscription bills, in cents (for the operator's revenue)
    subscription_monthly_cents: Mapped[int] = mapped_column(default=0, server_default="0")
    #: failed payment attempts since the last paid invoice
    failed_payments: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Stripe's hosted page of the open invoice ("betaal nu"), while one is open
    open_invoice_url: Mapped[str | None] = mapped_column(String(500))
    #: pays on invoice with this purchase-order number (send_invoice), else by iDEAL/card
    purchase_order: Mapped[str | None] = mapped_column(String(60))
    #: the operator's pilot: the largest plan's limits until this day, nothing to pay
    pilot_until: Mapped[date | None]
    #: the operator's discount: a Stripe coupon id applied when the tenant subscribes
    stripe_coupon: Mapped[str | None] = mapped_column(String(60))

    municipality: Mapped[Municipality | None] = relationship(lazy="joined")


class User(Base):
    """One login (an e-mail address), possibly a member of several tenants."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(5))
    is_platform_operator: Mapped[bool] = mapped_column(default=False)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]
    #: e-mail notifications (planned jobs, returned hours); a user can turn them off
    notify_by_email: Mapped[bool] = mapped_column(default=True, server_default=sa_true())

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def has_totp(self) -> bool:
        return self.totp_enabled_at is not None


class Counter(TenantScoped, Base):
    """A per-tenant counter for consecutive numbers (tenants.counters.next_number)."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(40))
    value: Mapped[int] = mapped_column(default=0)


class Membership(TenantScoped, Base):
    """A user's role in one tenant."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")
    tenant: Mapped[Tenant] = relationship(lazy="raise", viewonly=True)


class Invitation(TenantScoped, Base):
    """An e-mailed invitation to join a tenant with a role; the token is stored hashed."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("tenant_id", "token_hash"),)

    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    token_hash: Mapped[str] = mapped_column(String(64))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()


class MunicipalityMembership(Base):
    """A municipality viewer (consulent, beleidsmedewerker): reads what tenants share."""

    __tablename__ = "municipality_memberships"
    __table_args__ = (UniqueConstraint("user_id", "municipality_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    role: Mapped[MunicipalRole] = mapped_column(
        _enum(MunicipalRole, "municipal_role"), default=MunicipalRole.BELEID,
        server_default=MunicipalRole.BELEID.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipality: Mapped[Municipality] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="raise", viewonly=True)


class MunicipalityInvitation(Base):
    """An e-mailed invitation to become an officer of a municipality with a role; the token is
    stored hashed. A platform table: municipalities are no tenants."""

    __tablename__ = "municipality_invitations"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[MunicipalRole] = mapped_column(_enum(MunicipalRole, "municipal_role"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    municipality: Mapped[Municipality] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()


class NetworkRole(str, enum.Enum):
    #: publishes meetings, invites and removes members (the association's office)
    ADMIN = "admin"
    #: registers for meetings, reads what the network publishes
    MEMBER = "member"


class NetworkMembership(Base):
    """A member of the national network (LSA): the meeting, questions, the benchmark."""

    __tablename__ = "network_memberships"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    organisation: Mapped[str | None] = mapped_column(String(150))
    role: Mapped[NetworkRole] = mapped_column(
        _enum(NetworkRole, "network_role"), default=NetworkRole.MEMBER,
        server_default=NetworkRole.MEMBER.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")

    @property
    def is_admin(self) -> bool:
        return self.role == NetworkRole.ADMIN


class UserSession(Base):
    """A server-side login session; the cookie holds its token. Revoking it ends the login."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None]


class RecoveryCode(Base):
    """A single-use two-factor recovery code, stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None]


class PasswordResetToken(Base):
    """An e-mailed password-reset token: hashed, single use, expiring."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class AuditEvent(TenantScoped, Base):
    """Append-only audit log of a tenant: who did what to which object, when (UTC), from where.

    Rows are never updated or deleted: the migration adds triggers that refuse it.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_tenant_at", "tenant_id", "at"),
        # a participant's audit trail (blueprints.privacy) finds events by object and by person;
        # the participant page finds the person's events of one action, newest first (the
        # municipality's views): by (tenant, person) alone SQLite walked the tenant's whole log
        # backwards through ix_audit_events_tenant_at to avoid a sort
        Index("ix_audit_events_tenant_object", "tenant_id", "object_type", "object_id"),
        Index("ix_audit_events_tenant_participant_action", "tenant_id", "participant_id",
              "action", "at"),
    )

    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict | None] = mapped_column(JSON)
    #: The participant the event is about: its object, or `participant_id` in its details.
    #: A column of its own so that the trail is an index lookup (with row-level security a
    #: JSON lookup cannot use an index: PostgreSQL's `->>` is not leakproof).
    participant_id: Mapped[int | None]


class SecurityEvent(Base):
    """Append-only platform security log: logins, failures, resets, refused access."""

    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))
    path: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict | None] = mapped_column(JSON)


class AggregateRead(Base):
    """Append-only log of every cross-tenant aggregate read (tenants/aggregates.py): who asked
    (a municipality, later the network or the operator), which user, which table and period,
    and from which tenants."""

    __tablename__ = "aggregate_reads"
    __table_args__ = (Index("ix_aggregate_reads_requester", "requester_kind", "requester_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    requester_kind: Mapped[str] = mapped_column(String(20))
    requester_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    table_name: Mapped[str] = mapped_column(String(30))
    first_day: Mapped[date]
    last_day: Mapped[date]
    tenant_ids: Mapped[list] = mapped_column(JSON)
    threshold: Mapped[int]
