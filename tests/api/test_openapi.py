"""The OpenAPI document: valid JSON, OpenAPI 3.1, bearer security, and true to the URL map and
to the answers the API really gives (checked against its own schemas)."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest

from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, TrajectoryKind
from tenants.actor import Actor
from tests.api.conftest import bearer

DOC = "/api/v1/openapi.json"
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture
def document(client):
    response = client.get(DOC)  # public: no token
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return json.loads(response.get_data(as_text=True))


def test_the_document_is_openapi_3_1_with_bearer_security(document):
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] and document["info"]["version"]
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        **document["components"]["securitySchemes"]["bearerAuth"],
        "type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearerAuth": []}]
    assert document["paths"][DOC]["get"]["security"] == []


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule)


def test_the_document_and_the_url_map_agree_both_ways(app, document):
    routes = {(_openapi_path(r.rule), m.lower()) for r in app.url_map.iter_rules()
              if r.rule.startswith("/api/v1/") for m in r.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, item in document["paths"].items()
                  for method in item if method in METHODS}
    assert routes == documented
    for path, item in document["paths"].items():
        for operation in (op for m, op in item.items() if m in METHODS):
            params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert params == set(re.findall(r"{(\w+)}", path)), path


def test_every_reference_resolves(document):
    refs = re.findall(r'"\$ref": "#/([^"]+)"', json.dumps(document))
    assert refs
    for ref in refs:
        node = document
        for part in ref.split("/"):
            node = node[part]


def _check(schema: dict, value, document: dict, where: str = "$") -> None:
    """Just enough of JSON Schema for our own document: $ref, oneOf, type, enum, object, array."""
    if "$ref" in schema:
        node = document
        for part in schema["$ref"][2:].split("/"):
            node = node[part]
        return _check(node, value, document, where)
    if "oneOf" in schema:
        matches = 0
        for option in schema["oneOf"]:
            try:
                _check(option, value, document, where)
                matches += 1
            except AssertionError:
                pass
        assert matches == 1, f"{where}: {value!r} matches {matches} of oneOf"
        return None
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        python = {"string": str, "integer": int, "number": (int, float), "boolean": bool,
                  "object": dict, "array": list, "null": type(None)}
        assert any(isinstance(value, python[t]) and not (t in ("integer", "number") and
                                                       isinstance(value, bool))
                   for t in types), f"{where}: {value!r} is not {types}"
    if value is None:
        return None
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if "pattern" in schema:
        assert re.search(schema["pattern"], value), f"{where}: {value!r}"
    if isinstance(value, dict) and "properties" in schema:
        assert set(schema.get("required", [])) <= set(value), f"{where}: missing keys"
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(schema["properties"]), \
                f"{where}: undocumented {set(value) - set(schema['properties'])}"
        for key, item in value.items():
            _check(schema["properties"][key], item, document, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _check(schema["items"], item, document, f"{where}[{i}]")
    return None


def _schema_of(document, path, status="200"):
    response = document["paths"][path]["get"]["responses"][status]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    # errors are problem details (RFC 9457): application/problem+json
    media = "application/json" if status.startswith("2") else "application/problem+json"
    return response["content"][media]["schema"]


def test_the_answers_match_the_documented_schemas(client, coop, document, issue, person,
                                                  session):
    from sqlalchemy import select

    from blueprints.participants.models import Participant
    from tenants.tenancy import tenant_context

    tenant, _, coach = coop
    pid = person(tenant, coach, first_name="Fatma", last_name="Yilmaz", neighbourhood="Noord",
                 paying_municipality_code="0758", date_of_birth=date(1970, 5, 1))
    with tenant_context(session, tenant.id):
        p = session.scalar(select(Participant).where(Participant.id == pid))
        trajectories.create_trajectory(session, Actor(coach.id, coach.email), p,
                                       trajectories.TrajectoryData(
            kind=TrajectoryKind.BASIC_JOB, starts_on=date(2026, 1, 5), hours_per_week="32",
            funding=Funding.OWN, job_coach_id=coach.id))
        session.commit()
    headers = bearer(issue(coach, tenant))
    base = f"/api/v1/{tenant.slug}"
    for url, path in [
        ("/api/v1/me", "/api/v1/me"),
        (f"{base}/participants", "/api/v1/{tenant_slug}/participants"),
        (f"{base}/participants/{pid}", "/api/v1/{tenant_slug}/participants/{participant_id}"),
        (f"{base}/participants/{pid}/trajectories",
         "/api/v1/{tenant_slug}/participants/{participant_id}/trajectories"),
    ]:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        _check(_schema_of(document, path), response.json, document, url)
    for status, url, extra in [("401", "/api/v1/me", {}),
                               ("404", f"{base}/participants/1", headers),
                               ("400", f"{base}/participants?page=x", headers)]:
        response = client.get(url, headers=extra)
        assert response.status_code == int(status)
        path = "/api/v1/me" if status == "401" else (
            "/api/v1/{tenant_slug}/participants" if status == "400"
            else "/api/v1/{tenant_slug}/participants/{participant_id}")
        _check(_schema_of(document, path, status), response.json, document, url)


def test_the_admin_answers_match_the_documented_schemas(client, coop, document, admin_api,
                                                        books, issue):
    """Invoices (sent, draft, credit note), customers and budgets against their schemas; the
    error answers too; the downloads have the documented media types."""
    tenant, _, coach = coop
    base = "/api/v1/{tenant_slug}"
    invoice = f"{base}/invoices/{{invoice_id}}"
    for url, path in [
        ("invoices", f"{base}/invoices"),
        ("invoices?status=concept", f"{base}/invoices"),
        (f"invoices/{books['garden']}", invoice),
        (f"invoices/{books['fees']}", invoice),
        (f"invoices/{books['credit']}", invoice),
        (f"invoices/{books['draft']}", invoice),
        ("customers", f"{base}/customers"),
        ("budgets", f"{base}/budgets"),
    ]:
        response = admin_api(url)
        assert response.status_code == 200, url
        _check(_schema_of(document, path), response.json, document, url)
    for url, path, media in [(f"invoices/{books['fees']}/ubl", f"{invoice}/ubl",
                              "application/xml"),
                             (f"invoices/{books['fees']}/pdf", f"{invoice}/pdf",
                              "application/pdf")]:
        response = admin_api(url)
        assert response.status_code == 200 and response.mimetype == media
        assert list(document["paths"][path]["get"]["responses"]["200"]["content"]) == [media]
    supervisor = bearer(issue(coach, tenant))
    for status, url, path in [
        ("400", "invoices?year=x", f"{base}/invoices"),
        ("404", "invoices/1", invoice),
        ("422", f"invoices/{books['garden']}/ubl", f"{invoice}/ubl"),
    ]:
        response = admin_api(url)
        assert response.status_code == int(status), url
        _check(_schema_of(document, path, status), response.json, document, url)
    response = client.get(f"/api/v1/{tenant.slug}/budgets", headers=supervisor)
    assert response.status_code == 403
    _check(_schema_of(document, f"{base}/budgets", "403"), response.json, document, "403")
