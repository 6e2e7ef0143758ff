"""API tokens: a staff member's credential for the JSON API in one tenant.

Only the SHA-256 of a token is stored. The token itself names its tenant
(`ww_<tenant id in base36>_<secret>`), so the API can set the tenant first and then find the
hash under the tenant filter and row-level security. The role is not copied here: the API
checks the membership live on every call.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import Base, TenantScoped, utcnow


class ApiToken(TenantScoped, Base):
    """A named bearer token of one user in one tenant; revoked or expired, it is refused."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        UniqueConstraint("tenant_id", "token_hash"),
        Index("ix_api_tokens_tenant_user", "tenant_id", "user_id"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
