"""One way to make a row of every tenant-owned model, for the isolation tests.

Every `TenantScoped` model must appear here: tests/kernel/test_tenancy.py fails for a model
that is missing, so a new feature's models are covered by the isolation tests automatically.
"""
from __future__ import annotations

from datetime import timedelta

from tenants.db import utcnow
from tenants.models import AuditEvent, Invitation, Membership, Role


def _membership(session, tenant, user):
    return Membership(user_id=user.id, role=Role.PARTICIPANT)


def _invitation(session, tenant, user):
    return Invitation(email=user.email, role=Role.SUPERVISOR, token_hash="x" * 64,
                      expires_at=utcnow() + timedelta(days=1))


def _audit(session, tenant, user):
    return AuditEvent(action="test.row", actor_user_id=user.id)


ROW_FACTORIES = {
    Membership: _membership,
    Invitation: _invitation,
    AuditEvent: _audit,
}

#: models whose rows can never be changed after insert (the database refuses)
APPEND_ONLY = {AuditEvent}
