"""The report's figures through the API (admins only): the hand-computed data set of
tests/reports gives the same figures as the page, in minutes, cents and percentages; a bad
period is a 400 problem; a supervisor's token gets 403; the answer matches the document."""
from __future__ import annotations

from tenants.models import Role
from tests.api.conftest import bearer
from tests.reports.builders import coop  # noqa: F401  (the fixture: this module's coop)
from tests.reports.test_report import hand_data
from tests.reports.test_value import worked  # noqa: F401  (the fixture)

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


def test_a_template_chooses_the_rows(client, coop, issue):  # noqa: F811
    from tests.reports.test_figures import places_data

    places_data(coop)
    token = issue(coop.admin, coop.tenant)
    body = _get(client, coop, token, Q2 + "&template=financiers").json
    assert body["template"] == "financiers"
    titles = [s["title"] for s in body["sections"]]
    assert "Omzet" not in titles and "Ontwikkeling op de participatieladder" in titles
    rows = {r["key"]: r for s in body["sections"] for r in s["rows"]}
    assert (rows["time_to_outflow"]["value"], rows["time_to_outflow"]["unit"]) == (168.5, "days")
    assert (rows["ladder_up"]["value"], rows["ladder_down"]["compare"]) == (1, 1)
    assert rows["wijk_geen"]["value"] == 180 and rows["per_participant_week"]["value"] == 9
    assert body["hours_per_week"] == []  # the funder view has no weekly chart
    assert _get(client, coop, token, Q2).json["template"] == "standaard"
    assert _get(client, coop, token, Q2 + "&template=onzin").status_code == 400


def test_the_value_estimate_of_the_worked_example(client, coop, issue, worked):  # noqa: F811
    """The worked example of tests/reports/test_value.py, through the API: the same band, the
    inputs with their sources and bounds, the norms used; no names."""
    token = issue(coop.admin, coop.tenant)
    response = client.get(f"/api/v1/{coop.tenant.slug}/reports/value?period=jaar&year=2025",
                          headers=bearer(token))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["period"]["label"] == "2025"
    assert body["benefits_saved"] == {
        "low_cents": 383606, "central_cents": 639344, "high_cents": 1038030,
        "deadweight_low": 70, "deadweight": 50, "deadweight_high": 30,
        "includes_admin_cost": False}
    working = body["working"]
    assert (working["outflows"], working["confirmed_months"], working["unconfirmed_months"]) \
        == (2, 6, 5)
    assert (working["gross_cents"], working["admin_cents"], working["durability_percent"]) \
        == (1278688, 204213, 50.0)
    assert "eigen nazorg" in working["durability_source"]
    assert body["social_value"]["broad_cents"] == 177083
    inputs = {i["key"]: i for i in body["inputs"]}
    deadweight = inputs["dode_last"]
    assert (deadweight["value"], deadweight["default"], deadweight["low"], deadweight["high"],
            deadweight["own"]) == (50, 50, 0, 90, False)
    assert "Beleidsdoorlichting re-integratie" in deadweight["default_source"]
    assert deadweight["source"] == deadweight["default_source"]
    assert [(n["category"], n["valid_from"], n["monthly_cents"]) for n in body["norms"]] == [
        ("alleenstaand", "2025-01-01", 134545), ("alleenstaand", "2025-07-01", 136906),
        ("gehuwden", "2025-07-01", 195580)]
    assert "Anna" not in response.get_data(as_text=True)
    # a tenant's own deadweight: used, with its own source beside the platform's
    from blueprints.reports import value
    from tenants.tenancy import tenant_context

    with tenant_context(coop.session, coop.tenant.id):
        value.set_assumption(coop.session, coop.actor, "dode_last", 40, "Eigen onderzoek 2025")
        coop.session.commit()
    inputs = {i["key"]: i for i in client.get(
        f"/api/v1/{coop.tenant.slug}/reports/value?period=jaar&year=2025",
        headers=bearer(token)).json["inputs"]}
    assert (inputs["dode_last"]["value"], inputs["dode_last"]["own"],
            inputs["dode_last"]["source"]) == (40, True, "Eigen onderzoek 2025")
    assert inputs["dode_last"]["default"] == 50


def test_the_value_estimate_refuses_bad_calls(client, coop, issue, make):  # noqa: F811
    token = issue(coop.admin, coop.tenant)
    url = f"/api/v1/{coop.tenant.slug}/reports/value"
    assert client.get(f"{url}?period=eigen&start=2026-04-12&end=2026-04-06",
                      headers=bearer(token)).status_code == 400
    assert client.get(f"{url}?quarter=9", headers=bearer(token)).status_code == 400
    coach = make.member(coop.tenant, Role.SUPERVISOR)
    assert client.get(url, headers=bearer(issue(coach, coop.tenant))).status_code == 403
    operation = client.get("/api/v1/openapi.json").json["paths"][
        "/api/v1/{tenant_slug}/reports/value"]["get"]
    assert operation["operationId"] == "getReportValue"
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
