"""The help-request form's customer: a select for a few customers, above
CUSTOMER_SELECT_LIMIT a search inside the form (no JavaScript: a "Zoeken" button posts the form
back with the matches as radio buttons), with statements that do not grow with the customers."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from blueprints.helprequests.models import HelpRequest
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.customers.builders import customer
from tests.helpers import login, post
from tests.helprequests.builders import job

SEARCHED = "Woningstichting Zonnehoek"
INTAKE = {"source": "telefoon", "partner_name": "", "name": "Mevrouw Peters",
          "street": "Lindenlaan 4", "kind": "tuin", "description": "Heg knippen",
          "needs_vog": "", "payer": "niemand", "price_agreement": "gratis", "price": ""}


def _add(session, tenant, actor, n: int, start: int = 0) -> None:
    with tenant_context(session, tenant.id):
        for i in range(start, start + n):
            customer(session, actor, name=f"Bewoner {i:03d}")
        session.commit()


@pytest.fixture
def coop(make, session):
    """60 customers, one of them a housing corporation, and a coach."""
    tenant = make.tenant(name="Kluswinkel Lelystad")
    coach = make.member(tenant, Role.SUPERVISOR)
    admin = make.member(tenant, Role.ADMIN)
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        searched = customer(session, actor, name=SEARCHED).id
        session.commit()
    _add(session, tenant, actor, 59)
    yield tenant, coach, actor, searched
    session.rollback()


def _saved(session, tenant):
    with tenant_context(session, tenant.id):
        rows = session.execute(select(HelpRequest.requester_name, HelpRequest.customer_id)
                               .order_by(HelpRequest.id)).all()
    session.rollback()
    return rows


def _radios(html: str) -> list[str]:
    return re.findall(r'<input type="radio"[^>]*name="customer"[^>]*value="(\d*)"', html)


def test_a_few_customers_keep_the_select(client, make, session):
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR)
    admin = make.member(tenant, Role.ADMIN)
    _add(session, tenant, Actor(user_id=admin.id, email=admin.email), 3)
    login(client, coach)
    html = client.get(f"/{tenant.slug}/hulpvragen/nieuw").get_data(as_text=True)
    select_ = re.search(r'<select[^>]*name="customer".*?</select>', html, re.S)
    assert select_ and select_.group(0).count("<option") == 4  # "no customer" + 3
    assert 'name="klant_zoek"' not in html


def test_sixty_customers_are_searched_not_listed_and_the_pick_is_saved(client, session, coop):
    tenant, coach, _actor, searched = coop
    login(client, coach)
    path = f"/{tenant.slug}/hulpvragen/nieuw"
    html = client.get(path).get_data(as_text=True)
    assert '<select id="customer"' not in html and 'name="klant_zoek"' in html
    assert "Bewoner 001" not in html and _radios(html) == [""]

    # "Zoeken" posts the form back: nothing saved, what was typed kept, the matches offered
    response = post(client, path, dict(INTAKE, klant_zoek="zonneH", klant_zoeken="1"),
                    token_from=path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _radios(html) == ["", str(searched)] and "Lindenlaan 4" in html
    assert _saved(session, tenant) == []

    response = post(client, path, dict(INTAKE, customer=str(searched)), token_from=path)
    assert response.status_code == 302, re.findall(r'<p class="utrecht-paragraph">([^<]*)', response.get_data(as_text=True))
    assert _saved(session, tenant) == [("Mevrouw Peters", searched)]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert SEARCHED in page


def test_saving_with_a_text_that_names_one_customer_picks_it(client, session, coop):
    tenant, coach, _actor, searched = coop
    login(client, coach)
    path = f"/{tenant.slug}/hulpvragen/nieuw"
    response = post(client, path, dict(INTAKE, klant_zoek="Bewoner", customer=""),
                    token_from=path)
    assert response.status_code == 200 and _saved(session, tenant) == []
    html = response.get_data(as_text=True)
    assert "Kies de klant uit de gevonden klanten." in html
    assert len(_radios(html)) == 1 + 20 and "Alleen de eerste 20 klanten" in html

    response = post(client, path, dict(INTAKE, klant_zoek="zonnehoek", customer=""),
                    token_from=path)
    assert response.status_code == 302
    assert _saved(session, tenant) == [("Mevrouw Peters", searched)]


def test_editing_shows_the_linked_customer_and_can_unlink_it(client, session, coop):
    tenant, coach, actor, searched = coop
    with tenant_context(session, tenant.id):
        request_id = job(session, actor, customer_id=searched).id
        session.commit()
    login(client, coach)
    path = f"/{tenant.slug}/hulpvragen/{request_id}/bewerken"
    html = client.get(path).get_data(as_text=True)
    assert _radios(html) == ["", str(searched)] and SEARCHED in html
    assert re.search(rf'value="{searched}" checked', html)
    assert post(client, path, dict(INTAKE, customer=""), token_from=path).status_code == 302
    assert _saved(session, tenant) == [("Mevrouw Peters", None)]


def test_another_tenants_customer_is_neither_found_nor_saved(client, make, session, coop):
    tenant, coach, _actor, _searched = coop
    other = make.tenant()
    other_admin = make.member(other, Role.ADMIN)
    with tenant_context(session, other.id):
        foreign = customer(session, Actor(user_id=other_admin.id), name="Zonnehoek Elders").id
        session.commit()
    login(client, coach)
    path = f"/{tenant.slug}/hulpvragen/nieuw"
    html = post(client, path, dict(INTAKE, klant_zoek="Elders", klant_zoeken="1"),
                token_from=path).get_data(as_text=True)
    assert "Zonnehoek Elders" not in html and "Geen klant gevonden" in html
    response = post(client, path, dict(INTAKE, customer=str(foreign)), token_from=path)
    assert response.status_code == 400 and _saved(session, tenant) == []


def test_statements_do_not_grow_with_the_customers(client, session, count_queries, coop):
    tenant, coach, actor, searched = coop
    with tenant_context(session, tenant.id):
        request_id = job(session, actor, customer_id=searched).id
        session.commit()
    login(client, coach)
    new = f"/{tenant.slug}/hulpvragen/nieuw"
    edit = f"/{tenant.slug}/hulpvragen/{request_id}/bewerken"

    def counts():
        out = []
        for path in (new, edit):
            client.get(path)
            with count_queries() as n:
                assert client.get(path).status_code == 200
            out.append(n())
        data = dict(INTAKE, klant_zoek="bewoner", klant_zoeken="1")
        post(client, new, data, token_from=new)
        with count_queries() as n:
            assert post(client, new, data, token_from=new).status_code == 200
        out.append(n())
        return out

    at_60 = counts()
    _add(session, tenant, actor, 140, start=100)
    assert counts() == at_60
