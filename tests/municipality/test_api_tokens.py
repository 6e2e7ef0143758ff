"""Municipal API tokens and the municipal API (/api/v1/gemeente/<cbs_code>/…): the officer makes,
sees and revokes tokens on the portal (after recent re-authentication, CSRF, audited); the API
gives exactly what the portal shows, with the same hidden cells, through the audited
cross-tenant primitive; another municipality's URL is 404, a revoked or expired token 401, and
a cooperative's token is no municipal token (nor the other way round)."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select, update

from blueprints.reports import periods

from blueprints.api import services as api
from blueprints.municipality import services, tokens
from blueprints.municipality.models import MunicipalApiToken
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.models import (
    AggregateRead,
    MunicipalityMembership,
    MunicipalRole,
    Role,
    SecurityEvent,
    User,
    UserSession,
)
from tenants.tenancy import set_tenant, set_user
from tests.api.conftest import bearer
from tests.helpers import csrf_token, login
from tests.municipality.share_world import share

MARCH = {"period": "maand", "year": "2026", "month": "3"}
TOKEN_IN_PAGE = re.compile(r'id="api-token"[^>]*value="(wwg_[^"]+)"')


def _page(cbs_code: str) -> str:
    return f"/gemeente/{cbs_code}/api-sleutels"


def make_token(session, world, municipality=None, officer=None, name="Dashboard",
               lifetime=None) -> str:
    municipality = municipality or world.m1
    officer = officer or world.officer1
    membership = session.scalar(select(MunicipalityMembership).where(
        MunicipalityMembership.municipality_id == municipality.id,
        MunicipalityMembership.user_id == officer.id))
    _token, value = tokens.create_token(session, Actor(officer.id, officer.email), municipality,
                                        membership, name, lifetime)
    session.commit()
    return value


def security_events(session, action: str) -> list[SecurityEvent]:
    session.expire_all()
    return list(session.scalars(select(SecurityEvent).where(SecurityEvent.action == action)))


def reads(session, municipality) -> int:
    return session.scalar(select(func.count()).select_from(AggregateRead).where(
        AggregateRead.requester_kind == "gemeente",
        AggregateRead.requester_id == municipality.id))


# --- the page: make, list, revoke ------------------------------------------------------------

def test_an_officer_makes_sees_and_revokes_a_token(world, session, client):
    login(client, world.officer1)
    page = _page(world.m1.cbs_code)
    assert client.get(page).status_code == 200
    made = client.post(page, data={"csrf_token": csrf_token(client, page),
                                   "name": "Dashboard beleid", "lifetime": "90"})
    assert made.status_code == 200
    html = made.get_data(as_text=True)
    value = TOKEN_IN_PAGE.search(html).group(1)
    session.expire_all()
    row = session.scalar(select(MunicipalApiToken).where(
        MunicipalApiToken.municipality_id == world.m1.id))
    # stored hashed, with the officer's role and an expiry 90 days out
    assert row.token_hash != value and value not in row.token_hash
    assert row.role == MunicipalRole.BELEID and row.user_id == world.officer1.id
    assert timedelta(days=89) < row.expires_at - utcnow() <= timedelta(days=90)
    # shown once: the list names it, never the value
    listing = client.get(page).get_data(as_text=True)
    assert "Dashboard beleid" in listing and value not in listing
    created = security_events(session, "municipality.api_token_created")
    assert any(e.details.get("municipality") == world.m1.cbs_code
               and e.details.get("name") == "Dashboard beleid" for e in created)
    assert client.get(f"/api/v1/gemeente/{world.m1.cbs_code}/cooperatives",
                      headers=bearer(value)).status_code == 200

    revoke = f"{page}/{row.id}/intrekken"
    done = client.post(revoke, data={"csrf_token": csrf_token(client, page)})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(MunicipalApiToken, row.id).revoked_at is not None
    assert any(e.details.get("token_id") == row.id
               for e in security_events(session, "municipality.api_token_revoked"))
    refused = client.get(f"/api/v1/gemeente/{world.m1.cbs_code}/cooperatives",
                         headers=bearer(value))
    assert refused.status_code == 401 and refused.json["code"] == "token_revoked"
    assert refused.mimetype == "application/problem+json"


def test_a_token_without_expiry_and_bad_names_refused_in_dutch(world, session, client):
    login(client, world.officer1)
    page = _page(world.m1.cbs_code)
    empty = client.post(page, data={"csrf_token": csrf_token(client, page), "name": "  ",
                                    "lifetime": ""})
    assert empty.status_code == 400
    assert "Geef de sleutel een naam" in empty.get_data(as_text=True)
    too_long = client.post(page, data={"csrf_token": csrf_token(client, page),
                                       "name": "x" * 81, "lifetime": ""})
    assert too_long.status_code == 400 and "Hoogstens 80 tekens" in too_long.get_data(
        as_text=True)
    odd = client.post(page, data={"csrf_token": csrf_token(client, page), "name": "Ok",
                                  "lifetime": "99999"})
    assert odd.status_code == 400
    session.expire_all()
    assert not session.scalar(select(func.count()).select_from(MunicipalApiToken).where(
        MunicipalApiToken.municipality_id == world.m1.id))
    forever = client.post(page, data={"csrf_token": csrf_token(client, page),
                                      "name": "Zonder einde", "lifetime": ""})
    assert forever.status_code == 200 and "Geldig tot u hem intrekt" in forever.get_data(
        as_text=True)
    session.expire_all()
    row = session.scalar(select(MunicipalApiToken).where(
        MunicipalApiToken.municipality_id == world.m1.id))
    assert row.expires_at is None


def test_the_forms_need_csrf_and_making_a_token_a_recent_login(world, session, client):
    value = make_token(session, world)
    login(client, world.officer1)
    page = _page(world.m1.cbs_code)
    no_csrf = client.post(page, data={"name": "Zonder CSRF", "lifetime": "30"})
    assert no_csrf.status_code == 400
    row = session.scalar(select(MunicipalApiToken).where(
        MunicipalApiToken.municipality_id == world.m1.id))
    client.post(f"{page}/{row.id}/intrekken", data={})
    session.expire_all()
    assert session.get(MunicipalApiToken, row.id).revoked_at is None
    assert session.scalar(select(func.count()).select_from(MunicipalApiToken).where(
        MunicipalApiToken.municipality_id == world.m1.id)) == 1
    # logged in ten minutes ago: confirm the password first, nothing made
    session.execute(update(UserSession).where(UserSession.user_id == world.officer1.id)
                    .values(created_at=utcnow() - timedelta(minutes=10)))
    session.commit()
    later = client.post(page, data={"csrf_token": csrf_token(client, page), "name": "Later",
                                    "lifetime": "30"})
    assert later.status_code == 302 and "/account/bevestigen" in later.headers["Location"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(MunicipalApiToken).where(
        MunicipalApiToken.municipality_id == world.m1.id)) == 1
    assert value


def test_another_municipality_cannot_see_or_revoke_the_tokens(world, session, client):
    make_token(session, world, name="Van gemeente Een")
    row = session.scalar(select(MunicipalApiToken).where(
        MunicipalApiToken.municipality_id == world.m1.id))
    login(client, world.officer2)
    assert client.get(_page(world.m1.cbs_code)).status_code == 404
    own = _page(world.m2.cbs_code)
    assert "Van gemeente Een" not in client.get(own).get_data(as_text=True)
    # through its own portal, with the other municipality's token id: 404, nothing changes
    stolen = client.post(f"{own}/{row.id}/intrekken",
                         data={"csrf_token": csrf_token(client, own)})
    assert stolen.status_code == 404
    session.expire_all()
    assert session.get(MunicipalApiToken, row.id).revoked_at is None


# --- the API: who gets in ---------------------------------------------------------------------

def test_a_token_reads_only_its_own_municipality(world, session, client, make):
    share(session, world.d, make.member(world.d, Role.ADMIN), "uren")
    breda = make_token(session, world)  # municipality 1
    for path in ("cooperatives", "reports"):
        other = client.get(f"/api/v1/gemeente/{world.m2.cbs_code}/{path}",
                           headers=bearer(breda), query_string=MARCH)
        assert other.status_code == 404, path
        assert other.mimetype == "application/problem+json"
        assert other.json["code"] == "not_found"
        unknown = client.get(f"/api/v1/gemeente/0000/{path}", headers=bearer(breda))
        assert unknown.status_code == 404
    # no aggregate was read for the other municipality
    assert reads(session, world.m2) == 0


def test_revoked_expired_unknown_and_cooperative_tokens_get_401(world, session, client):
    url = f"/api/v1/gemeente/{world.m1.cbs_code}/reports"
    missing = client.get(url)
    assert missing.status_code == 401 and missing.json["code"] == "missing_token"
    expired = make_token(session, world, name="Kort", lifetime=timedelta(days=1))
    session.execute(update(MunicipalApiToken).where(MunicipalApiToken.name == "Kort",
                                                    MunicipalApiToken.municipality_id
                                                    == world.m1.id)
                    .values(expires_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    answer = client.get(url, headers=bearer(expired))
    assert answer.status_code == 401 and answer.json["code"] == "token_expired"
    fake = "wwg_" + "A" * 43
    assert client.get(url, headers=bearer(fake)).json["code"] == "invalid_token"
    # a cooperative's token on the municipal API, a municipal token on the cooperative's
    admin = world.admin_a
    set_user(session, admin.id)
    user = session.scalar(select(User).where(User.id == admin.id))
    _t, _ten, coop_token = api.create_token(session, Actor(admin.id, admin.email), user,
                                            world.a.id, "Coöperatie")
    session.commit()
    set_user(session, None)
    set_tenant(session, None)
    crossed = client.get(url, headers=bearer(coop_token))
    assert crossed.status_code == 401
    municipal = make_token(session, world)
    for path in ("/api/v1/me", f"/api/v1/{world.a.slug}/participants"):
        other_way = client.get(path, headers=bearer(municipal))
        assert other_way.status_code == 401, path
        assert client.get(path, headers=bearer(coop_token)).status_code == 200, path


def test_a_token_stops_when_its_maker_leaves_the_municipality(world, session, client):
    value = make_token(session, world)
    url = f"/api/v1/gemeente/{world.m1.cbs_code}/cooperatives"
    assert client.get(url, headers=bearer(value)).status_code == 200
    membership = session.scalar(select(MunicipalityMembership).where(
        MunicipalityMembership.municipality_id == world.m1.id,
        MunicipalityMembership.user_id == world.officer1.id))
    session.delete(membership)
    session.commit()
    assert client.get(url, headers=bearer(value)).status_code == 401


# --- the API: what it gives --------------------------------------------------------------------

def test_a_cooperative_that_does_not_share_is_absent(world, session, client):
    share(session, world.a, world.admin_a, "uren")
    share(session, world.b, world.admin_b, "uitstroom")
    value = make_token(session, world)
    base = f"/api/v1/gemeente/{world.m1.cbs_code}"
    listed = client.get(f"{base}/cooperatives", headers=bearer(value))
    assert listed.status_code == 200
    names = [c["name"] for c in listed.json["data"]]
    assert names == ["Coöperatie Alfa", "Coöperatie Bèta"]
    assert listed.json["data"][0]["shares"][0]["template"] == "uren"
    report = client.get(f"{base}/reports", headers=bearer(value), query_string=MARCH)
    body = report.get_data(as_text=True)
    assert "Gamma" not in body and str(world.c.id) not in body and "Delta" not in body
    assert report.headers["Cache-Control"] == "no-store"


def test_the_api_gives_the_portals_figures_with_the_same_hidden_cells(world, session, client):
    share(session, world.a, world.admin_a, "uren")
    share(session, world.b, world.admin_b, "uren")
    share(session, world.b, world.admin_b, "uitstroom")
    value = make_token(session, world)
    before = reads(session, world.m1)
    answer = client.get(f"/api/v1/gemeente/{world.m1.cbs_code}/reports",
                        headers=bearer(value), query_string=MARCH)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    data = answer.json
    # one audited aggregate read per table, as in the portal
    assert reads(session, world.m1) == before + 2
    assert data["threshold"] == 5 and data["period"]["start"] == "2026-03-01"
    hours = next(t for t in data["tables"] if t["template"] == "uren")
    coops = [c["name"] for c in hours["period"]["cooperatives"]]
    assert coops == ["Coöperatie Alfa", "Coöperatie Bèta"]
    rows = {r["key"]: r for r in hours["period"]["rows"]}
    # totals across the cooperatives: 16 people x 600 minutes traject
    assert rows["traject"]["total"] == {"value": 9600, "suppressed": None}
    # A's volunteer hours are from 2 people: hidden as small, like the portal's "< 5"
    assert rows["vrijwilligerswerk"]["cells"][0] == {"value": None, "suppressed": "klein"}
    assert rows["vrijwilligerswerk"]["cells"][1] == {"value": 720, "suppressed": None}
    # so that it cannot be worked back: A's own total is hidden, and so is every total
    # across the cooperatives that holds A's hidden cell
    assert rows["totaal"]["cells"] == [{"value": None, "suppressed": "aanvullend"},
                                       {"value": 6120, "suppressed": None}]
    assert rows["vrijwilligerswerk"]["total"] == {"value": None, "suppressed": "totaal"}
    assert rows["totaal"]["total"] == {"value": None, "suppressed": "totaal"}

    # the same figures as the portal's service for the same period
    period = periods.choose({"periode": "maand", "jaar": "2026", "maand": "3"}, date.today())
    portal = services.portal(session, session.merge(world.m1), world.officer1.id, period,
                             periods.compared(period, "vorige"))
    session.commit()
    shared = next(t for t in portal.tables if t.template == "uren")
    for key, _label in shared.rows:
        for i, coop in enumerate(shared.cooperatives):
            c = shared.now.cell(key, coop.id)
            assert rows[key]["cells"][i] == {"value": None if c.hidden else c.value,
                                             "suppressed": c.hidden}, (key, coop.name)
    # and the page itself shows the hidden cell as "< 5" where the API says "klein"
    login(client, world.officer1)
    html = client.get(f"/gemeente/{world.m1.cbs_code}/", query_string={
        "periode": "maand", "jaar": "2026", "maand": "3"}).get_data(as_text=True)
    assert "&lt; 5" in html


def test_bad_query_values_are_400_problems_never_500(world, session, client):
    value = make_token(session, world)
    url = f"/api/v1/gemeente/{world.m1.cbs_code}/reports"
    for query in ({"period": "eigen"}, {"year": "²"}, {"month": "13"},
                  {"year": str(2**63)}, {"compare": "x"}, {"period": ""}):
        answer = client.get(url, headers=bearer(value), query_string=query)
        assert answer.status_code == 400, query
        assert answer.json["code"] == "invalid_parameter"


def test_the_document_describes_the_municipal_api(client):
    document = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/gemeente/{cbs_code}/cooperatives",
                 "/api/v1/gemeente/{cbs_code}/reports"):
        operation = document["paths"][path]["get"]
        assert operation["security"] == [{"municipalBearer": []}]
        assert "403" not in operation["responses"] and "401" in operation["responses"]
        assert "404" in operation["responses"]
    assert document["components"]["securitySchemes"]["municipalBearer"]["scheme"] == "bearer"


def test_each_municipal_token_has_its_own_rate_limit(app, world, session, client,
                                                     monkeypatch):
    monkeypatch.setitem(app.config, "LIMIT_API", "2 per minute")
    first, second = make_token(session, world), make_token(session, world, name="Tweede")
    url = f"/api/v1/gemeente/{world.m1.cbs_code}/cooperatives"
    assert [client.get(url, headers=bearer(first)).status_code for _ in range(2)] == [200, 200]
    limited = client.get(url, headers=bearer(first))
    assert limited.status_code == 429 and limited.json["code"] == "rate_limited"
    assert "Retry-After" in limited.headers
    assert client.get(url, headers=bearer(second)).status_code == 200


def test_a_consulents_token_reads_aggregates_only(app, world, session, client):
    """Tokens carry the maker's role, but the API has no client progress for any role."""
    session.execute(update(MunicipalityMembership).where(
        MunicipalityMembership.user_id == world.officer1.id).values(
        role=MunicipalRole.CONSULENT))
    session.commit()
    value = make_token(session, world)
    row = session.scalar(select(MunicipalApiToken).where(
        MunicipalApiToken.municipality_id == world.m1.id))
    assert row.role == MunicipalRole.CONSULENT
    municipal_rules = [r.rule for r in app.url_map.iter_rules()
                       if r.rule.startswith("/api/v1/gemeente/")]
    assert sorted(municipal_rules) == ["/api/v1/gemeente/<cbs:cbs_code>/cooperatives",
                                       "/api/v1/gemeente/<cbs:cbs_code>/reports"]
    clients = client.get(f"/api/v1/gemeente/{world.m1.cbs_code}/clienten",
                         headers=bearer(value))
    assert clients.status_code == 404 and clients.mimetype == "application/problem+json"
