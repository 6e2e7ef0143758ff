"""The report's figures through the API (admins only): the hand-computed data set of
tests/reports gives the same figures as the page, in minutes, cents and percentages; a bad
period is a 400 problem; a supervisor's token gets 403; the answer matches the document."""
from __future__ import annotations

from tenants.models import Role
from tests.api.conftest import bearer
from tests.reports.builders import coop  # noqa: F401  (the fixture: this module's coop)
from tests.reports.test_report import hand_data

Q2 = "period=kwartaal&year=2026&quarter=2"


def _get(client, coop, token, query=""):
    return client.get(f"/api/v1/{coop.tenant.slug}/reports/figures?{query}",
                      headers=bearer(token))


def test_the_figures_of_the_hand_computed_set(client, coop, issue):  # noqa: F811
    hand_data(coop)
    token = issue(coop.admin, coop.tenant)
    response = _get(client, coop, token, Q2)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["period"] == {"kind": "kwartaal", "label": "Q2 2026", "start": "2026-04-01",
                              "end": "2026-06-30"}
    assert body["compare"]["label"] == "Q1 2026"
    assert body["source"] == "volgens registratie van de coöperatie"
    assert [s["title"] for s in body["sections"]] == [
        "Deelnemers en trajecten", "Uren", "Hulpvragen", "Uitstroom", "Omzet"]
    rows = {r["key"]: r for s in body["sections"] for r in s["rows"]}
    assert (rows["active"]["value"], rows["active"]["compare"]) == (5, 4)
    assert (rows["hours"]["value"], rows["hours"]["compare"], rows["hours"]["unit"]) == \
        (510, 240, "minutes")
    assert (rows["hours_vrijwilligerswerk"]["value"], rows["hours_vrijwilligerswerk"]["sub"]) \
        == (180, True)
    assert (rows["requests"]["value"], rows["outflow"]["value"]) == (3, 2)
    assert (rows["outflow_rate"]["value"], rows["outflow_rate"]["compare"]) == (40.0, 0.0)
    assert rows["to_work_rate"]["value"] == 20.0 and rows["to_work_rate"]["unit"] == "percent"
    assert (rows["invoiced"]["value"], rows["paid"]["value"], rows["paid"]["compare"]) == \
        (5000, 12100, 0)
    assert rows["outflow"]["definition"].startswith("Trajecten afgerond in de periode")
    weeks = body["hours_per_week"]
    assert len(weeks) == 14 and weeks[0] == {"week": "2026-W14", "monday": "2026-03-30",
                                             "minutes": 0}
    assert {"week": "2026-W15", "monday": "2026-04-06", "minutes": 300} in weeks
    assert sum(w["minutes"] for w in weeks) == 510
    last_year = _get(client, coop, token, Q2 + "&compare=vorig_jaar").json
    assert last_year["compare"]["label"] == "Q2 2025"
    assert {r["key"]: r["compare"] for s in last_year["sections"] for r in s["rows"]
            }["outflow_rate"] is None  # a percentage of nothing


def test_a_custom_period_and_its_mistakes(client, coop, issue):  # noqa: F811
    hand_data(coop)
    token = issue(coop.admin, coop.tenant)
    body = _get(client, coop, token, "period=eigen&start=2026-04-06&end=2026-04-12").json
    assert body["period"]["kind"] == "eigen"
    assert {r["key"]: r["value"] for s in body["sections"] for r in s["rows"]}["hours"] == 300
    assert body["compare"]["start"] == "2026-03-30"
    missing = _get(client, coop, token, "period=eigen&start=2026-04-06")
    assert missing.status_code == 400
    assert missing.headers["Content-Type"].startswith("application/problem+json")
    reversed_dates = _get(client, coop, token, "period=eigen&start=2026-04-12&end=2026-04-06")
    assert reversed_dates.status_code == 400
    assert reversed_dates.json["error"]["message"] == "De einddatum ligt vóór de begindatum."
    for bad in ("quarter=5", "month=0", "year=1999", "period=week", "start=6-4-2026",
                "compare=gisteren"):
        assert _get(client, coop, token, bad).status_code == 400, bad


def test_only_admins(client, coop, issue, make):  # noqa: F811
    coach = make.member(coop.tenant, Role.SUPERVISOR)
    response = _get(client, coop, issue(coach, coop.tenant), Q2)
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


def test_the_document_describes_the_operation(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/{tenant_slug}/reports/figures"]["get"]
    assert operation["operationId"] == "getReportFigures"
    assert operation["x-required-role"] == "admin" and operation["tags"] == ["rapportage"]
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    assert "Report" in document["components"]["schemas"]
