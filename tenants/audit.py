"""The audit log: every feature records what it did here.

`record()` writes to the tenant's append-only audit log (`AuditEvent`); `record_security()`
writes platform events (logins, resets, refused access) to the security log. Both only add
rows; the database refuses updates and deletes.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenants.actor import Actor
from tenants.models import AuditEvent, SecurityEvent


def record(
    session: Session,
    actor: Actor,
    action: str,
    obj=None,
    *,
    object_type: str | None = None,
    object_id=None,
    **details,
) -> AuditEvent:
    """Append an event to the current tenant's audit log (flushes nothing by itself)."""
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    participant_id = _whole_number(details.get("participant_id"))
    if participant_id is None and object_type == "Participant":
        participant_id = _whole_number(object_id)
    event = AuditEvent(
        actor_user_id=actor.user_id,
        actor_email=actor.email,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        ip=actor.ip,
        details=details or None,
        participant_id=participant_id,
    )
    session.add(event)
    return event


def _whole_number(value) -> int | None:
    """An id as an int, or None for anything that is not one (the column is a bigint)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -2**63 <= value < 2**63 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def record_security(
    session: Session,
    action: str,
    *,
    user_id: int | None = None,
    email: str | None = None,
    ip: str | None = None,
    path: str | None = None,
    **details,
) -> SecurityEvent:
    """Append a platform security event (authentication, refused access)."""
    event = SecurityEvent(
        user_id=user_id, email=email, action=action, ip=ip, path=(path or "")[:300] or None,
        details=details or None,
    )
    session.add(event)
    return event


def tenant_events(session: Session, *, before_id: int | None = None, limit: int = 50,
                  object_type: str | None = None, object_id=None):
    """The current tenant's audit events, newest first, keyset-paginated by id."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(AuditEvent.object_id == str(object_id))
    return list(session.scalars(stmt))
