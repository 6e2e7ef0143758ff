"""A checker for UBL e-invoices: the Dutch SI-UBL 2.0 rules, the Peppol BIS Billing 3.0 rules
that tell the two profiles apart (and Peppol's Dutch rules), the EN 16931 sums, VAT categories
and allowances we rely on.

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
            allowances, rounded to the cent;
- BR-CO-11  AllowanceTotalAmount = Σ document allowances (BR-CO-12 the same for charges);
- BR-31/32/33  a document allowance has an amount, a VAT category and a reason or reason code;
- BR-41/42  a line allowance has an amount and a reason or reason code;
- BR-S-02, BR-Z-02, BR-E-02  a document with a line (or document allowance) in category S, Z or
            E names the seller's VAT id (BT-31) or its tax registration (BT-32: a PartyTaxScheme
            whose TaxScheme is not VAT);
- BR-AE-02  reverse charge: that, and the buyer's VAT id (BT-48) or legal registration (BT-47);
- BR-IC-02  intra-community supply: the seller's VAT id and the buyer's VAT id;
- BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05  (with -06/-07: document allowances and charges) the
            rate of a line in those categories is 0;
- BR-Z-09, BR-E-09, BR-AE-09, BR-IC-09  their VAT in the breakdown is 0;
- BR-S-10, BR-Z-10  no exemption reason (code or text) for S and Z;
- BR-E-10, BR-AE-10, BR-IC-10  an exemption reason (code or text) for E, AE and K;
- BR-IC-11  intra-community supply: an actual delivery date or an invoicing period;
- BR-IC-12  intra-community supply: the deliver-to country.

Peppol BIS Billing 3.0 (`PEPPOL_RULES`, on a document that claims that profile):
- PEPPOL-EN16931-R001  a ProfileID (business process);
- PEPPOL-EN16931-R003  a BuyerReference or an OrderReference/ID;
- PEPPOL-EN16931-R004  the CustomizationID begins with the Peppol BIS Billing 3.0 one. A
            SI-UBL 2.0 document fails it: one file cannot be both (`check_as_peppol` runs
            the Peppol rules on any document, as a Peppol access point would).
Peppol's Dutch rules (`PEPPOL_NL_RULES`, Peppol document with a supplier in the Netherlands),
the counterparts of BR-NL-*: NL-R-001 a credit note refers to its invoice; NL-R-002 the
supplier's street, city and postal zone; NL-R-003 its KvK (0106) or OIN (0190) legal id;
NL-R-004/005 a Dutch customer's address and KvK or OIN; NL-R-007 PaymentMeans when something
is payable; NL-R-008 a Dutch customer's PaymentMeansCode is 30, 48, 49, 57, 58 or 59.

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
PEPPOL = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PEPPOL_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
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
    "AllowanceCharge": ["ID", "ChargeIndicator", "AllowanceChargeReasonCode",
                        "AllowanceChargeReason", "MultiplierFactorNumeric", "PrepaidIndicator",
                        "SequenceNumeric", "Amount", "BaseAmount", "AccountingCostCode",
                        "AccountingCost", "PerUnitAmount", "TaxCategory", "TaxTotal",
                        "PaymentMeans"],
    "Delivery": ["ID", "Quantity", "MinimumQuantity", "MaximumQuantity", "ActualDeliveryDate",
                 "ActualDeliveryTime", "LatestDeliveryDate", "LatestDeliveryTime",
                 "ReleaseID", "TrackingID", "DeliveryAddress", "DeliveryLocation",
                 "AlternativeDeliveryLocation", "RequestedDeliveryPeriod",
                 "PromisedDeliveryPeriod", "EstimatedDeliveryPeriod", "CarrierParty",
                 "DeliveryParty", "NotifyParty", "Despatch", "DeliveryTerms",
                 "MinimumDeliveryUnit", "MaximumDeliveryUnit", "Shipment"],
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


def applies_peppol(root: ET.Element) -> bool:
    """The Peppol BIS Billing 3.0 rules apply to a document that claims that profile."""
    return _text(root.find("cbc:CustomizationID", NS)).startswith(PEPPOL)


def applies_peppol_nl(root: ET.Element) -> bool:
    """Peppol's Dutch rules: a Peppol document with a supplier in the Netherlands."""
    return applies_peppol(root) and _country(_party(root, "AccountingSupplierParty")) == "NL"


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


def _category_key(category: ET.Element | None) -> tuple[str, Decimal]:
    if category is None:  # a missing category is a rule of its own (BR-32, BR-CO-18)
        return "", Decimal(0)
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


# --- Peppol BIS Billing 3.0 ----------------------------------------------------------------------

def peppol_r001(root):
    return [] if _text(root.find("cbc:ProfileID", NS)) else ["no ProfileID"]


def peppol_r004(root):
    found = _text(root.find("cbc:CustomizationID", NS))
    return [] if found.startswith(PEPPOL) else [f"CustomizationID {found!r}"]


def nl_r_001(root):
    if not is_credit_note(root) or _text(root.find(
            "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", NS)):
        return []
    return ["credit note without BillingReference/InvoiceDocumentReference/ID"]


def nl_r_008(root):
    if _country(_party(root, "AccountingCustomerParty")) != "NL":
        return []
    return br_nl_12(root)


# --- VAT categories and allowances ---------------------------------------------------------------

def _line_categories(root) -> list[ET.Element]:
    return [line.find("cac:Item/cac:ClassifiedTaxCategory", NS) for line in _lines(root)]


def _used_categories(root) -> set[str]:
    """Categories of the lines and the document allowances and charges."""
    found = {_text(c.find("cbc:ID", NS)) for c in _line_categories(root) if c is not None}
    found |= {_text(a.find("cac:TaxCategory/cbc:ID", NS))
              for a in root.findall("cac:AllowanceCharge", NS)}
    return found


def _tax_ids(party: ET.Element | None) -> tuple[bool, bool]:
    """(has a VAT id (TaxScheme VAT), has another tax registration) of a party."""
    vat = other = False
    for scheme in party.findall("cac:PartyTaxScheme", NS) if party is not None else []:
        if not _text(scheme.find("cbc:CompanyID", NS)):
            continue
        if _text(scheme.find("cac:TaxScheme/cbc:ID", NS)).upper() == "VAT":
            vat = True
        else:
            other = True
    return vat, other


def _seller_registered(root) -> bool:
    vat, other = _tax_ids(_party(root, "AccountingSupplierParty"))
    representative, _ = _tax_ids(root.find("cac:TaxRepresentativeParty", NS))
    return vat or other or representative


def _seller_rule(category: str):
    def rule(root):
        if category not in _used_categories(root) or _seller_registered(root):
            return []
        return [f"category {category} without the seller's VAT id or tax registration"]
    rule.__name__ = f"br_{category.lower()}_02"
    return rule


def br_ae_02(root):
    if "AE" not in _used_categories(root):
        return []
    problems = [] if _seller_registered(root) else [
        "reverse charge without the seller's VAT id or tax registration"]
    buyer = _party(root, "AccountingCustomerParty")
    if not (_tax_ids(buyer)[0] or any(_text(e) for e in (
            buyer.findall("cac:PartyLegalEntity/cbc:CompanyID", NS) if buyer is not None
            else []))):
        problems.append("reverse charge without the buyer's VAT id or legal registration")
    return problems


def br_ic_02(root):
    if "K" not in _used_categories(root):
        return []
    problems = []
    seller_vat = _tax_ids(_party(root, "AccountingSupplierParty"))[0]
    if not (seller_vat or _tax_ids(root.find("cac:TaxRepresentativeParty", NS))[0]):
        problems.append("intra-community supply without the seller's VAT id")
    if not _tax_ids(_party(root, "AccountingCustomerParty"))[0]:
        problems.append("intra-community supply without the buyer's VAT id")
    return problems


def _zero_rate_rule(category: str):
    def rule(root):
        categories = _line_categories(root) + [a.find("cac:TaxCategory", NS) for a in
                                               root.findall("cac:AllowanceCharge", NS)]
        return [f"category {category} at {_dec(c.find('cbc:Percent', NS))}%"
                for c in categories if c is not None and _text(c.find("cbc:ID", NS)) == category
                and _dec(c.find("cbc:Percent", NS)) != 0]
    rule.__name__ = f"br_{category.lower()}_05"
    return rule


def _breakdown(root, category: str) -> list[ET.Element]:
    total = _tax_total(root)
    return [s for s in (total.findall("cac:TaxSubtotal", NS) if total is not None else [])
            if _text(s.find("cac:TaxCategory/cbc:ID", NS)) == category]


def _zero_vat_rule(category: str):
    def rule(root):
        return [f"category {category}: VAT {_dec(s.find('cbc:TaxAmount', NS))}"
                for s in _breakdown(root, category) if _dec(s.find("cbc:TaxAmount", NS)) != 0]
    rule.__name__ = f"br_{category.lower()}_09"
    return rule


def _has_reason(subtotal: ET.Element) -> bool:
    category = subtotal.find("cac:TaxCategory", NS)
    return bool(_text(category.find("cbc:TaxExemptionReason", NS))
                or _text(category.find("cbc:TaxExemptionReasonCode", NS)))


def _reason_rule(category: str, required: bool):
    def rule(root):
        return [f"category {category}: exemption reason {'missing' if required else 'given'}"
                for s in _breakdown(root, category) if _has_reason(s) != required]
    rule.__name__ = f"br_{category.lower()}_10"
    return rule


def br_ic_11(root):
    if not _breakdown(root, "K"):
        return []
    period = root.find("cac:InvoicePeriod", NS)
    if _text(root.find("cac:Delivery/cbc:ActualDeliveryDate", NS)) or (
            period is not None and (_text(period.find("cbc:StartDate", NS))
                                    or _text(period.find("cbc:EndDate", NS)))):
        return []
    return ["intra-community supply without delivery date or invoicing period"]


def br_ic_12(root):
    if not _breakdown(root, "K") or _text(root.find(
            "cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode",
            NS)):
        return []
    return ["intra-community supply without deliver-to country"]


def _allowances(parent, charge: bool = False) -> list[ET.Element]:
    flag = "true" if charge else "false"
    return [a for a in parent.findall("cac:AllowanceCharge", NS)
            if _text(a.find("cbc:ChargeIndicator", NS)) == flag]


def br_co_11(root):
    expected = _document_allowances(root, charge=False)
    stated = _total(root, "AllowanceTotalAmount")
    return [] if expected == stated else [f"AllowanceTotalAmount {stated} ≠ Σ {expected}"]


def br_co_12(root):
    expected = _document_allowances(root, charge=True)
    stated = _total(root, "ChargeTotalAmount")
    return [] if expected == stated else [f"ChargeTotalAmount {stated} ≠ Σ {expected}"]


def _has_allowance_reason(a: ET.Element) -> bool:
    return bool(_text(a.find("cbc:AllowanceChargeReason", NS))
                or _text(a.find("cbc:AllowanceChargeReasonCode", NS)))


def br_31(root):
    return ["document allowance without Amount" for a in _allowances(root)
            if not _text(a.find("cbc:Amount", NS))]


def br_32(root):
    return ["document allowance without VAT category" for a in _allowances(root)
            if not _text(a.find("cac:TaxCategory/cbc:ID", NS))]


def br_33(root):
    return ["document allowance without reason or reason code" for a in _allowances(root)
            if not _has_allowance_reason(a)]


def br_41(root):
    return [f"line {_text(line.find('cbc:ID', NS))}: allowance without Amount"
            for line in _lines(root) for a in _allowances(line)
            if not _text(a.find("cbc:Amount", NS))]


def br_42(root):
    return [f"line {_text(line.find('cbc:ID', NS))}: allowance without reason or reason code"
            for line in _lines(root) for a in _allowances(line) if not _has_allowance_reason(a)]


NL_RULES = {
    "BR-NL-1": br_nl_1, "BR-NL-2": br_nl_2, "BR-NL-3": br_nl_3, "BR-NL-4": br_nl_4,
    "BR-NL-7": br_nl_7, "BR-NL-8": br_nl_8, "BR-NL-9": br_nl_9, "BR-NL-10": br_nl_10,
    "BR-NL-11": br_nl_11, "BR-NL-12": br_nl_12,
}
SUM_RULES = {
    "BR-CO-10": br_co_10, "BR-CO-13": br_co_13, "BR-CO-14": br_co_14, "BR-S-08": br_s_08,
    "BR-S-09": br_s_09, "BR-CO-15": br_co_15, "BR-CO-16": br_co_16,
    "PEPPOL-EN16931-R120": peppol_r120,
    "BR-CO-11": br_co_11, "BR-CO-12": br_co_12,
    "BR-31": br_31, "BR-32": br_32, "BR-33": br_33, "BR-41": br_41, "BR-42": br_42,
}
VAT_RULES = {
    "BR-S-02": _seller_rule("S"), "BR-Z-02": _seller_rule("Z"), "BR-E-02": _seller_rule("E"),
    "BR-AE-02": br_ae_02, "BR-IC-02": br_ic_02,
    **{f"BR-{rule}-05": _zero_rate_rule(category)
       for rule, category in (("Z", "Z"), ("E", "E"), ("AE", "AE"), ("IC", "K"))},
    **{f"BR-{rule}-09": _zero_vat_rule(category)
       for rule, category in (("Z", "Z"), ("E", "E"), ("AE", "AE"), ("IC", "K"))},
    "BR-S-10": _reason_rule("S", required=False), "BR-Z-10": _reason_rule("Z", required=False),
    "BR-E-10": _reason_rule("E", required=True), "BR-AE-10": _reason_rule("AE", required=True),
    "BR-IC-10": _reason_rule("K", required=True),
    "BR-IC-11": br_ic_11, "BR-IC-12": br_ic_12,
}
PEPPOL_RULES = {
    "PEPPOL-EN16931-R001": peppol_r001, "PEPPOL-EN16931-R003": br_nl_2,
    "PEPPOL-EN16931-R004": peppol_r004,
}
PEPPOL_NL_RULES = {
    "NL-R-001": nl_r_001, "NL-R-002": br_nl_3, "NL-R-003": br_nl_1, "NL-R-004": br_nl_4,
    "NL-R-005": br_nl_10, "NL-R-007": br_nl_11, "NL-R-008": nl_r_008,
}
RULES = {**NL_RULES, **SUM_RULES, **VAT_RULES, **PEPPOL_RULES, **PEPPOL_NL_RULES}


def check(root: ET.Element, *, peppol: bool | None = None) -> dict[str, list[str]]:
    """{rule id: problems} of every rule that fails (empty: the document passes them all).

    The NL rules apply to an SI-UBL document with a Dutch supplier, the Peppol rules to a
    document claiming Peppol BIS Billing 3.0 (and its NL-R rules with a Dutch supplier), as
    each profile's Schematron does. `peppol=True` runs the Peppol rules whatever the document
    claims, as a Peppol access point validates everything it is given."""
    peppol_applies = applies_peppol(root) if peppol is None else peppol
    peppol_nl = peppol_applies and _country(_party(root, "AccountingSupplierParty")) == "NL"
    failed = {}
    for rule, test in RULES.items():
        if rule in NL_RULES and not applies_nl(root):
            continue
        if rule in PEPPOL_RULES and not peppol_applies:
            continue
        if rule in PEPPOL_NL_RULES and not peppol_nl:
            continue
        problems = test(root)
        if problems:
            failed[rule] = problems
    return failed


def check_as_peppol(root: ET.Element) -> dict[str, list[str]]:
    """The rules a Peppol access point applies, whatever the document claims to be."""
    return check(root, peppol=True)


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
