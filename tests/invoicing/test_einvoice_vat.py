"""E-invoices that validate where they are sent: the profile the customer chooses (SI-UBL 2.0 or
Peppol BIS Billing 3.0, never both in one file), the seller's tax registration under the KOR,
every 0% ground with its VAT category and mention (PDF and UBL), and discounts on a line and on
the whole invoice with consistent totals. Each e-invoice is checked by ublcheck under the rules
of its profile; the tampered ones show the checker sees each rule broken."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from blueprints.customers import services as customer_services
from blueprints.customers.models import Customer, CustomerKind, EinvoiceProfile
from blueprints.invoicing import services
from blueprints.invoicing.models import InvoiceStatus, LineUnit, VatRegime
from blueprints.invoicing.pdf import render_invoice_pdf
from blueprints.invoicing.ubl import CUSTOMIZATION_IDS, render_ubl, ubl_available
from tenants.errors import DomainError
from tests.helpers import login
from tests.invoicing import ublcheck
from tests.invoicing.doc_builders import (  # noqa: F401  (world is a fixture)
    RESIDENT_LINES,
    L,
    finance,
    housing,
    invoice,
    municipality,
    pdf_text,
    world,
)
from tests.invoicing.test_ubl import _assert_valid, _both, _subtotals, _ubl
from tests.invoicing.ublcheck import NS

TAX_NUMBER = "123456789B01"
DAY = date(2026, 11, 10)


def _pdf(session, inv) -> str:
    return pdf_text(render_invoice_pdf(session, inv, compress=False))


# --- the profile ---------------------------------------------------------------------------------

def test_the_customer_chooses_the_profile_and_the_file_claims_only_that_one(app, world):
    s = world.session
    gemeente, corporatie = municipality(s), housing(s)
    assert gemeente.einvoice_profile == "si-ubl"  # a Dutch public body
    assert corporatie.einvoice_profile == "peppol"  # another Peppol receiver
    for number, (customer, expected) in enumerate(((gemeente, "si-ubl"),
                                                    (corporatie, "peppol")), start=50):
        inv = invoice(s, world.settings, customer, RESIDENT_LINES, buyer_reference="REF-1",
                      number=number)
        root = _ubl(app, s, inv)
        _assert_valid(root, expected)
        assert root.find("cbc:CustomizationID", NS).text == CUSTOMIZATION_IDS[expected]
    # the SI-UBL file is refused by Peppol's rules (R004)
    gemeente_root = _ubl(app, s, inv, "si-ubl")
    assert set(ublcheck.check_as_peppol(gemeente_root)) == {"PEPPOL-EN16931-R004"}
    # a Peppol file with a Dutch supplier answers to Peppol's Dutch rules, not to BR-NL-*
    peppol_root = _ubl(app, s, inv, "peppol")
    address = peppol_root.find("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress", NS)
    address.remove(address.find("cbc:CityName", NS))
    assert set(ublcheck.check(peppol_root)) == {"NL-R-002"}


def test_a_customer_can_change_its_profile_through_the_service(world):
    s = world.session
    data = customer_services.CustomerData(
        kind=CustomerKind.HOUSING, name="Woonstichting Noord", street="Dijk 1",
        postcode="8224AA", city="Lelystad", kvk_number="87654321", wants_ubl=True)
    created = customer_services.create_customer(s, world.actor, data)
    assert created.einvoice_profile == EinvoiceProfile.PEPPOL.value
    updated = customer_services.update_customer(s, world.actor, created,
                                                replace(data, einvoice_profile="si-ubl"))
    assert updated.einvoice_profile == "si-ubl"
    with pytest.raises(DomainError, match="SI-UBL 2.0 of Peppol"):
        customer_services.update_customer(s, world.actor, created,
                                          replace(data, einvoice_profile="beide"))
    gemeente = customer_services.create_customer(s, world.actor, customer_services.CustomerData(
        kind=CustomerKind.MUNICIPALITY, name="Gemeente Dronten", street="De Rede 1",
        postcode="8251ER", city="Dronten", oin="00000001001234567000"))
    assert gemeente.einvoice_profile == "si-ubl"


def test_the_customer_form_offers_the_profile(app, client, world):
    s = world.session
    c = housing(s)
    s.commit()
    login(client, world.admin)
    page = client.get(f"/{world.tenant.slug}/klanten/{c.id}/bewerken")
    html = page.get_data(as_text=True)
    assert "Profiel van de e-factuur" in html and "Peppol BIS Billing 3.0" in html
    assert "SI-UBL 2.0 (Nederlandse overheid)" in html


# --- the seller's tax registration ---------------------------------------------------------------

def test_a_kor_seller_without_vat_id_gets_no_ubl_but_a_dutch_message(app, client, world):
    s = world.session
    finance(s, vat_regime=VatRegime.KOR, default_vat_rate="kor", vat_id=None, tax_number=None)
    inv = invoice(s, world.settings, housing(s, wants_ubl=True),
                  [L("Klussen", "4", 2000, "kor")], buyer_reference="PO-9")
    s.commit()
    assert not ubl_available(s, inv)
    with app.test_request_context(), pytest.raises(DomainError, match="omzetbelastingnummer"):
        render_ubl(s, inv)
    login(client, world.admin)
    base = f"/{world.tenant.slug}/facturen"
    html = client.get(f"{base}/{inv.id}").get_data(as_text=True)
    assert "Geen e-factuur (UBL) bij deze factuur" in html
    assert "omzetbelastingnummer" in html
    assert "E-factuur (UBL) downloaden" not in html
    refused = client.get(f"{base}/{inv.id}/ubl")
    assert refused.status_code == 302
    settings_page = client.get(f"{base}/instellingen").get_data(as_text=True)
    assert "Nog geen e-factuur (UBL):" in settings_page


def test_a_kor_seller_with_its_tax_number_gets_a_valid_ubl(app, world):
    s = world.session
    finance(s, vat_regime=VatRegime.KOR, default_vat_rate="kor", vat_id=None,
            tax_number=TAX_NUMBER)
    inv = invoice(s, world.settings, housing(s), [L("Klussen", "4", 2000, "kor")],
                  buyer_reference="PO-9")
    for root in _both(app, s, inv):
        scheme = root.find("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme", NS)
        assert scheme.find("cbc:CompanyID", NS).text == TAX_NUMBER
        assert scheme.find("cac:TaxScheme/cbc:ID", NS).text == "TAX"  # BT-32, not a VAT id
        # without it the rules fail: BR-E-02
        party = root.find("cac:AccountingSupplierParty/cac:Party", NS)
        party.remove(scheme)
        assert "BR-E-02" in ublcheck.check(root)


def test_the_tax_number_is_checked_in_the_settings(world):
    from blueprints.invoicing.settings import clean_tax_number

    assert clean_tax_number(" NL 1234.56.789.B01 ") == TAX_NUMBER
    assert clean_tax_number("") is None
    with pytest.raises(DomainError, match="omzetbelastingnummer klopt niet"):
        clean_tax_number("12345B01")


# --- the 0% grounds ------------------------------------------------------------------------------

def _customer_with_vat_id(s, **kw):
    kw.setdefault("vat_id", "NL000099998B57")
    return housing(s, name="Bouwbedrijf Vos BV", **kw)


def test_zero_rated_lines_are_category_z_without_an_exemption_reason(app, world):
    s = world.session
    inv = invoice(s, world.settings, housing(s), [
        L("Export van meubels", "1", 10000, "0", LineUnit.PIECE, supply_date=DAY)],
        buyer_reference="R")
    for root in _both(app, s, inv):
        assert _subtotals(root) == {("Z", "0"): ("100.00", "0.00", None)}
        assert root.find("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID",
                         NS).text == "Z"
        reason = root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
        ET_reason = reason.makeelement(f"{{{NS['cbc']}}}TaxExemptionReason", {})
        ET_reason.text = "x"
        reason.insert(2, ET_reason)
        assert "BR-Z-10" in ublcheck.check(root)
    assert "Btw 0% (nultarief)" in _pdf(s, inv)


@pytest.mark.parametrize("code, category, mention, vatex", [
    ("vrijgesteld", "E", "Vrijgesteld van btw op grond van art. 11 lid 1 onderdeel f Wet OB "
                         "1968", None),
    ("verlegd", "AE", "Btw verlegd", "VATEX-EU-AE"),
    ("icl", "K", "Intracommunautaire levering", "VATEX-EU-IC"),
])
def test_each_exempt_ground_has_its_category_and_mention(app, world, code, category, mention,
                                                        vatex):
    s = world.session
    inv = invoice(s, world.settings, _customer_with_vat_id(s), [
        L("Werk", "2", 5000, code, supply_date=DAY),
        L("Materiaal", "1", 1000, "21", LineUnit.PIECE, supply_date=DAY)], buyer_reference="R")
    for root in _both(app, s, inv):
        subtotals = _subtotals(root)
        assert subtotals[(category, "0")] == ("100.00", "0.00", mention)
        assert subtotals[("S", "21")] == ("10.00", "2.10", None)
        sub = next(x for x in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
                   if x.find("cac:TaxCategory/cbc:ID", NS).text == category)
        found = sub.find("cac:TaxCategory/cbc:TaxExemptionReasonCode", NS)
        assert (found.text if found is not None else None) == vatex
        # the reason is what the rules require: without it, BR-E-10 / BR-AE-10 / BR-IC-10
        tax_category = sub.find("cac:TaxCategory", NS)
        for name in ("TaxExemptionReason", "TaxExemptionReasonCode"):
            element = tax_category.find(f"cbc:{name}", NS)
            if element is not None:
                tax_category.remove(element)
        rule = {"E": "BR-E-10", "AE": "BR-AE-10", "K": "BR-IC-10"}[category]
        assert rule in ublcheck.check(root)
    text = _pdf(s, inv)
    assert mention in " ".join(text.split())
    assert "NL000099998B57" in text  # the customer's VAT id, which reverse charge names


def test_an_intra_community_supply_names_the_country_and_the_buyers_vat_id(app, world):
    s = world.session
    buyer = _customer_with_vat_id(s, country_code="BE", vat_id="BE0123456749")
    inv = invoice(s, world.settings, buyer, [L("Levering", "1", 50000, "icl", LineUnit.PIECE,
                                               supply_date=DAY)], buyer_reference="R")
    for root in _both(app, s, inv):
        assert root.find("cac:Delivery/cbc:ActualDeliveryDate", NS).text == "2026-11-10"
        assert root.find("cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/"
                         "cbc:IdentificationCode", NS).text == "BE"
        root.remove(root.find("cac:Delivery", NS))
        assert {"BR-IC-11", "BR-IC-12"} <= set(ublcheck.check(root))
    root = _ubl(app, s, inv)
    party = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    party.remove(party.find("cac:PartyTaxScheme", NS))
    assert "BR-IC-02" in ublcheck.check(root)


def test_reverse_charge_without_the_customers_vat_id_is_refused(app, world):
    s = world.session
    c = housing(s, vat_id=None)
    inv = invoice(s, world.settings, c, [L("Werk", "2", 5000, "verlegd")], buyer_reference="R")
    assert not ubl_available(s, inv)
    with app.test_request_context(), pytest.raises(DomainError, match="btw-id van de klant"):
        render_ubl(s, inv)
    # and the customer service refuses it as a default rate without a VAT id
    with pytest.raises(DomainError, match="btw-id van de klant"):
        customer_services.create_customer(s, world.actor, customer_services.CustomerData(
            kind=CustomerKind.SHOP, name="Bakker", default_vat_rate="verlegd"))


def test_a_line_with_a_zero_ground_through_the_services(world):
    s = world.session
    c = _customer_with_vat_id(s)
    draft = services.create_draft(s, world.actor, c, buyer_reference="R")
    line = services.add_fixed_line(s, world.actor, draft, "Sloopwerk", "3", "uur", 4000,
                                   "verlegd")
    assert line.vat_rate == "verlegd" and draft.total_vat_cents == 0
    with pytest.raises(DomainError, match="bestaand btw-tarief"):
        services.add_fixed_line(s, world.actor, draft, "X", "1", "uur", 100, "verzonnen")


def test_sending_reverse_charge_needs_the_customers_vat_id(world):
    s = world.session
    c = housing(s, vat_id=None)
    draft = services.create_draft(s, world.actor, c, buyer_reference="R")
    services.add_fixed_line(s, world.actor, draft, "Sloopwerk", "3", "uur", 4000, "verlegd")
    with pytest.raises(DomainError, match="btw-id van de klant"):
        services.finalise(s, world.actor, draft)


# --- discounts -----------------------------------------------------------------------------------

def _discounted(s, world):
    """A draft with a discounted 21% line, a plain exempt line and a discount on the invoice at
    21%, sent."""
    c = housing(s)
    draft = services.create_draft(s, world.actor, c, buyer_reference="R")
    services.add_fixed_line(s, world.actor, draft, "Tuinonderhoud", "3", "uur", 2500, "21",
                            DAY, allowance="7,50", allowance_reason="Vrijwilligerskorting")
    services.add_fixed_line(s, world.actor, draft, "Boodschappenhulp", "2", "uur", 1250,
                            "vrijgesteld", DAY)
    services.set_invoice_allowance(s, world.actor, draft, "5,00", "Jubileumkorting", "21")
    return services.finalise(s, world.actor, draft)


def test_a_discount_on_a_line_and_on_the_invoice(app, world):
    s = world.session
    sent = _discounted(s, world)
    # 3 × 25,00 = 75,00 − 7,50 = 67,50 (21%); 25,00 exempt; − 5,00 on the 21% part
    assert (sent.total_excl_cents, sent.total_vat_cents, sent.total_incl_cents) == \
        (8750, 1313, 10063)  # 62,50 × 21% = 13,125 → 13,13
    for root in _both(app, s, sent):
        line = root.find("cac:InvoiceLine", NS)
        assert line.find("cbc:LineExtensionAmount", NS).text == "67.50"
        allowance = line.find("cac:AllowanceCharge", NS)
        assert allowance.find("cbc:ChargeIndicator", NS).text == "false"
        assert allowance.find("cbc:Amount", NS).text == "7.50"
        assert allowance.find("cbc:AllowanceChargeReason", NS).text == "Vrijwilligerskorting"
        document = root.find("cac:AllowanceCharge", NS)
        assert document.find("cbc:ChargeIndicator", NS).text == "false"
        assert document.find("cbc:Amount", NS).text == "5.00"
        assert document.find("cac:TaxCategory/cbc:ID", NS).text == "S"
        totals = {e.tag.rsplit("}", 1)[1]: e.text
                  for e in root.find("cac:LegalMonetaryTotal", NS)}
        assert totals == {"LineExtensionAmount": "92.50", "TaxExclusiveAmount": "87.50",
                          "TaxInclusiveAmount": "100.63", "AllowanceTotalAmount": "5.00",
                          "PayableAmount": "100.63"}
        assert _subtotals(root)[("S", "21")] == ("62.50", "13.13", None)
        # the checker sees the allowance rules broken
        root.find("cac:LegalMonetaryTotal/cbc:AllowanceTotalAmount", NS).text = "4.00"
        document.remove(document.find("cac:TaxCategory", NS))
        for name in ("AllowanceChargeReason", "AllowanceChargeReasonCode"):
            allowance.remove(allowance.find(f"cbc:{name}", NS))
        assert {"BR-CO-11", "BR-32", "BR-42"} <= set(ublcheck.check(root))
    text = " ".join(_pdf(s, sent).split())
    assert "Vrijwilligerskorting" in text and "Jubileumkorting" in text
    assert "€ 100,63" in text.replace("\u00a0", " ")


def test_a_discount_cannot_exceed_what_it_lowers(world):
    s = world.session
    draft = services.create_draft(s, world.actor, housing(s), buyer_reference="R")
    with pytest.raises(DomainError, match="hoger dan het bedrag van de regel"):
        services.add_fixed_line(s, world.actor, draft, "Klus", "1", "uur", 2500, "21",
                                allowance="30,00")
    with pytest.raises(DomainError, match="positief bedrag"):
        services.add_fixed_line(s, world.actor, draft, "Klus", "1", "uur", 2500, "21",
                                allowance=-100)
    with pytest.raises(DomainError, match="Voeg eerst regels toe"):
        services.set_invoice_allowance(s, world.actor, draft, "1,00")
    services.add_fixed_line(s, world.actor, draft, "Klus", "1", "uur", 2500, "21")
    with pytest.raises(DomainError, match="hoger dan het bedrag van de regels"):
        services.set_invoice_allowance(s, world.actor, draft, "30,00")
    with pytest.raises(DomainError, match="btw-tarief van de regels"):
        services.set_invoice_allowance(s, world.actor, draft, "1,00", None, "9")
    services.set_invoice_allowance(s, world.actor, draft, "1,00")  # the only rate: 21%
    assert draft.allowance_vat_rate == "21" and draft.total_excl_cents == 2400
    services.set_invoice_allowance(s, world.actor, draft, "")
    assert draft.allowance_cents == 0 and draft.total_excl_cents == 2500


def test_a_full_credit_note_carries_the_discounts(app, world):
    s = world.session
    sent = _discounted(s, world)
    credit = services.create_credit_note(s, world.actor, sent, full=True, reason="Vergissing")
    assert credit.total_incl_cents == sent.total_incl_cents
    assert credit.allowance_cents == 500
    for root in _both(app, s, credit):
        assert ublcheck.is_credit_note(root)
        assert root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text == "100.63"


def test_the_draft_page_sets_a_discount(app, client, world):
    s = world.session
    draft = services.create_draft(s, world.actor, housing(s), buyer_reference="R")
    services.add_fixed_line(s, world.actor, draft, "Klus", "2", "uur", 2500, "21")
    s.commit()
    login(client, world.admin)
    path = f"/{world.tenant.slug}/facturen/{draft.id}"
    html = client.get(path).get_data(as_text=True)
    assert "Korting op de hele factuur" in html
    from tests.helpers import post

    response = post(client, f"{path}/korting", {"korting-amount": "10,00",
                                                "korting-reason": "Buurtkorting",
                                                "korting-vat_rate": "21"}, token_from=path)
    assert response.status_code == 302
    html = client.get(path).get_data(as_text=True)
    assert "Buurtkorting" in html and "€ 40,00" in html.replace("\u00a0", " ")
    bad = post(client, f"{path}/korting", {"korting-amount": "tien euro"}, token_from=path)
    assert bad.status_code == 302
    assert "Vul een bedrag in euro" in client.get(bad.headers["Location"]).get_data(as_text=True)


def test_other_tenants_cannot_set_a_discount(app, client, make, world):
    s = world.session
    draft = services.create_draft(s, world.actor, housing(s), buyer_reference="R")
    services.add_fixed_line(s, world.actor, draft, "Klus", "2", "uur", 2500, "21")
    s.commit()
    from tenants.models import Role

    other = make.tenant()
    admin = make.member(other, Role.ADMIN)
    login(client, admin)
    page = f"/{other.slug}/facturen"
    from tests.helpers import post

    response = post(client, f"{page}/{draft.id}/korting", {"korting-amount": "1,00"},
                    token_from=f"{page}/instellingen")
    assert response.status_code == 404
    assert s.scalar(select(Customer).where(Customer.id == draft.customer_id)) is not None
    assert draft.status == InvoiceStatus.DRAFT


def test_the_bookkeepers_export_has_the_zero_grounds_and_the_discount(world):
    import csv
    import io

    from blueprints.invoicing import exports

    s = world.session
    sent = _discounted(s, world)
    c = _customer_with_vat_id(s)
    draft = services.create_draft(s, world.actor, c, buyer_reference="R")
    services.add_fixed_line(s, world.actor, draft, "Sloopwerk", "3", "uur", 4000, "verlegd",
                            DAY)
    services.add_fixed_line(s, world.actor, draft, "Levering", "1", "stuk", 2000, "icl", DAY)
    reverse = services.finalise(s, world.actor, draft)
    body, _name = exports.export(s, world.actor, "invoices", "csv", date.today().year)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    by_number = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    discounted = by_number[sent.number_text]
    assert discounted["Omzet 21%"] == "62,50" and discounted["Excl. btw"] == "87,50"
    assert discounted["Incl. btw"] == "100,63"
    zero = by_number[reverse.number_text]
    assert zero["Omzet btw verlegd"] == "120,00" and zero["Omzet ICL"] == "20,00"
    assert zero["Btw totaal"] == "0,00"


def test_a_kor_draft_already_says_why_it_will_have_no_ubl(app, client, world):
    s = world.session
    finance(s, vat_regime=VatRegime.KOR, default_vat_rate="kor", vat_id=None, tax_number=None)
    draft = services.create_draft(s, world.actor, municipality(s))
    services.add_fixed_line(s, world.actor, draft, "Klus", "1", "uur", 2500, "kor")
    s.commit()
    login(client, world.admin)
    html = client.get(f"/{world.tenant.slug}/facturen/{draft.id}").get_data(as_text=True)
    assert "Geen e-factuur (UBL) bij deze factuur" in html and "omzetbelastingnummer" in html
    assert "ontvangt een e-factuur (UBL, SI-UBL 2.0)" in html
    finance(s, vat_regime=VatRegime.KOR, default_vat_rate="kor", vat_id=None,
            tax_number=TAX_NUMBER)
    s.commit()
    html = client.get(f"/{world.tenant.slug}/facturen/{draft.id}").get_data(as_text=True)
    assert "Geen e-factuur (UBL) bij deze factuur" not in html


def test_the_settings_keep_the_tax_number(world):
    from blueprints.invoicing import settings as finance_settings

    s = world.session
    saved = finance_settings.save_settings(s, world.actor, finance_settings.SettingsData(
        legal_name="Bewonerscoöperatie De Vaart U.A.", vat_regime="kor",
        default_vat_rate="kor", tax_number="NL123456789B01"))
    assert saved.tax_number == TAX_NUMBER and saved.vat_id is None
    assert finance_settings.einvoice_notice(saved) is None
    with pytest.raises(DomainError, match="omzetbelastingnummer klopt niet"):
        finance_settings.save_settings(s, world.actor, finance_settings.SettingsData(
            legal_name="De Vaart", vat_regime="kor", tax_number="B01"))
