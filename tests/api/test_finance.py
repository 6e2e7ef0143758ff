"""Invoices, customers and budgets through the API (admins only): what each answer holds,
filters and pages, drafts only on request, the PDF and UBL downloads, the budget audit event,
and a constant query count per list."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select

from blueprints.budgets import ledger
from blueprints.budgets.models import TransactionKind
from blueprints.customers.models import Customer, CustomerKind
from blueprints.invoicing.models import Invoice
from blueprints.participants import services as participants
from blueprints.participants.models import Participant, ParticipantStatus
from tenants.actor import Actor
from tenants.db import new_id, utcnow
from tenants.models import AuditEvent
from tenants.tenancy import tenant_context
from tests.invoicing.doc_builders import (
    L,
    customer,
    finance,
    housing,
    invoice,
    municipality,
)

NS_INVOICE = "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}"
NS_CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


@pytest.fixture
def api(admin_api):
    return admin_api


# --- invoices --------------------------------------------------------------------------------

def test_the_invoice_list_leaves_drafts_out_and_shows_totals_in_cents(api, books, coop):
    tenant, *_ = coop
    response = api("invoices")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["meta"] == {"page": 1, "per_page": 25, "total": 5, "pages": 1}
    assert [i["number"] for i in body["data"]] == [
        "C2026-00001", "F2026-00003", "F2026-00002", "F2026-00001", "F2025-00009"]
    garden = next(i for i in body["data"] if i["id"] == str(books["garden"]))
    assert garden == {
        "id": str(books["garden"]), "number": "F2026-00001", "kind": "factuur",
        "status": "deels_betaald",
        "customer": {"id": str(books["resident"]), "name": "Mevrouw Peters"},
        "issue_date": "2026-03-02", "due_date": "2026-03-16",
        "period": {"start": "2026-02-01", "end": "2026-02-28"},
        "totals": {"excl_cents": 11999, "vat_cents": 1732, "incl_cents": 13731,
                   "paid_cents": 5000, "credited_cents": 0, "open_cents": 8731},
        "currency": "EUR", "overdue": True, "credits_invoice_id": None,
        "links": {"self": f"/api/v1/{tenant.slug}/invoices/{books['garden']}",
                  "pdf": f"/api/v1/{tenant.slug}/invoices/{books['garden']}/pdf",
                  "ubl": None},  # a resident cannot receive an e-invoice
    }
    credit = body["data"][0]
    assert credit["kind"] == "creditnota" and credit["credits_invoice_id"] == str(books["fees"])
    assert credit["totals"]["incl_cents"] == 45000 and credit["totals"]["open_cents"] == 0
    assert credit["links"]["ubl"] == f"/api/v1/{tenant.slug}/invoices/{books['credit']}/ubl"


def test_drafts_only_with_status_concept(api, books):
    [draft] = api("invoices?status=concept").json["data"]
    assert draft["id"] == str(books["draft"]) and draft["number"] is None
    assert draft["issue_date"] is None and draft["totals"]["incl_cents"] == 1210
    assert draft["links"]["pdf"] is None and draft["links"]["ubl"] is None


@pytest.mark.parametrize("query,expected", [
    ("status=betaald", ["porch"]),
    ("kind=creditnota", ["credit"]),
    ("kind=factuur&year=2025", ["old"]),
    ("year=2026&kind=factuur", ["fees", "porch", "garden"]),
    ("issued_since=2026-04-01", ["credit", "fees", "porch"]),
])
def test_filters(api, books, query, expected):
    assert [i["id"] for i in api(f"invoices?{query}").json["data"]] == \
        [str(books[name]) for name in expected]


def test_filter_by_customer(api, books):
    ids = [i["id"] for i in api(f"invoices?customer_id={books['town']}").json["data"]]
    assert ids == [str(books["credit"]), str(books["fees"])]
    assert api("invoices?customer_id=12345").json["data"] == []


def test_updated_since_follows_the_audit_log(api, books, coop, session):
    """An invoice made long ago counts as updated when something happened to it since."""
    tenant, admin, _ = coop
    long_ago = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with tenant_context(session, tenant.id):
        for row in session.scalars(select(Invoice)):
            row.created_at = long_ago
        session.add(AuditEvent(action="invoice.payment_registered", object_type="Invoice",
                               object_id=str(books["porch"]), actor_user_id=admin.id,
                               at=datetime(2026, 6, 1, 12, tzinfo=timezone.utc)))
        session.add(AuditEvent(action="customer.updated", object_type="Customer",
                               object_id=str(books["old"]), actor_user_id=admin.id,
                               at=datetime(2026, 6, 1, 12, tzinfo=timezone.utc)))
        session.commit()
    for since in ("2026-06-01T12:00:00Z", "2026-06-01T14:00:00+02:00",
                  "2026-06-01T14:00:00%2B02:00", "2026-06-01T14:00:00 02:00",
                  "2026-06-01T12:00:00", "2026-06-01"):
        assert [i["id"] for i in api(f"invoices?updated_since={since}").json["data"]] == \
            [str(books["porch"])], since
    assert api("invoices?updated_since=2026-06-01T12:00:01Z").json["data"] == []
    assert len(api("invoices?updated_since=2025-12-31").json["data"]) == 5


@pytest.mark.parametrize("query,name", [
    ("status=open", "status"), ("kind=offerte", "kind"), ("year=26", "year"),
    ("year=1999", "year"), ("customer_id=abc", "customer_id"),
    ("customer_id=99999999999999999999", "customer_id"),
    ("issued_since=2026-13-01", "issued_since"),
    ("issued_since=1-2-2026", "issued_since"), ("updated_since=gisteren", "updated_since"),
    ("page=0", "page"),
])
def test_bad_invoice_parameters_are_400(api, query, name):
    response = api(f"invoices?{query}")
    assert response.status_code == 400
    assert response.json["error"] == {
        "code": "invalid_parameter",
        "message": f"De parameter {name} heeft een ongeldige waarde."}


def test_one_invoice_with_lines_vat_and_payments(api, books):
    response = api(f"invoices/{books['garden']}")
    assert response.status_code == 200
    data = response.json["data"]
    assert data["number"] == "F2026-00001" and data["totals"]["open_cents"] == 8731
    assert [(line["description"], line["quantity"], line["unit"], line["unit_price_cents"],
             line["vat_rate"], line["net_cents"]) for line in data["lines"]] == [
        ("Tuinonderhoud Lindenlaan 4", "2.50", "uur", 2500, "21", 6250),
        ("Boodschappenhulp (welzijn)", "3.00", "uur", 1250, "vrijgesteld", 3750),
        ("Klein materiaal", "1.00", "stuk", 1999, "21", 1999),
    ]
    assert data["lines"][0]["participant_id"] == str(books["fatma"])
    assert data["lines"][1]["participant_id"] is None
    assert data["lines"][0]["supply_date"] == "2026-11-03"
    assert data["allowance_cents"] == 0 and data["allowance_reason"] is None  # no discount
    assert data["lines"][0]["allowance_cents"] == 0
    assert data["vat_breakdown"] == [
        {"vat_rate": "21", "percent": "21.00", "base_cents": 8249, "vat_cents": 1732,
         "mention": None},
        {"vat_rate": "vrijgesteld", "percent": "0.00", "base_cents": 3750, "vat_cents": 0,
         "mention": "Vrijgesteld van btw op grond van art. 11 lid 1 onderdeel f Wet OB 1968"},
    ]
    assert sum(r["base_cents"] for r in data["vat_breakdown"]) == data["totals"]["excl_cents"]
    [payment] = data["payments"]
    assert {k: v for k, v in payment.items() if k != "id"} == {
        "date": "2026-03-10", "amount_cents": 5000, "method": "overboeking",
        "reference": "NL-bank 123"}
    assert data["credit_notes"] == [] and data["buyer_reference"] is None
    fees = api(f"invoices/{books['fees']}").json["data"]
    assert fees["credit_notes"] == [{"id": str(books["credit"]), "number": "C2026-00001"}]
    assert fees["buyer_reference"] == "INK-2026-001" and fees["status"] == "verzonden"
    assert fees["totals"]["open_cents"] == 90000


def test_a_draft_is_shown_but_has_no_pdf_or_ubl(api, books):
    data = api(f"invoices/{books['draft']}").json["data"]
    assert data["status"] == "concept" and data["lines"][0]["description"] == "Concept"
    for part in ("pdf", "ubl"):
        response = api(f"invoices/{books['draft']}/{part}")
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_the_ubl_of_an_invoice_and_of_a_credit_note(api, books):
    response = api(f"invoices/{books['fees']}/ubl")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["Cache-Control"] == "no-store"
    assert 'filename="factuur-F2026-00003.xml"' in response.headers["Content-Disposition"]
    root = ET.fromstring(response.data)
    assert root.tag == f"{NS_INVOICE}Invoice"
    assert root.find(f"{NS_CBC}ID").text == "F2026-00003"
    assert root.find(f"{NS_CBC}BuyerReference").text == "INK-2026-001"
    credit = api(f"invoices/{books['credit']}/ubl")
    assert credit.status_code == 200 and b"<CreditNote" in credit.data


def test_no_ubl_for_a_customer_that_cannot_receive_one_is_422(api, books):
    response = api(f"invoices/{books['garden']}/ubl")
    assert response.status_code == 422
    assert response.json["error"] == {
        "code": "ubl_unavailable",
        "message": "Een e-factuur gaat naar een organisatie met een KvK-nummer of OIN. Deze "
                   "klant heeft geen van beide (een bewoner krijgt de pdf)."}


def test_the_pdf(api, books):
    response = api(f"invoices/{books['porch']}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert 'filename="factuur-F2026-00002.pdf"' in response.headers["Content-Disposition"]


def test_another_tenants_invoice_is_404(api, make, session):
    other = make.tenant()
    with tenant_context(session, other.id):
        settings = finance(session)
        theirs = invoice(session, settings, municipality(session), [L("Geheim", "1", 100)])
        session.commit()
        theirs_id = theirs.id
    for path in ("", "/pdf", "/ubl"):
        response = api(f"invoices/{theirs_id}{path}")
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
        assert "Geheim" not in response.get_data(as_text=True)
    assert api("invoices/99999999999999999999").status_code == 404


# --- customers -------------------------------------------------------------------------------

def test_customers_without_contact_details(api, books, coop, session):
    tenant, *_ = coop
    with tenant_context(session, tenant.id):
        gone = customer(session, name="Aannemer Vroeger", kind=CustomerKind.SHOP)
        gone.archived_at = utcnow()
        session.commit()
    body = api("customers").json
    assert body["meta"] == {"page": 1, "per_page": 25, "total": 4, "pages": 1}
    assert [c["name"] for c in body["data"]] == [
        "Aannemer Vroeger", "Gemeente Lelystad", "Mevrouw Peters", "Woonstichting Het Anker"]
    corp = body["data"][3]
    assert corp == {"id": str(books["corp"]), "kind": "woningcorporatie",
                    "name": "Woonstichting Het Anker", "city": "Lelystad",
                    "kvk_number": "87654321", "oin": None, "vat_id": "NL000099998B57",
                    "buyer_reference": None, "wants_ubl": False, "einvoice_profile": "peppol",
                    "archived": False}
    town = body["data"][1]
    assert town["oin"] == "00000001234567890000" and town["buyer_reference"] == "INK-2026-001"
    assert town["einvoice_profile"] == "si-ubl"  # a Dutch public body: SI-UBL 2.0
    text = api("customers").get_data(as_text=True)
    for secret in ("peters@example.org", "06 12345678", "crediteuren@", "Lindenlaan"):
        assert secret not in text
    assert [c["name"] for c in api("customers?archived=true").json["data"]] == \
        ["Aannemer Vroeger"]
    assert len(api("customers?archived=false").json["data"]) == 3
    assert [c["name"] for c in api("customers?kind=gemeente").json["data"]] == \
        ["Gemeente Lelystad"]
    for query in ("kind=burger", "archived=ja", "page=x"):
        assert api(f"customers?{query}").status_code == 400


# --- budgets ---------------------------------------------------------------------------------

def _allocate(session, actor, person_id, cents, day, key):
    earnings = ledger.earnings_account(session)
    ledger.post(session, actor, key=key, kind=TransactionKind.ALLOCATION, description="Factuur",
                booked_on=day, entries=[(ledger.participant_account(session, person_id), cents),
                                        (earnings, -cents)])


def test_budgets_per_participant_with_the_pool_and_an_audit_event(api, coop, session):
    tenant, admin, coach = coop
    actor = Actor(admin.id, admin.email)
    with tenant_context(session, tenant.id):
        fatma = participants.create_participant(session, actor, participants.ParticipantData(
            first_name="Fatma", last_name="Yilmaz"))
        kees = participants.create_participant(session, actor, participants.ParticipantData(
            first_name="Kees", last_name="Akkerman"))
        _allocate(session, actor, fatma.id, 10000, date(2025, 12, 1), "a1")
        _allocate(session, actor, fatma.id, 2500, date(2026, 2, 1), "a2")
        ledger.post(session, actor, key="c1", kind=TransactionKind.COURSE,
                    description="Cursus VCA", booked_on=date(2026, 3, 1),
                    entries=[(ledger.participant_account(session, fatma.id), -4000),
                             (ledger.courses_account(session), 4000)])
        ledger.post(session, actor, key="p1", kind=TransactionKind.ALLOCATION,
                    description="Pot", booked_on=date(2026, 3, 1),
                    entries=[(ledger.pool_account(session), 700),
                             (ledger.earnings_account(session), -700)])
        session.commit()
        fatma_id, kees_id = fatma.id, kees.id
    body = api("budgets?year=2026").json
    assert body["year"] == 2026 and body["pool"] == {"balance_cents": 700}
    assert body["meta"] == {"page": 1, "per_page": 50, "total": 2, "pages": 1}
    assert body["data"] == [
        {"participant_id": str(kees_id), "balance_cents": 0, "earned_cents": 0,
         "spent_cents": 0},
        {"participant_id": str(fatma_id), "balance_cents": 8500, "earned_cents": 2500,
         "spent_cents": 4000},
    ]
    assert api("budgets?year=2025").json["data"][1]["earned_cents"] == 10000
    assert api("budgets").json["year"] == date.today().year
    with tenant_context(session, tenant.id):
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "budgets.read")).all()
    assert len(events) == 3 and all(e.actor_user_id == admin.id for e in events)
    assert events[0].details == {"via": "api", "year": 2026, "page": 1, "rows": 2}
    for query in ("year=1999", f"year={date.today().year + 2}", "year=abc", "page=0"):
        assert api(f"budgets?{query}").status_code == 400


# --- constant query counts -------------------------------------------------------------------

def _measure(api, count_queries, path):
    api(path)  # the token's last use is written at most once a minute
    with count_queries() as n:
        response = api(path)
        assert response.status_code == 200
    return n(), response.json


def test_the_invoice_list_keeps_a_constant_query_count(api, coop, session, count_queries):
    tenant, admin, _ = coop
    with tenant_context(session, tenant.id):
        settings = finance(session)
        corp = housing(session)
        town = municipality(session)
        session.commit()
        town_id = town.id

    def add(n, start):
        with tenant_context(session, tenant.id):
            for i in range(start, start + n):
                invoice(session, settings, town if i % 2 else corp,
                        [L("Schoonmaak", "1", 1000 + i)], number=i,
                        issued=date(2026, 1, 1) + timedelta(days=i))
            session.commit()

    add(3, 1)
    few, body = _measure(api, count_queries, "invoices")
    assert len(body["data"]) == 3
    add(27, 4)
    many, body = _measure(api, count_queries, "invoices")
    assert len(body["data"]) == 25 and body["meta"]["total"] == 30
    assert many == few
    # the filters do not add queries either
    filtered = f"invoices?customer_id={town_id}&updated_since=2026-01-01"
    assert _measure(api, count_queries, filtered)[0] == few


def test_the_customer_list_keeps_a_constant_query_count(api, coop, session, count_queries):
    tenant, *_ = coop

    def add(n):
        with tenant_context(session, tenant.id):
            session.execute(insert(Customer), [
                {"tenant_id": tenant.id, "id": new_id(), "kind": CustomerKind.SHOP,
                 "name": f"Winkel {i:03d}", "country_code": "NL", "wants_ubl": False,
                 "created_at": utcnow()} for i in range(n)])
            session.commit()

    add(3)
    few, body = _measure(api, count_queries, "customers")
    assert len(body["data"]) == 3
    add(27)
    many, body = _measure(api, count_queries, "customers")
    assert len(body["data"]) == 25 and body["meta"]["total"] == 30
    assert many == few


def test_the_budget_list_keeps_a_constant_query_count(api, coop, session, count_queries):
    tenant, admin, _ = coop
    actor = Actor(admin.id, admin.email)

    def add(n, start):
        with tenant_context(session, tenant.id):
            for i in range(start, start + n):
                person = participants.create_participant(
                    session, actor, participants.ParticipantData(
                        first_name="Deelnemer", last_name=f"Achternaam{i:03d}"))
                _allocate(session, actor, person.id, 100 * i, date(2026, 2, 1), f"b{i}")
            session.commit()

    add(3, 1)
    few, body = _measure(api, count_queries, "budgets?year=2026")
    assert len(body["data"]) == 3
    add(27, 4)
    many, body = _measure(api, count_queries, "budgets?year=2026")
    assert len(body["data"]) == 30 and body["data"][-1]["earned_cents"] == 3000
    assert many == few


def test_participants_in_the_budget_list_exist(api, coop, session):
    """An anonymised participant is not listed (as on the budget page)."""
    tenant, admin, _ = coop
    actor = Actor(admin.id, admin.email)
    with tenant_context(session, tenant.id):
        person = participants.create_participant(session, actor, participants.ParticipantData(
            first_name="Weg", last_name="Anoniem"))
        session.scalar(select(Participant).where(Participant.id == person.id)).status = \
            ParticipantStatus.ANONYMISED
        session.commit()
    assert api("budgets").json["data"] == []
