"""Benchmark: invoice, budget and API lists with a large cooperative.

    .venv/bin/python bench/invoices_list.py [N]

Builds a throw-away SQLite database (or uses BENCH_DATABASE_URL) with the migrations and fills
one tenant with bulk inserts: N invoices (default 10,000; 1% credit notes, 50 drafts) with their
lines, payments and audit events, one customer with 500 of them, 300 participants and a ledger
of 20,000 entries. Then it times, logged in as an admin through the test client: the invoice
list (first page, page 200, a search, the overdue filter), the overdue list, the statement of
the customer with 500 invoices, the budget overview, and the API's invoice list with a token;
it prints the median of 5 runs and the SQL statement count per request. On PostgreSQL the
tables are ANALYZEd after the load, as autovacuum would do.
Not part of the test suite: CI does not gate on time; tests gate on the query counts.
"""
from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
import pyotp  # noqa: E402
from sqlalchemy import event, insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from blueprints.api import services as api_services  # noqa: E402
from blueprints.budgets.models import (  # noqa: E402
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from blueprints.customers.models import Customer, CustomerKind  # noqa: E402
from blueprints.invoicing import money  # noqa: E402
from blueprints.invoicing.models import (  # noqa: E402
    FinanceSettings,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineSource,
    LineUnit,
    Payment,
    PaymentMethod,
)
from blueprints.invoicing.snapshots import customer_snapshot, supplier_snapshot  # noqa: E402
from blueprints.participants.models import Participant  # noqa: E402
from tenants.actor import Actor  # noqa: E402
from tenants.config import load_config  # noqa: E402
from tenants.db import new_id  # noqa: E402
from tenants.extensions import db  # noqa: E402
from tenants.identity import hash_password  # noqa: E402
from tenants.models import (  # noqa: E402
    AuditEvent,
    Membership,
    Role,
    Tenant,
    TenantKind,
    User,
)
from tenants.tenancy import set_user, tenant_context  # noqa: E402

PASSWORD = "x" * 12
CHUNK = 2000
BIG_CUSTOMER_INVOICES = 500
PARTICIPANTS = 300
LEDGER_ENTRIES = 20_000
DRAFTS = 50
UTC = timezone.utc


def _bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start:start + CHUNK])


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class Builder:
    """Rows as finalisation, payments and allocations leave them, written in bulk."""

    def __init__(self, tenant_id: int, admin_id: int, today: date, rng: random.Random):
        self.tenant_id, self.admin_id, self.today, self.rng = tenant_id, admin_id, today, rng
        self.rows: dict[type, list[dict]] = {}

    def add(self, model, **values) -> int:
        values.setdefault("id", new_id())
        values["tenant_id"] = self.tenant_id
        self.rows.setdefault(model, []).append(values)
        return values["id"]

    def write(self) -> None:
        # parents before children (tenant foreign keys)
        for model in (Participant, Customer, Invoice, InvoiceLine, Payment, LedgerAccount,
                      LedgerTransaction, LedgerEntry, AuditEvent):
            _bulk(model, self.rows.get(model, []))

    def audit(self, action: str, invoice_id: int, at: datetime, **details) -> None:
        self.add(AuditEvent, at=at, actor_user_id=self.admin_id, actor_email="bench@example.org",
                 action=action, object_type="Invoice", object_id=str(invoice_id),
                 details=details or None)


def _customers(b: Builder) -> tuple[dict, list[dict]]:
    """The customer with 500 invoices, 9 organisations and 190 residents."""
    big = dict(kind=CustomerKind.HOUSING, name="Woonstichting Het Anker", street="Havenkade 1",
               postcode="8224AA", city="Lelystad", country_code="NL", kvk_number="87654321",
               vat_id="NL000099998B57", wants_ubl=False)
    others = []
    for i in range(9):
        town = i % 3 == 0
        others.append(dict(
            kind=CustomerKind.MUNICIPALITY if town else CustomerKind.SCHOOL,
            name=f"Gemeente Plaats{i}" if town else f"Basisschool De Linde {i}",
            street=f"Plein {i}", postcode="8232ZX", city="Lelystad", country_code="NL",
            oin=f"{i:020d}" if town else None, kvk_number=None if town else f"{10000000 + i}",
            buyer_reference="INK-2026-001" if town else None, wants_ubl=town))
    for i in range(190):
        others.append(dict(kind=CustomerKind.RESIDENT, name=f"Bewoner {i:03d}",
                           street=f"Lindenlaan {i}", postcode="1234CD", city="Lelystad",
                           country_code="NL", email=f"bewoner{i}@example.org",
                           wants_ubl=False))
    for values in [big, *others]:
        values["id"] = b.add(Customer, **values)
    return big, others


def _participants(b: Builder) -> list[int]:
    return [b.add(Participant, first_name=f"Voornaam{i}", last_name=f"Achternaam{i:04d}",
                  skills=[], languages=[], available_days=[]) for i in range(PARTICIPANTS)]


def _invoices(b: Builder, n: int, settings: FinanceSettings, big: dict, others: list[dict],
              people: list[int]) -> None:
    """N invoices over three years, newest today: 1% credit notes (each crediting the invoice
    before it), DRAFTS drafts, the rest paid, partly paid or open (some overdue)."""
    rng, today = b.rng, b.today
    supplier = supplier_snapshot(settings)
    counters: dict[tuple[str, int], int] = {}
    previous = None
    sent = n - DRAFTS
    for i in range(n):
        draft = i >= sent
        issued = today - timedelta(days=(sent - 1 - min(i, sent - 1)) * 1095 // sent)
        credit_note = not draft and i % 100 == 99 and previous is not None
        if credit_note:
            cust = previous["customer"]
        elif i % (n // BIG_CUSTOMER_INVOICES) == 0:
            cust = big
        else:
            cust = rng.choice(others)
        lines = []
        for position in range(1, rng.randint(1, 4) + 1):
            hours = not credit_note and rng.random() < 0.7
            qty = money.quantity(Decimal(rng.randint(1, 16)) / 4) if hours else Decimal("1.00")
            price = 2500 if hours else rng.choice((1999, 4500, 12000))
            rate = rng.choice(("21", "21", "vrijgesteld", "9"))
            lines.append(dict(position=position, source=LineSource.HOURS if hours
                              else LineSource.FIXED,
                              description=f"Tuinonderhoud week {position}" if hours
                              else "Klein materiaal", quantity=qty,
                              unit=LineUnit.HOUR if hours else LineUnit.PIECE,
                              unit_price_cents=price, vat_rate=rate,
                              net_cents=money.line_total_cents(qty, price),
                              participant_id=rng.choice(people) if hours else None,
                              minutes=int(qty * 60) if hours else None, supply_date=issued))
        if credit_note:
            lines = [dict(line, source=LineSource.CREDIT) for line in previous["lines"]]
        totals = money.totals((line["net_cents"], money.VatRate(line["vat_rate"]))
                              for line in lines)
        values = dict(kind=InvoiceKind.CREDIT_NOTE if credit_note else InvoiceKind.INVOICE,
                      customer_id=cust["id"], total_excl_cents=totals.excl_cents,
                      total_vat_cents=totals.vat_cents, total_incl_cents=totals.incl_cents,
                      created_by_id=b.admin_id, created_at=_moment(issued, 9),
                      period_start=issued.replace(day=1), period_end=issued)
        paid = 0
        if draft:
            values["status"] = InvoiceStatus.DRAFT
        else:
            series = settings.credit_prefix if credit_note else settings.invoice_prefix
            number = counters[(series, issued.year)] = counters.get((series, issued.year), 0) + 1
            age = (today - issued).days
            if credit_note:
                status = InvoiceStatus.SENT
            elif age < 30:
                status = rng.choice((InvoiceStatus.SENT, InvoiceStatus.PAID))
            else:
                status = rng.choices((InvoiceStatus.PAID, InvoiceStatus.PARTLY_PAID,
                                      InvoiceStatus.SENT), (90, 4, 6))[0]
            paid = {InvoiceStatus.PAID: totals.incl_cents,
                    InvoiceStatus.PARTLY_PAID: totals.incl_cents // 2}.get(status, 0)
            values.update(
                status=status, series=series, year=issued.year, number=number,
                number_text=f"{series}{issued.year}-{number:05d}", issue_date=issued,
                due_date=None if credit_note else issued + timedelta(days=30),
                paid_cents=paid, supplier_snapshot=supplier,
                customer_snapshot=customer_snapshot(_Obj(cust)), sent_at=_moment(issued),
                sent_by_id=b.admin_id, credits_invoice_id=previous["id"] if credit_note
                else None)
        invoice_id = b.add(Invoice, **values)
        for line in lines:
            b.add(InvoiceLine, invoice_id=invoice_id, **line)
        if not draft:
            b.audit("invoice.sent", invoice_id, _moment(issued), number=values["number_text"])
        if paid:
            paid_on = min(today, issued + timedelta(days=rng.randint(1, 40)))
            payment_id = b.add(Payment, invoice_id=invoice_id, paid_on=paid_on,
                               amount_cents=paid, method=PaymentMethod.BANK_TRANSFER,
                               reference=f"bank {i}", idempotency_key=f"bench-{i}",
                               created_by_id=b.admin_id, created_at=_moment(paid_on, 11))
            b.audit("invoice.payment_registered", invoice_id, _moment(paid_on, 11),
                    payment_id=str(payment_id), amount=paid)
        if credit_note:
            credited = previous["values"]
            credited.update(status=InvoiceStatus.CREDITED,
                            credited_cents=credited["total_incl_cents"])
            b.audit("invoice.credited", previous["id"], _moment(issued), credit_note_id=invoice_id)
        previous = None if credit_note or draft else {
            "id": invoice_id, "customer": cust, "lines": lines, "values": b.rows[Invoice][-1]}


class _Obj:
    """Attribute access to a dict, for customer_snapshot()."""

    def __init__(self, values: dict):
        self.__dict__.update(values)

    def __getattr__(self, name):
        return None


def _ledger(b: Builder, people: list[int]) -> None:
    """LEDGER_ENTRIES entries: allocations (participant +, earnings -) and courses (participant
    -, courses +), two entries each, over three years."""
    rng, today = b.rng, b.today
    accounts = {pid: b.add(LedgerAccount, key=f"participant:{pid}", kind=AccountKind.PARTICIPANT,
                           participant_id=pid) for pid in people}
    earnings = b.add(LedgerAccount, key="earnings", kind=AccountKind.EARNINGS)
    courses = b.add(LedgerAccount, key="courses", kind=AccountKind.COURSES)
    b.add(LedgerAccount, key="pool", kind=AccountKind.POOL)
    for i in range(LEDGER_ENTRIES // 2):
        course = i % 10 == 9
        pid = rng.choice(people)
        cents = rng.randint(2000, 6000) if course else rng.randint(1000, 9000)
        booked = today - timedelta(days=rng.randint(0, 1094))
        tx = b.add(LedgerTransaction, idempotency_key=f"bench:{i}",
                   kind=TransactionKind.COURSE if course else TransactionKind.ALLOCATION,
                   description="Cursus" if course else "Toekenning", booked_on=booked,
                   created_by_id=b.admin_id, created_at=_moment(booked))
        sign = -1 if course else 1
        b.add(LedgerEntry, transaction_id=tx, account_id=accounts[pid], amount_cents=sign * cents)
        b.add(LedgerEntry, transaction_id=tx, account_id=courses if course else earnings,
              amount_cents=-sign * cents)


def build(n: int):
    tmp = tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    cfg = load_config("testing", env={"DATABASE_URL": url})
    cfg["WTF_CSRF_ENABLED"] = False
    app = create_app(cfg)
    today = date.today()
    with app.app_context():
        flask_migrate.upgrade()
        tenant = Tenant(slug="bench", name="Benchmark", kind=TenantKind.BEWONERSINITIATIEF)
        secret = pyotp.random_base32()
        user = User(email="bench@example.org", name="Bench", password_hash=hash_password(PASSWORD),
                    totp_secret=secret, totp_enabled_at=datetime.now(UTC) - timedelta(days=1))
        db.session.add_all([tenant, user])
        db.session.flush()
        started = time.perf_counter()
        with tenant_context(db.session, tenant.id):
            db.session.add(Membership(user_id=user.id, role=Role.ADMIN,
                                      created_at=datetime.now(UTC) - timedelta(days=1)))
            settings = FinanceSettings(
                legal_name="Bewonerscoöperatie Benchmark U.A.", street="Vaartweg 12",
                postcode="1234AB", city="Lelystad", kvk_number="12345678",
                vat_id="NL123456782B01", iban="NL91ABNA0417164300", invoice_prefix="F",
                credit_prefix="C", payment_term_days=30)
            db.session.add(settings)
            db.session.flush()
            b = Builder(tenant.id, user.id, today, random.Random(5))
            big, others = _customers(b)
            people = _participants(b)
            _invoices(b, n, settings, big, others, people)
            _ledger(b, people)
            b.write()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Planner statistics, as autovacuum would gather them after such a load.
            with db.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        counts = {m.__name__: len(rows) for m, rows in b.rows.items()}
        print(f"inserted in {time.perf_counter() - started:.1f}s: "
              + ", ".join(f"{v} {k}" for k, v in counts.items()))
        overdue = sum(1 for r in b.rows[Invoice] if r.get("due_date") and r["due_date"] < today
                      and r["status"] in (InvoiceStatus.SENT, InvoiceStatus.PARTLY_PAID)
                      and r["kind"] == InvoiceKind.INVOICE)
        print(f"{overdue} invoices overdue (the overdue list shows them all, unpaginated)")
        set_user(db.session, user.id)
        with tenant_context(db.session, tenant.id):
            member = db.session.scalar(select(User).where(User.id == user.id))
            _, _, token = api_services.create_token(
                db.session, Actor(user.id, user.email), member, tenant.id, "Bench")
            db.session.commit()
        set_user(db.session, None)
        engine = db.engine
    return app, engine, secret, big["id"], token


def main(n: int) -> None:
    app, engine, secret, big_id, token = build(n)
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302, response.status_code
    count = [0]
    event.listen(engine, "before_cursor_execute",
                 lambda *a, **k: count.__setitem__(0, count[0] + 1))
    today = date.today()
    start = today - timedelta(days=3 * 365)
    api = {"Authorization": f"Bearer {token}"}
    since = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for label, path, headers in (
            ("list: first page", "/bench/facturen/", {}),
            ("list: page 200", "/bench/facturen/?page=200", {}),
            ("list: search", "/bench/facturen/?q=bewoner 12", {}),
            ("list: overdue", "/bench/facturen/?achterstallig=1", {}),
            ("overdue list", "/bench/facturen/achterstallig", {}),
            ("statement (500)", f"/bench/facturen/klant/{big_id}/overzicht"
                                f"?van={start.isoformat()}&tot={today.isoformat()}", {}),
            ("budget overview", f"/bench/budgetten/?jaar={today.year}", {}),
            ("api: invoices", "/api/v1/bench/invoices", api),
            ("api: page 200", "/api/v1/bench/invoices?page=200", api),
            ("api: updated", f"/api/v1/bench/invoices?updated_since={since}", api),
            ("api: budgets", "/api/v1/bench/budgets", api)):
        client.get(path, headers=headers)
        times = []
        for _ in range(5):
            count[0] = 0
            t0 = time.perf_counter()
            response = client.get(path, headers=headers)
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200, (path, response.status_code)
        print(f"{label:17s} median {sorted(times)[2] * 1000:7.1f} ms, {count[0]} SQL statements")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
