"""Tenancy and roles on the API, generated from the URL map like tests/kernel/test_access.py.

Every route under /api/v1/ is covered: a new API route needs nothing here, unless it takes a
new kind of id argument (then add an object for it to `foreign` below; the test fails until
it has one).
- no token: 401 everywhere but the public document;
- a token of tenant A on tenant B's URL: 404, the same answer as an unknown tenant;
- tenant B's object ids under A's URL, with A's (admin) token: 404, never B's data;
- a participant's token: 403 everywhere;
- a supervisor's token: 403 on the admin-only routes (invoices, customers, budgets), and the
  OpenAPI document marks exactly those.
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import update

from blueprints.participants import services as participants
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, TrajectoryKind
from tenants.actor import Actor
from tenants.models import Membership, Role
from tenants.tenancy import tenant_context
from tests.api.conftest import bearer
from tests.invoicing.doc_builders import L, finance, invoice, municipality

SECRET = "Geheimnaam"
ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def api_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")]
    assert len(rules) >= 5
    return [r for r in rules
            if not getattr(app.view_functions[r.endpoint], "_public_api_view", False)]


def _url(rule, **values) -> str:
    return ARG.sub(lambda m: str(values.get(m.group(2), 1)), rule.rule)


def _call(client, rule, url, token=None):
    headers = bearer(token) if token else {}
    method = "GET" if "GET" in rule.methods else min(rule.methods - {"HEAD", "OPTIONS"})
    return client.open(url, method=method, headers=headers)


@pytest.fixture
def foreign(make, session):
    """Tenant B with one object of every kind, its admin, and the ids by URL argument name.

    The invoice is sent, to a municipality: every route, its PDF and UBL too, answers 200 to
    B's own admin."""
    b = make.tenant(name="Coöperatie Elders")
    admin = make.member(b, Role.ADMIN, name=SECRET)
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, b.id):
        person = participants.create_participant(session, actor, participants.ParticipantData(
            first_name=SECRET, last_name="Elders", notes=f"{SECRET} notitie"))
        trajectories.create_trajectory(session, actor, person, trajectories.TrajectoryData(
            kind=TrajectoryKind.VOLUNTEER, starts_on=date(2026, 1, 5), hours_per_week="8",
            funding=Funding.SUBSIDY))
        bill = invoice(session, finance(session), municipality(session),
                       [L(f"{SECRET} tuinonderhoud", "2", 2500)], number=1)
        session.commit()
        return b, admin, {"participant_id": person.id, "invoice_id": bill.id}


def test_every_api_route_but_the_document_needs_a_token(app, client, coop):
    tenant, *_ = coop
    for rule in api_rules(app):
        response = _call(client, rule, _url(rule, tenant_slug=tenant.slug, cbs_code="0000"))
        assert response.status_code == 401, rule.rule
        assert response.json["error"]["code"] == "missing_token"


def test_a_token_of_tenant_a_on_tenant_bs_urls_is_404(app, client, coop, foreign, issue):
    tenant, _, coach = coop
    b, b_admin, ids = foreign
    token = issue(coach, tenant)
    unknown = None
    checked = 0
    for rule in api_rules(app):
        if "tenant_slug" not in rule.arguments:
            continue
        response = _call(client, rule, _url(rule, tenant_slug=b.slug, **ids), token)
        assert response.status_code == 404, rule.rule
        body = response.get_data(as_text=True)
        assert SECRET not in body and b.name not in body
        missing = _call(client, rule, _url(rule, tenant_slug="bestaat-niet-xyz", **ids), token)
        assert missing.status_code == 404
        unknown = unknown or missing.get_data()
        assert response.get_data() == unknown  # the same answer: nothing to learn
        checked += 1
    assert checked >= 3
    # B's own token does reach B's objects: the 404s above are not a broken route
    own = issue(b_admin, b)
    for rule in api_rules(app):
        if "tenant_slug" in rule.arguments:
            assert _call(client, rule, _url(rule, tenant_slug=b.slug, **ids), own
                         ).status_code == 200, rule.rule


def test_another_tenants_objects_answer_404_under_ones_own_url(app, client, coop, foreign,
                                                                issue):
    tenant, admin, _ = coop
    _, _, ids = foreign
    token = issue(admin, tenant)
    checked = 0
    for rule in api_rules(app):
        id_args = [a for a in rule.arguments if a.endswith("_id")]
        if not id_args:
            continue
        missing = [a for a in id_args if a not in ids]
        assert not missing, f"add an object for {missing} ({rule.rule}) to this test"
        response = _call(client, rule, _url(rule, tenant_slug=tenant.slug, **ids), token)
        assert response.status_code == 404, rule.rule
        assert response.json["error"]["code"] == "not_found"
        assert SECRET not in response.get_data(as_text=True)
        checked += 1
    assert checked >= 2


def test_a_participants_token_is_403_everywhere(app, client, coop, issue, make, session):
    tenant, _, _ = coop
    # A participant cannot make a token: this one was made while they were still staff.
    user = make.member(tenant, Role.SUPERVISOR)
    token = issue(user, tenant)
    with tenant_context(session, tenant.id):
        session.execute(update(Membership).where(Membership.user_id == user.id)
                        .values(role=Role.PARTICIPANT))
        session.commit()
    for rule in api_rules(app):
        if "cbs_code" in rule.arguments:  # the municipal API: a cooperative's token is 401
            assert _call(client, rule, _url(rule, cbs_code="0000"), token).status_code == 401
            continue
        response = _call(client, rule, _url(rule, tenant_slug=tenant.slug), token)
        assert response.status_code == 403, rule.rule
        assert response.json["error"]["code"] == "forbidden"


def test_invoices_customers_and_budgets_are_for_admins_only(app, client, coop, issue, make,
                                                            session):
    """A supervisor's token: 403 on every admin-only route (the role is read live: the same
    token works once the supervisor becomes admin); the document marks exactly those."""
    tenant, _, coach = coop
    token = issue(coach, tenant)
    admin_only = [r for r in api_rules(app)
                  if getattr(app.view_functions[r.endpoint], "_api_role", None) == Role.ADMIN]
    assert {r.endpoint for r in admin_only} >= {
        "api.invoices", "api.invoice", "api.invoice_pdf", "api.invoice_ubl", "api.customers",
        "api.budgets", "api.report_figures"}
    for rule in admin_only:
        response = _call(client, rule, _url(rule, tenant_slug=tenant.slug), token)
        assert response.status_code == 403, rule.rule
        assert response.json["error"] == {
            "code": "forbidden",
            "message": "Alleen beheerders kunnen facturen, klanten, budgetten en rapportages "
                       "via de API lezen."}
    with tenant_context(session, tenant.id):
        session.execute(update(Membership).where(Membership.user_id == coach.id)
                        .values(role=Role.ADMIN))
        session.commit()
    assert client.get(f"/api/v1/{tenant.slug}/invoices", headers=bearer(token)
                      ).status_code == 200
    document = client.get("/api/v1/openapi.json").json
    marked = {(path, method) for path, item in document["paths"].items()
              for method, op in item.items() if op.get("x-required-role") == "admin"}
    assert marked == {(re.sub(ARG, r"{\2}", r.rule), "get") for r in admin_only}
    for path, method in marked:
        assert "Alleen voor beheerders" in document["paths"][path][method]["description"]
