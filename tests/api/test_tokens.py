"""The API-token page: make a token (shown once, stored hashed), list, revoke; who may."""
from __future__ import annotations

import re

from sqlalchemy import select

from blueprints.api.models import ApiToken
from tenants.identity import sha256
from tenants.models import AuditEvent, Role
from tenants.tenancy import tenant_context
from tests.api.conftest import bearer
from tests.helpers import login, post

PAGE = "/account/api-tokens"
TOKEN = re.compile(r"ww_[0-9a-z]{1,13}_[A-Za-z0-9_-]{43}")


def _create(client, tenant, name="Rapportage", lifetime="365"):
    return post(client, PAGE, {"name": name, "tenant": str(tenant.id), "lifetime": lifetime},
                token_from=PAGE)


def _tokens(session, tenant):
    with tenant_context(session, tenant.id):
        return session.scalars(select(ApiToken)).all()


def test_a_new_token_is_shown_once_and_stored_as_a_hash(client, coop, session):
    tenant, _, coach = coop
    login(client, coach)
    page = client.get(PAGE)
    assert page.status_code == 200 and "Nieuwe sleutel" in page.get_data(as_text=True)

    created = _create(client, tenant)
    html = created.get_data(as_text=True)
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    value = TOKEN.search(html).group(0)
    assert value.startswith(f"ww_{int_to_base36(tenant.id)}_")
    assert "u ziet hem maar één keer" in html

    [row] = _tokens(session, tenant)
    assert row.token_hash == sha256(value) and row.name == "Rapportage"
    assert row.user_id == coach.id and row.revoked_at is None and row.last_used_at is None
    assert 364 <= (row.expires_at - row.created_at).days <= 365
    assert value not in repr(vars(row))

    again = client.get(PAGE).get_data(as_text=True)
    assert value not in again and not TOKEN.search(again)
    assert "Rapportage" in again and tenant.name in again and "nog niet" in again

    me = client.get("/api/v1/me", headers=bearer(value))
    assert me.status_code == 200 and me.json["data"]["tenant"]["slug"] == tenant.slug
    with tenant_context(session, tenant.id):
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.created"))
    assert event.actor_user_id == coach.id and event.object_id == str(row.id)
    assert event.details["name"] == "Rapportage"


def int_to_base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


def test_a_shorter_lifetime_can_be_chosen(client, coop, session):
    tenant, _, coach = coop
    login(client, coach)
    assert _create(client, tenant, lifetime="30").status_code == 200
    [row] = _tokens(session, tenant)
    assert 29 <= (row.expires_at - row.created_at).days <= 30


def test_revoking_stops_the_token(client, coop, session):
    tenant, _, coach = coop
    login(client, coach)
    value = TOKEN.search(_create(client, tenant).get_data(as_text=True)).group(0)
    [row] = _tokens(session, tenant)
    response = post(client, f"{PAGE}/{row.id}/intrekken", token_from=PAGE)
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    refused = client.get("/api/v1/me", headers=bearer(value))
    assert refused.status_code == 401 and refused.json["error"]["code"] == "token_revoked"
    assert "ingetrokken" in client.get(PAGE).get_data(as_text=True)
    session.expire_all()
    [row] = _tokens(session, tenant)
    assert row.revoked_at is not None
    with tenant_context(session, tenant.id):
        assert session.scalar(select(AuditEvent).where(
            AuditEvent.action == "api_token.revoked", AuditEvent.object_id == str(row.id)))


def test_someone_elses_token_cannot_be_revoked(client, coop, make, session, issue):
    tenant, admin, coach = coop
    value = issue(admin, tenant)
    [row] = _tokens(session, tenant)
    login(client, coach)  # a colleague in the same tenant
    assert post(client, f"{PAGE}/{row.id}/intrekken", token_from=PAGE).status_code == 404
    assert post(client, f"{PAGE}/{10**30}/intrekken", token_from=PAGE).status_code == 404
    assert client.get("/api/v1/me", headers=bearer(value)).status_code == 200


def test_a_participant_membership_cannot_make_a_token(client, make, session):
    tenant = make.tenant()
    make.member(tenant, Role.ADMIN)
    participant = make.member(tenant, Role.PARTICIPANT)
    login(client, participant)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Alleen beheerders en begeleiders" in page and 'name="name"' not in page
    response = _create(client, tenant)
    assert response.status_code == 403
    assert "Alleen beheerders en begeleiders kunnen een API-sleutel maken." in \
        response.get_data(as_text=True)
    assert _tokens(session, tenant) == []


def test_a_token_for_a_tenant_one_is_not_a_member_of_is_404(client, coop, make, session):
    _, _, coach = coop
    other = make.tenant()
    login(client, coach)
    assert _create(client, other).status_code == 404
    assert _tokens(session, other) == []


def test_a_name_is_required(client, coop, session):
    tenant, _, coach = coop
    login(client, coach)
    response = _create(client, tenant, name="  ")
    assert response.status_code == 400
    assert "Geef de sleutel een naam" in response.get_data(as_text=True)
    assert _tokens(session, tenant) == []


def test_the_forms_need_their_csrf_token(client, coop, session, issue):
    tenant, _, coach = coop
    issue(coach, tenant)
    [row] = _tokens(session, tenant)
    login(client, coach)
    assert client.post(PAGE, data={"name": "x", "tenant": str(tenant.id),
                                   "lifetime": "365"}).status_code == 400
    assert client.post(f"{PAGE}/{row.id}/intrekken").status_code == 400
    assert len(_tokens(session, tenant)) == 1 and _tokens(session, tenant)[0].revoked_at is None


def test_the_page_lists_tokens_of_every_membership(client, coop, make, issue):
    tenant, _, coach = coop
    second = make.tenant(name="Kluswinkel Zuid")
    make.member(second, Role.SUPERVISOR, user=coach)
    issue(coach, tenant, name="Eerste koppeling")
    issue(coach, second, name="Tweede koppeling")
    login(client, coach)
    html = client.get(PAGE).get_data(as_text=True)
    for text in ("Eerste koppeling", "Tweede koppeling", tenant.name, "Kluswinkel Zuid"):
        assert text in html
    assert html.count('action="/account/api-tokens/') == 2  # a revoke button each


def test_the_page_needs_a_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_tenant_choice_of_unicode_digits_or_a_huge_number_is_no_tenant(client, coop):
    """`²` passes str.isdigit() and broke int() (500); a number past 64 bits reached the
    database. Each is a tenant one is not a member of: 404, nothing made."""
    _, _, coach = coop
    login(client, coach)
    for value in ("²", "٣", "9223372036854775808", "9" * 5000):
        response = post(client, PAGE, {"name": "x", "tenant": value, "lifetime": "30"},
                        token_from=PAGE)
        assert response.status_code == 404, value
