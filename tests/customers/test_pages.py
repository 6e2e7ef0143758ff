"""Customer pages through HTTP: create and edit with Dutch messages, the list with balances and
a constant query count, rates and punch cards on the detail page, and who may see them."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, insert, select

from blueprints.customers import services
from blueprints.customers.models import Customer, CustomerKind
from blueprints.punchcards.models import PunchCard, PunchCardUse
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.customers.builders import customer
from tests.helpers import login, post

GOOD = {"kind": "woningcorporatie", "name": "Woonstichting Centrada", "contact_name": "Els Bos",
        "email": "facturen@centrada.nl", "phone": "0320 123456", "street": "Kempenaar 5",
        "postcode": "8232 AB", "city": "Lelystad", "country_code": "NL",
        "kvk_number": "39030440", "oin": "", "vat_id": "", "buyer_reference": "PO-2026-17",
        "hourly_rate": "32,50", "default_vat_rate": "21", "payment_term_days": "14",
        "wants_ubl": "", "notes": ""}


@pytest.fixture
def coop(make):
    tenant = make.tenant(name="Kluswinkel Lelystad")
    admin = make.member(tenant, Role.ADMIN, name="Sanne Admin")
    return tenant, admin, Actor(user_id=admin.id, email=admin.email)


def _customer(session, tenant, actor, **kw):
    with tenant_context(session, tenant.id):
        c = customer(session, actor, **kw)
        session.commit()
        return c.id


def _count(session, tenant, model) -> int:
    with tenant_context(session, tenant.id):
        n = session.scalar(select(func.count()).select_from(model))
    session.rollback()
    return n


def test_admin_creates_a_customer_and_sees_it(client, coop, session):
    tenant, admin, _ = coop
    login(client, admin)
    path = f"/{tenant.slug}/klanten/nieuw"
    assert "Klant toevoegen" in client.get(path).get_data(as_text=True)
    response = post(client, path, GOOD, token_from=path)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for text in ("Woonstichting Centrada", "Woningcorporatie", "39030440", "PO-2026-17",
                 "€\xa032,50", "14 dagen", "Els Bos"):
        assert text in page, text
    listing = client.get(f"/{tenant.slug}/klanten/").get_data(as_text=True)
    assert "Woonstichting Centrada" in listing and "1 klant gevonden" in listing


@pytest.mark.parametrize("fields,message", [
    ({"kvk_number": "1234"}, "Een KvK-nummer heeft precies 8 cijfers."),
    ({"vat_id": "NL123456789B02"}, "Dit btw-nummer klopt niet"),
    ({"kind": "gemeente"}, "Vul bij een gemeente het OIN of het KvK-nummer in"),
    ({"default_vat_rate": "19"}, "Btw-tarief"),  # not one of the choices
    ({"payment_term_days": "200"}, "0 tot en met 120 dagen"),
    ({"name": ""}, "Vul de naam van de klant in."),
])
def test_bad_input_gets_a_dutch_message_and_no_customer(client, coop, session, fields, message):
    tenant, admin, _ = coop
    login(client, admin)
    data = dict(GOOD)
    data.update(fields)
    if fields.get("kind") == "gemeente":
        data["kvk_number"] = ""
    path = f"/{tenant.slug}/klanten/nieuw"
    response = post(client, path, data, token_from=path)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(session, tenant, Customer) == 0


def test_editing_shows_the_values_and_saves_changes(client, coop, session):
    tenant, admin, actor = coop
    customer_id = _customer(session, tenant, actor, hourly_rate="27,5", kvk_number="39030440")
    login(client, admin)
    path = f"/{tenant.slug}/klanten/{customer_id}/bewerken"
    form = client.get(path).get_data(as_text=True)
    assert 'value="Mevrouw Peters"' in form and 'value="27,50"' in form
    data = dict(GOOD, kind="bewoner", name="Mevrouw A. Peters", kvk_number="", hourly_rate="")
    assert post(client, path, data, token_from=path).status_code == 302
    with tenant_context(session, tenant.id):
        c = session.scalar(select(Customer).where(Customer.id == customer_id))
        assert (c.name, c.hourly_rate_cents, c.kvk_number, c.email) == (
            "Mevrouw A. Peters", None, None, "facturen@centrada.nl")
    session.rollback()


def test_rates_are_added_and_removed_on_the_customer_page(client, coop, session):
    tenant, admin, actor = coop
    customer_id = _customer(session, tenant, actor)
    login(client, admin)
    show = f"/{tenant.slug}/klanten/{customer_id}/"
    add = f"/{tenant.slug}/klanten/{customer_id}/tarieven"
    rate = {"tarief-job_kind": "tuin", "tarief-description": "", "tarief-unit": "uur",
            "tarief-price": "27,50", "tarief-vat_rate": "9"}
    assert post(client, add, rate, token_from=show).status_code == 302
    page = client.get(show).get_data(as_text=True)
    assert "Tuin" in page and "€\xa027,50 per uur" in page and "9% btw" in page
    again = post(client, add, dict(rate, **{"tarief-price": "30"}), token_from=show,
                 follow_redirects=True).get_data(as_text=True)
    assert "Deze klant heeft al een tarief voor ‘tuin’" in again
    with tenant_context(session, tenant.id):
        rate_id = services.rates_of(session, services.get_customer(session, customer_id))[0].id
    session.rollback()
    response = post(client, f"/{tenant.slug}/klanten/{customer_id}/tarieven/{rate_id}/verwijderen",
                    token_from=show, follow_redirects=True)
    assert "Het tarief is verwijderd." in response.get_data(as_text=True)
    assert "Nog geen eigen tarieven." in client.get(show).get_data(as_text=True)


def test_punch_cards_are_sold_used_and_corrected_on_the_customer_page(client, coop, session):
    tenant, admin, actor = coop
    customer_id = _customer(session, tenant, actor)
    login(client, admin)
    show = f"/{tenant.slug}/klanten/{customer_id}/"
    base = f"/{tenant.slug}/klanten/{customer_id}"
    sold = post(client, f"{base}/strippenkaarten", {
        "kaart-hours": "10", "kaart-price": "250,00", "kaart-bought_on": "2026-01-05",
        "kaart-note": "Contant"}, token_from=show, follow_redirects=True)
    page = sold.get_data(as_text=True)
    assert "De strippenkaart is vastgelegd." in page
    assert "10 uur, gekocht op 05-01-2026" in page and "€\xa0250,00" in page
    used = post(client, f"{base}/strippenkaart/afschrijven", {
        "afschrijven-hours": "2:30", "afschrijven-used_on": "2026-02-01",
        "afschrijven-note": "Ramen lappen"}, token_from=show, follow_redirects=True)
    page = used.get_data(as_text=True)
    assert "nog 7,5 uur over" in page and "2,5 uur afgeschreven" in page
    too_much = post(client, f"{base}/strippenkaart/afschrijven", {
        "afschrijven-hours": "8", "afschrijven-used_on": "2026-02-02"}, token_from=show,
        follow_redirects=True).get_data(as_text=True)
    assert "Er staat te weinig op de strippenkaart: nog 7,5 uur, nodig 8 uur." in too_much
    with tenant_context(session, tenant.id):
        card_id = session.scalar(select(PunchCard.id))
    session.rollback()
    corrected = post(client, f"{base}/strippenkaart/correctie", {
        "correctie-card": str(card_id), "correctie-hours": "1", "correctie-used_on": "2026-02-03",
        "correctie-note": "Te veel afgeschreven"}, token_from=show,
        follow_redirects=True).get_data(as_text=True)
    assert "De correctie is vastgelegd." in corrected and "nog 8,5 uur over" in corrected
    assert "1 uur teruggezet" in corrected
    assert _count(session, tenant, PunchCardUse) == 2


def test_archiving_from_the_page(client, coop, session):
    tenant, admin, actor = coop
    customer_id = _customer(session, tenant, actor)
    login(client, admin)
    show = f"/{tenant.slug}/klanten/{customer_id}/"
    page = post(client, f"/{tenant.slug}/klanten/{customer_id}/archiveren", token_from=show,
                follow_redirects=True).get_data(as_text=True)
    assert "De klant is gearchiveerd." in page and "Uit het archief halen" in page
    listing = client.get(f"/{tenant.slug}/klanten/").get_data(as_text=True)
    assert "0 klanten gevonden" in listing
    listing = client.get(f"/{tenant.slug}/klanten/?archief=y").get_data(as_text=True)
    assert "Mevrouw Peters" in listing and "gearchiveerd" in listing


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.SUPERVISOR])
def test_customers_are_for_admins_only(client, coop, make, session, role):
    tenant, _, actor = coop
    customer_id = _customer(session, tenant, actor)
    user = make.member(tenant, role)
    login(client, user)
    for path in ("/klanten/", "/klanten/nieuw", f"/klanten/{customer_id}/"):
        assert client.get(f"/{tenant.slug}{path}").status_code == 403


def test_another_tenants_customer_is_404(client, coop, make, session):
    tenant, admin, _ = coop
    other = make.tenant()
    other_admin = make.member(other, Role.ADMIN)
    foreign_id = _customer(session, other, Actor(user_id=other_admin.id), name="Geheime Klant")
    login(client, admin)
    for path in (f"/klanten/{foreign_id}/", f"/klanten/{foreign_id}/bewerken"):
        response = client.get(f"/{tenant.slug}{path}")
        assert response.status_code == 404
        assert "Geheime Klant" not in response.get_data(as_text=True)
    response = post(client, f"/{tenant.slug}/klanten/{foreign_id}/strippenkaarten",
                    {"kaart-hours": "10", "kaart-price": "1", "kaart-bought_on": "2026-01-05"})
    assert response.status_code == 404
    assert _count(session, other, PunchCard) == 0


def _bulk(session, tenant, n, start):
    """`n` customers, each with two punch cards and a use on each card."""
    with tenant_context(session, tenant.id):
        for i in range(start, start + n):
            c = Customer(kind=CustomerKind.RESIDENT, name=f"Klant {i:04d}", city="Lelystad")
            session.add(c)
            session.flush()
            for bought in (date(2026, 1, 5), date(2026, 2, 5)):
                k = PunchCard(customer_id=c.id, minutes_bought=600, price_cents=25000,
                              bought_on=bought)
                session.add(k)
                session.flush()
                session.add(PunchCardUse(punch_card_id=k.id, minutes=90, used_on=bought))
        session.commit()


def test_the_list_costs_the_same_queries_for_3_and_30_customers(client, coop, session,
                                                                 count_queries):
    tenant, admin, _ = coop
    login(client, admin)
    url = f"/{tenant.slug}/klanten/?q=klant"

    def measure():
        client.get(url)
        with count_queries() as n:
            response = client.get(url)
            assert response.status_code == 200
        return n(), response.get_data(as_text=True)

    _bulk(session, tenant, 3, 1)
    few, html = measure()
    assert "3 klanten gevonden" in html and "17 uur" in html  # 20 bought, 3 used
    _bulk(session, tenant, 27, 100)
    many, html = measure()
    assert many == few, f"{few} queries with 3 customers, {many} with 30"
    assert "30 klanten gevonden" in html and "Pagina 1 van 2" in html


def test_the_list_costs_the_same_statements_for_10_and_1000_customers(client, coop, session,
                                                                     count_queries):
    """A page of 25 whatever the number of customers: the count, the page, its balances."""
    tenant, admin, _ = coop
    login(client, admin)
    url = f"/{tenant.slug}/klanten/?q=grootklant"

    def measure(path=url):
        client.get(path)
        with count_queries() as n:
            response = client.get(path)
            assert response.status_code == 200
        return n(), response.get_data(as_text=True)

    with tenant_context(session, tenant.id):  # 10 with punch cards
        for i in range(10):
            c = Customer(kind=CustomerKind.RESIDENT, name=f"Grootklant {i:04d}", city="Emmen")
            session.add(c)
            session.flush()
            session.add(PunchCard(customer_id=c.id, minutes_bought=600, price_cents=25000,
                                  bought_on=date(2026, 1, 5)))
        session.commit()
    few, html = measure()
    assert "10 klanten gevonden" in html and html.count('class="utrecht-link" href="/') >= 10
    with tenant_context(session, tenant.id):  # and 990 without, in bulk
        session.execute(insert(Customer), [dict(
            tenant_id=tenant.id, kind=CustomerKind.HOUSING, name=f"Grootklant {i:04d}",
            city="Assen") for i in range(10, 1000)])
        session.commit()
    many, html = measure()
    assert "1000 klanten gevonden" in html and "Pagina 1 van 40" in html
    # the login's statements, then the count, the page, the balances; PostgreSQL
    # also sets the tenant for row-level security
    assert many == few == 4 + (session.bind.dialect.name == "postgresql"), \
        f"{few} statements with 10 customers, {many} with 1,000"
    last, html = measure(url + "&page=40")
    assert last == few and "Grootklant 0999" in html


def test_a_punch_card_can_be_sold_straight_onto_a_draft_invoice(client, coop, session):
    """The admin ticks "Meteen een conceptfactuur maken": the card is sold, a draft invoice
    with one punch-card line opens; deleting the draft leaves the card sold."""
    from blueprints.invoicing.models import Invoice, InvoiceLine
    from tests.invoicing.invoice_world import finance

    tenant, admin, actor = coop
    with tenant_context(session, tenant.id):
        finance(session)
        session.commit()
    customer_id = _customer(session, tenant, actor)
    login(client, admin)
    show = f"/{tenant.slug}/klanten/{customer_id}/"
    response = post(client, f"/{tenant.slug}/klanten/{customer_id}/strippenkaarten", {
        "kaart-hours": "10", "kaart-price": "250,00", "kaart-bought_on": "2026-01-05",
        "kaart-invoice": "y"}, token_from=show)
    assert response.status_code == 302 and "/facturen/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Strippenkaart 10 uur" in page and "€\xa0250,00" in page
    with tenant_context(session, tenant.id):
        invoice_id = session.scalar(select(Invoice.id))
        card = session.scalar(select(PunchCard))
        assert card.invoice_id == invoice_id and card.minutes_bought == 600
        assert session.scalar(select(func.count()).select_from(InvoiceLine)) == 1
    session.rollback()
    deleted = post(client, f"/{tenant.slug}/facturen/{invoice_id}/verwijderen",
                   token_from=response.headers["Location"])
    assert deleted.status_code == 302
    with tenant_context(session, tenant.id):
        assert session.scalar(select(func.count()).select_from(Invoice)) == 0
        assert session.scalar(select(PunchCard.invoice_id)) is None
    session.rollback()
