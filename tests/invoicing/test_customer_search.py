"""The customer pickers of the invoice list and the new invoice: a select for a few customers, a
plain search (GET, no JavaScript) above CUSTOMER_SELECT_LIMIT, with statements per page that do
not grow with the number of customers."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from blueprints.invoicing import services
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helpers import login, post
from tests.invoicing.invoice_world import customer, finance

TODAY = date.today()
SEARCHED = "Woningstichting Zonnehoek"


def _add_customers(session, tenant, n: int, start: int = 0) -> None:
    with tenant_context(session, tenant.id):
        for i in range(start, start + n):
            customer(session, name=f"Bewoner {i:03d}")
        session.commit()


@pytest.fixture
def coop(make, session):
    """A cooperative with finance settings, 60 customers (one of them a housing corporation)
    and an admin."""
    tenant = make.tenant(name="Buurtwerk Zwolle")
    admin = make.member(tenant, Role.ADMIN)
    with tenant_context(session, tenant.id):
        finance(session)
        searched = customer(session, name=SEARCHED).id
        session.commit()
    _add_customers(session, tenant, 59)
    yield tenant, admin, searched
    session.rollback()


def _get(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _options(html: str) -> int:
    return html.count("<option")


def test_a_few_customers_keep_the_select(client, make, session):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    with tenant_context(session, tenant.id):
        finance(session)
        session.commit()
    _add_customers(session, tenant, 3)
    login(client, admin)
    for path, name in ((f"/{tenant.slug}/facturen/", "klant"),
                       (f"/{tenant.slug}/facturen/nieuw", "customer")):
        html = _get(client, path)
        select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
        assert select and select.group(0).count("<option") == 4, path  # "all" + 3
        assert 'name="klant_zoek"' not in html


def test_the_invoice_list_searches_customers_instead_of_listing_60(client, coop):
    tenant, admin, searched = coop
    login(client, admin)
    url = f"/{tenant.slug}/facturen/"
    html = _get(client, url)
    assert 'name="klant"' not in html and 'name="klant_zoek"' in html
    assert _options(html) < 20  # the status, year and kind selects only

    html = _get(client, url + "?klant_zoek=zonneH&status=")
    links = re.findall(r'href="([^"]*klant=(\d+)[^"]*)"', html)
    assert [int(i) for _, i in links] == [searched]
    assert "klant_zoek" not in links[0][0]  # picking ends the search

    html = _get(client, url + f"?klant={searched}")
    assert SEARCHED in html and f'name="klant" value="{searched}"' in html
    assert 'name="klant_zoek"' not in html

    html = _get(client, url + "?klant_zoek=bestaat-niet")
    assert "Geen klant gevonden" in html


def test_a_new_invoice_picks_its_customer_by_search(client, session, coop):
    tenant, admin, searched = coop
    login(client, admin)
    url = f"/{tenant.slug}/facturen/nieuw"
    html = _get(client, url)
    assert 'name="customer"' not in html and _options(html) < 5
    assert 'method="get"' in html and 'name="klant_zoek"' in html

    html = _get(client, url + "?klant_zoek=hoek")
    assert re.findall(r'/facturen/nieuw\?klant=(\d+)', html) == [str(searched)]

    html = _get(client, url + f"?klant={searched}")
    assert f'name="customer" value="{searched}"' in html and SEARCHED in html
    response = post(client, url + f"?klant={searched}", {
        "customer": str(searched), "period_start": (TODAY - timedelta(days=30)).isoformat(),
        "period_end": TODAY.isoformat()}, token_from=url + f"?klant={searched}")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert re.search(r"/facturen/(\d+)$", response.headers["Location"])


def test_another_tenants_customer_is_neither_found_nor_picked(client, make, session, coop):
    tenant, admin, _searched = coop
    other = make.tenant()
    with tenant_context(session, other.id):
        foreign = customer(session, name="Zonnehoek Elders").id
        session.commit()
    login(client, admin)
    html = _get(client, f"/{tenant.slug}/facturen/nieuw?klant_zoek=Elders")
    assert "Zonnehoek Elders" not in html and "Geen klant gevonden" in html
    html = _get(client, f"/{tenant.slug}/facturen/nieuw?klant={foreign}")
    assert f'value="{foreign}"' not in html and 'name="klant_zoek"' in html


def test_search_is_literal_and_bounded(session, coop):
    tenant, _admin, _searched = coop
    with tenant_context(session, tenant.id):
        assert services.search_customers(session, "%") == []
        assert services.search_customers(session, "_") == []
        found = services.search_customers(session, "bewoner")
        assert len(found) == services.CUSTOMER_SEARCH_LIMIT
        assert [c.name for c in found] == sorted(c.name for c in found)
        assert services.customers_for_choice(session) is None
    session.rollback()


def test_statements_do_not_grow_with_the_customers(client, session, count_queries, coop):
    tenant, admin, searched = coop
    login(client, admin)
    paths = [f"/{tenant.slug}/facturen/", f"/{tenant.slug}/facturen/?klant_zoek=bewoner",
             f"/{tenant.slug}/facturen/?klant={searched}", f"/{tenant.slug}/facturen/nieuw",
             f"/{tenant.slug}/facturen/nieuw?klant_zoek=bewoner",
             f"/{tenant.slug}/facturen/nieuw?klant={searched}"]

    def counts():
        out = []
        for path in paths:
            client.get(path)
            with count_queries() as n:
                _get(client, path)
            out.append(n())
        return out

    at_60 = counts()
    _add_customers(session, tenant, 140, start=100)
    assert counts() == at_60
