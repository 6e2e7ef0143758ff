"""The platform operator creates tenants (page and CLI); slugs are checked."""
from __future__ import annotations

from sqlalchemy import select

from tenants.models import Membership, Role, Tenant
from tenants.tenancy import tenant_context
from tests.helpers import login, post, unique


def _create(client, **fields):
    data = {"name": "Buurtwerk Hoogvliet", "slug": unique("bw"), "kind": "bewonersinitiatief",
            "municipality": "0599", "admin_email": f"{unique('coord')}@example.org"}
    data.update(fields)
    return data, post(client, "/beheer/organisaties", data, token_from="/beheer/")


def test_operator_creates_a_tenant_and_its_admin_is_invited(app, client, make, session):
    operator = make.user(operator=True, totp=True)
    login(client, operator)
    data, response = _create(client)
    assert response.status_code == 302
    page = client.get("/beheer/").get_data(as_text=True)
    assert "Buurtwerk Hoogvliet" in page and "Rotterdam" in page
    outbox = getattr(app.extensions["mailman"], "outbox", None) or []
    assert any(data["admin_email"] in m.to and f"/uitnodiging/{data['slug']}/" in m.body
               for m in outbox)
    tenant = session.scalar(select(Tenant).where(Tenant.slug == data["slug"]))
    assert tenant is not None
    # the operator is not a member: the tenant's pages are not theirs to read
    assert client.get(f"/{tenant.slug}/").status_code == 404


def test_bad_slugs_are_refused_in_dutch(client, make, session):
    operator = make.user(operator=True, totp=True)
    existing = make.tenant()
    login(client, operator)
    for slug, message in (("Hoofd Letters", "kleine letters"), ("login", "gereserveerd"),
                          (existing.slug, "al in gebruik"), ("a", "3 tot 50")):
        _, response = _create(client, slug=slug)
        assert response.status_code == 400, slug
        assert message in response.get_data(as_text=True), slug
    assert session.scalar(select(Tenant).where(Tenant.slug == "login")) is None


def test_cli_creates_a_tenant_with_an_existing_admin(app, make, session):
    coordinator = make.user()
    slug = unique("cli")
    result = app.test_cli_runner().invoke(args=[
        "tenant", "create", "--slug", slug, "--name", "Kluswinkel Noord",
        "--kind", "gemeentelijk_project", "--municipality", "0995",
        "--admin-email", coordinator.email])
    assert result.exit_code == 0, result.output
    assert f"{coordinator.email} is now admin of {slug}" in result.output
    tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
    with tenant_context(session, tenant.id):
        role = session.scalar(select(Membership.role).where(Membership.user_id == coordinator.id))
    assert role == Role.ADMIN


def test_cli_prints_an_invitation_for_a_new_address_and_refuses_bad_input(app):
    runner = app.test_cli_runner()
    slug = unique("cli")
    ok = runner.invoke(args=["tenant", "create", "--slug", slug, "--name", "Wijkbedrijf",
                             "--admin-email", "nieuw@example.org"])
    assert ok.exit_code == 0 and f"/uitnodiging/{slug}/" in ok.output
    taken = runner.invoke(args=["tenant", "create", "--slug", slug, "--name", "X",
                                "--admin-email", "a@example.org"])
    assert taken.exit_code != 0 and "al in gebruik" in taken.output
    unknown = runner.invoke(args=["tenant", "create", "--slug", unique("cli"), "--name", "X",
                                  "--municipality", "1234", "--admin-email", "a@example.org"])
    assert unknown.exit_code != 0 and "Onbekende gemeentecode" in unknown.output
