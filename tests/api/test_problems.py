"""Errors are RFC 9457 problem details, and hostile query values are refused calmly.

Unicode digits (`²` passes `str.isdigit()` and breaks `int()`, `٣` is accepted by `int()`), numbers
past 64 bits or past 4,300 digits, empty values and control characters: each is a 400 problem that
names the parameter, never a 500, and the document says so.
"""
from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from blueprints.api.routes.resources import participants as participant_views
from tests.api.conftest import bearer

HUGE = "9" * 5000
BAD_VALUES = ["²", "٣", "１", "9223372036854775808", HUGE, "", " 1", "+1", "1.0", "-1"]


def _assert_invalid(response, name: str):
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["type"] == "about:blank" and body["status"] == 400
    assert body["code"] == "invalid_parameter"
    assert body["detail"] == f"De parameter {name} heeft een ongeldige waarde."
    assert name in [p["name"] for p in body["invalid_params"]]


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize("path,name", [
    ("participants", "page"), ("participants", "wijk"), ("invoices", "page"),
    ("invoices", "year"), ("invoices", "customer_id"), ("customers", "page"),
    ("budgets", "year"), ("budgets", "page"),
])
def test_numbers_in_queries_are_ascii_digits_within_range(admin_api, path, name, value):
    _assert_invalid(admin_api(f"{path}?{name}={value}"), name)


@pytest.mark.parametrize("path,name", [
    ("participants", "status"), ("invoices", "status"), ("invoices", "kind"),
    ("invoices", "issued_since"), ("invoices", "updated_since"), ("customers", "kind"),
    ("customers", "archived"),
])
def test_an_empty_value_is_refused_as_the_document_says(admin_api, path, name):
    _assert_invalid(admin_api(f"{path}?{name}="), name)


@pytest.mark.parametrize("query,name", [
    ("q=a%00b", "q"), ("q=%1b[2J", "q"), ("issued_since=２０２６-01-01", "issued_since"),
    ("issued_since=20260101", "issued_since"), ("issued_since=2026-W01-1", "issued_since"),
    ("updated_since=0001-01-01T00:00:00%2B14:00", "updated_since"),
    ("updated_since=9999-12-31T23:59:59-14:00", "updated_since"),
])
def test_text_dates_and_moments_are_parsed_strictly(admin_api, query, name):
    path = "participants" if name == "q" else "invoices"
    _assert_invalid(admin_api(f"{path}?{query}"), name)


def test_the_document_bounds_every_number_and_refuses_empty_choices(client):
    document = client.get("/api/v1/openapi.json").json
    year = next(p for p in document["paths"]["/api/v1/{tenant_slug}/budgets"]["get"][
        "parameters"] if p["name"] == "year")
    assert year["schema"]["minimum"] == 2000 and "maximum" in year["schema"]
    for path, item in document["paths"].items():
        for parameter in item["get"].get("parameters", []):
            schema = parameter["schema"]
            if schema.get("type") == "integer":
                assert "maximum" in schema, (path, parameter["name"])
            if schema.get("type") == "string" and parameter["in"] == "query":
                assert "enum" in schema or "pattern" in schema or "format" in schema, (
                    path, parameter["name"])


def test_every_operation_documents_every_error_it_can_give(client):
    document = client.get("/api/v1/openapi.json").json
    responses = document["components"]["responses"]
    for path, item in document["paths"].items():
        operation = item["get"]
        statuses = set(operation["responses"])
        assert {"429", "500"} <= statuses, path
        if path.startswith("/api/v1/gemeente/"):  # the municipal API has no roles: no 403
            assert {"401", "404", "503"} <= statuses and "403" not in statuses, path
        elif path != "/api/v1/openapi.json":
            assert {"401", "403", "404", "503"} <= statuses, path
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "400" in statuses, path
        for status in statuses - {"200"}:
            name = operation["responses"][status]["$ref"].rsplit("/", 1)[1]
            assert list(responses[name]["content"]) == ["application/problem+json"]


def test_a_problem_answer_keeps_the_v1_error_member(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    body = response.json
    assert body["code"] == body["error"]["code"] == "missing_token"
    assert body["detail"] == body["error"]["message"]
    assert body["title"] == "Niet aangemeld" and body["status"] == 401


def test_the_database_gone_is_a_503_problem_with_retry_after(admin_api, coop, person,
                                                             monkeypatch):
    tenant, _, coach = coop
    pid = person(tenant, coach)

    def gone(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(participant_views.services, "participant_file", gone)
    response = admin_api(f"participants/{pid}")
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    assert response.json["code"] == "unavailable"
    assert response.headers["Cache-Control"] == "no-store"


def test_an_unknown_token_is_a_problem_with_a_bearer_challenge(client, coop):
    tenant, *_ = coop
    response = client.get(f"/api/v1/{tenant.slug}/participants",
                          headers=bearer("ww_1_" + "a" * 43))
    assert response.status_code == 401 and response.json["code"] == "invalid_token"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
