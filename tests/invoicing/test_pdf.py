"""The invoice PDF: every item Dutch law asks of an invoice is on it; a draft is a CONCEPT
without a number; a credit note names the invoice it credits; the download route."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from blueprints.invoicing import settings as finance_settings
from blueprints.invoicing.models import FinanceSettings, InvoiceKind, InvoiceStatus, VatRegime
from blueprints.invoicing.pdf import invoice_pdf, render_invoice_pdf
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helpers import login
from tests.invoicing.doc_builders import (  # noqa: F401  (world is a fixture)
    IBAN_PRINTED,
    KVK,
    RESIDENT_LINES,
    VAT_ID,
    L,
    customer,
    finance,
    housing,
    invoice,
    municipality,
    pdf_text,
    png,
    world,
)


def _text(session, inv, **kw) -> str:
    pdf = render_invoice_pdf(session, inv, compress=False, **kw)
    assert pdf.startswith(b"%PDF")
    return pdf_text(pdf)


def test_a_sent_invoice_has_every_item_the_law_asks(app, world):
    s = world.session
    c = housing(s)
    inv = invoice(s, world.settings, c, RESIDENT_LINES, buyer_reference="PO-77",
                  order_reference="ORD-5")
    with app.test_request_context():
        text = _text(s, inv)
    # supplier: name, address, KvK, VAT id
    for needle in ("Bewonersco", "Vaartweg 12", "1234 AB Lelystad", "KvK " + KVK,
                   "Btw-id " + VAT_ID):
        assert needle in text, needle
    # customer: name, address, VAT id
    for needle in ("Woonstichting Het Anker", "Havenkade 1", "8224 AA Lelystad",
                   "NL000099998B57"):
        assert needle in text, needle
    # number, invoice date, supply dates, due date, references
    assert "Factuur F2026-00042" in text and "22-11-2026" in text
    assert "03-11-2026 t/m 10-11-2026" in text and "06-12-2026" in text
    assert "PO-77" in text and "ORD-5" in text
    # lines: description, quantity with unit, unit price, rate, amount
    assert "Tuinonderhoud Lindenlaan 4" in text and "2,5 uur" in text and "25,00" in text
    assert "62,50" in text and "vrijgesteld" in text
    # per rate: base and VAT (21% over 62,50 + 19,99 = 82,49 -> 17,32), exempt base, mention
    assert "Btw 21% over" in text and "82,49" in text
    assert "17,32" in text and "37,50" in text
    assert "Vrijgesteld van btw op grond van art. 11 lid 1 onderdeel f Wet OB 1968" in text
    # totals and payment: incl 137,31, IBAN printed in groups, the number as reference
    assert "Totaal te betalen" in text and "137,31" in text
    assert IBAN_PRINTED[:14] in text and "onder vermelding van" in text
    # recognition
    assert "SBB erkend leerbedrijf, nr. 100234567" in text


def test_a_draft_is_a_concept_without_a_number_and_with_the_live_details(app, world):
    s = world.session
    c = customer(s)
    draft = invoice(s, world.settings, c, RESIDENT_LINES[:1], status=InvoiceStatus.DRAFT)
    world.settings.legal_name = "Nieuwe Naam Coöperatie"
    s.flush()
    with app.test_request_context():
        text = _text(s, draft)
    assert "CONCEPT" in text and "geen factuur" in text
    assert "F2026-" not in text and "volgt bij verzenden" in text
    assert "Nieuwe Naam Co" in text  # a draft shows what sending it would produce


def test_a_sent_invoice_keeps_the_details_it_was_sent_with(app, world):
    s = world.session
    c = customer(s)
    inv = invoice(s, world.settings, c, RESIDENT_LINES[:1])
    world.settings.legal_name = "Nieuwe Naam Coöperatie"
    world.settings.iban = "NL20INGB0001234567"
    c.street = "Verhuisd 99"
    s.flush()
    with app.test_request_context():
        text = _text(s, inv)
    assert "Nieuwe Naam" not in text and "Verhuisd" not in text and "NL20" not in text
    assert "Lindenlaan 4" in text and IBAN_PRINTED[:14] in text


def test_a_credit_note_names_the_invoice_and_shows_credited_amounts(app, world):
    s = world.session
    c = customer(s)
    original = invoice(s, world.settings, c, RESIDENT_LINES[:1], issued=date(2026, 11, 2))
    credit = invoice(s, world.settings, c, [L("Tuinonderhoud Lindenlaan 4", "2.5", 2500)],
                     number=3, kind=InvoiceKind.CREDIT_NOTE, credits=original)
    with app.test_request_context():
        text = _text(s, credit)
    assert "Creditnota C2026-00003" in text
    assert "Creditnota op factuur F2026-00042 van 02-11-2026" in text
    assert "-62,50" in text and "-13,13" in text and "-75,63" in text
    assert "Totaal gecrediteerd" in text and "verrekend met factuur F2026-00042" in text


def test_a_kor_tenant_prints_the_kor_mention_instead_of_vat(app, world):
    s = world.session
    finance(s, vat_regime=VatRegime.KOR, vat_id=None, default_vat_rate="kor")
    c = customer(s)
    inv = invoice(s, world.settings, c, [L("Klussen", "4", 2000, "kor")])
    with app.test_request_context():
        text = _text(s, inv)
    assert "Vrijgesteld van btw op grond van de kleineondernemersregeling (KOR)" in text
    assert "Btw-id" not in text and "80,00" in text


def test_the_logo_is_on_the_invoice(app, world, tmp_path):
    s = world.session
    finance_settings.save_logo(s, world.actor, png(), tmp_path)
    c = customer(s)
    inv = invoice(s, world.settings, c, RESIDENT_LINES[:1])
    with app.test_request_context():
        with_logo = render_invoice_pdf(s, inv, storage_root=tmp_path, compress=False)
        without = render_invoice_pdf(s, inv, storage_root=tmp_path / "elders", compress=False)
    assert b"/Subtype /Image" in with_logo
    assert b"/Subtype /Image" not in without  # a missing file: the invoice without a logo


def test_user_text_is_printed_as_typed(app, world):
    s = world.session
    c = customer(s, name="<b>Yılmaz & Zn</b>")
    inv = invoice(s, world.settings, c, [L("Heg <knippen> & snoeien", "1", 1000)])
    with app.test_request_context():
        text = _text(s, inv)
    assert "<b>Yılmaz & Zn</b>" in text  # no markup, and exactly as typed
    assert "Heg <knippen> & snoeien" in text


def test_the_customer_name_prints_exactly_as_typed(app, world):
    """The law asks for the customer's name as it is: no transliteration, no "?" for a letter
    or sign a PDF base font lacks; the font travels inside the PDF."""
    s = world.session
    c = customer(s, name="Şükrü Yılmaz-Łęcka")
    inv = invoice(s, world.settings, c, [L("Heg snoeien ✓ (Œ ő ř ğ İ)", "1", 1000)])
    with app.test_request_context():
        pdf = render_invoice_pdf(s, inv, compress=False)
    text = pdf_text(pdf)
    assert "Şükrü Yılmaz-Łęcka" in text
    assert "Heg snoeien ✓ (Œ ő ř ğ İ)" in text
    assert "Sukru" not in text and "Yilmaz" not in text and "?" not in text
    assert b"/FontFile2" in pdf  # the TrueType font is embedded
    assert b"Helvetica" not in pdf and b"ZapfDingbats" not in pdf and b"/Symbol" not in pdf


def test_the_pdf_is_the_same_twice(app, world):
    s = world.session
    inv = invoice(s, world.settings, customer(s), RESIDENT_LINES)
    with app.test_request_context():
        d1 = render_invoice_pdf(s, inv, compress=False)
        d2 = render_invoice_pdf(s, inv, compress=False)
    assert d1 == d2


# --- the route ---------------------------------------------------------------------------------

def test_the_pdf_download(app, client, world):
    s = world.session
    inv = invoice(s, world.settings, municipality(s), RESIDENT_LINES)
    draft = invoice(s, world.settings, customer(s), RESIDENT_LINES[:1],
                    status=InvoiceStatus.DRAFT)
    s.commit()
    login(client, world.admin)
    response = client.get(f"/{world.tenant.slug}/facturen/{inv.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="factuur-F2026-00042.pdf"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert "F2026-00042" in pdf_text(response.data)
    concept = client.get(f"/{world.tenant.slug}/facturen/{draft.id}/pdf")
    assert concept.status_code == 200
    assert f'factuur-concept-{draft.id}.pdf' in concept.headers["Content-Disposition"]
    assert "CONCEPT" in pdf_text(concept.data)


def test_participants_and_other_tenants_never_reach_a_pdf(app, client, make, world):
    s = world.session
    inv = invoice(s, world.settings, customer(s), RESIDENT_LINES)
    s.commit()
    participant = make.member(world.tenant, Role.PARTICIPANT)
    login(client, participant)
    assert client.get(f"/{world.tenant.slug}/facturen/{inv.id}/pdf").status_code == 403
    other = make.tenant()
    admin = make.member(other, Role.ADMIN)
    elsewhere = app.test_client()
    login(elsewhere, admin)
    assert elsewhere.get(f"/{other.slug}/facturen/{inv.id}/pdf").status_code == 404


def test_a_pdf_needs_no_settings_row_and_creates_none(app, make, session):
    """A draft of a tenant that never opened the settings: the PDF comes from the defaults,
    and reading it writes nothing."""
    tenant = make.tenant(name="Coöperatie Zonder Instellingen")
    with tenant_context(session, tenant.id):
        c = customer(session)
        settings = finance_settings.current_settings(session)
        draft = invoice(session, settings, c, RESIDENT_LINES[:1], status=InvoiceStatus.DRAFT)
        with app.test_request_context():
            text = pdf_text(render_invoice_pdf(session, draft, compress=False))
        assert "Zonder Instellingen" in text and "CONCEPT" in text
        assert session.scalar(select(FinanceSettings)) is None
    session.rollback()


def test_layout_survives_many_lines(app, world):
    s = world.session
    lines = [L(f"Regel {i}: tuinonderhoud bij de flat aan de Lindenlaan, voorjaarsbeurt", "1.25",
               2500 + i) for i in range(60)]
    inv = invoice(s, world.settings, customer(s), lines)
    with app.test_request_context():
        data = render_invoice_pdf(s, inv, compress=False)
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 2 or b"pagina 2" in \
        pdf_text(data)
    assert "Regel 59" in pdf_text(data)


def test_invoice_pdf_without_database(world):
    """invoice_pdf() lays out a document of plain values (no session needed)."""
    from blueprints.invoicing.document import invoice_document

    s = world.session
    inv = invoice(s, world.settings, customer(s), RESIDENT_LINES)
    doc = invoice_document(s, inv)
    assert invoice_pdf(doc, None, compress=False).startswith(b"%PDF")


def test_document_lines_are_grouped_by_job_as_on_the_invoice_page():
    """A line added later for an earlier job is printed with that job, fixed lines last."""
    from types import SimpleNamespace as Row

    from blueprints.invoicing.document import by_job

    rows = [Row(id=1, position=0, help_request_id=7), Row(id=2, position=1, help_request_id=None),
            Row(id=3, position=2, help_request_id=9), Row(id=4, position=3, help_request_id=7)]
    assert [r.id for r in by_job(rows)] == [1, 4, 3, 2]
