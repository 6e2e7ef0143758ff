"""A checker for UBL e-invoices: the Dutch SI-UBL 2.0 rules and the EN 16931 sums we rely on.

Each rule is a function on a parsed document (ElementTree root) returning a list of problems;
`check(root)` runs them all and returns {rule id: [problem, …]} for the rules that fail.
The rules follow the SI-UBL 2.0 Schematron (Stichting Simplerinvoicing) and EN 16931:

- BR-NL-1   the supplier's legal entity id is a KvK (0106) or OIN (0190) number;
- BR-NL-2   a BuyerReference or an OrderReference/ID;
- BR-NL-3   the supplier's address has street, city and postal zone;
- BR-NL-4   so has a customer's address in the Netherlands;
- BR-NL-7   the type code is 380, 381, 384 or 389;
- BR-NL-8   381 is a CreditNote, the others an Invoice;
- BR-NL-9   a corrective invoice (384) refers to the invoice it corrects. DOMAIN.md asks the
            same of every credit note, so a CreditNote must refer to its invoice as well;
- BR-NL-10  a customer in the Netherlands is identified by KvK (0106) or OIN (0190);
- BR-NL-11  a payable amount above zero comes with a PaymentMeans (checked on credit notes
            too, as the first SI-UBL 2.0 release did);
- BR-NL-12  every PaymentMeansCode is 30, 48, 49, 57, 58 or 59;
- BR-CO-10  LegalMonetaryTotal/LineExtensionAmount = Σ line amounts;
- BR-CO-13  TaxExclusiveAmount = Σ lines − allowances + charges;
- BR-CO-14  the VAT total = Σ VAT per category;
- BR-S-08   (generalised to every category) the taxable amount of a category and rate is the
            sum of the lines in that category and rate;
- BR-S-09   (generalised: Z and E at 0%) the VAT of a category = taxable amount × rate,
            rounded to the cent;
- BR-CO-15  TaxInclusiveAmount = TaxExclusiveAmount + VAT total;
- BR-CO-16  PayableAmount = TaxInclusiveAmount − PrepaidAmount + PayableRoundingAmount;
- PEPPOL-EN16931-R120  a line amount = quantity × (price / base quantity) + charges −
            allowances, rounded to the cent.

The Schematron applies the NL rules only to an SI-UBL document with a Dutch supplier; so does
this checker. The order of elements is checked separately (`order_problems`), against the
sequence the UBL 2.1 schema prescribes.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from xml.etree import ElementTree as ET

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
NLCIUS = "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
CENT = Decimal("0.01")

#: The children of Invoice and CreditNote in the order of the UBL 2.1 schemas (local names).
INVOICE_ORDER = [
    "UBLExtensions", "UBLVersionID", "CustomizationID", "ProfileID", "ProfileExecutionID", "ID",
    "CopyIndicator", "UUID", "IssueDate", "IssueTime", "DueDate", "InvoiceTypeCode", "Note",
    "TaxPointDate", "DocumentCurrencyCode", "TaxCurrencyCode", "PricingCurrencyCode",
    "PaymentCurrencyCode", "PaymentAlternativeCurrencyCode", "AccountingCostCode",
    "AccountingCost", "LineCountNumeric", "BuyerReference", "InvoicePeriod", "OrderReference",
    "BillingReference", "DespatchDocumentReference", "ReceiptDocumentReference",
    "StatementDocumentReference", "OriginatorDocumentReference", "ContractDocumentReference",
    "AdditionalDocumentReference", "ProjectReference", "Signature", "AccountingSupplierParty",
    "AccountingCustomerParty", "PayeeParty", "BuyerCustomerParty", "SellerSupplierParty",
    "TaxRepresentativeParty", "Delivery", "DeliveryTerms", "PaymentMeans", "PaymentTerms",
    "PrepaidPayment", "AllowanceCharge", "TaxExchangeRate", "PricingExchangeRate",
    "PaymentExchangeRate", "PaymentAlternativeExchangeRate", "TaxTotal", "WithholdingTaxTotal",
    "LegalMonetaryTotal", "InvoiceLine",
]
CREDIT_NOTE_ORDER = [
    "UBLExtensions", "UBLVersionID", "CustomizationID", "ProfileID", "ProfileExecutionID", "ID",
    "CopyIndicator", "UUID", "IssueDate", "IssueTime", "TaxPointDate", "CreditNoteTypeCode",
    "Note", "DocumentCurrencyCode", "TaxCurrencyCode", "PricingCurrencyCode",
    "PaymentCurrencyCode", "PaymentAlternativeCurrencyCode", "AccountingCostCode",
    "AccountingCost", "LineCountNumeric", "BuyerReference", "InvoicePeriod",
    "DiscrepancyResponse", "OrderReference", "BillingReference", "DespatchDocumentReference",
    "ReceiptDocumentReference", "ContractDocumentReference", "AdditionalDocumentReference",
    "StatementDocumentReference", "OriginatorDocumentReference", "Signature",
    "AccountingSupplierParty", "AccountingCustomerParty", "PayeeParty", "BuyerCustomerParty",
    "SellerSupplierParty", "TaxRepresentativeParty", "Delivery", "DeliveryTerms",
    "PaymentMeans", "PaymentTerms", "TaxExchangeRate", "PricingExchangeRate",
    "PaymentExchangeRate", "PaymentAlternativeExchangeRate", "AllowanceCharge", "TaxTotal",
    "LegalMonetaryTotal", "CreditNoteLine",
]
#: Sequences inside the aggregates we write (UBL 2.1 common library), local names.
AGGREGATE_ORDER = {
    "Party": ["MarkCareIndicator", "MarkAttentionIndicator", "WebsiteURI", "LogoReferenceID",
              "EndpointID", "IndustryClassificationCode", "PartyIdentification", "PartyName",
              "Language", "PostalAddress", "PhysicalLocation", "PartyTaxScheme",
              "PartyLegalEntity", "Contact", "Person", "AgentParty", "ServiceProviderParty",
              "PowerOfAttorney", "FinancialAccount"],
    "PostalAddress": ["ID", "AddressTypeCode", "AddressFormatCode", "Postbox", "Floor", "Room",
                      "StreetName", "AdditionalStreetName", "BlockName", "BuildingName",
                      "BuildingNumber", "InhouseMail", "Department", "MarkAttention",
                      "MarkCare", "PlotIdentification", "CitySubdivisionName", "CityName",
                      "PostalZone", "CountrySubentity", "CountrySubentityCode", "Region",
                      "District", "TimezoneOffset", "AddressLine", "Country",
                      "LocationCoordinate"],
    "PartyLegalEntity": ["RegistrationName", "CompanyID", "RegistrationDate",
                         "RegistrationExpirationDate", "CompanyLegalFormCode",
                         "CompanyLegalForm", "SoleProprietorshipIndicator",
                         "CompanyLiquidationStatusCode", "CorporateStockAmount",
                         "FullyPaidSharesIndicator", "RegistrationAddress",
                         "CorporateRegistrationScheme",
                         "HeadOfficeParty", "ShareholderParty"],
    "PartyTaxScheme": ["RegistrationName", "CompanyID", "TaxLevelCode", "ExemptionReasonCode",
                       "ExemptionReason", "RegistrationAddress", "TaxScheme"],
    "Contact": ["ID", "Name", "Telephone", "Telefax", "ElectronicMail", "Note",
                "OtherCommunication"],
    "PaymentMeans": ["ID", "PaymentMeansCode", "PaymentDueDate", "PaymentChannelCode",
                     "InstructionID", "InstructionNote", "PaymentID", "CardAccount",
                     "PayerFinancialAccount", "PayeeFinancialAccount", "CreditAccount",
                     "PaymentMandate", "TradeFinancing"],
    "TaxTotal": ["TaxAmount", "RoundingAmount", "TaxEvidenceIndicator", "TaxIncludedIndicator",
                 "TaxSubtotal"],
    "TaxSubtotal": ["TaxableAmount", "TaxAmount", "CalculationSequenceNumeric",
                    "TransactionCurrencyTaxAmount", "Percent", "BaseUnitMeasure",
                    "PerUnitAmount", "TierRange", "TierRatePercent", "TaxCategory"],
    "TaxCategory": ["ID", "Name", "Percent", "BaseUnitMeasure", "PerUnitAmount",
                    "TaxExemptionReasonCode", "TaxExemptionReason", "TierRange",
                    "TierRatePercent", "TaxScheme"],
    "ClassifiedTaxCategory": ["ID", "Name", "Percent", "BaseUnitMeasure", "PerUnitAmount",
                              "TaxExemptionReasonCode", "TaxExemptionReason", "TierRange",
                              "TierRatePercent", "TaxScheme"],
    "LegalMonetaryTotal": ["LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount",
                           "AllowanceTotalAmount", "ChargeTotalAmount", "PrepaidAmount",
                           "PayableRoundingAmount", "PayableAmount", "PayableAlternativeAmount"],
    "InvoiceLine": ["ID", "UUID", "Note", "InvoicedQuantity", "LineExtensionAmount",
                    "TaxPointDate", "AccountingCostCode", "AccountingCost", "PaymentPurposeCode",
                    "FreeOfChargeIndicator", "InvoicePeriod", "OrderLineReference",
                    "DespatchLineReference", "ReceiptLineReference", "BillingReference",
                    "DocumentReference", "PricingReference", "OriginatorParty", "Delivery",
                    "PaymentTerms", "AllowanceCharge", "TaxTotal", "WithholdingTaxTotal", "Item",
                    "Price", "DeliveryTerms", "SubInvoiceLine", "ItemPriceExtension"],
    "CreditNoteLine": ["ID", "UUID", "Note", "CreditedQuantity", "LineExtensionAmount",
                       "TaxPointDate", "AccountingCostCode", "AccountingCost",
                       "PaymentPurposeCode", "FreeOfChargeIndicator", "InvoicePeriod",
                       "OrderLineReference", "DiscrepancyResponse", "DespatchLineReference",
                       "ReceiptLineReference", "BillingReference", "DocumentReference",
                       "PricingReference", "OriginatorParty", "Delivery", "TaxTotal",
                       "AllowanceCharge", "Item", "Price", "DeliveryTerms",
                       "SubCreditNoteLine", "ItemPriceExtension"],
    "Item": ["Description", "PackQuantity", "PackSizeNumeric", "CatalogueIndicator", "Name",
             "HazardousRiskIndicator", "AdditionalInformation", "Keyword", "BrandName",
             "ModelName", "BuyersItemIdentification", "SellersItemIdentification",
             "ManufacturersItemIdentification", "StandardItemIdentification",
             "CatalogueItemIdentification", "AdditionalItemIdentification",
             "CatalogueDocumentReference", "ItemSpecificationDocumentReference",
             "OriginCountry", "CommodityClassification", "TransactionConditions",
             "HazardousItem", "ClassifiedTaxCategory", "AdditionalItemProperty",
             "ManufacturerParty", "InformationContentProviderParty", "OriginAddress",
             "ItemInstance", "Certificate", "Dimension"],
}


def local(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def parse(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def parse_file(path) -> ET.Element:
    return ET.parse(path).getroot()


def _text(element: ET.Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _dec(element: ET.Element | None) -> Decimal:
    text = _text(element)
    return Decimal(text) if text else Decimal(0)


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def is_credit_note(root: ET.Element) -> bool:
    return local(root) == "CreditNote"


def _lines(root: ET.Element) -> list[ET.Element]:
    return root.findall("cac:CreditNoteLine" if is_credit_note(root) else "cac:InvoiceLine", NS)


def _quantity(line: ET.Element) -> ET.Element | None:
    return line.find("cbc:InvoicedQuantity", NS) if line.find("cbc:InvoicedQuantity", NS) \
        is not None else line.find("cbc:CreditedQuantity", NS)


def _party(root: ET.Element, role: str) -> ET.Element | None:
    return root.find(f"cac:{role}/cac:Party", NS)


def _country(party: ET.Element | None) -> str:
    return _text(party.find("cac:PostalAddress/cac:Country/cbc:IdentificationCode", NS)) \
        .upper() if party is not None else ""


def _legal_schemes(party: ET.Element | None) -> set[str]:
    if party is None:
        return set()
    return {e.get("schemeID") for e in party.findall("cac:PartyLegalEntity/cbc:CompanyID", NS)
            if _text(e)}


def applies_nl(root: ET.Element) -> bool:
    """SI-UBL 2.0 rules apply to an NLCIUS document with a supplier in the Netherlands."""
    return (_text(root.find("cbc:CustomizationID", NS)) == NLCIUS
            and _country(_party(root, "AccountingSupplierParty")) == "NL")


def _type_code(root: ET.Element) -> str:
    return _text(root.find("cbc:InvoiceTypeCode", NS)) or _text(
        root.find("cbc:CreditNoteTypeCode", NS))


# --- the Dutch rules ---------------------------------------------------------------------------

def br_nl_1(root):
    schemes = _legal_schemes(_party(root, "AccountingSupplierParty"))
    return [] if schemes & {"0106", "0190"} else [
        "supplier PartyLegalEntity/CompanyID with schemeID 0106 or 0190 missing"]


def br_nl_2(root):
    if _text(root.find("cbc:BuyerReference", NS)) or _text(root.find("cac:OrderReference/cbc:ID",
                                                                    NS)):
        return []
    return ["neither BuyerReference nor OrderReference/ID"]


def _address_problems(party, who: str) -> list[str]:
    address = party.find("cac:PostalAddress", NS) if party is not None else None
    if address is None:
        return [f"{who} has no PostalAddress"]
    return [f"{who} address has no {name}" for name in ("StreetName", "CityName", "PostalZone")
            if not _text(address.find(f"cbc:{name}", NS))]


def br_nl_3(root):
    return _address_problems(_party(root, "AccountingSupplierParty"), "supplier")


def br_nl_4(root):
    party = _party(root, "AccountingCustomerParty")
    if _country(party) != "NL":
        return []
    return _address_problems(party, "customer")


def br_nl_7(root):
    code = _type_code(root)
    return [] if code in {"380", "381", "384", "389"} else [f"type code {code!r}"]


def br_nl_8(root):
    code = _type_code(root)
    if code == "381" and not is_credit_note(root):
        return ["type code 381 in an Invoice (must be a CreditNote)"]
    if code != "381" and is_credit_note(root):
        return [f"type code {code} in a CreditNote (must be an Invoice)"]
    return []


def br_nl_9(root):
    corrective = _type_code(root) == "384" or is_credit_note(root)
    if not corrective or _text(root.find("cac:BillingReference/cac:InvoiceDocumentReference/"
                                         "cbc:ID", NS)):
        return []
    return ["corrective document without BillingReference/InvoiceDocumentReference/ID"]


def br_nl_10(root):
    party = _party(root, "AccountingCustomerParty")
    if _country(party) != "NL":
        return []
    return [] if _legal_schemes(party) & {"0106", "0190"} else [
        "Dutch customer without KvK (0106) or OIN (0190) legal entity id"]


def br_nl_11(root):
    payable = _dec(root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS))
    if payable <= 0 or root.findall("cac:PaymentMeans", NS):
        return []
    return ["payable amount above zero without PaymentMeans"]


def br_nl_12(root):
    allowed = {"30", "48", "49", "57", "58", "59"}
    return [f"PaymentMeansCode {_text(m.find('cbc:PaymentMeansCode', NS))!r}"
            for m in root.findall("cac:PaymentMeans", NS)
            if _text(m.find("cbc:PaymentMeansCode", NS)) not in allowed]


# --- the EN 16931 sums -------------------------------------------------------------------------

def _total(root, name: str) -> Decimal:
    return _dec(root.find(f"cac:LegalMonetaryTotal/cbc:{name}", NS))


def _document_allowances(root, charge: bool) -> Decimal:
    return sum((_dec(a.find("cbc:Amount", NS)) for a in root.findall("cac:AllowanceCharge", NS)
                if _text(a.find("cbc:ChargeIndicator", NS)) == ("true" if charge else "false")),
               Decimal(0))


def _tax_total(root) -> ET.Element | None:
    """The TaxTotal with the breakdown (a second one, in the tax currency, has none)."""
    for total in root.findall("cac:TaxTotal", NS):
        if total.findall("cac:TaxSubtotal", NS):
            return total
    return root.find("cac:TaxTotal", NS)


def br_co_10(root):
    lines = sum((_dec(line.find("cbc:LineExtensionAmount", NS)) for line in _lines(root)),
                Decimal(0))
    stated = _total(root, "LineExtensionAmount")
    return [] if lines == stated else [f"Σ lines {lines} ≠ LineExtensionAmount {stated}"]


def br_co_13(root):
    expected = (_total(root, "LineExtensionAmount") - _total(root, "AllowanceTotalAmount")
                + _total(root, "ChargeTotalAmount"))
    stated = _total(root, "TaxExclusiveAmount")
    return [] if expected == stated else [f"TaxExclusiveAmount {stated} ≠ {expected}"]


def br_co_14(root):
    total = _tax_total(root)
    if total is None:
        return ["no TaxTotal"]
    parts = sum((_dec(s.find("cbc:TaxAmount", NS)) for s in total.findall("cac:TaxSubtotal", NS)),
                Decimal(0))
    stated = _dec(total.find("cbc:TaxAmount", NS))
    return [] if parts == stated else [f"VAT total {stated} ≠ Σ categories {parts}"]


def _category_key(category: ET.Element) -> tuple[str, Decimal]:
    return _text(category.find("cbc:ID", NS)), _dec(category.find("cbc:Percent", NS))


def br_s_08(root):
    """The taxable amount of each category and rate is the sum of its lines (with document
    allowances and charges of that category)."""
    sums: dict[tuple[str, Decimal], Decimal] = {}
    for line in _lines(root):
        key = _category_key(line.find("cac:Item/cac:ClassifiedTaxCategory", NS))
        sums[key] = sums.get(key, Decimal(0)) + _dec(line.find("cbc:LineExtensionAmount", NS))
    for charge in root.findall("cac:AllowanceCharge", NS):
        key = _category_key(charge.find("cac:TaxCategory", NS))
        sign = 1 if _text(charge.find("cbc:ChargeIndicator", NS)) == "true" else -1
        sums[key] = sums.get(key, Decimal(0)) + sign * _dec(charge.find("cbc:Amount", NS))
    problems = []
    total = _tax_total(root)
    subtotals = total.findall("cac:TaxSubtotal", NS) if total is not None else []
    stated = {_category_key(s.find("cac:TaxCategory", NS)): _dec(s.find("cbc:TaxableAmount", NS))
              for s in subtotals}
    for key in sorted(set(sums) | set(stated)):
        if sums.get(key, Decimal(0)) != stated.get(key):
            problems.append(f"category {key[0]} {key[1]}%: lines {sums.get(key)} ≠ "
                            f"taxable {stated.get(key)}")
    return problems


def br_s_09(root):
    total = _tax_total(root)
    problems = []
    for sub in total.findall("cac:TaxSubtotal", NS) if total is not None else []:
        category, percent = _category_key(sub.find("cac:TaxCategory", NS))
        expected = _round(_dec(sub.find("cbc:TaxableAmount", NS)) * percent / 100)
        stated = _dec(sub.find("cbc:TaxAmount", NS))
        if stated != expected:
            problems.append(f"category {category} {percent}%: VAT {stated} ≠ {expected}")
    return problems


def br_co_15(root):
    total = _tax_total(root)
    vat = _dec(total.find("cbc:TaxAmount", NS)) if total is not None else Decimal(0)
    expected = _total(root, "TaxExclusiveAmount") + vat
    stated = _total(root, "TaxInclusiveAmount")
    return [] if expected == stated else [f"TaxInclusiveAmount {stated} ≠ {expected}"]


def br_co_16(root):
    expected = (_total(root, "TaxInclusiveAmount") - _total(root, "PrepaidAmount")
                + _total(root, "PayableRoundingAmount"))
    stated = _total(root, "PayableAmount")
    return [] if expected == stated else [f"PayableAmount {stated} ≠ {expected}"]


def peppol_r120(root):
    problems = []
    for line in _lines(root):
        price = line.find("cac:Price", NS)
        base = _dec(price.find("cbc:BaseQuantity", NS)) if price is not None else Decimal(0)
        unit = _dec(price.find("cbc:PriceAmount", NS)) / (base or 1) if price is not None \
            else Decimal(0)
        charges = sum(((1 if _text(a.find("cbc:ChargeIndicator", NS)) == "true" else -1)
                       * _dec(a.find("cbc:Amount", NS))
                       for a in line.findall("cac:AllowanceCharge", NS)), Decimal(0))
        expected = _round(_dec(_quantity(line)) * unit + charges)
        stated = _dec(line.find("cbc:LineExtensionAmount", NS))
        if stated != expected:
            problems.append(f"line {_text(line.find('cbc:ID', NS))}: {stated} ≠ {expected}")
    return problems


NL_RULES = {
    "BR-NL-1": br_nl_1, "BR-NL-2": br_nl_2, "BR-NL-3": br_nl_3, "BR-NL-4": br_nl_4,
    "BR-NL-7": br_nl_7, "BR-NL-8": br_nl_8, "BR-NL-9": br_nl_9, "BR-NL-10": br_nl_10,
    "BR-NL-11": br_nl_11, "BR-NL-12": br_nl_12,
}
SUM_RULES = {
    "BR-CO-10": br_co_10, "BR-CO-13": br_co_13, "BR-CO-14": br_co_14, "BR-S-08": br_s_08,
    "BR-S-09": br_s_09, "BR-CO-15": br_co_15, "BR-CO-16": br_co_16,
    "PEPPOL-EN16931-R120": peppol_r120,
}
RULES = {**NL_RULES, **SUM_RULES}


def check(root: ET.Element) -> dict[str, list[str]]:
    """{rule id: problems} of every rule that fails (empty: the document passes them all)."""
    failed = {}
    for rule, test in RULES.items():
        if rule in NL_RULES and not applies_nl(root):
            continue
        problems = test(root)
        if problems:
            failed[rule] = problems
    return failed


# --- element order -----------------------------------------------------------------------------

def _in_order(names: list[str], order: list[str], where: str) -> list[str]:
    position = {name: i for i, name in enumerate(order)}
    problems = [f"{where}: unknown element {n}" for n in names if n not in position]
    known = [position[n] for n in names if n in position]
    problems += [f"{where}: {names[i + 1]} after {names[i]}" for i in range(len(known) - 1)
                 if known[i + 1] < known[i]]
    return problems


def order_problems(root: ET.Element) -> list[str]:
    """Children out of the UBL 2.1 schema sequence, at the top and in the aggregates we use."""
    top = INVOICE_ORDER if not is_credit_note(root) else CREDIT_NOTE_ORDER
    problems = _in_order([local(c) for c in root], top, local(root))
    for element in root.iter():
        name = local(element)
        if name in AGGREGATE_ORDER and element is not root and len(element):
            problems += _in_order([local(c) for c in element], AGGREGATE_ORDER[name], name)
    return problems


def relative_order(ours: ET.Element, reference: ET.Element) -> tuple[list[str], list[str]]:
    """The top-level elements both documents have, each in its own document's order."""
    def sequence(root):
        names = []
        for child in root:
            if not names or names[-1] != local(child):
                names.append(local(child))
        return names

    ours_seq, ref_seq = sequence(ours), sequence(reference)
    common = set(ours_seq) & set(ref_seq)
    return [n for n in ours_seq if n in common], [n for n in ref_seq if n in common]
