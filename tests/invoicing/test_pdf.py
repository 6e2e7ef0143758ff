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


def _text(session, inv, **kw) -> bytes:
    return pdf_text(render_invoice_pdf(session, inv, compress=False, **kw))


def test_a_sent_invoice_has_every_item_the_law_asks(app, world):
    s = world.session
    c = housing(s)
    inv = invoice(s, world.settings, c, RESIDENT_LINES, buyer_reference="PO-77",
                  order_reference="ORD-5")
    with app.test_request_context():
        text = _text(s, inv)
    assert text.startswith(b"%PDF")
    # supplier: name, address, KvK, VAT id
    for needle in (b"Bewonersco", b"Vaartweg 12", b"1234 AB Lelystad", b"KvK " + KVK.encode(),
                   b"Btw-id " + VAT_ID.encode()):
        assert needle in text, needle
    # customer: name, address, VAT id
    for needle in (b"Woonstichting Het Anker", b"Havenkade 1", b"8224 AA Lelystad",
                   b"NL000099998B57"):
        assert needle in text, needle
    # number, invoice date, supply dates, due date, references
    assert b"Factuur F2026-00042" in text and b"22-11-2026" in text
    assert b"03-11-2026 t/m 10-11-2026" in text and b"06-12-2026" in text
    assert b"PO-77" in text and b"ORD-5" in text
    # lines: description, quantity with unit, unit price, rate, amount
    assert b"Tuinonderhoud Lindenlaan 4" in text and b"2,5 uur" in text and b"25,00" in text
    assert b"62,50" in text and b"vrijgesteld" in text
    # per rate: base and VAT (21% over 62,50 + 19,99 = 82,49 -> 17,32), exempt base, mention
    assert b"Btw 21% over" in text and b"82,49" in text
    assert b"17,32" in text and b"37,50" in text
    assert b"Vrijgesteld van btw op grond van art. 11 lid 1 onderdeel f Wet OB 1968" in text
    # totals and payment: incl 137,31, IBAN printed in groups, the number as reference
    assert b"Totaal te betalen" in text and b"137,31" in text
    assert IBAN_PRINTED.encode()[:14] in text and b"onder vermelding van" in text
    # recognition
    assert b"SBB erkend leerbedrijf, nr. 100234567" in text


def test_a_draft_is_a_concept_without_a_number_and_with_the_live_details(app, world):
    s = world.session
    c = customer(s)
    draft = invoice(s, world.settings, c, RESIDENT_LINES[:1], status=InvoiceStatus.DRAFT)
    world.settings.legal_name = "Nieuwe Naam Coöperatie"
    s.flush()
    with app.test_request_context():
        text = _text(s, draft)
    assert b"CONCEPT" in text and b"geen factuur" in text
    assert b"F2026-" not in text and b"volgt bij verzenden" in text
    assert b"Nieuwe Naam Co" in text  # a draft shows what sending it would produce


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
    assert b"Nieuwe Naam" not in text and b"Verhuisd" not in text and b"NL20" not in text
    assert b"Lindenlaan 4" in text and IBAN_PRINTED.encode()[:14] in text


def test_a_credit_note_names_the_invoice_and_shows_credited_amounts(app, world):
    s = world.session
    c = customer(s)
    original = invoice(s, world.settings, c, RESIDENT_LINES[:1], issued=date(2026, 11, 2))
    credit = invoice(s, world.settings, c, [L("Tuinonderhoud Lindenlaan 4", "2.5", 2500)],
                     number=3, kind=InvoiceKind.CREDIT_NOTE, credits=original)
    with app.test_request_context():
        text = _text(s, credit)
    assert b"Creditnota C2026-00003" in text
    assert b"Creditnota op factuur F2026-00042 van 02-11-2026" in text
    assert b"-62,50" in text and b"-13,13" in text and b"-75,63" in text
    assert b"Totaal gecrediteerd" in text and b"verrekend met factuur F2026-00042" in text


def test_a_kor_tenant_prints_the_kor_mention_instead_of_vat(app, world):
    s = world.session
    finance(s, vat_regime=VatRegime.KOR, vat_id=None, default_vat_rate="kor")
    c = customer(s)
    inv = invoice(s, world.settings, c, [L("Klussen", "4", 2000, "kor")])
    with app.test_request_context():
        text = _text(s, inv)
    # (PDF strings escape parentheses)
    assert b"Vrijgesteld van btw op grond van de kleineondernemersregeling \\(KOR\\)" in text
    assert b"Btw-id" not in text and b"80,00" in text


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
    assert b"<b>Yilmaz & Zn</b>" in text  # no markup, and in letters Helvetica has
    assert b"Heg <knippen> & snoeien" in text


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
    assert b"F2026-00042" in pdf_text(response.data)
    concept = client.get(f"/{world.tenant.slug}/facturen/{draft.id}/pdf")
    assert concept.status_code == 200
    assert f'factuur-concept-{draft.id}.pdf' in concept.headers["Content-Disposition"]
    assert b"CONCEPT" in pdf_text(concept.data)


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
        assert b"Zonder Instellingen" in text and b"CONCEPT" in text
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
    assert b"Regel 59" in pdf_text(data)


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
