"""Builders for the document tests (PDF, UBL, exports, settings): finance settings, customers
and invoices written straight to the tables with the models, amounts from money.py and the
snapshots from snapshots.py, as finalisation leaves them. Arranging data, not exercising the
invoice rules (those are tested with the invoice services)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest

from blueprints.customers.models import Customer, CustomerKind
from blueprints.invoicing import money
from blueprints.invoicing.models import (
    FinanceSettings,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineUnit,
    Recognition,
    VatRegime,
)
from blueprints.invoicing.snapshots import customer_snapshot, supplier_snapshot
from tenants.actor import Actor
from tenants.models import Role, Tenant
from tenants.tenancy import tenant_context
from tests.invoicing import invoice_world
from tests.pdftext import pdf_text  # noqa: F401  (the invoice tests import it from here)

ISSUED = date(2026, 11, 22)
DUE = ISSUED + timedelta(days=14)
KVK = "12345678"
VAT_ID = "NL123456782B01"
IBAN = "NL91ABNA0417164300"
IBAN_PRINTED = "NL91 ABNA 0417 1643 00"
OIN = "00000001234567890000"


def finance(session, **kw) -> FinanceSettings:
    """Complete finance settings of the current tenant (everything an invoice needs), with the
    identifiers and recognition the document tests look for."""
    values = dict(kvk_number=KVK, vat_id=VAT_ID, iban=IBAN, country_code="NL",
                  phone="0320 123 456", recognition=Recognition.SBB,
                  recognition_reference="100234567", vat_regime=VatRegime.NORMAL)
    values.update(kw)
    return invoice_world.finance(session, **values)


def customer(session, name="Mevrouw Peters", kind=CustomerKind.RESIDENT, **kw) -> Customer:
    kw.setdefault("country_code", "NL")
    return invoice_world.customer(session, name, kind, **kw)


def housing(session, name="Woonstichting Het Anker", **kw) -> Customer:
    kw.setdefault("kvk_number", "87654321")
    kw.setdefault("vat_id", "NL000099998B57")
    kw.setdefault("contact_name", "Afdeling Vastgoed")
    for key, value in dict(street="Havenkade 1", postcode="8224AA", city="Lelystad").items():
        kw.setdefault(key, value)
    return customer(session, name, CustomerKind.HOUSING, **kw)


def municipality(session, **kw) -> Customer:
    kw.setdefault("oin", OIN)
    kw.setdefault("buyer_reference", "INK-2026-001")
    return customer(session, "Gemeente Lelystad", CustomerKind.MUNICIPALITY,
                    street="Stadhuisplein 2", postcode="8232ZX", city="Lelystad",
                    email="crediteuren@lelystad.example.org", **kw)


@dataclass(frozen=True)
class L:
    """A line to write: description, quantity, unit price in cents, VAT rate code."""

    description: str
    quantity: str
    price: int
    rate: str = "21"
    unit: LineUnit = LineUnit.HOUR
    supply_date: date | None = None


def invoice(session, settings, cust, lines: list[L], *, number: int = 42, status=InvoiceStatus.SENT,
            kind=InvoiceKind.INVOICE, issued: date = ISSUED, due: date | None = DUE,
            credits: Invoice | None = None, **kw) -> Invoice:
    """An invoice as finalisation leaves it (or a draft with status=DRAFT)."""
    draft = status == InvoiceStatus.DRAFT
    series = (settings.credit_prefix if kind == InvoiceKind.CREDIT_NOTE
              else settings.invoice_prefix)
    inv = Invoice(kind=kind, status=status, customer_id=cust.id,
                  credits_invoice_id=credits.id if credits else None, **kw)
    if not draft:
        inv.series, inv.year, inv.number = series, issued.year, number
        inv.number_text = f"{series}{issued.year}-{number:05d}"
        inv.issue_date, inv.due_date = issued, due
        inv.supplier_snapshot = supplier_snapshot(settings)
        inv.customer_snapshot = customer_snapshot(cust)
    session.add(inv)
    session.flush()
    pairs = []
    for position, line in enumerate(lines, start=1):
        qty = money.quantity(line.quantity)
        net = money.line_total_cents(qty, line.price)
        session.add(InvoiceLine(invoice_id=inv.id, position=position, description=line.description,
                                quantity=qty, unit=line.unit, unit_price_cents=line.price,
                                vat_rate=line.rate, net_cents=net, supply_date=line.supply_date))
        pairs.append((net, money.VatRate(line.rate)))
    totals = money.totals(pairs)
    inv.total_excl_cents, inv.total_vat_cents = totals.excl_cents, totals.vat_cents
    inv.total_incl_cents = totals.incl_cents
    session.flush()
    return inv


RESIDENT_LINES = [
    L("Tuinonderhoud Lindenlaan 4", "2.5", 2500, "21", supply_date=date(2026, 11, 3)),
    L("Boodschappenhulp (welzijn)", "3", 1250, "vrijgesteld", supply_date=date(2026, 11, 10)),
    L("Klein materiaal", "1", 1999, "21", LineUnit.PIECE, supply_date=date(2026, 11, 10)),
]


@dataclass
class World:
    session: object
    tenant: Tenant
    admin: object
    actor: Actor
    settings: FinanceSettings


@pytest.fixture
def world(make, session):
    tenant = make.tenant(name="Bewonerscoöperatie De Vaart")
    admin = make.member(tenant, Role.ADMIN, name="Karin Smit")
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        settings = finance(session)
        session.commit()
        yield World(session, tenant, admin, actor, settings)
    session.rollback()


def png(width: int = 120, height: int = 40, color=(31, 58, 95)) -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def jpeg(width: int = 80, height: int = 80) -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def quantity(text: str) -> Decimal:
    return money.quantity(text)
