"""The board role (bestuur): the reports' figures and the value estimate, nothing personal.
Every other tenant URL, taken from the URL map so that later routes are covered too, refuses
a board member: 404 for a report's drill-down to named records, 403 for the rest, the start
page leads to the reports; the navigation shows only the reports."""
from __future__ import annotations

import re

from tenants.models import Role
from tests.helpers import csrf_token
from tests.kernel.test_access import _fill, _method, tenant_rules
from tests.reports.test_report import Q2_ARGS, hand_data, login

#: the views a board member may open (tenants.web.require_role(..., board=True))
BOARD_PAGES = {"reports.index", "reports.export", "reports.value_page",
               "reports.value_export"}
NAV_RE = re.compile(r'class="site-nav__link[^"]*" href="[^"]*"[^>]*>([^<]+)</a>')


def _names(coop):
    return [f"{p.first_name} {p.last_name}" for p, _t in coop.people]


def test_a_board_member_sees_the_figures_and_no_name(coop, client, make):
    hand_data(coop)
    board = make.member(coop.tenant, Role.BOARD)
    login(client, board)
    slug = coop.tenant.slug
    start = client.get(f"/{slug}/")
    assert start.status_code == 302 and start.headers["Location"].endswith(f"/{slug}/rapportage")
    page = client.get(f"/{slug}/rapportage?{Q2_ARGS}").get_data(as_text=True)
    assert "Goedgekeurde uren" in page and "8,5 uur" in page
    assert "/rapportage/uren" not in page and "/rapportage/uitstroom" not in page  # no drill
    assert "/rapportage/nazorg" not in page and "/rapportage/planning" not in page
    value = client.get(f"/{slug}/rapportage/waarde?{Q2_ARGS}").get_data(as_text=True)
    assert "Bespaarde uitkeringen" in value and "/rapportage/waarde/aanname/" not in value
    for body in (page, value, client.get(f"/{slug}/rapportage/export.csv?{Q2_ARGS}")
                 .get_data(as_text=True)):
        for name in _names(coop):
            assert name not in body
    assert "Bestuur" in client.get("/kies-organisatie").get_data(as_text=True)
    assert set(NAV_RE.findall(page)) == {"Rapportage", "Waarde van het werk", "Mijn account",
                                         "Wissel organisatie"}


def test_a_board_member_is_refused_every_other_tenant_url(app, coop, client, make):
    hand_data(coop)
    board = make.member(coop.tenant, Role.BOARD)
    login(client, board)
    token = csrf_token(client, "/account")
    checked = 0
    for rule in tenant_rules(app):
        if rule.endpoint in BOARD_PAGES or rule.endpoint == "dashboard.index":
            continue
        url = _fill(rule.rule, tenant_slug=coop.tenant.slug)
        if _method(rule) == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        expected = 404 if rule.endpoint.startswith("reports.") else 403
        assert response.status_code == expected, f"{_method(rule)} {url}: {response.status_code}"
        body = response.get_data(as_text=True)
        assert ("geen toegang" if expected == 403 else "niet gevonden") in body.lower(), url
        for name in _names(coop):
            assert name not in body, url
        checked += 1
    assert checked > 50


def test_a_board_member_cannot_change_assumptions_or_follow_ups(coop, client, make):
    board = make.member(coop.tenant, Role.BOARD)
    login(client, board)
    token = csrf_token(client, "/account")
    slug = coop.tenant.slug
    assert client.post(f"/{slug}/rapportage/waarde/aanname/dode_last", data={
        "csrf_token": token, "dode_last-value": "10", "dode_last-source": "x"}).status_code == 404


def test_an_admin_can_invite_a_board_member(coop, client):
    login(client, coop.admin)
    page = client.get(f"/{coop.tenant.slug}/team/").get_data(as_text=True)
    assert "Bestuur (alleen rapportage, niets persoonlijks)" in page
