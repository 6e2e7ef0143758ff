"""Members: the network admin invites (by e-mail, a token used once) and removes members; the
network keeps one admin; a cooperative joins and leaves by its own admin; municipalities are
added by the network admin."""
from __future__ import annotations

import re

from sqlalchemy import select

from blueprints.network.models import NetworkOrganisation
from tenants.extensions import db
from tenants.models import NetworkMembership, NetworkRole, Role
from tests.helpers import PASSWORD, csrf_token, login, post, unique
from tests.network.builders import mails_to, network_member


def _membership(app, email):
    with app.app_context():
        from tenants.identity import user_by_email

        user = user_by_email(db.session, email)
        return None if user is None else db.session.scalar(
            select(NetworkMembership).where(NetworkMembership.user_id == user.id))


def test_the_admin_invites_someone_who_makes_an_account_and_joins(app, make, client):
    admin = network_member(app, make, NetworkRole.ADMIN, name="Henk Postma")
    login(client, admin)
    email = f"{unique('ambtenaar')}@amersfoort.example.nl"
    response = post(client, "/netwerk/leden/uitnodigen", {
        "email": email, "organisation": "Gemeente Amersfoort", "role": "member"},
        token_from="/netwerk/leden", follow_redirects=True)
    assert f"Uitnodiging verstuurd naar {email}" in response.get_data(as_text=True)
    link = re.search(r"https?://\S+", mails_to(app, email)[-1].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/netwerk/")})
    page = client.get(path)
    assert page.status_code == 200 and email in page.get_data(as_text=True)
    token = csrf_token(client, path)
    weak = client.post(path, data={"csrf_token": token, "name": "Mila Smit",
                                   "password": "kort", "confirm": "kort"})
    assert weak.status_code == 200 and _membership(app, email) is None
    done = client.post(path, data={"csrf_token": token, "name": "Mila Smit",
                                   "password": PASSWORD, "confirm": PASSWORD})
    assert done.status_code == 302
    member = _membership(app, email)
    assert member.role == NetworkRole.MEMBER and member.organisation == "Gemeente Amersfoort"
    assert client.get(path).status_code == 400  # used once


def test_an_existing_user_accepts_while_logged_in(app, make, client):
    admin = network_member(app, make, NetworkRole.ADMIN)
    coop = make.tenant()
    someone = make.member(coop, Role.SUPERVISOR)
    login(client, admin)
    post(client, "/netwerk/leden/uitnodigen", {"email": someone.email, "role": "member"},
         token_from="/netwerk/leden")
    link = re.search(r"https?://\S+", mails_to(app, someone.email)[-1].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/netwerk/")})
    login(client, someone)
    assert client.get("/netwerk/").status_code == 404
    client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert client.get("/netwerk/").status_code == 200


def test_a_member_cannot_invite_and_the_admin_removes_members_but_not_the_last_admin(
        app, make, client):
    member = network_member(app, make)
    login(client, member)
    response = post(client, "/netwerk/leden/uitnodigen", {"email": "x@example.org",
                                                          "role": "admin"},
                    token_from="/netwerk/leden")
    assert response.status_code == 404
    admin = network_member(app, make, NetworkRole.ADMIN)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/netwerk/")})
    login(client, admin)
    target = _membership(app, member.email)
    post(client, f"/netwerk/leden/{target.id}/verwijderen", token_from="/netwerk/leden")
    assert _membership(app, member.email) is None
    with app.app_context():  # leave exactly this admin: removing them is refused
        admins = db.session.scalars(select(NetworkMembership).where(
            NetworkMembership.role == NetworkRole.ADMIN)).all()
        others = [a for a in admins if a.user_id != admin.id]
        for other in others:
            other.role = NetworkRole.MEMBER
        db.session.commit()
        other_ids = [o.id for o in others]
    mine = _membership(app, admin.email)
    response = post(client, f"/netwerk/leden/{mine.id}/verwijderen",
                    token_from="/netwerk/leden", follow_redirects=True)
    assert "minstens één beheerder" in response.get_data(as_text=True)
    with app.app_context():  # put the other admins back (the suite shares one database)
        for row in db.session.scalars(select(NetworkMembership).where(
                NetworkMembership.id.in_(other_ids))):
            row.role = NetworkRole.ADMIN
        db.session.commit()


def test_a_cooperative_joins_and_leaves_by_its_own_admin(app, make, client):
    coop = make.tenant(name=f"Bewonersbedrijf {unique('Delfzijl')}")
    coop_admin = make.member(coop, Role.ADMIN)
    supervisor = make.member(coop, Role.SUPERVISOR)
    login(client, supervisor)
    assert client.get(f"/{coop.slug}/netwerk-lidmaatschap/").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    login(client, coop_admin)
    path = f"/{coop.slug}/netwerk-lidmaatschap/"
    assert path in client.get(f"/{coop.slug}/team/").get_data(as_text=True)  # from the settings
    client.post(path, data={"csrf_token": csrf_token(client, path), "actie": "aansluiten"})
    viewer = network_member(app, make)
    other = make.tenant()
    with app.app_context():
        row = db.session.scalar(select(NetworkOrganisation).where(
            NetworkOrganisation.cooperative_id == coop.id))
        assert row.left_at is None and row.name == coop.name
    other_client = app.test_client()
    login(other_client, viewer)
    listing = other_client.get("/netwerk/leden").get_data(as_text=True)
    assert coop.name in listing and other.name not in listing
    client.post(path, data={"csrf_token": csrf_token(client, path), "actie": "opzeggen"})
    assert coop.name not in other_client.get("/netwerk/leden").get_data(as_text=True)


def test_the_admin_adds_a_municipality(app, make, client):
    admin = network_member(app, make, NetworkRole.ADMIN)
    login(client, admin)
    response = post(client, "/netwerk/leden/gemeente", {"cbs_code": "0000"},
                    token_from="/netwerk/leden", follow_redirects=True)
    assert "Onbekende gemeentecode 0000" in response.get_data(as_text=True)
    post(client, "/netwerk/leden/gemeente", {"cbs_code": "0307"}, token_from="/netwerk/leden")
    assert "Gemeente Amersfoort" in client.get("/netwerk/leden").get_data(as_text=True)
