"""Exports for the bookkeeper: invoices (VAT per rate) and payments of a year, as CSV with `;`
and a decimal comma, and as XLSX with numbers; formulas neutralised; constant query count."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from blueprints.invoicing import exports
from blueprints.invoicing.models import InvoiceKind, InvoiceStatus, Payment, PaymentMethod
from tenants.models import AuditEvent, Role
from tests.helpers import login
from tests.invoicing.doc_builders import (  # noqa: F401  (world is a fixture)
    RESIDENT_LINES,
    L,
    customer,
    housing,
    invoice,
    municipality,
    world,
)

TODAY = date(2026, 12, 31)


def _rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _pay(session, inv, cents, day, method=PaymentMethod.BANK_TRANSFER, reference=None):
    session.add(Payment(invoice_id=inv.id, paid_on=day, amount_cents=cents, method=method,
                        reference=reference, idempotency_key=f"k-{inv.id}-{cents}-{day}"))
    inv.paid_cents += cents
    session.flush()


@pytest.fixture
def year(world):
    """Invoices of 2026 (one paid, one credited, one in another year, a draft) and payments."""
    s = world.session
    resident = customer(s, name="=HYPERLINK(\"http://evil\")")
    corp = housing(s)
    first = invoice(s, world.settings, resident, RESIDENT_LINES, number=1,
                    issued=date(2026, 3, 2), due=date(2026, 3, 16),
                    status=InvoiceStatus.PAID)
    second = invoice(s, world.settings, corp, [L("Schoonmaak portiek", "10", 3000, "9")],
                     number=2, issued=date(2026, 4, 1), due=date(2026, 4, 15),
                     status=InvoiceStatus.PARTLY_PAID)
    credit = invoice(s, world.settings, corp, [L("Schoonmaak portiek", "2", 3000, "9")],
                     number=1, kind=InvoiceKind.CREDIT_NOTE, credits=second,
                     issued=date(2026, 4, 20), due=date(2026, 5, 4))
    invoice(s, world.settings, corp, [L("Vorig jaar", "1", 1000)], number=9,
            issued=date(2025, 12, 30))
    invoice(s, world.settings, corp, [L("Concept", "1", 1000)], status=InvoiceStatus.DRAFT)
    _pay(s, first, 13731, date(2026, 3, 10), reference="-bank 123")
    _pay(s, second, 10000, date(2026, 4, 10), PaymentMethod.CASH)
    _pay(s, second, 5000, date(2027, 1, 5))  # next year
    s.commit()
    return first, second, credit


def test_invoices_csv_has_vat_per_rate_and_credit_notes_negative(world, year):
    s = world.session
    body, name = exports.export(s, world.actor, "invoices", "csv", 2026, today=TODAY)
    assert name == "facturen-2026.csv"
    rows = _rows(body)
    assert rows[0] == exports.INVOICE_HEADERS
    assert [r[0] for r in rows[1:]] == ["F2026-00001", "F2026-00002", "C2026-00001"]
    first = dict(zip(rows[0], rows[1]))
    assert first["Factuurdatum"] == "02-03-2026" and first["Vervaldatum"] == "16-03-2026"
    assert first["Excl. btw"] == "119,99" and first["Omzet 21%"] == "82,49"
    assert first["Btw 21%"] == "17,32" and first["Omzet vrijgesteld"] == "37,50"
    assert first["Omzet 9%"] == "0,00" and first["Btw totaal"] == "17,32"
    assert first["Incl. btw"] == "137,31" and first["Betaald"] == "137,31"
    assert first["Status"] == "betaald"
    assert first["Klant"] == "'=HYPERLINK(\"http://evil\")"  # never a formula
    second = dict(zip(rows[0], rows[2]))
    assert second["Omzet 9%"] == "300,00" and second["Btw 9%"] == "27,00"
    assert second["Incl. btw"] == "327,00" and second["Status"] == "deels betaald, vervallen"
    credit = dict(zip(rows[0], rows[3]))
    assert credit["Soort"] == "creditnota" and credit["Crediteert"] == "F2026-00002"
    assert credit["Excl. btw"] == "-60,00" and credit["Btw 9%"] == "-5,40"
    assert credit["Incl. btw"] == "-65,40"  # our own numbers stay numbers, no quote


def test_payments_csv(world, year):
    body, name = exports.export(world.session, world.actor, "payments", "csv", 2026)
    assert name == "betalingen-2026.csv"
    rows = _rows(body)
    assert rows[0] == exports.PAYMENT_HEADERS
    assert rows[1] == ["10-03-2026", "F2026-00001", "'=HYPERLINK(\"http://evil\")", "137,31",
                       "overboeking", "'-bank 123", "0,00", "137,31", "0,00"]
    assert rows[2] == ["10-04-2026", "F2026-00002", "Woonstichting Het Anker", "100,00",
                       "contant", "", "0,00", "100,00", "0,00"]
    assert len(rows) == 3  # the payment of 2027 is not in 2026


def test_xlsx_has_numbers_dates_and_text_that_is_never_a_formula(world, year):
    body, name = exports.export(world.session, world.actor, "invoices", "xlsx", 2026,
                                today=TODAY)
    assert name == "facturen-2026.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    header = [c.value for c in sheet[1]]
    assert header == exports.INVOICE_HEADERS
    row = {h: c for h, c in zip(header, sheet[2])}
    assert row["Incl. btw"].value == pytest.approx(137.31)
    assert row["Incl. btw"].data_type == "n" and row["Incl. btw"].number_format == "#,##0.00"
    assert isinstance(row["Factuurdatum"].value, datetime)
    assert row["Factuurdatum"].number_format == "DD-MM-YYYY"
    assert row["Klant"].data_type == "s" and row["Klant"].value.startswith("=HYPERLINK")
    credit = {h: c for h, c in zip(header, sheet[4])}
    assert credit["Incl. btw"].value == pytest.approx(-65.40)
    payments, _ = exports.export(world.session, world.actor, "payments", "xlsx", 2026)
    sheet = openpyxl.load_workbook(io.BytesIO(payments)).active
    assert [c.value for c in sheet[3]][3] == pytest.approx(100.0)


def test_an_export_is_audited(world, year):
    s = world.session
    exports.export(s, world.actor, "payments", "csv", 2026)
    s.flush()
    event = s.scalar(select(AuditEvent).where(AuditEvent.action == "payments.exported"))
    assert event.details == {"format": "csv", "year": 2026, "count": 2}


def test_an_empty_year_is_just_the_header(world):
    body, _ = exports.export(world.session, world.actor, "invoices", "csv", 2019)
    assert _rows(body) == [exports.INVOICE_HEADERS]


def test_unknown_exports_are_refused(world):
    with pytest.raises(ValueError):
        exports.export(world.session, world.actor, "customers", "csv", 2026)
    with pytest.raises(ValueError):
        exports.export(world.session, world.actor, "invoices", "pdf", 2026)


# --- the route ---------------------------------------------------------------------------------

def test_the_export_page_and_downloads(app, client, world, year):
    login(client, world.admin)
    base = f"/{world.tenant.slug}/facturen/export"
    page = client.get(base)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="format"' in html and '<option value="2025"' in html
    csv_file = client.get(f"{base}?format=csv&what=invoices&year=2026")
    assert csv_file.status_code == 200 and csv_file.mimetype == "text/csv"
    assert csv_file.headers["Content-Disposition"] == 'attachment; filename="facturen-2026.csv"'
    assert csv_file.headers["Cache-Control"] == "no-store"
    assert len(_rows(csv_file.data)) == 4
    xlsx = client.get(f"{base}?format=xlsx&what=payments&year=2026")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    for bad in ("format=pdf", "format=csv&what=klanten", "format=csv&year=twee",
                "format=csv&year=1900"):
        assert client.get(f"{base}?{bad}").status_code == 404, bad


def test_a_participant_cannot_export(app, client, make, world, year):
    participant = make.member(world.tenant, Role.PARTICIPANT)
    login(client, participant)
    base = f"/{world.tenant.slug}/facturen/export"
    assert client.get(base).status_code == 403
    assert client.get(f"{base}?format=csv&what=invoices&year=2026").status_code == 403


def test_another_tenants_invoices_are_not_in_the_export(app, make, world, year):
    other = make.tenant()
    admin = make.member(other, Role.ADMIN)
    client = app.test_client()
    login(client, admin)
    response = client.get(f"/{other.slug}/facturen/export?format=csv&what=invoices&year=2026")
    assert response.status_code == 200 and len(_rows(response.data)) == 1


@pytest.mark.parametrize("what", ["invoices", "payments"])
def test_the_export_makes_the_same_number_of_queries_for_3_and_30_invoices(
        app, client, world, count_queries, what):
    s = world.session
    corp, gemeente = housing(s), municipality(s)
    s.commit()

    def add(count, start):
        for n in range(start, start + count):
            inv = invoice(s, world.settings, corp if n % 2 else gemeente,
                          RESIDENT_LINES + [L("Laag tarief", "1", 1000, "9")], number=n,
                          issued=date(2026, 5, 1))
            _pay(s, inv, 5000, date(2026, 5, 10))
        s.commit()

    login(client, world.admin)
    url = f"/{world.tenant.slug}/facturen/export?format=csv&what={what}&year=2026"

    def measure():
        client.get(url)
        with count_queries() as n:
            response = client.get(url)
            assert response.status_code == 200
        return n(), len(_rows(response.data))

    add(3, 1)
    few, rows_few = measure()
    add(27, 100)
    many, rows_many = measure()
    assert (rows_few, rows_many) == (4, 31)
    assert many == few, f"{few} queries for 3 invoices, {many} for 30"
