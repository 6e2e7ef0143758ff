"""The e-invoice (SI-UBL 2.0 or Peppol BIS Billing 3.0, per customer): the checker (ublcheck.py)
proven on the official examples, then run on what we produce for a housing corporation (21% and
exempt lines), a municipality (OIN and buyer reference), a KOR cooperative and a credit note,
each under both profiles; element order as in the schema and the reference examples; the
download route."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from blueprints.invoicing.models import InvoiceKind, InvoiceStatus, LineUnit, VatRegime
from blueprints.invoicing.money import VatRate
from blueprints.invoicing.ubl import CUSTOMIZATION_IDS, PROFILE_ID, render_ubl
from tenants.errors import DomainError
from tenants.models import Role
from tests.helpers import login
from tests.invoicing import ublcheck
from tests.invoicing.doc_builders import (  # noqa: F401  (world is a fixture)
    IBAN,
    KVK,
    OIN,
    RESIDENT_LINES,
    L,
    customer,
    finance,
    housing,
    invoice,
    municipality,
    world,
)
from tests.invoicing.ublcheck import NS

#: The official examples, kept in the repository (source and licence: fixtures/einvoice/README.md).
REFERENCE = Path(__file__).resolve().parent / "fixtures" / "einvoice"
OK_EXAMPLE = REFERENCE / "SI-UBL-2.0_BR-NL-10_ok_both_nl.xml"
NO_CITY_EXAMPLE = REFERENCE / "SI-UBL-2.0_BR-NL-3_error_no_city.xml"
PEPPOL_EXAMPLE = REFERENCE / "peppol-base-example.xml"


# --- the checker, on the official examples -----------------------------------------------------

def test_the_valid_official_example_passes_every_rule():
    root = ublcheck.parse_file(OK_EXAMPLE)
    assert ublcheck.applies_nl(root)
    assert ublcheck.check(root) == {}
    assert ublcheck.order_problems(root) == []


def test_the_example_without_a_city_fails_br_nl_3_and_no_other_dutch_rule():
    failed = ublcheck.check(ublcheck.parse_file(NO_CITY_EXAMPLE))
    assert set(failed) == {"BR-NL-3"}
    assert failed["BR-NL-3"] == ["supplier address has no CityName"]


def test_the_peppol_base_example_passes_the_sums_and_skips_the_dutch_rules():
    root = ublcheck.parse_file(PEPPOL_EXAMPLE)
    assert not ublcheck.applies_nl(root)  # a British supplier, the Peppol profile
    assert ublcheck.check(root) == {}
    assert ublcheck.order_problems(root) == []


def _broken(mutate) -> dict:
    root = ublcheck.parse_file(OK_EXAMPLE)
    mutate(root)
    return ublcheck.check(root)


def _remove(root, path):
    parent_path, _, name = path.rpartition("/")
    parent = root.find(parent_path, NS) if parent_path else root
    parent.remove(parent.find(name, NS))


def test_the_checker_finds_each_dutch_rule_broken():
    def set_text(path, value):
        return lambda root: setattr(root.find(path, NS), "text", value)

    def set_attr(path, name, value):
        return lambda root: root.find(path, NS).set(name, value)

    def drop(path):
        return lambda root: _remove(root, path)

    def drop_all_means(root):
        for means in root.findall("cac:PaymentMeans", NS):
            root.remove(means)

    supplier = "cac:AccountingSupplierParty/cac:Party"
    customer_party = "cac:AccountingCustomerParty/cac:Party"
    cases = {
        "BR-NL-1": set_attr(f"{supplier}/cac:PartyLegalEntity/cbc:CompanyID", "schemeID", "0088"),
        "BR-NL-2": lambda root: (_remove(root, "cbc:BuyerReference"),
                                 _remove(root, "cac:OrderReference")),
        "BR-NL-3": drop(f"{supplier}/cac:PostalAddress/cbc:PostalZone"),
        "BR-NL-4": drop(f"{customer_party}/cac:PostalAddress/cbc:StreetName"),
        "BR-NL-7": set_text("cbc:InvoiceTypeCode", "383"),
        "BR-NL-10": set_attr(f"{customer_party}/cac:PartyLegalEntity/cbc:CompanyID", "schemeID",
                             "0088"),
        "BR-NL-11": drop_all_means,
        "BR-NL-12": lambda root: [setattr(m, "text", "31") for m in
                                  root.findall("cac:PaymentMeans/cbc:PaymentMeansCode", NS)],
        "BR-CO-10": set_text("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", "201.00"),
        "BR-CO-14": set_text("cac:TaxTotal/cbc:TaxAmount", "28.00"),
        "BR-CO-16": set_text("cac:LegalMonetaryTotal/cbc:PayableAmount", "227.01"),
        "PEPPOL-EN16931-R120": set_text("cac:InvoiceLine/cbc:InvoicedQuantity", "5"),
    }
    for rule, mutate in cases.items():
        assert rule in _broken(mutate), rule
    # 381 (a credit note) in the Invoice scheme
    assert set(_broken(set_text("cbc:InvoiceTypeCode", "381"))) == {"BR-NL-8"}
    # 384 (corrective invoice) without a reference to the invoice it corrects
    assert set(_broken(set_text("cbc:InvoiceTypeCode", "384"))) == {"BR-NL-9"}
    # VAT of a category not equal to base × rate; the sums around it kept consistent
    def wrong_vat(root):
        root.findall("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount", NS)[0].text = "22.00"
        root.find("cac:TaxTotal/cbc:TaxAmount", NS).text = "28.00"
        root.find("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", NS).text = "228.00"
        root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text = "228.00"
    assert set(_broken(wrong_vat)) == {"BR-S-09"}
    assert "BR-CO-13" in _broken(set_text("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount",
                                          "199.00"))
    assert "BR-CO-15" in _broken(set_text("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount",
                                          "226.00"))


# --- our output ----------------------------------------------------------------------------------

def _ubl(app, session, inv, profile: str | None = None):
    """The e-invoice of `inv`; with `profile`, as if its customer had chosen that one when it
    was sent."""
    if profile is not None:
        inv.customer_snapshot = {**inv.customer_snapshot, "einvoice_profile": profile}
        session.flush()
    with app.test_request_context():
        data = render_ubl(session, inv)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return ublcheck.parse(data)


def _both(app, session, inv):
    """The e-invoice of `inv` in each profile, each checked as valid in it."""
    roots = []
    for profile in ("si-ubl", "peppol"):
        root = _ubl(app, session, inv, profile)
        _assert_valid(root, profile)
        roots.append(root)
    return roots


def _assert_valid(root, profile: str | None = None):
    customization = root.find("cbc:CustomizationID", NS).text
    assert customization in CUSTOMIZATION_IDS.values()
    if profile is not None:
        assert customization == CUSTOMIZATION_IDS[profile]
    if customization == CUSTOMIZATION_IDS["si-ubl"]:
        assert ublcheck.applies_nl(root), "the Dutch rules must apply to our output"
        # …and a Peppol validator would refuse it: one file is never both
        assert "PEPPOL-EN16931-R004" in ublcheck.check_as_peppol(root)
    else:
        assert ublcheck.applies_peppol_nl(root), "Peppol's Dutch rules must apply"
        assert not ublcheck.applies_nl(root)
        assert ublcheck.check_as_peppol(root) == {}
    assert ublcheck.check(root) == {}
    assert ublcheck.order_problems(root) == []
    assert root.find("cbc:ProfileID", NS).text == PROFILE_ID
    assert root.find("cbc:DocumentCurrencyCode", NS).text == "EUR"
    # every amount: two decimals, in euros
    amounts = [e for e in root.iter() if "currencyID" in e.attrib]
    assert amounts
    for element in amounts:
        assert element.get("currencyID") == "EUR"
        assert Decimal(element.text).as_tuple().exponent == -2, element.text
    # supplier: KvK as legal entity and endpoint, address, IBAN
    supplier = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    assert supplier.find("cbc:EndpointID", NS).get("schemeID") == "0106"
    assert supplier.find("cac:PartyLegalEntity/cbc:CompanyID", NS).text == KVK
    means = root.find("cac:PaymentMeans", NS)
    assert means.find("cbc:PaymentMeansCode", NS).text == "58"
    assert means.find("cac:PayeeFinancialAccount/cbc:ID", NS).text == IBAN
    assert means.find("cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch", NS) is None


def _relative_order_matches_references(root):
    for reference in (OK_EXAMPLE, PEPPOL_EXAMPLE):
        ours, theirs = ublcheck.relative_order(root, ublcheck.parse_file(reference))
        assert ours == theirs, reference.name
        assert len(ours) >= 8


def _subtotals(root) -> dict:
    return {(s.find("cac:TaxCategory/cbc:ID", NS).text,
             s.find("cac:TaxCategory/cbc:Percent", NS).text):
            (s.find("cbc:TaxableAmount", NS).text, s.find("cbc:TaxAmount", NS).text,
             getattr(s.find("cac:TaxCategory/cbc:TaxExemptionReason", NS), "text", None))
            for s in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)}


def test_an_invoice_with_21_percent_and_exempt_lines(app, world):
    s = world.session
    inv = invoice(s, world.settings, housing(s), RESIDENT_LINES, order_reference="ORD-5")
    root = _ubl(app, s, inv)
    _assert_valid(root)
    _relative_order_matches_references(root)
    assert root.tag == f"{{{NS['inv']}}}Invoice"
    assert root.find("cbc:InvoiceTypeCode", NS).text == "380"
    assert root.find("cbc:ID", NS).text == "F2026-00042"
    assert root.find("cbc:IssueDate", NS).text == "2026-11-22"
    assert root.find("cbc:DueDate", NS).text == "2026-12-06"
    assert root.find("cac:OrderReference/cbc:ID", NS).text == "ORD-5"
    assert root.find("cbc:BuyerReference", NS) is None  # the order reference is enough
    assert _subtotals(root) == {
        ("S", "21"): ("82.49", "17.32", None),
        ("E", "0"): ("37.50", "0.00", VatRate.EXEMPT.mention),
    }
    total = root.find("cac:LegalMonetaryTotal", NS)
    assert [e.text for e in total] == ["119.99", "119.99", "137.31", "137.31"]
    lines = root.findall("cac:InvoiceLine", NS)
    assert [line.find("cbc:InvoicedQuantity", NS).get("unitCode") for line in lines] == \
        ["HUR", "HUR", "C62"]
    assert lines[0].find("cbc:InvoicedQuantity", NS).text == "2.50"
    assert lines[0].find("cac:Item/cbc:Name", NS).text == "Tuinonderhoud Lindenlaan 4"
    customer_party = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert customer_party.find("cbc:EndpointID", NS).get("schemeID") == "0106"
    assert customer_party.find("cac:PostalAddress/cbc:PostalZone", NS).text == "8224 AA"


def test_a_municipality_invoice_with_oin_and_buyer_reference(app, world):
    s = world.session
    gemeente = municipality(s)
    lines = [L("Trajectvergoeding oktober 2026: 3 deelnemers", "3", 45000, "21", LineUnit.MONTH),
             L("Plaatsingsvergoeding J. de Boer", "1", 125000, "21", LineUnit.PLACEMENT)]
    inv = invoice(s, world.settings, gemeente, lines, buyer_reference="INK-2026-001",
                  period_start=date(2026, 10, 1), period_end=date(2026, 10, 31))
    root = _ubl(app, s, inv)
    _assert_valid(root)
    _relative_order_matches_references(root)
    assert root.find("cbc:BuyerReference", NS).text == "INK-2026-001"
    party = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert party.find("cbc:EndpointID", NS).get("schemeID") == "0190"
    assert party.find("cbc:EndpointID", NS).text == OIN
    assert party.find("cac:PartyLegalEntity/cbc:CompanyID", NS).get("schemeID") == "0190"
    assert root.find("cac:InvoicePeriod/cbc:StartDate", NS).text == "2026-10-01"
    assert root.find("cac:InvoicePeriod/cbc:EndDate", NS).text == "2026-10-31"
    assert _subtotals(root) == {("S", "21"): ("2600.00", "546.00", None)}
    assert [line.find("cbc:InvoicedQuantity", NS).get("unitCode")
            for line in root.findall("cac:InvoiceLine", NS)] == ["MON", "C62"]


def test_a_kor_cooperative(app, world):
    s = world.session
    finance(s, vat_regime=VatRegime.KOR, default_vat_rate="kor")
    inv = invoice(s, world.settings, housing(s), [L("Klussen", "4", 2000, "kor")],
                  buyer_reference="PO-9")
    root = _ubl(app, s, inv)
    _assert_valid(root)
    assert _subtotals(root) == {("E", "0"): ("80.00", "0.00", VatRate.KOR.mention)}
    assert root.find("cac:TaxTotal/cbc:TaxAmount", NS).text == "0.00"
    assert root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text == "80.00"


def test_a_credit_note(app, world):
    s = world.session
    c = municipality(s)
    original = invoice(s, world.settings, c, [L("Trajectvergoeding", "2", 45000, "21")],
                       buyer_reference="INK-2026-001", issued=date(2026, 11, 2))
    credit = invoice(s, world.settings, c, [L("Trajectvergoeding (creditering)", "1", 45000)],
                     number=1, kind=InvoiceKind.CREDIT_NOTE, credits=original)
    root = _ubl(app, s, credit)
    _assert_valid(root)
    assert root.tag == f"{{{NS['cn']}}}CreditNote"
    assert root.find("cbc:CreditNoteTypeCode", NS).text == "381"
    assert root.find("cbc:DueDate", NS) is None  # not in a CreditNote: in PaymentMeans
    assert root.find("cac:PaymentMeans/cbc:PaymentDueDate", NS).text == "2026-12-06"
    reference = root.find("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    assert reference.find("cbc:ID", NS).text == "F2026-00042"
    assert reference.find("cbc:IssueDate", NS) is None  # NLCIUS advises against it (BR-NL-24)
    assert root.find("cbc:BuyerReference", NS).text == "INK-2026-001"  # from the invoice
    lines = root.findall("cac:CreditNoteLine", NS)
    assert len(lines) == 1 and not root.findall("cac:InvoiceLine", NS)
    assert lines[0].find("cbc:CreditedQuantity", NS).text == "1.00"
    assert root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text == "544.50"
    ours, theirs = ublcheck.relative_order(root, ublcheck.parse_file(OK_EXAMPLE))
    assert [n for n in ours if n not in ("CreditNoteTypeCode",)] == \
        [n for n in theirs if n not in ("InvoiceTypeCode", "DueDate", "InvoiceLine")]


def test_without_any_reference_the_invoice_number_is_the_buyer_reference(app, world):
    s = world.session
    inv = invoice(s, world.settings, housing(s), RESIDENT_LINES[:1])
    root = _ubl(app, s, inv)
    _assert_valid(root)
    assert root.find("cbc:BuyerReference", NS).text == "F2026-00042"


def test_our_output_breaks_the_rules_when_tampered_with(app, world):
    """The checker is not blind to our own format."""
    s = world.session
    inv = invoice(s, world.settings, housing(s), RESIDENT_LINES, buyer_reference="X")
    root = _ubl(app, s, inv)
    root.find("cac:InvoiceLine/cbc:LineExtensionAmount", NS).text = "62.51"
    assert {"BR-CO-10", "BR-S-08", "PEPPOL-EN16931-R120"} <= set(ublcheck.check(root))


def test_a_draft_has_no_e_invoice(app, world):
    s = world.session
    draft = invoice(s, world.settings, municipality(s), RESIDENT_LINES[:1],
                    status=InvoiceStatus.DRAFT)
    with app.test_request_context(), pytest.raises(DomainError, match="concept"):
        render_ubl(s, draft)


def test_a_resident_gets_no_e_invoice(app, world):
    """A private person has no KvK or OIN: the e-invoice would break BR-NL-10 (and cannot be
    delivered over Peppol). Residents get the PDF."""
    s = world.session
    inv = invoice(s, world.settings, customer(s), RESIDENT_LINES)
    with app.test_request_context(), pytest.raises(DomainError, match="bewoner krijgt de pdf"):
        render_ubl(s, inv)


def test_an_address_incomplete_at_sending_is_named(app, world):
    s = world.session
    c = housing(s)
    c.city = None
    inv = invoice(s, world.settings, c, RESIDENT_LINES[:1])
    with app.test_request_context(), pytest.raises(DomainError, match="adres van de klant"):
        render_ubl(s, inv)


def test_user_text_is_escaped(app, world):
    s = world.session
    c = housing(s, name="Woon & Co <BV>")
    inv = invoice(s, world.settings, c, [L("Snoeien <tuin> & \"meer\"", "1", 1000)],
                  buyer_reference="<ref>")
    with app.test_request_context():
        data = render_ubl(s, inv)
    assert b"Woon &amp; Co &lt;BV&gt;" in data
    root = ublcheck.parse(data)
    _assert_valid(root)
    assert root.find("cac:InvoiceLine/cac:Item/cbc:Name", NS).text == "Snoeien <tuin> & \"meer\""
    assert root.find("cbc:BuyerReference", NS).text == "<ref>"


# --- the route ---------------------------------------------------------------------------------

def test_the_ubl_download(app, client, world):
    s = world.session
    inv = invoice(s, world.settings, municipality(s), RESIDENT_LINES, buyer_reference="INK-1")
    draft = invoice(s, world.settings, municipality(s), RESIDENT_LINES[:1],
                    status=InvoiceStatus.DRAFT)
    resident = invoice(s, world.settings, customer(s), RESIDENT_LINES, number=43)
    s.commit()
    login(client, world.admin)
    base = f"/{world.tenant.slug}/facturen"
    response = client.get(f"{base}/{inv.id}/ubl")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert 'attachment; filename="factuur-F2026-00042.xml"' == \
        response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert ublcheck.check(ublcheck.parse(response.data)) == {}
    for refused, message in ((draft, "concept"), (resident, "bewoner krijgt de pdf")):
        answer = client.get(f"{base}/{refused.id}/ubl")
        assert answer.status_code == 302
        assert message in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_participants_and_other_tenants_never_reach_the_ubl(app, client, make, world):
    s = world.session
    inv = invoice(s, world.settings, municipality(s), RESIDENT_LINES, buyer_reference="INK-1")
    s.commit()
    participant = make.member(world.tenant, Role.PARTICIPANT)
    login(client, participant)
    assert client.get(f"/{world.tenant.slug}/facturen/{inv.id}/ubl").status_code == 403
    other = make.tenant()
    admin = make.member(other, Role.ADMIN)
    elsewhere = app.test_client()
    login(elsewhere, admin)
    assert elsewhere.get(f"/{other.slug}/facturen/{inv.id}/ubl").status_code == 404


def test_the_si_ubl_example_is_refused_by_the_peppol_rules_and_the_peppol_one_is_not():
    """One file cannot be both profiles: an access point validating Peppol refuses the NLCIUS
    CustomizationID (PEPPOL-EN16931-R004)."""
    assert set(ublcheck.check_as_peppol(ublcheck.parse_file(OK_EXAMPLE))) == \
        {"PEPPOL-EN16931-R004"}
    peppol = ublcheck.parse_file(PEPPOL_EXAMPLE)
    assert ublcheck.applies_peppol(peppol) and ublcheck.check_as_peppol(peppol) == {}
    # and the checker sees the Peppol rules broken
    _remove(peppol, "cbc:ProfileID")
    assert "PEPPOL-EN16931-R001" in ublcheck.check(peppol)
