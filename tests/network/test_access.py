"""Who reaches the network: members only (everything else 404); the organiser's pages are
the network admin's; a network member never reaches a cooperative's participants, hours or
invoices, through pages or the API."""
from __future__ import annotations

import pytest

from tenants.models import NetworkRole, Role
from tests.helpers import csrf_token, login, post
from tests.network.builders import meeting, network_member, person, register

ADMIN_PAGES = [
    "/netwerk/bijeenkomsten/nieuw",
    "/netwerk/bijeenkomsten/{m}/deelnemers",
    "/netwerk/bijeenkomsten/{m}/deelnemers.csv",
    "/netwerk/bijeenkomsten/{m}/deelnemers.xlsx",
    "/netwerk/bijeenkomsten/{m}/naambadges.pdf",
    "/netwerk/bijeenkomsten/{m}/aanwezig",
]


def test_a_user_outside_the_network_gets_404_everywhere_in_it(app, make, client):
    m = meeting(app)
    coop = make.tenant()
    outsider = make.member(coop, Role.ADMIN)
    login(client, outsider)
    for path in ["/netwerk/", "/netwerk/leden", f"/netwerk/bijeenkomsten/{m}/",
                 f"/netwerk/bijeenkomsten/{m}/aanmelden", *ADMIN_PAGES]:
        assert client.get(path.format(m=m)).status_code == 404, path
    response = post(client, f"/netwerk/bijeenkomsten/{m}/aanmelden",
                    {"name": "X", "email": outsider.email})
    assert response.status_code == 404


def test_a_member_sees_the_meeting_but_not_the_organisers_pages(app, make, client):
    user = network_member(app, make)
    m = meeting(app)
    register(app, user, m, person("A"))
    login(client, user)
    page = client.get(f"/netwerk/bijeenkomsten/{m}/")
    assert page.status_code == 200 and "Aanmelden" in page.get_data(as_text=True)
    assert "Deelnemer A" not in client.get("/netwerk/").get_data(as_text=True)
    for path in ADMIN_PAGES:
        assert client.get(path.format(m=m)).status_code == 404, path
    token = csrf_token(client, "/netwerk/")
    assert client.post(f"/netwerk/bijeenkomsten/{m}/plaatsen",
                       data={"csrf_token": token, "capacity": "99"}).status_code == 404


def test_a_member_cannot_cancel_someone_elses_registration(app, make, client):
    one, other = network_member(app, make), network_member(app, make)
    m = meeting(app)
    (theirs,) = register(app, one, m, person("B"))
    login(client, other)
    response = post(client, f"/netwerk/aanmelding/{theirs}/afmelden", token_from="/netwerk/")
    assert response.status_code == 404


@pytest.mark.parametrize("section", ["", "deelnemers/", "uren/", "facturen/", "klanten/",
                                     "rapportage/", "team/", "netwerk-lidmaatschap/"])
def test_a_network_member_reaches_no_page_of_a_cooperative(app, make, client, section):
    coop = make.tenant(name="Bewonerscoöperatie Geeren-Zuid")
    make.member(coop, Role.ADMIN)
    user = network_member(app, make, NetworkRole.ADMIN)
    login(client, user)
    response = client.get(f"/{coop.slug}/{section}")
    assert response.status_code == 404
    assert coop.name not in response.get_data(as_text=True)


def test_a_network_member_gets_nothing_from_the_api(app, make, client):
    coop = make.tenant(name="Buurtcoöperatie Het Lint")
    make.member(coop, Role.ADMIN)
    user = network_member(app, make, NetworkRole.ADMIN)
    login(client, user)  # a session cookie is no API credential, and no token is theirs
    for path in ("participants", "hours", "invoices", "reports/figures"):
        response = client.get(f"/api/v1/{coop.slug}/{path}")
        assert response.status_code in (401, 404), (path, response.status_code)
        assert coop.name not in response.get_data(as_text=True)
    page = client.get("/account/api-tokens").get_data(as_text=True)
    assert coop.slug not in page


def test_the_network_pages_keep_a_constant_query_count(app, make, client, count_queries):
    admin = network_member(app, make, NetworkRole.ADMIN)
    m = meeting(app, capacity=3)
    register(app, admin, m, person(1), person(2))
    login(client, admin)
    paths = ["/netwerk/", "/netwerk/leden", f"/netwerk/bijeenkomsten/{m}/",
             f"/netwerk/bijeenkomsten/{m}/deelnemers", f"/netwerk/bijeenkomsten/{m}/aanwezig"]

    def measure(path):
        client.get(path)  # warm up
        with count_queries() as n:
            assert client.get(path).status_code == 200
        return n()

    few = {p: measure(p) for p in paths}
    register(app, admin, m, *[person(i) for i in range(3, 33)])  # places, offers, waiting
    for _ in range(5):
        network_member(app, make)
    many = {p: measure(p) for p in paths}
    assert many == few


def test_a_network_member_gets_404_on_every_tenant_url(app, make, client):
    from tests.kernel.test_access import _fill, _request, tenant_rules

    coop = make.tenant(name="Bewonerscoöperatie Het Wijkhuis")
    make.member(coop, Role.ADMIN)
    user = network_member(app, make, NetworkRole.ADMIN)
    login(client, user)
    rules = tenant_rules(app)
    assert rules
    for rule in rules:
        url = _fill(rule.rule, tenant_slug=coop.slug)
        response = _request(client, rule, url)
        assert response.status_code == 404, f"{url} answered {response.status_code}"
        assert coop.name not in response.get_data(as_text=True)
