"""Invoicing in the browser, from hours worked to a course paid for.

An admin builds an invoice for a housing corporation from the approved hours of two jobs,
checks the lines and totals, sends it, opens the PDF, downloads the e-invoice (UBL), registers
the payment and sees the participant's training budget rise by the value of her hours; a coach
proposes a course, the admin approves it and the budget falls; the participant sees it all on
her phone. Every page is checked with axe; the phone page also for sideways scrolling.

Screenshots of the sent invoice and of the phone budget page, and the invoice PDF, are written
to /tmp/screens/ for a person to look at (nothing checks them)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from blueprints.budgets import ledger
from blueprints.budgets import services as budgets
from blueprints.customers import services as customers
from blueprints.helprequests.models import JobKind
from blueprints.hours.models import EntryStatus
from blueprints.invoicing import settings as finance
from blueprints.invoicing.models import Invoice, InvoiceStatus
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.e2e.axe import check_accessibility
from tests.e2e.flows import assert_fits_the_screen, field, log_in, nav_link, url_path
from tests.hours.builders import add_person
from tests.invoicing.invoice_world import hours, job
from tests.pdftext import pdf_text

pytestmark = pytest.mark.browser

TODAY = date.today()
PERIOD = (TODAY - timedelta(days=20), TODAY)
SCREENS = Path("/tmp/screens")
UBL_NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
          "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}
#: a housing corporation receives Peppol BIS Billing 3.0 (SI-UBL 2.0 is for public bodies)
PEPPOL_BIS_3 = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"


def cents_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def euro_text(cents: int) -> str:
    """How the page writes an amount, e.g. 30401 -> '€ 304,01' (below € 1.000)."""
    assert 0 <= cents < 100_000
    return f"€ {cents // 100},{cents % 100:02d}"


def euro(cents: int) -> re.Pattern:
    """The amount as the page shows it (a no-break space after the euro sign), exactly."""
    return re.compile(r"^\s*€\s" + re.escape(euro_text(cents)[2:]) + r"\s*$")


@dataclass
class Work:
    tenant: object
    admin: object
    coach: object
    user: object  # Fatma's login
    fatma_id: int
    kees_id: int
    garden: str  # job references
    cleaning: str
    entries: dict  # name -> entry id


@pytest.fixture
def work(make, session):
    """A cooperative with complete finance settings; a housing corporation that wants UBL,
    with two hourly jobs done in the last weeks; Fatma (with a login) and Kees with approved
    hours on them, and some hours that must not be invoiced now."""
    tenant = make.tenant(name="Bewonerscoöperatie De Vaart")
    admin = make.member(tenant, Role.ADMIN, name="Karin Smit")
    coach = make.member(tenant, Role.SUPERVISOR, name="Ahmed El Khatib")
    user = make.member(tenant, Role.PARTICIPANT, name="Fatma Yilmaz")
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        finance.save_settings(session, actor, finance.SettingsData(
            legal_name="Bewonerscoöperatie De Vaart U.A.", street="Vaartweg 12",
            postcode="8243 PA", city="Lelystad", kvk_number="12345678",
            vat_id="NL004495445B01", iban="NL91 ABNA 0417 1643 00",
            email="facturen@devaart.example.org", recognition="sbb",
            recognition_reference="SBB 100012345", hourly_rate="25,00",
            payment_term_days=30))
        centrada = customers.create_customer(session, actor, customers.CustomerData(
            kind="woningcorporatie", name="Woonstichting Centrada", street="Kempenaar 5",
            postcode="8232 AB", city="Lelystad", kvk_number="39030440",
            buyer_reference="CEN-2026-0457", hourly_rate="30,00", wants_ubl=True,
            email="crediteuren@centrada.example.nl"))
        fatma, f_traject = add_person(session, actor, "Fatma", "Yilmaz", user=user,
                                      supervisor_id=coach.id)
        kees, k_traject = add_person(session, actor, "Kees", "de Graaf",
                                     supervisor_id=coach.id)
        # the job's agreed hourly price is € 27,50; the cleaning job has none: the customer's
        # rate (€ 30,00) applies
        garden = job(session, centrada, price=2750, kind=JobKind.GARDEN, people=(fatma, kees),
                     done_on=TODAY - timedelta(days=3),
                     description="Groenstrook achter de flat snoeien")
        cleaning = job(session, centrada, kind=JobKind.CLEANING, people=(fatma,),
                       done_on=TODAY - timedelta(days=5), description="Portiek Kempenaar 5")
        entries = {
            "fatma garden 1": hours(session, fatma, f_traject, TODAY - timedelta(days=10), 180,
                                    garden),
            "fatma garden 2": hours(session, fatma, f_traject, TODAY - timedelta(days=3), 150,
                                    garden),
            "kees garden": hours(session, kees, k_traject, TODAY - timedelta(days=3), 120,
                                 garden),
            "fatma cleaning": hours(session, fatma, f_traject, TODAY - timedelta(days=5), 90,
                                    cleaning),
            # not now: before the period, and not yet approved
            "before the period": hours(session, fatma, f_traject, TODAY - timedelta(days=40),
                                       60, garden),
            "not approved": hours(session, kees, k_traject, TODAY - timedelta(days=2), 60,
                                  garden, status=EntryStatus.SUBMITTED),
        }
        budgets.create_course(session, actor, budgets.CourseData(
            provider="ROC Flevoland", title="VCA Basis", cost="150,00", hours="16",
            leads_to_certificate=True))
        session.commit()
        yield Work(tenant, admin, coach, user, fatma.id, kees.id, garden.reference,
                   cleaning.reference, {k: e.id for k, e in entries.items()})
    session.rollback()


def _budget(session, tenant, participant_id) -> int:
    session.expire_all()
    with tenant_context(session, tenant.id):
        account = ledger.find_account(session, ledger.participant_key(participant_id))
        return ledger.balance(session, account) if account is not None else 0


def _saldo(page):
    return page.locator(".stat").filter(has=page.get_by_text("Saldo", exact=True)).locator("dd")


def test_invoice_from_hours_to_a_course_paid_from_the_budget(
        app, page, new_context, phone_page, work, session):
    slug = work.tenant.slug
    SCREENS.mkdir(exist_ok=True)

    # What the invoice must say, worked out here: quantity × rate, 21% VAT over the total.
    lines = {  # (job, participant): (hours, unit price in cents)
        (work.garden, "Fatma Yilmaz"): (Decimal("5.50"), 2750),
        (work.garden, "Kees de Graaf"): (Decimal("2.00"), 2750),
        (work.cleaning, "Fatma Yilmaz"): (Decimal("1.50"), 3000),
    }
    net = {key: cents_half_up(qty * price) for key, (qty, price) in lines.items()}
    excl = sum(net.values())
    vat = cents_half_up(Decimal(excl) * Decimal("0.21"))
    incl = excl + vat
    fatma_share = net[(work.garden, "Fatma Yilmaz")] + net[(work.cleaning, "Fatma Yilmaz")]
    assert (excl, vat, incl, fatma_share) == (25125, 5276, 30401, 19625)  # the arithmetic above
    course_cost = 15000

    # 1. The admin (with two-factor) opens Facturen and makes a draft for the customer.
    log_in(page, work.admin)
    nav_link(page, "Facturen", exact=True).click()
    expect(page).to_have_url(url_path(f"/{slug}/facturen/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Facturen")
    check_accessibility(page, "invoice list, empty")
    page.get_by_role("link", name="Nieuwe factuur").click()
    check_accessibility(page, "new invoice")
    field(page, "Klant").select_option(label="Woonstichting Centrada")
    field(page, "Periode van").fill(PERIOD[0].isoformat())
    field(page, "Periode tot en met").fill(PERIOD[1].isoformat())
    page.get_by_role("button", name="Conceptfactuur maken").click()
    expect(page.get_by_text("De conceptfactuur is gemaakt. Voeg nu de regels toe.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Conceptfactuur")
    invoice_url = page.url.split("#")[0].split("?")[0]
    invoice_id = int(invoice_url.rstrip("/").rsplit("/", 1)[1])
    # the customer's buyer reference was taken over; the customer gets an e-invoice
    details = page.locator("#gegevens")
    expect(details).to_contain_text("CEN-2026-0457")
    # a housing corporation: Peppol BIS Billing 3.0 (SI-UBL 2.0 is for public bodies)
    expect(page.get_by_text("ontvangt een e-factuur (UBL, Peppol BIS Billing 3.0)")).to_be_visible()

    # The checklist: the approved hours of the period, grouped by job, already ticked.
    checklist = page.locator("#uren")
    garden_box = checklist.locator("fieldset").filter(has_text=f"Hulpvraag {work.garden}")
    cleaning_box = checklist.locator("fieldset").filter(has_text=f"Hulpvraag {work.cleaning}")
    expect(garden_box.locator("legend")).to_contain_text("7,50 uur")  # 3 + 2,5 + 2
    expect(cleaning_box.locator("legend")).to_contain_text("1,50 uur")
    boxes = checklist.get_by_role("checkbox")
    expect(boxes).to_have_count(4)  # not the entry before the period, nor the unapproved one
    for name in ("fatma garden 1", "fatma garden 2", "kees garden", "fatma cleaning"):
        expect(checklist.locator(f"#uur-{work.entries[name]}")).to_be_checked()
    check_accessibility(page, "draft invoice with the hours checklist")
    # Kees's hours are left off at first, then added: they join the garden job's group.
    kees_box = checklist.locator(f"#uur-{work.entries['kees garden']}")
    kees_box.uncheck()
    page.get_by_role("button", name="Gekozen uren op de factuur zetten").click()
    expect(page.get_by_text("De uren staan op de factuur.")).to_be_visible()
    expect(page.locator("#regels tbody tr")).to_have_count(2)
    expect(checklist.get_by_role("checkbox")).to_have_count(1)
    expect(checklist.locator("fieldset legend")).to_contain_text(
        f"Hulpvraag {work.garden} · Woonstichting Centrada · 2,00 uur")
    kees_box.check()
    page.get_by_role("button", name="Gekozen uren op de factuur zetten").click()
    expect(page.locator("#regels tbody tr")).to_have_count(3)
    expect(page.get_by_text(
        "Geen goedgekeurde uren van deze klant die nog gefactureerd moeten worden.")
    ).to_be_visible()

    # The lines, grouped by job, and the totals.
    lines_panel = page.locator("#regels")
    expect(lines_panel.locator("h3")).to_have_text([
        re.compile(rf"^Hulpvraag {work.garden}\b"), re.compile(rf"^Hulpvraag {work.cleaning}\b")])
    tables = lines_panel.locator("table")
    expect(tables).to_have_count(2)
    for (ref, person), (qty, price) in lines.items():
        table = tables.nth(0 if ref == work.garden else 1)
        row = table.locator("tbody tr").filter(has_text=person)
        expect(row).to_have_count(1)
        cells = row.locator("td")
        expect(cells.nth(0)).to_contain_text(f"(hulpvraag {ref}), {person.split()[0]}")
        expect(cells.nth(1)).to_have_text(f"{qty:.2f}".replace(".", ",") + " uur")
        expect(cells.nth(2)).to_have_text(euro(price))
        expect(cells.nth(3)).to_have_text("21% btw")
        expect(cells.nth(4)).to_have_text(euro(net[(ref, person)]))
    expect(tables.nth(0).locator("tbody tr")).to_have_count(2)
    expect(tables.nth(1).locator("tbody tr")).to_have_count(1)
    totals = lines_panel.locator("dl.invoice-totals")
    expect(totals.locator("dd")).to_have_text([euro(excl), euro(vat), euro(incl)])
    expect(totals.locator("dt").nth(1)).to_have_text(
        re.compile(r"^21% btw over €\s" + re.escape(euro_text(excl)[2:]) + "$"))
    check_accessibility(page, "draft invoice with lines")

    # 2. Send it: the first number of the year, e-mailed with the PDF and the UBL to the
    # corporation's address, "verzonden op … aan …", nothing left to edit.
    number = f"F{TODAY.year}-00001"
    expect(field(page, "Factuurdatum")).to_have_value(TODAY.isoformat())
    page.get_by_label("Ik heb de factuur gecontroleerd").check()
    mailman = app.extensions["mailman"]
    before = len(getattr(mailman, "outbox", []))  # locmem makes the list at the first mail
    page.get_by_role("button", name="Definitief maken en versturen").click()
    expect(page.get_by_text("De factuur is definitief gemaakt en wordt per e-mail verstuurd "
                            "aan crediteuren@centrada.example.nl.")).to_be_visible()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(f"Factuur {number}")
    expect(heading).to_contain_text(re.compile("definitief", re.I))
    expect(page.locator("#verzending")).to_contain_text(re.compile(
        r"Verzonden op .+ aan crediteuren@centrada\.example\.nl\."))
    expect(details).to_contain_text(number)
    [mail] = mailman.outbox[before:]
    assert mail.to == ["crediteuren@centrada.example.nl"]
    assert mail.reply_to == ["facturen@devaart.example.org"]
    assert sorted(name for name, _content, _type in mail.attachments) == [
        f"factuur-{number}.pdf", f"factuur-{number}.xml"]
    for gone in ("Gekozen uren op de factuur zetten", "Definitief maken en versturen",
                 "Definitief maken zonder versturen",
                 "Concept verwijderen", "Regel toevoegen", "Gegevens opslaan"):
        expect(page.get_by_role("button", name=gone)).to_have_count(0)
    for gone in ("Gegevens wijzigen", "Regel wijzigen of verwijderen"):
        expect(page.locator("summary", has_text=gone)).to_have_count(0)
    expect(page.get_by_role("checkbox")).to_have_count(0)
    expect(lines_panel.locator("dl.invoice-totals dd").last).to_have_text(euro(incl))
    check_accessibility(page, "sent invoice")
    page.screenshot(path=str(SCREENS / "invoice-sent.png"), full_page=True)

    # 3. The PDF.
    pdf_link = page.get_by_role("link", name="PDF", exact=True)
    pdf = page.request.get(pdf_link.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert f'filename="factuur-{number}.pdf"' in pdf.headers["content-disposition"]
    body = pdf.body()
    assert body.startswith(b"%PDF")
    (SCREENS / f"factuur-{number}.pdf").write_bytes(body)
    text = pdf_text(body)  # the page's text, as drawn
    for shown in (f"Factuur {number}", "Woonstichting Centrada", "CEN-2026-0457",
                  euro_text(incl)[2:]):
        assert re.search(rf"(?<![\w.,]){re.escape(shown)}(?![\w,])", text), \
            f"{shown!r} is not on the PDF"

    # 4. The e-invoice (UBL), downloaded as a user would.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="E-factuur (UBL) downloaden").click()
    download = download_info.value
    assert download.suggested_filename == f"factuur-{number}.xml"
    xml = Path(download.path()).read_bytes()
    ubl = page.request.get(f"/{slug}/facturen/{invoice_id}/ubl")
    assert ubl.status == 200 and "xml" in ubl.headers["content-type"]
    assert ubl.body() == xml
    root = ET.fromstring(xml)
    assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"
    assert root.findtext("cbc:ID", namespaces=UBL_NS) == number
    assert root.findtext("cbc:CustomizationID", namespaces=UBL_NS) == PEPPOL_BIS_3
    assert root.findtext("cbc:BuyerReference", namespaces=UBL_NS) == "CEN-2026-0457"
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount",
                         namespaces=UBL_NS) == f"{incl / 100:.2f}"
    assert len(root.findall("cac:InvoiceLine", UBL_NS)) == 3

    # Sent but not paid: nothing on Fatma's budget yet.
    page.goto(f"/{slug}/budgetten/deelnemer/{work.fatma_id}")
    expect(_saldo(page)).to_have_text(euro(0))

    # 5. The payment, in full.
    page.goto(invoice_url)
    page.get_by_role("link", name="Betaling registreren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Betaling registreren")
    expect(field(page, "Bedrag in euro's")).to_have_value(euro_text(incl)[2:])
    expect(field(page, "Betaald op")).to_have_value(TODAY.isoformat())
    check_accessibility(page, "payment form")
    field(page, "Betaald via").select_option(label="Bankoverschrijving")
    field(page, "Kenmerk of omschrijving").fill(f"Centrada betaling {number}")
    page.get_by_role("button", name="Betaling registreren").click()
    expect(page.get_by_text("De betaling is geregistreerd.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/{slug}/facturen/{invoice_id}(#betalingen)?$"))
    expect(heading).to_contain_text(re.compile("betaald", re.I))
    payments = page.locator("#betalingen")
    expect(payments).to_contain_text(f"Centrada betaling {number}")
    expect(payments.locator("dd").last).to_have_text(euro(0))  # nog open
    expect(page.get_by_role("link", name="Betaling registreren")).to_have_count(0)
    check_accessibility(page, "paid invoice")
    page.goto(f"/{slug}/facturen/")
    row = page.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("Betaald")
    expect(row).to_contain_text(euro_text(incl)[2:])
    check_accessibility(page, "invoice list")

    # 6. Fatma's budget rose by the net value of her lines (policy: the invoiced value).
    nav_link(page, "Opleidingsbudgetten").click()
    page.get_by_role("link", name="Fatma Yilmaz").click()
    expect(page).to_have_url(url_path(f"/{slug}/budgetten/deelnemer/{work.fatma_id}"))
    expect(_saldo(page)).to_have_text(euro(fatma_share))
    statement = page.get_by_role("region", name=re.compile("^Boekingen"))
    expect(statement).to_contain_text(f"Factuur {number}")
    check_accessibility(page, "a participant's budget")
    assert _budget(session, work.tenant, work.fatma_id) == fatma_share
    assert _budget(session, work.tenant, work.kees_id) == net[(work.garden, "Kees de Graaf")]

    # 7. The coach proposes a course; the admin approves it; the budget falls by its cost.
    coach = new_context().new_page()
    log_in(coach, work.coach)
    coach.goto(f"/{slug}/budgetten/deelnemer/{work.fatma_id}")
    field(coach, "Cursus").select_option(label="VCA Basis · ROC Flevoland")
    field(coach, "Waarom past deze cursus?").fill("Fatma wil verder in het groenonderhoud.")
    coach.get_by_role("button", name="Cursus voorstellen").click()
    expect(coach.get_by_text("De cursus is voorgesteld. Een beheerder beslist erover.")
           ).to_be_visible()

    page.goto(f"/{slug}/budgetten/voorstellen")
    proposal = page.locator("li.card").filter(has_text="Fatma Yilmaz")
    expect(proposal).to_contain_text("VCA Basis")
    expect(proposal.locator("dd").nth(1)).to_have_text(euro(course_cost))  # kosten
    expect(proposal.locator("dd").nth(2)).to_have_text(euro(fatma_share))  # budget nu
    check_accessibility(page, "course proposals")
    proposal.get_by_role("button", name=re.compile("^Goedkeuren")).click()
    expect(page.get_by_text("De cursus is goedgekeurd en van het budget afgeboekt.")
           ).to_be_visible()
    page.goto(f"/{slug}/budgetten/deelnemer/{work.fatma_id}")
    expect(_saldo(page)).to_have_text(euro(fatma_share - course_cost))
    expect(statement).to_contain_text("Cursus: VCA Basis")
    assert _budget(session, work.tenant, work.fatma_id) == fatma_share - course_cost

    # 8. Fatma, on her phone (no two-factor for participants), sees her budget.
    phone = phone_page
    log_in(phone, work.user)
    nav_link(phone, "Mijn budget").click()
    expect(phone).to_have_url(url_path(f"/{slug}/budgetten/mijn"))
    expect(phone.locator(".stat").filter(has=phone.get_by_text("Uw budget nu")).locator("dd")
           ).to_have_text(euro(fatma_share - course_cost))
    mine = phone.get_by_role("region", name=re.compile("^Boekingen"))
    expect(mine).to_contain_text(f"Factuur {number}")  # what earned it
    expect(mine).to_contain_text("Cursus: VCA Basis")  # what it paid for
    course_card = phone.locator("li.card").filter(has_text="VCA Basis")
    expect(course_card).to_contain_text("Goedgekeurd")
    expect(course_card).to_contain_text(euro_text(course_cost)[2:])
    check_accessibility(phone, "my budget (phone)")
    assert_fits_the_screen(phone, "my budget (phone)")
    phone.screenshot(path=str(SCREENS / "my-budget-phone.png"), full_page=True)

    session.expire_all()
    with tenant_context(session, work.tenant.id):
        invoice = session.scalar(select(Invoice).where(Invoice.id == invoice_id))
        assert (invoice.number_text, invoice.status) == (number, InvoiceStatus.PAID)
        assert (invoice.total_excl_cents, invoice.total_incl_cents) == (excl, incl)
