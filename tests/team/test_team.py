"""A tenant admin invites staff by e-mail, changes and removes roles; all audited."""
from __future__ import annotations

import re

from sqlalchemy import select

from tenants.models import AuditEvent, Membership, Role, User
from tenants.tenancy import tenant_context
from tests.helpers import csrf_token, login, post, unique


def _outbox(app):
    return getattr(app.extensions["mailman"], "outbox", None) or []


def _invite(client, tenant, email, role="supervisor"):
    return post(client, f"/{tenant.slug}/team/uitnodigen", {"email": email, "role": role},
                token_from=f"/{tenant.slug}/team/", follow_redirects=True)


def _invitation_path(app, email):
    body = [m for m in _outbox(app) if email in m.to][-1].body
    return re.search(r"https?://[^/]+(/uitnodiging/\S+)", body).group(1)


def test_admin_invites_a_new_person_who_joins_with_the_role(app, client, make, session):
    tenant = make.tenant(name="Buurtcoöperatie De Hoge Weide")
    admin = make.member(tenant, Role.ADMIN)
    login(client, admin)
    address = f"{unique('nieuwe.collega')}@example.org"
    page = _invite(client, tenant, address.replace("nieuwe", "Nieuwe").replace("example", "Example"))
    assert f"Uitnodiging verstuurd naar {address}" in page.get_data(as_text=True)
    path = _invitation_path(app, address)

    newcomer = app.test_client()
    form = newcomer.get(path)
    assert form.status_code == 200 and "De Hoge Weide" in form.get_data(as_text=True)
    joined = newcomer.post(path, data={"csrf_token": csrf_token(newcomer, path),
                                       "name": "Nora Bakker", "password": "een sterk wachtwoord",
                                       "confirm": "een sterk wachtwoord"})
    assert joined.status_code == 302
    assert newcomer.get(f"/{tenant.slug}/").status_code == 200
    with tenant_context(session, tenant.id):
        user = session.scalar(select(User).where(User.email == address))
        membership = session.scalar(select(Membership).where(Membership.user_id == user.id))
        assert membership.role == Role.SUPERVISOR
        actions = session.scalars(select(AuditEvent.action)).all()
    assert {"invitation.created", "membership.created"} <= set(actions)
    again = app.test_client().get(path)
    assert again.status_code == 400 and "al gebruikt" in again.get_data(as_text=True)


def test_an_existing_user_accepts_after_logging_in(app, client, make):
    tenant, other = make.tenant(), make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    colleague = make.member(other, Role.SUPERVISOR)
    login(client, admin)
    _invite(client, tenant, colleague.email, "participant")
    path = _invitation_path(app, colleague.email)
    theirs = app.test_client()
    assert theirs.get(path).headers["Location"].endswith("/login")
    login(theirs, colleague)
    accepted = theirs.post(path, data={"csrf_token": csrf_token(theirs, path)})
    assert accepted.status_code == 302
    assert theirs.get(f"/{tenant.slug}/", follow_redirects=True).status_code == 200
    assert theirs.get(f"/{other.slug}/").status_code == 200  # both tenants now


def test_invitation_for_someone_else_cannot_be_taken(app, client, make):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    intruder = make.user()
    login(client, admin)
    intended = f"{unique('bedoelde')}@example.org"
    _invite(client, tenant, intended)
    path = _invitation_path(app, intended)
    theirs = app.test_client()
    login(theirs, intruder)
    response = theirs.post(path, data={"csrf_token": csrf_token(theirs, path)},
                           follow_redirects=True)
    assert "voor een ander e-mailadres" in response.get_data(as_text=True)
    assert theirs.get(f"/{tenant.slug}/").status_code == 404


def test_bad_invitations_are_refused_in_dutch(client, make):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    login(client, admin)
    bad_email = _invite(client, tenant, "geen-adres").get_data(as_text=True)
    assert "Vul een geldig e-mailadres in" in bad_email
    bad_role = _invite(client, tenant, "x@example.org", "superuser").get_data(as_text=True)
    assert "Rol" in bad_role and "Uitnodiging verstuurd" not in bad_role
    member = _invite(client, tenant, admin.email).get_data(as_text=True)
    assert "is al lid van deze organisatie" in member


def test_role_change_and_removal_take_effect_at_once(app, client, make, session):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    coach = make.member(tenant, Role.SUPERVISOR)
    with tenant_context(session, tenant.id):
        membership_id = session.scalar(select(Membership.id).where(Membership.user_id == coach.id))
    coach_client = app.test_client()
    login(coach_client, coach)
    assert coach_client.get(f"/{tenant.slug}/").status_code == 200

    login(client, admin)
    changed = post(client, f"/{tenant.slug}/team/lid/{membership_id}/rol", {"role": "participant"},
                   token_from=f"/{tenant.slug}/team/", follow_redirects=True)
    assert "is nu Deelnemer" in changed.get_data(as_text=True)
    removed = post(client, f"/{tenant.slug}/team/lid/{membership_id}/verwijderen",
                   token_from=f"/{tenant.slug}/team/", follow_redirects=True)
    assert "toegang is direct beëindigd" in removed.get_data(as_text=True)
    assert coach_client.get(f"/{tenant.slug}/").status_code == 404
    with tenant_context(session, tenant.id):
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_id == str(membership_id))).all()
    assert {"membership.role_changed", "membership.removed"} <= set(actions)


def test_the_last_admin_cannot_be_demoted_or_removed(client, make, session):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    with tenant_context(session, tenant.id):
        membership_id = session.scalar(select(Membership.id).where(Membership.user_id == admin.id))
    login(client, admin)
    for path, data in ((f"/{tenant.slug}/team/lid/{membership_id}/rol", {"role": "supervisor"}),
                       (f"/{tenant.slug}/team/lid/{membership_id}/verwijderen", {})):
        response = post(client, path, data, token_from=f"/{tenant.slug}/team/",
                        follow_redirects=True)
        assert "minstens één beheerder" in response.get_data(as_text=True)
    assert client.get(f"/{tenant.slug}/team/").status_code == 200


def test_membership_of_another_tenant_answers_404(client, make, session):
    tenant, other = make.tenant(), make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    stranger = make.member(other, Role.SUPERVISOR)
    with tenant_context(session, other.id):
        foreign_id = session.scalar(select(Membership.id).where(Membership.user_id == stranger.id))
    login(client, admin)
    for path in (f"/{tenant.slug}/team/lid/{foreign_id}/verwijderen",
                 f"/{tenant.slug}/team/uitnodiging/{foreign_id}/intrekken"):
        response = post(client, path, {"role": "participant"}, token_from=f"/{tenant.slug}/team/")
        assert response.status_code == 404, path
    with tenant_context(session, other.id):
        assert session.scalar(select(Membership).where(Membership.id == foreign_id)) is not None


def test_audit_log_page_shows_the_tenants_events_only(client, make):
    tenant, other = make.tenant(), make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    other_admin = make.member(other, Role.ADMIN)
    login(client, admin)
    visible, hidden = f"{unique('zichtbaar')}@example.org", f"{unique('verborgen')}@example.org"
    _invite(client, tenant, visible)
    other_client = client.application.test_client()
    login(other_client, other_admin)
    _invite(other_client, other, hidden)
    page = client.get(f"/{tenant.slug}/team/auditlog").get_data(as_text=True)
    assert "invitation.created" in page and visible in page
    assert hidden not in page


def test_team_pages_keep_a_constant_query_count(app, client, make, count_queries):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    login(client, admin)

    def measure(path):
        client.get(path)  # warm up
        with count_queries() as n:
            assert client.get(path).status_code == 200
        return n()

    few = {p: measure(p) for p in (f"/{tenant.slug}/team/", f"/{tenant.slug}/team/auditlog")}
    for _ in range(30):
        make.member(tenant, Role.PARTICIPANT)
    many = {p: measure(p) for p in few}
    assert many == few
