"""The report as PDF: the figures of the hand-computed data set (tests/reports/test_report.py),
the same sections as the page, and the cooperative's logo when one is set."""
from __future__ import annotations

from blueprints.invoicing import settings as finance_settings
from blueprints.reports import pdf as report_pdf
from tests.helpers import login
from tests.invoicing.doc_builders import png
from tests.pdftext import pdf_text
from tests.reports.test_report import Q1, Q2, Q2_ARGS, hand_data


def test_the_pdf_holds_the_hand_computed_figures(coop, client):
    hand_data(coop)
    login(client, coop.admin)
    response = client.get(f"/{coop.tenant.slug}/rapportage/export.pdf?{Q2_ARGS}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="rapportage-2026-04-01-2026-06-30.pdf"' in \
        response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    flat = " ".join(text.split())
    assert "Bewonerscoöperatie De Vaart" in flat and "Rapportage Q2 2026" in flat
    assert "volgens registratie van de coöperatie" in flat
    for section in ("Deelnemers en trajecten", "Uren", "Hulpvragen", "Uitstroom", "Omzet"):
        assert section in flat
    assert "Actieve deelnemers 5 4" in flat
    assert "Goedgekeurde uren 8,5 uur 4 uur" in flat
    assert "Uitgevoerde hulpvragen 3 1" in flat
    assert "Uitstroom (afgeronde trajecten) 2 0" in flat
    assert "Uitstroompercentage 40,0% 0,0%" in flat
    assert "Uitstroom naar betaald werk 20,0% 0,0%" in flat
    assert "€ 50,00 € 50,00" in flat  # invoiced after credit notes, both quarters
    assert "Ontvangen betalingen € 121,00 € 0,00" in flat
    assert "2026-W15" in flat and "2026-W27" in flat  # the weekly table, 6 Apr .. 29 Jun
    assert "/Subtype /Image" not in response.data.decode("latin-1")


def test_the_logo_is_on_the_report(app, coop, tmp_path):
    s = coop.session
    finance_settings.save_logo(s, coop.actor, png(), tmp_path)
    with app.test_request_context():
        with_logo = report_pdf.render_report_pdf(s, "De Vaart", Q2, Q1, storage_root=tmp_path,
                                                 compress=False)
        without = report_pdf.render_report_pdf(s, "De Vaart", Q2, Q1,
                                               storage_root=tmp_path / "elders", compress=False)
    assert b"/Subtype /Image" in with_logo
    assert b"/Subtype /Image" not in without
