"""The demo's money (blueprints/demo/money.py): a year of invoices in every demo tenant, paid,
overdue and credited through the real services; balanced budgets and courses."""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date, timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from blueprints.budgets.models import (
    AccountKind,
    Course,
    CourseEnrolment,
    EnrolmentStatus,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from blueprints.customers.identifiers import clean_iban, clean_vat_id
from blueprints.customers.models import Customer, CustomerKind
from blueprints.demo.cli import DEMO_TOTP_SECRET
from blueprints.demo.money import months_to_invoice, valid_iban, valid_vat_id
from blueprints.helprequests.models import HelpRequest, Payer, RequestStatus
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.invoicing import services as invoicing
from blueprints.invoicing import settings as finance
from blueprints.punchcards.models import PunchCard, PunchCardUse
from blueprints.invoicing.models import (
    Invoice,
    InvoiceHour,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    Reminder,
)
from blueprints.invoicing.pdf import render_invoice_pdf
from blueprints.invoicing.document import invoice_document
from blueprints.invoicing.ubl import CUSTOMIZATION_IDS, build_ubl, render_ubl, serialise, \
    ubl_available
from blueprints.participants.models import Participant
from tenants.models import Tenant, User
from tenants.tenancy import tenant_context
from tests.core.test_demo import CONTRACT_TENANTS
from tests.helpers import csrf_token
from tests.invoicing import ublcheck

TENANT_MODELS = (Customer, Invoice, InvoiceLine, Payment, Reminder, PunchCard, PunchCardUse,
                 LedgerTransaction, LedgerEntry, Course, CourseEnrolment)


@pytest.fixture(scope="module")
def seeded(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return runner


def _tenant(session, slug) -> Tenant:
    return session.scalar(select(Tenant).where(Tenant.slug == slug))


def _sent(session):
    return list(session.scalars(select(Invoice).where(Invoice.status != InvoiceStatus.DRAFT)
                                .order_by(Invoice.series, Invoice.year, Invoice.number)))


def _counts(session) -> dict:
    counts = {}
    for slug in CONTRACT_TENANTS:
        with tenant_context(session, _tenant(session, slug).id):
            for model in TENANT_MODELS:
                counts[slug, model.__name__] = session.scalar(
                    select(func.count()).select_from(model))
    return counts


def test_valid_identifiers_for_the_settings():
    vat_id = valid_vat_id(628419750)
    assert clean_vat_id(vat_id) == vat_id and vat_id.endswith("B01")
    iban = valid_iban("RABO", 3158420)
    assert clean_iban(iban) == iban and iban.startswith("NL") and "RABO" in iban


def test_twelve_full_months_issued_on_working_days_never_after_today():
    today = date.today()
    months = months_to_invoice(today)
    assert len(months) == 12
    assert months[-1].end < today.replace(day=1)  # the current month is left to the user
    for earlier, later in zip(months, months[1:]):
        assert earlier.issue <= later.issue and earlier.end < later.start
    for month in months:
        assert month.issue > month.end and month.issue <= today
        assert month.issue.weekday() < 5 or month.issue == today
    assert months_to_invoice(date(2027, 1, 15))[-1].issue == date(2027, 1, 4)  # not on 1 Jan


@pytest.mark.parametrize("today", [date(2026, 12, 3), date(2027, 1, 1), date(2026, 5, 31)])
def test_the_history_is_invoiced_per_quarter_before_the_last_twelve_months(today):
    from blueprints.demo.money.invoices import history_quarters

    quarters = history_quarters(today)
    months = months_to_invoice(today)
    assert quarters[0].start == date(today.year - 3, today.month, 1)
    assert quarters[-1].end + timedelta(days=1) == months[0].start
    for earlier, later in zip(quarters, quarters[1:]):
        assert earlier.end + timedelta(days=1) == later.start
        assert earlier.issue < later.issue
    for quarter in quarters:
        assert quarter.end < quarter.issue <= months[0].issue
        assert (quarter.start.month - 1) // 3 == (quarter.end.month - 1) // 3  # one quarter
        assert quarter.start.year == quarter.end.year
        assert 1 <= quarter.months <= 3 and sum(q.months for q in quarters) == 24
    assert all(q.months == 3 for q in quarters[1:-1])


def test_seeding_twice_changes_nothing(seeded, session):
    before = _counts(session)
    assert all(before[slug, "Invoice"] for slug in CONTRACT_TENANTS)
    assert seeded.invoke(args=["seed-demo"]).exit_code == 0
    assert _counts(session) == before


@pytest.mark.parametrize("slug", CONTRACT_TENANTS)
def test_a_year_of_gapless_invoices_in_date_order(seeded, session, slug):
    with tenant_context(session, _tenant(session, slug).id):
        settings = finance.find_settings(session)
        assert settings is not None and finance.missing_for_invoicing(settings) == []
        sent = _sent(session)
        invoices = [i for i in sent if i.kind == InvoiceKind.INVOICE]
        assert len(invoices) >= 12
        months = {(i.issue_date.year, i.issue_date.month) for i in invoices}
        assert len(months) >= 11
        series = defaultdict(list)
        for invoice in sent:
            series[invoice.series, invoice.year].append(invoice)
        for (prefix, year), rows in series.items():
            assert [i.number for i in rows] == list(range(1, len(rows) + 1)), (prefix, year)
            assert [i.number_text for i in rows] == [f"{prefix}{year}-{n:05d}"
                                                     for n in range(1, len(rows) + 1)]
            dates = [i.issue_date for i in rows]
            assert dates == sorted(dates) and {d.year for d in dates} == {year}
        today = date.today()
        assert all(i.issue_date <= today for i in sent)
        # Nothing of the current month is invoiced: that is left for the demo user.
        assert all(i.period_end < today.replace(day=1) for i in sent if i.period_end)
        assert session.scalar(select(func.count()).select_from(Invoice)
                              .where(Invoice.status == InvoiceStatus.DRAFT)) == 0


@pytest.mark.parametrize("slug", CONTRACT_TENANTS)
def test_every_kind_of_customer_is_invoiced(seeded, session, slug):
    with tenant_context(session, _tenant(session, slug).id):
        kinds = defaultdict(list)
        for customer in session.scalars(select(Customer)):
            kinds[customer.kind].append(customer)
        assert 4 <= len(kinds[CustomerKind.RESIDENT]) <= 6
        assert len(kinds[CustomerKind.HOUSING]) == len(kinds[CustomerKind.MUNICIPALITY]) == 1
        assert kinds[CustomerKind.SCHOOL] or kinds[CustomerKind.SHOP]
        municipality = kinds[CustomerKind.MUNICIPALITY][0]
        assert municipality.name.startswith("Gemeente ") and len(municipality.oin) == 20
        assert municipality.oin.startswith("00000001") and municipality.oin.endswith("000")
        corporation = kinds[CustomerKind.HOUSING][0]
        assert corporation.wants_ubl and corporation.kvk_number and corporation.buyer_reference
        billed = defaultdict(set)
        for invoice, kind in session.execute(
                select(Invoice, Customer.kind).join(Customer, Customer.id == Invoice.customer_id)
                .where(Invoice.kind == InvoiceKind.INVOICE)):
            billed[kind].add(invoice.issue_date.month)
        assert len(billed[CustomerKind.MUNICIPALITY]) >= 11
        assert len(billed[CustomerKind.HOUSING]) == 12
        assert len(billed[CustomerKind.RESIDENT]) >= 11
        rates = defaultdict(set)
        for kind, rate in session.execute(
                select(Customer.kind, InvoiceLine.vat_rate)
                .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
                .join(Customer, Customer.id == Invoice.customer_id)):
            rates[kind].add(rate)
        assert rates[CustomerKind.RESIDENT] == {"vrijgesteld"}  # welfare work: exempt
        assert rates[CustomerKind.MUNICIPALITY] == {"21"}
        # The demo's jobs are linked to who pays for them.
        for request in session.scalars(select(HelpRequest).where(
                HelpRequest.payer.in_([Payer.RESIDENT, Payer.HOUSING, Payer.MUNICIPALITY]),
                HelpRequest.status != RequestStatus.DECLINED)):
            assert request.customer_id is not None, request.reference


@pytest.mark.parametrize("slug", CONTRACT_TENANTS)
def test_public_customers_get_a_valid_e_invoice(seeded, session, slug):
    with tenant_context(session, _tenant(session, slug).id):
        rows = session.execute(select(Invoice, Customer.kind).join(
            Customer, Customer.id == Invoice.customer_id)).all()
        public = [i for i, kind in rows if kind in (CustomerKind.MUNICIPALITY,
                                                     CustomerKind.HOUSING)]
        assert public and all(ubl_available(session, i) for i in public)
        municipal = next(i for i, kind in rows if kind == CustomerKind.MUNICIPALITY)
        assert ublcheck.check(ublcheck.parse(render_ubl(session, municipal))) == {}
        credit_note = next(i for i in public if i.kind == InvoiceKind.CREDIT_NOTE)
        root = ublcheck.parse(render_ubl(session, credit_note))
        assert ublcheck.is_credit_note(root) and ublcheck.check(root) == {}
        # every public demo invoice and credit note validates under both profiles
        for invoice in public:
            document = invoice_document(session, invoice)
            for profile in CUSTOMIZATION_IDS:
                root = ublcheck.parse(serialise(build_ubl(dataclasses.replace(
                    document, customer={**document.customer, "einvoice_profile": profile}))))
                assert ublcheck.check(root) == {}, (invoice.number_text, profile)
                if profile == "peppol":
                    assert ublcheck.check_as_peppol(root) == {}, invoice.number_text
                else:
                    assert ublcheck.applies_nl(root)
                assert ublcheck.order_problems(root) == []
        residents = [i for i, kind in rows if kind == CustomerKind.RESIDENT]
        assert not any(ubl_available(session, i) for i in residents)  # they get the PDF
        for invoice in (municipal, residents[0], credit_note):
            assert render_invoice_pdf(session, invoice).startswith(b"%PDF")


@pytest.mark.parametrize("slug", CONTRACT_TENANTS)
def test_payments_overdue_and_a_credit_note(seeded, session, slug):
    today = date.today()
    with tenant_context(session, _tenant(session, slug).id):
        sent = _sent(session)
        by_status = defaultdict(list)
        for invoice in sent:
            by_status[invoice.kind, invoice.status].append(invoice)
        paid = by_status[InvoiceKind.INVOICE, InvoiceStatus.PAID]
        assert len(paid) >= len(sent) // 2
        assert len(by_status[InvoiceKind.INVOICE, InvoiceStatus.PARTLY_PAID]) == 1
        for payment in session.scalars(select(Payment)):
            invoice = next(i for i in sent if i.id == payment.invoice_id)
            assert invoice.issue_date < payment.paid_on <= today
        overdue = invoicing.overdue(session, today)
        unpaid = [r for r in overdue if r.invoice.paid_cents == 0]
        assert len(unpaid) == 2 and sum(r.reminders for r in unpaid) == 1
        (credit_note,) = [i for i in sent if i.kind == InvoiceKind.CREDIT_NOTE]
        assert credit_note.note == "Dubbel gefactureerd"
        credited = next(i for i in sent if i.id == credit_note.credits_invoice_id)
        assert credited.status == InvoiceStatus.CREDITED
        assert credit_note.total_incl_cents == credited.total_incl_cents
        corrected = [i for i in sent if i.kind == InvoiceKind.INVOICE and i.id != credited.id
                     and i.customer_id == credited.customer_id
                     and i.period_start == credited.period_start]
        assert len(corrected) == 1 and corrected[0].status == InvoiceStatus.PAID
        # the garden line once; the hours it had (the history's people) billed again
        garden = [line.net_cents for line in session.scalars(select(InvoiceLine).where(
            InvoiceLine.invoice_id == credited.id,
            InvoiceLine.description.startswith("Groenonderhoud")))]
        assert len(garden) == 2 and garden[0] == garden[1]
        assert corrected[0].total_excl_cents + garden[0] == credited.total_excl_cents
        assert corrected[0].issue_date == credit_note.issue_date > credited.issue_date


@pytest.mark.parametrize("slug", CONTRACT_TENANTS)
def test_hours_are_billed_once_and_this_month_is_left(seeded, session, slug):
    today = date.today()
    with tenant_context(session, _tenant(session, slug).id):
        billed = session.execute(select(TimeEntry).join(
            InvoiceHour, InvoiceHour.time_entry_id == TimeEntry.id)).scalars().all()
        assert billed and all(e.status == EntryStatus.APPROVED for e in billed)
        assert all(e.hour_type != HourType.TRAINING for e in billed)
        assert all(e.work_date < today.replace(day=1) for e in billed)
        assert len({e.id for e in billed}) == len(billed)


@pytest.mark.parametrize("slug", CONTRACT_TENANTS)
def test_ledger_balances_and_budgets_stay_above_zero(seeded, session, slug):
    with tenant_context(session, _tenant(session, slug).id):
        unbalanced = session.execute(
            select(LedgerEntry.transaction_id).group_by(LedgerEntry.transaction_id)
            .having(func.sum(LedgerEntry.amount_cents) != 0)).all()
        assert unbalanced == []
        budgets = 0
        for account_id, kind, total in session.execute(
                select(LedgerAccount.id, LedgerAccount.kind, func.sum(LedgerEntry.amount_cents))
                .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
                .group_by(LedgerAccount.id, LedgerAccount.kind)):
            if kind in (AccountKind.PARTICIPANT, AccountKind.POOL):
                assert total >= 0, account_id
                budgets += kind == AccountKind.PARTICIPANT
        assert budgets >= 2
        kinds = set(session.scalars(select(LedgerTransaction.kind)))
        assert {TransactionKind.ALLOCATION, TransactionKind.COURSE} <= kinds
        statuses = [s for s in session.scalars(select(CourseEnrolment.status))]
        assert 2 <= statuses.count(EnrolmentStatus.APPROVED) <= 4
        assert statuses.count(EnrolmentStatus.PROPOSED) == 1
        assert statuses.count(EnrolmentStatus.DECLINED) == 1
        assert 5 <= session.scalar(select(func.count()).select_from(Course)) <= 7
        card = session.scalar(select(PunchCard))
        used = session.scalar(select(func.sum(PunchCardUse.minutes))
                              .where(PunchCardUse.punch_card_id == card.id))
        assert card.minutes_bought == 600 and 0 < used < 600 and card.invoice_id


@pytest.mark.parametrize("slug", CONTRACT_TENANTS)
def test_the_demo_participant_sees_a_budget_and_a_course(app, seeded, session, slug):
    tenant = _tenant(session, slug)
    user = session.scalar(select(User).where(User.email == f"deelnemer@{slug}.example.org"))
    with tenant_context(session, tenant.id):
        person = session.scalar(select(Participant).where(Participant.user_id == user.id))
        account = session.scalar(select(LedgerAccount).where(
            LedgerAccount.participant_id == person.id))
        entries = session.scalars(select(LedgerEntry).where(
            LedgerEntry.account_id == account.id)).all()
        assert sum(e.amount_cents for e in entries) > 0
        assert any(e.invoice_line_id for e in entries if e.amount_cents > 0)  # what earned it
        course = session.scalar(select(Course.title).join(
            CourseEnrolment, CourseEnrolment.course_id == Course.id).where(
            CourseEnrolment.participant_id == person.id,
            CourseEnrolment.status == EnrolmentStatus.APPROVED))
        assert course
    client = app.test_client()
    response = client.post("/login", data={"csrf_token": csrf_token(client), "email": user.email,
                                           "password": "wijkwerk-demo"})
    assert response.status_code == 302
    page = client.get(f"/{slug}/budgetten/mijn")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert course in text and "Factuur F20" in text


def _login_admin(session, client, email: str) -> None:
    """Log a demo admin in with the demo TOTP secret. A code is accepted once per time step,
    and the other demo tests log in with the same secret: forget the last step used, before
    and after (so their logins do not depend on the order the tests run in)."""
    admin = session.scalar(select(User).where(User.email == email))
    admin.totp_last_step = None
    session.commit()
    response = client.post("/login", data={"csrf_token": csrf_token(client), "email": email,
                                           "password": "wijkwerk-demo"})
    assert response.headers["Location"].endswith("/login/code")
    response = client.post("/login/code", data={"csrf_token": csrf_token(client, "/login/code"),
                                                "code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
    assert response.status_code == 302
    session.refresh(admin)
    admin.totp_last_step = None
    session.commit()


def test_the_admin_sees_the_e_invoice_next_to_the_pdf(app, seeded, session):
    slug = "kluswinkel-lelystad"
    with tenant_context(session, _tenant(session, slug).id):
        invoice = session.scalar(select(Invoice).join(Customer, Customer.id == Invoice.customer_id)
                                 .where(Customer.kind == CustomerKind.MUNICIPALITY)
                                 .order_by(Invoice.issue_date.desc()).limit(1))
        invoice_id, number = invoice.id, invoice.number_text
    client = app.test_client()
    _login_admin(session, client, f"admin@{slug}.example.org")
    page = client.get(f"/{slug}/facturen/{invoice_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert number in text and "E-factuur (UBL) downloaden" in text
    assert f"/{slug}/facturen/{invoice_id}/pdf" in text
    ubl = client.get(f"/{slug}/facturen/{invoice_id}/ubl")
    assert ubl.status_code == 200 and b"INK-2026-0995" in ubl.data
    assert client.get(f"/{slug}/facturen/achterstallig").status_code == 200


@pytest.mark.parametrize("slug", CONTRACT_TENANTS)
def test_the_corporations_hours_have_a_payer_and_a_draft_offers_only_them(seeded, session,
                                                                         slug):
    from blueprints.hours.services import payers_of

    with tenant_context(session, _tenant(session, slug).id):
        corporation = session.scalar(select(Customer).where(
            Customer.kind == CustomerKind.HOUSING))
        offer = invoicing.uninvoiced_hours(session, corporation, None, None)
        mine = [e.id for job in offer.payer for p in job.people for e in p.entries]
        unpaid = [e.id for job in offer.unpaid for p in job.people for e in p.entries]
        payers = payers_of(session, mine + unpaid)
        # the crew's trajectories are funded by it (their hours this month, once approved,
        # are offered to it)
        from blueprints.trajectories.models import Trajectory

        assert session.scalar(select(func.count()).select_from(Trajectory).where(
            Trajectory.payer_customer_id == corporation.id)) >= 2
        assert all(payers[i] == corporation.id for i in mine)
        assert all(payers[i] is None for i in unpaid)
        # nothing of it is left behind in the months already invoiced
        first_of_month = date.today().replace(day=1)
        left = session.scalars(select(TimeEntry.work_date).where(TimeEntry.id.in_(mine))).all()
        assert all(day >= first_of_month for day in left)
        # and every hour it was billed for is its own
        billed = session.scalars(
            select(InvoiceHour.time_entry_id).join(
                Invoice, (Invoice.tenant_id == InvoiceHour.tenant_id)
                & (Invoice.id == InvoiceHour.invoice_id))
            .where(Invoice.customer_id == corporation.id)).all()
        assert billed and set(payers_of(session, billed).values()) == {corporation.id}
    session.rollback()


@pytest.mark.parametrize("slug", CONTRACT_TENANTS)
def test_three_years_of_revenue_numbered_in_date_order(seeded, session, slug):
    """The history's years have revenue in the report (issue #13: every chart has a shape),
    and the numbers follow the dates across all of them: each series gapless per year, and
    sorted by number the issue dates never go back."""
    from blueprints.reports.periods import Period
    from blueprints.reports.services import figures

    today = date.today()
    with tenant_context(session, _tenant(session, slug).id):
        for year in range(today.year - 2, today.year + 1):
            (report,) = figures(session, Period("jaar", date(year, 1, 1), date(year, 12, 31)),
                                parts=())
            assert report.invoiced_cents - report.credited_cents > 0, year
            assert report.paid_cents > 0, year
        by_series = defaultdict(list)
        for invoice in _sent(session):  # by series, year and number
            by_series[invoice.series].append(invoice)
        for prefix, rows in by_series.items():
            dates = [i.issue_date for i in rows]
            assert dates == sorted(dates), prefix
            for year in {i.year for i in rows}:
                numbers = [i.number for i in rows if i.year == year]
                assert numbers == list(range(1, len(numbers) + 1)), (prefix, year)
        invoices = [i for i in by_series[finance.find_settings(session).invoice_prefix]]
        assert {i.year for i in invoices} >= set(range(today.year - 2, today.year + 1))
        # the earlier years earned budgets too: paid invoices credited the participants
        booked = session.scalars(select(LedgerTransaction.booked_on).where(
            LedgerTransaction.kind == TransactionKind.ALLOCATION)).all()
        assert min(booked).year <= today.year - 2
