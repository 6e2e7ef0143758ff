"""Network members and a network admin for the question box and knowledge base tests."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tenants.extensions import db
from tenants.models import NetworkMembership, NetworkRole


def join_network(app, user, *, admin: bool = False, monkeypatch=None) -> None:
    """Make `user` a network member; with `admin`, a network admin (the membership's role)."""
    with app.app_context():
        membership = db.session.scalar(select(NetworkMembership).where(
            NetworkMembership.user_id == user.id))
        if membership is None:
            membership = NetworkMembership(user_id=user.id, organisation="Buurtcoöperatie Test")
            db.session.add(membership)
        if admin:
            membership.role = NetworkRole.ADMIN
        db.session.commit()
        db.session.remove()


@pytest.fixture
def network(app, make, monkeypatch):
    """An admin and three members of the network, each a fresh user."""
    admin = make.user(name="Henk Postma")
    members = [make.user(name=n) for n in ("Marloes Dijkstra", "Pieter Hoekstra",
                                            "Samira Bouzid", "Gerrit Veenstra")]
    join_network(app, admin, admin=True, monkeypatch=monkeypatch)
    for m in members:
        join_network(app, m)
    return admin, members
