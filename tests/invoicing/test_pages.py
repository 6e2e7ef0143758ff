"""The invoice pages through HTTP: building a draft from hours, sending it, payments, credit
notes, overdue reminders, the customer statement; bad input; roles, tenants, query counts."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from blueprints.invoicing import services
from blueprints.invoicing.models import Invoice, InvoiceLine, InvoiceStatus, Payment, Reminder
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helpers import login, post, recorded_get
from tests.invoicing.invoice_world import customer, finance, hours, job

TODAY = date.today()
DAY = TODAY - timedelta(days=3)


def _outbox(app):
    return getattr(app.extensions["mailman"], "outbox", None) or []


@pytest.fixture
def shop(make, session):
    """A cooperative with complete settings, a customer, a participant with approved hours on
    an hourly job, and a logged-in-able admin."""
    from tests.hours.builders import add_person

    tenant = make.tenant(name="Kluswinkel Lelystad")
    admin = make.member(tenant, Role.ADMIN, name="Karin Smit")
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        finance(session)
        person, trajectory = add_person(session, actor)
        cust = customer(session)
        garden = job(session, cust, price=2000, done_on=DAY)
        entry = hours(session, person, trajectory, DAY, 150, garden)
        session.commit()
        ids = {"customer": cust.id, "entry": entry.id, "job": garden.id}
    yield tenant, admin, actor, ids
    session.rollback()


def _url(tenant, path=""):
    return f"/{tenant.slug}/facturen{path}"


def _invoice(session, tenant, invoice_id) -> Invoice:
    session.expire_all()
    with tenant_context(session, tenant.id):
        return session.scalar(select(Invoice).where(Invoice.id == invoice_id))


def _new_draft(client, tenant, customer_id):
    response = post(client, _url(tenant, "/nieuw"), {
        "customer": str(customer_id), "period_start": (TODAY - timedelta(days=30)).isoformat(),
        "period_end": TODAY.isoformat()})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(re.search(r"/facturen/(\d+)$", response.headers["Location"]).group(1))


def test_build_an_invoice_from_hours_send_it_and_get_paid(client, make, session, shop):
    tenant, admin, _actor, ids = shop
    login(client, admin)
    assert client.get(_url(tenant, "/nieuw")).status_code == 200
    invoice_id = _new_draft(client, tenant, ids["customer"])
    page = client.get(_url(tenant, f"/{invoice_id}")).get_data(as_text=True)
    assert "Conceptfactuur" in page and f'value="{ids["entry"]}"' in page
    assert "2,50 uur" in page

    response = post(client, _url(tenant, f"/{invoice_id}/uren"), {"entries": [str(ids["entry"])]},
                    follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "De uren staan op de factuur." in page
    assert "€\xa050,00" in page and "€\xa060,50" in page  # 2,5 h × € 20 + 21% btw

    # Sending needs the confirmation.
    response = post(client, _url(tenant, f"/{invoice_id}/verzenden"),
                    {"issue_date": TODAY.isoformat()}, follow_redirects=True)
    assert "Vink aan dat u de factuur heeft gecontroleerd" in response.get_data(as_text=True)
    assert _invoice(session, tenant, invoice_id).status == InvoiceStatus.DRAFT
    response = post(client, _url(tenant, f"/{invoice_id}/verzenden"),
                    {"issue_date": TODAY.isoformat(), "confirm": "y"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    number = f"F{TODAY.year}-00001"
    assert f"Factuur {number}" in page and "Betaling registreren" in page
    assert "/pdf" in page  # the PDF link (the UBL only for public customers)
    assert "/ubl" not in page

    form = client.get(_url(tenant, f"/{invoice_id}/betaling")).get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', form).group(1)
    data = {"amount": "60,50", "paid_on": TODAY.isoformat(), "method": "overboeking",
            "key": key}
    first = post(client, _url(tenant, f"/{invoice_id}/betaling"), data)
    second = post(client, _url(tenant, f"/{invoice_id}/betaling"), data)  # a double submit
    assert first.status_code == second.status_code == 302
    invoice = _invoice(session, tenant, invoice_id)
    assert (invoice.status, invoice.paid_cents) == (InvoiceStatus.PAID, 6050)
    with tenant_context(session, tenant.id):
        assert session.scalar(select(func.count()).select_from(Payment)) == 1
    listing = client.get(_url(tenant, "/")).get_data(as_text=True)
    assert number in listing and "Betaald" in listing


@pytest.mark.parametrize("data, message", [
    ({"quantity": "-2"}, "Het aantal moet groter zijn dan nul."),
    ({"vat_rate": "17"}, "Kies een bestaand btw-tarief"),
    ({"unit_price": "tien euro"}, "Vul een bedrag in euro"),
    ({"quantity": "1,234"}, "hoogstens twee cijfers achter de komma"),
])
def test_bad_line_input_is_refused_with_a_dutch_message(client, session, shop, data, message):
    tenant, admin, _actor, ids = shop
    login(client, admin)
    invoice_id = _new_draft(client, tenant, ids["customer"])
    line = {"description": "Schoonmaak portiek", "quantity": "2", "unit": "stuk",
            "unit_price": "25,00", "vat_rate": "21"}
    line.update(data)
    response = post(client, _url(tenant, f"/{invoice_id}/regels"), line, follow_redirects=True)
    assert message in response.get_data(as_text=True)
    with tenant_context(session, tenant.id):
        assert session.scalar(select(func.count()).select_from(InvoiceLine)) == 0
    assert _invoice(session, tenant, invoice_id).total_incl_cents == 0


def test_a_customer_of_another_tenant_cannot_be_invoiced(client, make, session, shop):
    tenant, admin, _actor, _ids = shop
    other = make.tenant()
    with tenant_context(session, other.id):
        foreign = customer(session, "Geheime klant")
        session.commit()
        foreign_id = foreign.id
    login(client, admin)
    response = post(client, _url(tenant, "/nieuw"), {"customer": str(foreign_id)})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Deze klant bestaat niet (meer)" in page and "Geheime klant" not in page
    with tenant_context(session, tenant.id):
        assert session.scalar(select(func.count()).select_from(Invoice)) == 0


def test_a_sent_invoice_refuses_changes_and_a_credit_beyond_its_total(client, session, shop):
    tenant, admin, actor, ids = shop
    with tenant_context(session, tenant.id):
        cust = services.get_customer(session, ids["customer"])
        draft = services.create_draft(session, actor, cust)
        line = services.add_fixed_line(session, actor, draft, "Tuin", "2", "uur", 2500, "21")
        services.finalise(session, actor, draft, TODAY)
        session.commit()
        invoice_id, line_id = draft.id, line.id
    login(client, admin)
    for path, data in [("/regels", {"description": "X", "quantity": "1", "unit": "stuk",
                                    "unit_price": "1", "vat_rate": "21"}),
                       ("/regels/verwijderen", {"line_id": str(line_id)}),
                       ("/verwijderen", {})]:
        response = post(client, _url(tenant, f"/{invoice_id}{path}"), data,
                        follow_redirects=True)
        assert "kan niet meer worden gewijzigd" in response.get_data(as_text=True), path
    invoice = _invoice(session, tenant, invoice_id)
    assert (invoice.status, invoice.total_incl_cents) == (InvoiceStatus.SENT, 6050)

    assert client.get(_url(tenant, f"/{invoice_id}/crediteren")).status_code == 200
    response = post(client, _url(tenant, f"/{invoice_id}/crediteren"), {
        "mode": "regels", f"aantal-{line_id}": "1", "reason": "Eén uur minder"},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"Creditnota C{TODAY.year}-00001" in page and f"factuur F{TODAY.year}-00001" in page
    response = post(client, _url(tenant, f"/{invoice_id}/crediteren"), {
        "mode": "regels", f"aantal-{line_id}": "1,5", "reason": "Nog meer"})
    assert response.status_code == 400
    assert "meer dan er nog openstaat" in response.get_data(as_text=True)
    invoice = _invoice(session, tenant, invoice_id)
    assert invoice.credited_cents == 3025


def test_overdue_invoices_get_a_reminder_or_a_letter(app, client, session, shop):
    tenant, admin, actor, ids = shop
    with tenant_context(session, tenant.id):
        cust = services.get_customer(session, ids["customer"])
        late = services.create_draft(session, actor, cust)
        services.add_fixed_line(session, actor, late, "Tuin", "1", "stuk", 10000, "21")
        services.finalise(session, actor, late, TODAY - timedelta(days=40))
        session.commit()
        late_id, number = late.id, late.number_text
    login(client, admin)
    page = client.get(_url(tenant, "/achterstallig")).get_data(as_text=True)
    assert number in page and "€\xa0121,00" in page
    assert '<td class="utrecht-table__cell" data-label="Dagen te laat">26</td>' in page
    before = len(_outbox(app))
    response = post(client, _url(tenant, f"/{late_id}/herinnering"), follow_redirects=True)
    assert "De herinnering is per e-mail verstuurd." in response.get_data(as_text=True)
    assert len(_outbox(app)) == before + 1
    assert "€\xa0121,00" in _outbox(app)[-1].body
    letter = client.get(_url(tenant, f"/{late_id}/herinneringsbrief"))
    assert letter.status_code == 200
    text = letter.get_data(as_text=True)
    assert "Tweede herinnering" in text and "NL91 ABNA 0417 1643 00" in text
    post(client, _url(tenant, f"/{late_id}/herinnering"), {"per_post": "1"})
    with tenant_context(session, tenant.id):
        levels = session.scalars(select(Reminder.level).order_by(Reminder.level)).all()
    assert levels == [1, 2]


def test_the_customer_statement_page(client, session, shop):
    tenant, admin, actor, ids = shop
    with tenant_context(session, tenant.id):
        cust = services.get_customer(session, ids["customer"])
        draft = services.create_draft(session, actor, cust)
        services.add_fixed_line(session, actor, draft, "Tuin", "1", "stuk", 10000, "21")
        services.finalise(session, actor, draft, TODAY)
        services.register_payment(session, actor, draft, 2100, TODAY, "contant",
                                  idempotency_key="s1")
        session.commit()
    login(client, admin)
    page = client.get(_url(tenant, f"/klant/{ids['customer']}/overzicht")).get_data(as_text=True)
    assert "Klantoverzicht Mevrouw Peters" in page
    assert "€\xa0121,00" in page and "€\xa0-21,00" in page and "€\xa0100,00" in page


def test_a_long_customer_statement_is_paged_carrying_the_balance(client, session, shop,
                                                                  monkeypatch):
    from blueprints.invoicing.routes import payments as statement_routes

    monkeypatch.setattr(statement_routes, "STATEMENT_PAGE_SIZE", 2)
    tenant, admin, actor, ids = shop
    with tenant_context(session, tenant.id):
        cust = services.get_customer(session, ids["customer"])
        for k, price in enumerate((10000, 5000)):
            draft = services.create_draft(session, actor, cust)
            services.add_fixed_line(session, actor, draft, "Tuin", "1", "stuk", price, "21")
            services.finalise(session, actor, draft, TODAY)
            if k == 0:
                services.register_payment(session, actor, draft, 2100, TODAY, "contant",
                                          idempotency_key="s1")
        session.commit()
    login(client, admin)
    url = _url(tenant, f"/klant/{ids['customer']}/overzicht")
    first = client.get(url).get_data(as_text=True)
    assert "Pagina 1 van 2" in first and "Beginsaldo" in first
    # the two invoices (121,00 and 60,50) on page 1, the payment (-21,00) on page 2
    assert "Saldo naar de volgende pagina" in first and first.count("Factuur F") == 2
    assert "€\xa0181,50" in first and "Betaling op" not in first
    assert "Eindsaldo" in first and "€\xa0160,50" in first
    second = client.get(url + "?page=2").get_data(as_text=True)
    assert "Saldo van de vorige pagina" in second and "€\xa0181,50" in second
    assert "Betaling op" in second and "€\xa0-21,00" in second and "€\xa0160,50" in second
    assert "Beginsaldo" not in second and "Factuur F" not in second


def test_a_participant_gets_403_and_another_tenants_invoice_404(app, client, make, session,
                                                                shop):
    tenant, admin, actor, ids = shop
    with tenant_context(session, tenant.id):
        draft = services.create_draft(session, actor, services.get_customer(session,
                                                                            ids["customer"]))
        session.commit()
        invoice_id = draft.id
    participant = make.member(tenant, Role.PARTICIPANT)
    login(client, participant)
    for path in ("/", "/nieuw", f"/{invoice_id}", "/achterstallig",
                 f"/klant/{ids['customer']}/overzicht", f"/{invoice_id}/betaling"):
        assert client.get(_url(tenant, path)).status_code == 403, path
    other = make.tenant()
    stranger = make.member(other, Role.ADMIN)
    elsewhere = app.test_client()
    login(elsewhere, stranger)
    assert elsewhere.get(f"/{other.slug}/facturen/{invoice_id}").status_code == 404
    assert elsewhere.get(f"/{other.slug}/facturen/klant/{ids['customer']}/overzicht") \
        .status_code == 404


def test_the_list_makes_the_same_number_of_queries_for_3_and_30_invoices(
        client, make, session, count_queries, shop):
    tenant, admin, actor, ids = shop

    def add(n):
        with tenant_context(session, tenant.id):
            for k in range(n):
                cust = customer(session, f"Klant {k:02d}")
                draft = services.create_draft(session, actor, cust)
                services.add_fixed_line(session, actor, draft, "Tuin", "1", "stuk",
                                        1000 + k, "21")
                if k % 3:
                    services.finalise(session, actor, draft, TODAY)
            session.commit()

    login(client, admin)

    def measure():
        with count_queries() as n:
            response = client.get(_url(tenant, "/"))
            assert response.status_code == 200
        return n(), response.get_data(as_text=True)

    add(3)
    few, _ = measure()
    add(27)
    many, page = measure()
    assert many == few, f"{few} queries with 3 invoices, {many} with 30"
    assert "30 facturen gevonden" in page


def test_the_overdue_list_is_paginated_with_the_same_queries_for_3_and_33(
        client, session, count_queries, shop):
    tenant, admin, actor, ids = shop
    issued = [TODAY - timedelta(days=100)]  # numbers follow the dates

    def add(n, paid=False):
        with tenant_context(session, tenant.id):
            for k in range(n):
                draft = services.create_draft(session, actor, customer(session, f"Klant {k:02d}"))
                services.add_fixed_line(session, actor, draft, "Tuin", "1", "stuk", 1000, "21")
                issued[0] += timedelta(days=1)
                services.finalise(session, actor, draft, issued[0])
                if paid:  # paid in full: not overdue, on no page and in no sum
                    services.register_payment(session, actor, draft, 1210, TODAY, "contant",
                                              idempotency_key=f"betaald-{k}")
            session.commit()

    login(client, admin)

    def measure(path="/achterstallig"):
        with count_queries() as n:
            response = client.get(_url(tenant, path))
            assert response.status_code == 200
        return n(), response.get_data(as_text=True)

    add(3)
    add(2, paid=True)
    few, page = measure()
    assert "3 achterstallige facturen" in page and "Pagina" not in page
    add(30)
    many, page = measure()
    assert many == few, f"{few} queries with 3 overdue invoices, {many} with 33"
    assert "33 achterstallige facturen" in page and "samen €\xa0399,30 open" in page
    assert page.count('data-label="Dagen te laat"') == services.OVERDUE_PAGE_SIZE == 25
    assert "Pagina 1 van 2" in page and 'page=2" rel="next"' in page
    _, last = measure("/achterstallig?page=2")
    assert last.count('data-label="Dagen te laat"') == 8 and "Pagina 2 van 2" in last


def test_payment_and_credit_pages_of_a_draft_send_back_to_the_invoice(client, session, shop):
    tenant, admin, actor, ids = shop
    with tenant_context(session, tenant.id):
        draft = services.create_draft(session, actor, services.get_customer(session,
                                                                            ids["customer"]))
        session.commit()
        invoice_id = draft.id
    login(client, admin)
    for path, message in [("/betaling", "Op deze factuur staat niets open"),
                          ("/crediteren", "Alleen een verzonden factuur")]:
        response = client.get(_url(tenant, f"/{invoice_id}{path}"), follow_redirects=True)
        assert message in response.get_data(as_text=True), path


# --- cost that does not grow with the tenant's invoices ------------------------------------

def _sqlite_plans(app, statements) -> list[str]:
    """SQLite's plan lines for the SELECTs a request made (empty on PostgreSQL)."""
    from tenants.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            return []
        with engine.connect() as conn:
            return [row[3] for sql, params in statements if sql.lstrip().startswith("SELECT")
                    for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]


def _recorded(app, client, url):
    """(statements, html) of a GET, the statements with their parameters."""
    seen, response = recorded_get(app, client, url)
    return seen, response.get_data(as_text=True)


def _bulk_invoices(session, tenant, actor, customer_id, n, first):
    """n sent invoices of €12,10 for one customer, issued on consecutive days from ~3 years
    ago, each paid €2,00 (written in bulk: the pages only read them)."""
    from sqlalchemy import insert

    from blueprints.invoicing.models import InvoiceKind, PaymentMethod
    from tenants.db import new_id

    start = TODAY - timedelta(days=1100)
    invoices, payments = [], []
    for k in range(first, first + n):
        on = start + timedelta(days=k)
        invoice_id = new_id()
        invoices.append(dict(
            tenant_id=tenant.id, id=invoice_id, kind=InvoiceKind.INVOICE,
            status=InvoiceStatus.PARTLY_PAID, customer_id=customer_id, series="T", year=on.year,
            number=k + 1, number_text=f"T{on.year}-{k + 1:05d}", issue_date=on,
            due_date=on + timedelta(days=14), total_excl_cents=1000, total_vat_cents=210,
            total_incl_cents=1210, paid_cents=200, created_by_id=actor.user_id))
        payments.append(dict(
            tenant_id=tenant.id, id=new_id(), invoice_id=invoice_id, paid_on=on,
            amount_cents=200, method=PaymentMethod.CASH, idempotency_key=f"bulk-{k}"))
    with tenant_context(session, tenant.id):
        session.execute(insert(Invoice), invoices)
        session.execute(insert(Payment), payments)
        session.commit()


def test_the_money_pages_cost_the_same_for_10_and_1000_invoices(
        app, client, session, shop):
    """The invoice list, an invoice and the customer statement make the same statements for a
    customer with 10 invoices as with 1,000; on SQLite none of their plans walks every invoice
    or payment of the tenant through a table lookup (only the list reads narrow indexes: its
    order and sums, and the years of the filter)."""
    tenant, admin, actor, ids = shop
    login(client, admin)

    def measure():
        with tenant_context(session, tenant.id):
            newest = session.scalar(select(Invoice.id).where(Invoice.series == "T")
                                    .order_by(Invoice.issue_date.desc()).limit(1))
        start = (TODAY - timedelta(days=400)).isoformat()
        pages = {"list": "/", "invoice": f"/{newest}",
                 "statement": f"/klant/{ids['customer']}/overzicht?van={start}"}
        return {name: _recorded(app, client, _url(tenant, path)) for name, path in pages.items()}

    _bulk_invoices(session, tenant, actor, ids["customer"], 10, 1090)
    few = measure()
    _bulk_invoices(session, tenant, actor, ids["customer"], 990, 100)
    many = measure()
    for name in few:
        assert [s for s, _ in many[name][0]] == [s for s, _ in few[name][0]], name
    assert "1000 facturen gevonden" in many["list"][1]
    # the statement carries the 600 invoices before its start (€10,10 open each) over
    assert "6.060,00" in many["statement"][1]
    for name, (statements, _) in many.items():
        for line in _sqlite_plans(app, statements):
            if line.startswith("SEARCH") and line.endswith("(tenant_id=?)") and (
                    " invoices " in f" {line} " or " payments " in f" {line} "):
                assert name == "list" and "COVERING INDEX" in line, f"{name}: {line}"
            assert not line.startswith("SCAN invoices") and \
                not line.startswith("SCAN payments"), f"{name}: {line}"
