"""Builders for the network tests: members, meetings and registrations through the services."""
from __future__ import annotations

from datetime import date, time, timedelta

from blueprints.network import services
from blueprints.network.models import Registration
from tenants.db import utcnow
from tenants.extensions import db
from tenants.models import NetworkMembership, NetworkRole
from tests.helpers import unique


def network_member(app, make, role: NetworkRole = NetworkRole.MEMBER, name: str = "Fatima el Idrissi",
                   organisation: str | None = "Bewonerscoöperatie ONS"):
    user = make.user(name=name)
    with app.app_context():
        db.session.add(NetworkMembership(user_id=user.id, role=role, organisation=organisation))
        db.session.commit()
    return user


def admin_of(app):
    """A NetworkMembership object that passes `require_admin` (services only check the role)."""
    return NetworkMembership(user_id=0, role=NetworkRole.ADMIN)


def meeting(app, capacity: int = 2, *, offer_hours: int = 48, deadline_days: int = 30,
            title: str | None = None) -> int:
    with app.app_context():
        m = services.create_meeting(db.session, admin_of(app), services.MeetingData(
            title=title or unique("Werk in de wijk"), day=date.today() + timedelta(days=40),
            starts_at=time(13, 0), ends_at=time(17, 0), place="De Flint, Amersfoort",
            description="Leren van elkaar over werk in de wijk.", capacity=capacity,
            registration_deadline=date.today() + timedelta(days=deadline_days),
            offer_hours=offer_hours), publish=True)
        db.session.commit()
        return m.id


def person(n: int | str) -> services.Person:
    return services.Person(f"Deelnemer {n}", f"{unique('p')}-{n}@example.org")


def register(app, user, meeting_id: int, *people, now=None) -> list[int]:
    with app.app_context():
        member = services.membership_of(db.session, user.id) or admin_of(app)
        made = services.register(db.session, member, db.session.get(type(user), user.id),
                                 meeting_id, list(people), now=now or utcnow())
        db.session.commit()
        return [r.id for r in made]


def states(app, meeting_id: int) -> list[tuple[str, str]]:
    """(name, status) of every registration in arrival order."""
    with app.app_context():
        rows = db.session.scalars(
            db.select(Registration).where(Registration.meeting_id == meeting_id)
            .order_by(Registration.position)).all()
        return [(r.name, r.status.value) for r in rows]


def outbox(app):
    return list(getattr(app.extensions["mailman"], "outbox", None) or [])


def mails_to(app, email: str):
    return [m for m in outbox(app) if email in m.to]
