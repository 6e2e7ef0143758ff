"""Who is told about help requests by e-mail, and the setting to turn it off."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.participants.models import Participant
from tenants import audit
from tenants.actor import Actor
from tenants.models import Membership, Role, User


def inbox_users(session: Session) -> list[User]:
    """The tenant's admins who want e-mail notifications: the cooperative's inbox by mail."""
    return list(session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.ADMIN, User.notify_by_email.is_(True),
               User.deactivated_at.is_(None)).order_by(User.email)))


def accounts_to_notify(session: Session, participants: list[Participant]) -> list[User]:
    """The linked accounts of these participants that have e-mail notifications on."""
    user_ids = [p.user_id for p in participants if p.user_id]
    if not user_ids:
        return []
    return list(session.scalars(select(User).where(
        User.id.in_(user_ids), User.notify_by_email.is_(True), User.deactivated_at.is_(None))))


def set_email_notifications(session: Session, actor: Actor, user: User, enabled: bool) -> None:
    """A user turns e-mail notifications (planned jobs and the like) on or off."""
    user.notify_by_email = bool(enabled)
    audit.record(session, actor, "user.notifications_changed", object_type="User",
                 object_id=user.id, enabled=bool(enabled))
