"""Invoicing on a phone: every invoice page a coordinator uses, at 390px wide.

The data of test_invoicing.py (its `work` fixture: complete finance settings, a housing
corporation with hourly jobs and approved hours), plus, built through the invoicing services:
a sent invoice from 45 days ago (now overdue), a sent invoice partly paid, and a draft with
hours on it and one entry still to choose. A two-factor admin, on a phone, opens each page;
each is checked with axe (no serious or critical violations) and for sideways scrolling. Then
a payment is registered through the form on the phone and the invoice turns "Deels betaald".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from blueprints.customers.models import Customer
from blueprints.invoicing import services as invoicing
from blueprints.invoicing.models import PaymentMethod
from tenants.actor import Actor
from tenants.tenancy import tenant_context
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, field, log_in, url_path
from tests.e2e.test_invoicing import PERIOD, work  # noqa: F401  (the fixture, reused)

pytestmark = pytest.mark.browser

TODAY = date.today()


@dataclass
class Books:
    customer_id: int
    overdue_id: int
    overdue_number: str
    partly_paid_id: int
    partly_paid_number: str
    draft_id: int


@pytest.fixture
def books(work, session):  # noqa: F811  (work is the imported fixture)
    """Three invoices for Centrada, made the way the pages make them."""
    actor = Actor(user_id=work.admin.id, email=work.admin.email)
    with tenant_context(session, work.tenant.id):
        centrada = session.scalar(select(Customer).where(
            Customer.name == "Woonstichting Centrada"))
        # Sent 45 days ago with a 30-day term: overdue. The older number goes first.
        late = invoicing.create_draft(session, actor, centrada)
        invoicing.add_fixed_line(session, actor, late, "Opruimen binnentuin Kempenaar",
                                 "4", "uur", 3000, "21")
        invoicing.finalise(session, actor, late, issue_date=TODAY - timedelta(days=45))
        # Sent last week from hours, then partly paid.
        part = invoicing.create_draft(session, actor, centrada, *PERIOD)
        invoicing.add_hours(session, actor, part, [work.entries["fatma garden 1"],
                                                   work.entries["kees garden"]])
        invoicing.finalise(session, actor, part, issue_date=TODAY - timedelta(days=7))
        invoicing.register_payment(session, actor, part, 5000, TODAY - timedelta(days=2),
                                   PaymentMethod.BANK_TRANSFER, "Deelbetaling Centrada",
                                   idempotency_key="phone-test-part-1")
        # A draft with one line of hours; the cleaning hours are still to be chosen.
        draft = invoicing.create_draft(session, actor, centrada, *PERIOD)
        invoicing.add_hours(session, actor, draft, [work.entries["fatma garden 2"]])
        session.commit()
        yield Books(centrada.id, late.id, late.number_text, part.id, part.number_text,
                    draft.id)


def _check(page, label: str) -> None:
    check_accessibility(page, f"{label} (phone)")
    assert_fits_the_screen(page, f"{label} (phone)")


def _h1(page):
    return page.get_by_role("heading", level=1)


def test_invoice_pages_on_a_phone(phone_page, work, books):  # noqa: F811
    page = phone_page
    base = f"/{work.tenant.slug}/facturen"
    log_in(page, work.admin)  # an admin: with the two-factor code

    page.goto(f"{base}/")
    expect(_h1(page)).to_have_text("Facturen")
    expect(page.get_by_role("row").filter(has_text=books.partly_paid_number)
           ).to_contain_text("Deels betaald")
    _check(page, "invoice list")

    page.goto(f"{base}/nieuw")
    expect(_h1(page)).to_have_text("Nieuwe factuur")
    expect(field(page, "Klant")).to_be_visible()
    _check(page, "new invoice form")

    page.goto(f"{base}/{books.draft_id}")
    expect(_h1(page)).to_contain_text("Conceptfactuur")
    expect(page.locator("#uren").get_by_role("checkbox")).to_have_count(1)  # the cleaning
    expect(page.locator("#regels tbody tr")).to_have_count(1)
    _check(page, "draft with hours checklist and lines")

    page.goto(f"{base}/{books.overdue_id}")
    expect(_h1(page)).to_contain_text(f"Factuur {books.overdue_number}")
    expect(page.get_by_role("link", name="Betaling registreren")).to_be_visible()
    _check(page, "sent invoice")

    page.goto(f"{base}/{books.partly_paid_id}")
    expect(_h1(page)).to_contain_text(f"Factuur {books.partly_paid_number}")
    expect(_h1(page)).to_contain_text(re.compile("deels betaald", re.I))
    expect(page.locator("#betalingen")).to_contain_text("Deelbetaling Centrada")
    _check(page, "partly paid invoice")

    page.goto(f"{base}/{books.partly_paid_id}/crediteren")
    expect(_h1(page)).to_have_text(f"Creditnota voor factuur {books.partly_paid_number}")
    _check(page, "credit-note form")

    page.goto(f"{base}/klant/{books.customer_id}/overzicht")
    expect(_h1(page)).to_have_text("Klantoverzicht Woonstichting Centrada")
    _check(page, "customer statement")

    page.goto(f"{base}/achterstallig")
    expect(_h1(page)).to_have_text("Achterstallige facturen")
    expect(page.get_by_text(books.overdue_number)).not_to_have_count(0)
    _check(page, "overdue list")

    page.goto(f"{base}/instellingen")
    expect(_h1(page)).to_have_text("Financiële instellingen")
    _check(page, "finance settings")

    page.goto(f"{base}/export")
    expect(_h1(page)).to_have_text("Facturen en betalingen exporteren")
    _check(page, "export page")

    page.goto(f"/{work.tenant.slug}/klanten/")
    expect(_h1(page)).to_have_text("Klanten")
    _check(page, "customer list")
    page.get_by_role("link", name="Woonstichting Centrada").first.click()
    expect(page).to_have_url(url_path(f"/{work.tenant.slug}/klanten/{books.customer_id}/"))
    expect(_h1(page)).to_contain_text("Woonstichting Centrada")
    _check(page, "customer page")

    # The real thing, on the phone: € 50,00 of the overdue invoice comes in.
    page.goto(f"{base}/{books.overdue_id}")
    page.get_by_role("link", name="Betaling registreren").click()
    expect(_h1(page)).to_have_text("Betaling registreren")
    expect(field(page, "Bedrag in euro's")).to_have_value("145,20")  # 4 × € 30,00 + 21%
    _check(page, "payment form")
    field(page, "Bedrag in euro's").fill("50,00")
    field(page, "Betaald via").select_option(label="Bankoverschrijving")
    field(page, "Kenmerk of omschrijving").fill(f"Centrada {books.overdue_number}")
    page.get_by_role("button", name="Betaling registreren").click()
    expect(page.get_by_text("De betaling is geregistreerd.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"{base}/{books.overdue_id}(#betalingen)?$"))
    expect(_h1(page)).to_contain_text(re.compile("deels betaald", re.I))
    expect(page.locator("#betalingen")).to_contain_text(f"Centrada {books.overdue_number}")
    _check(page, "invoice after a payment")
