"""A help request names its customer (who gets the invoice) at intake or later, and a done
punch-card job is paid from the customer's punch cards on the request's page."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from blueprints.customers import services as customers
from blueprints.helprequests.models import HelpRequest, RequestStatus
from blueprints.punchcards import services as punchcards
from blueprints.punchcards.models import PunchCardUse
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.customers.builders import card, customer, punch_job
from tests.helpers import login, post
from tests.helprequests.builders import job

INTAKE = {"source": "telefoon", "partner_name": "", "name": "Mevrouw Peters",
          "street": "Lindenlaan 4", "kind": "tuin", "description": "Heg knippen",
          "needs_vog": "", "payer": "bewoner", "price_agreement": "strippenkaart", "price": ""}


@pytest.fixture
def coop(make):
    tenant = make.tenant(name="Kluswinkel Lelystad")
    coach = make.member(tenant, Role.SUPERVISOR, name="Ahmed El Khatib")
    admin = make.member(tenant, Role.ADMIN, name="Sanne Admin")
    return tenant, coach, admin, Actor(user_id=admin.id, email=admin.email)


def _customers(session, tenant, actor, *names, archived=()):
    ids = []
    with tenant_context(session, tenant.id):
        for name in names:
            c = customer(session, actor, name=name)
            if name in archived:
                customers.archive_customer(session, actor, c)
            ids.append(c.id)
        session.commit()
    return ids


def _requests(session, tenant):
    with tenant_context(session, tenant.id):
        rows = session.execute(select(HelpRequest.requester_name, HelpRequest.customer_id)).all()
    session.rollback()
    return rows


def test_intake_offers_the_active_customers_by_name_and_links_one(client, coop, session):
    tenant, coach, _, actor = coop
    zuid, peters, oud = _customers(session, tenant, actor, "Zuiderhuis", "bakkerij Peters",
                                   "Oud Archief", archived=("Oud Archief",))
    login(client, coach)
    path = f"/{tenant.slug}/hulpvragen/nieuw"
    form = client.get(path).get_data(as_text=True)
    assert form.index("bakkerij Peters") < form.index("Zuiderhuis")
    assert "Oud Archief" not in form and 'for="customer"' in form
    response = post(client, path, dict(INTAKE, customer=str(peters)), token_from=path)
    assert response.status_code == 302
    assert _requests(session, tenant) == [("Mevrouw Peters", peters)]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "bakkerij Peters" in page


@pytest.mark.parametrize("which,message", [
    ("foreign", "Deze klant bestaat niet."),
    ("archived", "Klant Oud Archief is gearchiveerd."),
    ("garbage", "Deze klant bestaat niet."),
])
def test_a_foreign_or_archived_customer_is_refused_at_intake(client, coop, make, session,
                                                             which, message):
    tenant, coach, _, actor = coop
    other = make.tenant()
    other_admin = make.member(other, Role.ADMIN)
    (foreign,) = _customers(session, other, Actor(user_id=other_admin.id), "Van Elders")
    (oud,) = _customers(session, tenant, actor, "Oud Archief", archived=("Oud Archief",))
    login(client, coach)
    path = f"/{tenant.slug}/hulpvragen/nieuw"
    value = {"foreign": str(foreign), "archived": str(oud), "garbage": "1 OR 1=1"}[which]
    response = post(client, path, dict(INTAKE, customer=value), token_from=path)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "Van Elders" not in page
    assert _requests(session, tenant) == []


def test_editing_keeps_an_archived_customer_that_was_already_linked(client, coop, session):
    tenant, coach, _, actor = coop
    with tenant_context(session, tenant.id):
        c = customer(session, actor, name="Oud Archief")
        r = job(session, actor, customer_id=c.id)
        customers.archive_customer(session, actor, c)
        session.commit()
        customer_id, request_id = c.id, r.id
    login(client, coach)
    path = f"/{tenant.slug}/hulpvragen/{request_id}/bewerken"
    form = client.get(path).get_data(as_text=True)
    assert "Oud Archief (gearchiveerd)" in form
    data = dict(INTAKE, price_agreement="gratis", payer="niemand", description="Heg en gras",
                customer=str(customer_id))
    assert post(client, path, data, token_from=path).status_code == 302
    assert _requests(session, tenant) == [("Mevrouw Peters", customer_id)]
    assert post(client, path, dict(data, customer=""), token_from=path).status_code == 302
    assert _requests(session, tenant) == [("Mevrouw Peters", None)]


def _done_punch_job(session, tenant, actor, hours_on_card=2, minutes=(90,)):
    with tenant_context(session, tenant.id):
        c = customer(session, actor)
        card(session, actor, c, hours=hours_on_card)
        r = punch_job(session, actor, c, minutes=minutes)
        session.commit()
        return c.id, r.id


def test_an_admin_settles_a_done_punch_card_job(client, coop, session):
    tenant, _, admin, actor = coop
    customer_id, request_id = _done_punch_job(session, tenant, actor)
    login(client, admin)
    show = f"/{tenant.slug}/hulpvragen/{request_id}/"
    page = client.get(show).get_data(as_text=True)
    assert "Nog op de strippenkaart van Mevrouw Peters" in page and "2 uur" in page
    assert "1,5 uur" in page and "Afschrijven van strippenkaart" in page
    response = post(client, f"/{tenant.slug}/hulpvragen/{request_id}/strippenkaart",
                    token_from=show, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "zijn van de strippenkaart afgeschreven" in page and "Gefactureerd" in page
    assert "Afschrijven van strippenkaart" not in page
    with tenant_context(session, tenant.id):
        assert session.scalar(select(HelpRequest.status).where(
            HelpRequest.id == request_id)) == RequestStatus.INVOICED
        c = customers.get_customer(session, customer_id)
        assert punchcards.customer_punch_balance(session, c) == 30
    session.rollback()
    detail = client.get(f"/{tenant.slug}/klanten/{customer_id}/").get_data(as_text=True)
    assert "1,5 uur afgeschreven" in detail and "hulpvraag 20" in detail


def test_settling_with_too_little_on_the_card_is_refused(client, coop, session):
    tenant, _, admin, actor = coop
    _, request_id = _done_punch_job(session, tenant, actor, hours_on_card=1, minutes=(90,))
    login(client, admin)
    show = f"/{tenant.slug}/hulpvragen/{request_id}/"
    assert "Er staat te weinig op de strippenkaart voor deze klus." in \
        client.get(show).get_data(as_text=True)
    page = post(client, f"/{tenant.slug}/hulpvragen/{request_id}/strippenkaart",
                token_from=show, follow_redirects=True).get_data(as_text=True)
    assert "Er staat te weinig op de strippenkaart: nog 1 uur, nodig 1,5 uur." in page
    with tenant_context(session, tenant.id):
        assert session.scalar(select(HelpRequest.status).where(
            HelpRequest.id == request_id)) == RequestStatus.DONE
        assert session.scalar(select(func.count()).select_from(PunchCardUse)) == 0
    session.rollback()


def test_a_supervisor_sees_the_balance_but_cannot_settle(client, coop, session):
    tenant, coach, _, actor = coop
    _, request_id = _done_punch_job(session, tenant, actor)
    login(client, coach)
    show = f"/{tenant.slug}/hulpvragen/{request_id}/"
    page = client.get(show).get_data(as_text=True)
    assert "Nog op de strippenkaart van Mevrouw Peters" in page
    assert "Afschrijven van strippenkaart" not in page
    assert "Een beheerder schrijft de uren van de strippenkaart af." in page
    response = post(client, f"/{tenant.slug}/hulpvragen/{request_id}/strippenkaart",
                    token_from=show)
    assert response.status_code == 403
