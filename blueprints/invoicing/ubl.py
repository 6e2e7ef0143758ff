"""The e-invoice: UBL 2.1 in the profile the customer receives (Customer.einvoice_profile).

One file cannot be both: SI-UBL 2.0 (NLCIUS, for Dutch public bodies) and Peppol BIS Billing
3.0 (other Peppol receivers) each require their own CustomizationID, and the Peppol rules reject
the NLCIUS one (PEPPOL-EN16931-R004). Both carry the Peppol billing ProfileID
(PEPPOL-EN16931-R001; the SI-UBL examples have it too). Both are EN 16931; SI-UBL 2.0 adds the
Dutch rules BR-NL-*, Peppol its national rules NL-R-* for a Dutch supplier (the same
demands). What this module makes sure of (tests/invoicing/ublcheck.py checks each on our
output):

- BR-NL-1: the supplier's legal entity is its KvK number (schemeID 0106); also its EndpointID.
- BR-NL-2: a BuyerReference or an OrderReference. A public buyer gives its reference
  (inkoopordernummer) and the invoice carries it. Without one, the BuyerReference is the
  invoice number: Peppol and NLCIUS require the element, and our own number is the one
  reference both sides certainly know.
- BR-NL-3/4: street, city and postcode of the supplier and of a Dutch customer.
- BR-NL-7/8: an invoice is an Invoice with type code 380; a credit note a CreditNote with 381.
- BR-NL-9: a credit note refers to the invoice it corrects (BillingReference). The issue date
  of that invoice is left out: NLCIUS advises against it (BR-NL-24).
- BR-NL-10: a Dutch customer is identified by OIN (0190) or KvK (0106). A resident has
  neither: a private person cannot receive an e-invoice, and render_ubl() says so.
- BR-NL-11/12: PaymentMeans 58 (SEPA credit transfer) with the supplier's IBAN, no BIC
  (BR-NL-31 advises against a BIC with 58), the invoice number as payment id.
- BR-S-02, BR-Z-02, BR-E-02, BR-AE-02, BR-IC-02: the seller's VAT id, or without one (KOR)
  its tax registration (omzetbelastingnummer, BT-32: a PartyTaxScheme whose scheme is not
  VAT); reverse charge and intra-community lines also need the customer's VAT id.
- EN 16931 sums: amounts come from money.totals(); VAT per category and rate on the sum of
  its lines less the document allowance of that rate (BR-S-08, BR-S-09); every 0% ground is
  its own category (tenants/vat.py: Z, E, AE, K) with the mention the law asks for as
  TaxExemptionReason (and a VATEX code for AE and K), none for Z (BR-Z-10).
- Discounts: a line's as cac:AllowanceCharge in the line (its LineExtensionAmount is after
  it, BR-24), the invoice's as a document cac:AllowanceCharge with its VAT category (BR-32),
  AllowanceTotalAmount (BR-CO-11); ChargeIndicator false, reason code 95 (discount).
- BR-IC-11/12: an intra-community supply states its delivery date or period and the country
  delivered to.
- Elements appear in the order of the UBL 2.1 schema (the order matters for XSD validation).

Amounts have two decimals and currencyID EUR; a credit note's amounts are positive (the
document type says they are credited). A draft has no number and gets no e-invoice.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from blueprints.invoicing import money
from blueprints.invoicing.document import InvoiceDocument, invoice_document
from blueprints.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from tenants.errors import DomainError

#: CustomizationID per Customer.einvoice_profile value
CUSTOMIZATION_IDS = {
    "si-ubl": "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0",
    "peppol": "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
}
PROFILE_NAMES = {"si-ubl": "SI-UBL 2.0", "peppol": "Peppol BIS Billing 3.0"}
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NAMESPACES = {"cac": NS_CAC, "cbc": NS_CBC}
#: Prefixes of the document namespaces while serialising; render_ubl() turns the document's
#: own into the default namespace, as in the official examples. (ElementTree's
#: default_namespace option refuses the unqualified attributes UBL uses, such as currencyID.)
ROOT_PREFIXES = {NS_INVOICE: "ublinv", NS_CREDIT_NOTE: "ublcn"}
SCHEME_KVK = "0106"
SCHEME_OIN = "0190"
#: UNCL4461: SEPA credit transfer
PAYMENT_MEANS_SEPA = "58"
CURRENCY = "EUR"
INVOICE_TYPE = "380"
#: UNCL5189: discount
ALLOWANCE_DISCOUNT = "95"
#: the TaxScheme of a seller tax registration that is not a VAT id (BT-32)
TAX_REGISTRATION_SCHEME = "TAX"
CREDIT_NOTE_TYPE = "381"

for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)
for _uri, _prefix in ROOT_PREFIXES.items():
    ET.register_namespace(_prefix, _uri)


def serialise(root: ET.Element) -> bytes:
    """UTF-8 XML with the document's namespace as the default one (`<Invoice xmlns="…">`).

    Text is escaped, so `<ublinv:` can only occur in tags and the replacement is exact.
    """
    uri = root.tag[1:].split("}", 1)[0]
    prefix = ROOT_PREFIXES[uri].encode()
    ET.indent(root, space="  ")
    data = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return (data.replace(b"<" + prefix + b":", b"<").replace(b"</" + prefix + b":", b"</")
            .replace(b"xmlns:" + prefix + b"=", b"xmlns="))


class UblError(Exception):
    pass


def _tag(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


def _el(parent: ET.Element, name: str, text=None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, _tag(name), {k: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = str(text)
    return element


def amount(cents: int) -> str:
    """Cents as a UBL amount: 123456 -> "1234.56", -5 -> "-0.05"."""
    value = Decimal(int(cents)).scaleb(-2)
    return f"{value:.2f}"


def _money(parent: ET.Element, name: str, cents: int) -> ET.Element:
    return _el(parent, name, amount(cents), currencyID=CURRENCY)


def _percent(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() \
        else format(value, "f")


def postal_zone(value: str | None, country: str) -> str | None:
    """A Dutch postcode as it is written: 1234AB -> "1234 AB"."""
    if value and country == "NL" and len(value) == 6 and value[:4].isdigit():
        return f"{value[:4]} {value[4:]}"
    return value


def _country(party: dict) -> str:
    return (party.get("country_code") or "NL").upper()


# --- what must be there ----------------------------------------------------------------------

def _customer_scheme(customer: dict) -> tuple[str, str] | None:
    if customer.get("oin"):
        return SCHEME_OIN, customer["oin"]
    if customer.get("kvk_number"):
        return SCHEME_KVK, customer["kvk_number"]
    return None


def profile(customer: dict) -> str:
    """The e-invoice profile of a customer snapshot ("si-ubl" or "peppol"). Invoices sent
    before the choice existed: a municipality SI-UBL 2.0, everyone else Peppol."""
    chosen = customer.get("einvoice_profile")
    if chosen in CUSTOMIZATION_IDS:
        return chosen
    return "si-ubl" if customer.get("kind") == "gemeente" else "peppol"


def tax_registration_problem(supplier: dict) -> str | None:
    """Why the seller's tax registration is missing (BR-S-02, BR-E-02 …), in Dutch, or None."""
    if supplier.get("vat_id") or supplier.get("tax_number"):
        return None
    if supplier.get("vat_regime") == "kor":
        return str(_l("Een e-factuur (UBL) vermeldt de btw-registratie van de organisatie, ook "
                      "onder de KOR. Vul bij Financiële instellingen het btw-id of het "
                      "omzetbelastingnummer in; tot dan krijgt de klant de pdf."))
    return str(_l("Een e-factuur (UBL) vermeldt het btw-id van de organisatie. Vul het in bij "
                  "Financiële instellingen; tot dan krijgt de klant de pdf."))


def problems(d: InvoiceDocument) -> list[str]:
    """Why this document cannot be a valid e-invoice, in Dutch (empty: it can)."""
    if d.draft or not d.number_text:
        return [str(_l("Een concept heeft nog geen factuurnummer. Verstuur de factuur eerst; "
                       "daarna kunt u de e-factuur (UBL) downloaden."))]
    return content_problems(d)


def content_problems(d: InvoiceDocument) -> list[str]:
    """What keeps this document (a draft too: with the live details) from being a valid
    e-invoice, in Dutch; the number a draft lacks aside."""
    s, c = d.supplier, d.customer
    found = []
    if not d.draft:  # for a draft, the settings page and the send button ask for these
        if not s.get("kvk_number"):
            found.append(_l("Het KvK-nummer van de organisatie ontbrak bij het verzenden."))
        if not (s.get("street") and s.get("city") and s.get("postcode")):
            found.append(_l("Het adres van de organisatie was niet compleet bij het "
                            "verzenden."))
        if not s.get("iban"):
            found.append(_l("Het IBAN van de organisatie ontbrak bij het verzenden."))
    registration = tax_registration_problem(s)
    if registration and (not d.draft or s.get("vat_regime") == "kor"):
        found.append(registration)
    rates = {line.vat_rate for line in d.lines}
    if any(rate.needs_customer_vat_id for rate in rates) and not c.get("vat_id"):
        found.append(_l("Bij btw verlegd of een intracommunautaire levering hoort het "
                        "btw-id van de klant. Vul het in bij de klant."))
    if money.VatRate.INTRA_COMMUNITY in rates and not (d.period_start or d.period_end
                                                       or d.supply_dates):
        found.append(_l("Bij een intracommunautaire levering hoort de leverdatum of de "
                        "factuurperiode."))
    if _customer_scheme(c) is None:
        found.append(_l("Een e-factuur gaat naar een organisatie met een KvK-nummer of OIN. "
                        "Deze klant heeft geen van beide (een bewoner krijgt de pdf)."))
    if _country(c) == "NL" and not (c.get("street") and c.get("city") and c.get("postcode")):
        found.append(_l("Het adres van de klant (straat, postcode en plaats) is niet compleet."))
    return [str(m) for m in found]


# --- building --------------------------------------------------------------------------------

def _address(parent: ET.Element, party: dict) -> None:
    country = _country(party)
    address = _el(parent, "cac:PostalAddress")
    if party.get("street"):
        _el(address, "cbc:StreetName", party["street"])
    if party.get("city"):
        _el(address, "cbc:CityName", party["city"])
    if party.get("postcode"):
        _el(address, "cbc:PostalZone", postal_zone(party["postcode"], country))
    _el(_el(address, "cac:Country"), "cbc:IdentificationCode", country)


def _tax_scheme(parent: ET.Element, vat_id: str | None, scheme_id: str = "VAT") -> None:
    if vat_id:
        scheme = _el(parent, "cac:PartyTaxScheme")
        _el(scheme, "cbc:CompanyID", vat_id)
        _el(_el(scheme, "cac:TaxScheme"), "cbc:ID", scheme_id)


def _contact(parent: ET.Element, name=None, phone=None, email=None) -> None:
    if name or phone or email:
        contact = _el(parent, "cac:Contact")
        if name:
            _el(contact, "cbc:Name", name)
        if phone:
            _el(contact, "cbc:Telephone", phone)
        if email:
            _el(contact, "cbc:ElectronicMail", email)


def _supplier(root: ET.Element, s: dict) -> None:
    party = _el(_el(root, "cac:AccountingSupplierParty"), "cac:Party")
    _el(party, "cbc:EndpointID", s["kvk_number"], schemeID=SCHEME_KVK)
    _el(_el(party, "cac:PartyName"), "cbc:Name", s["legal_name"])
    _address(party, s)
    if s.get("vat_id"):
        _tax_scheme(party, s["vat_id"])
    else:  # no VAT id (KOR): the tax registration (BT-32)
        _tax_scheme(party, s.get("tax_number"), TAX_REGISTRATION_SCHEME)
    legal = _el(party, "cac:PartyLegalEntity")
    _el(legal, "cbc:RegistrationName", s["legal_name"])
    _el(legal, "cbc:CompanyID", s["kvk_number"], schemeID=SCHEME_KVK)
    _contact(party, phone=s.get("phone"), email=s.get("email"))


def _customer(root: ET.Element, c: dict) -> None:
    scheme, identifier = _customer_scheme(c)
    party = _el(_el(root, "cac:AccountingCustomerParty"), "cac:Party")
    _el(party, "cbc:EndpointID", identifier, schemeID=scheme)
    _el(_el(party, "cac:PartyName"), "cbc:Name", c["name"])
    _address(party, c)
    _tax_scheme(party, c.get("vat_id"))
    legal = _el(party, "cac:PartyLegalEntity")
    _el(legal, "cbc:RegistrationName", c["name"])
    _el(legal, "cbc:CompanyID", identifier, schemeID=scheme)
    _contact(party, name=c.get("contact_name"), email=c.get("email"))


def _period(root: ET.Element, d: InvoiceDocument) -> None:
    """The invoicing period (BG-14): the invoice's period, or the span of its supply dates."""
    start, end = d.period_start, d.period_end
    dates = d.supply_dates
    if not (start or end) and len(dates) > 1:
        start, end = dates[0], dates[-1]
    if start or end:
        period = _el(root, "cac:InvoicePeriod")
        if start:
            _el(period, "cbc:StartDate", start.isoformat())
        if end:
            _el(period, "cbc:EndDate", end.isoformat())


def _delivery(root: ET.Element, d: InvoiceDocument) -> None:
    """One supply date and no period: the actual delivery date (BT-72). An intra-community
    supply also names the country delivered to (BT-80, BR-IC-12): the customer's."""
    dates = d.supply_dates
    date_known = not (d.period_start or d.period_end) and len(dates) == 1
    intra = any(line.vat_rate is money.VatRate.INTRA_COMMUNITY for line in d.lines)
    if not (date_known or intra):
        return
    delivery = _el(root, "cac:Delivery")
    if date_known:
        _el(delivery, "cbc:ActualDeliveryDate", dates[0].isoformat())
    if intra:
        address = _el(_el(delivery, "cac:DeliveryLocation"), "cac:Address")
        _el(_el(address, "cac:Country"), "cbc:IdentificationCode", _country(d.customer))


def _payment(root: ET.Element, d: InvoiceDocument, credit: bool) -> None:
    means = _el(root, "cac:PaymentMeans")
    _el(means, "cbc:PaymentMeansCode", PAYMENT_MEANS_SEPA)
    if credit and d.due_date:  # a CreditNote has no DueDate of its own (Peppol BT-9)
        _el(means, "cbc:PaymentDueDate", d.due_date.isoformat())
    _el(means, "cbc:PaymentID", d.number_text)
    _el(_el(means, "cac:PayeeFinancialAccount"), "cbc:ID", d.supplier["iban"])
    if credit:
        note = (f"Wordt verrekend met factuur {d.credited_number}." if d.credited_number
                else "Wordt verrekend met de gecrediteerde factuur.")
    elif d.payment_term_days is not None:
        note = (f"Betaling binnen {d.payment_term_days} dagen na factuurdatum, onder vermelding "
                f"van {d.number_text}.")
    else:
        note = f"Betaling onder vermelding van {d.number_text}."
    _el(_el(root, "cac:PaymentTerms"), "cbc:Note", note)


def _categories(d: InvoiceDocument) -> list[tuple[str, Decimal, int, int, list[str],
                                                 str | None]]:
    """(category, percent, base, VAT, exemption reasons, reason code) per UBL category and rate.

    Exempt and KOR lines are both category E at 0%: one breakdown, both mentions.
    """
    grouped: dict[tuple[str, Decimal], list] = {}
    for t in d.totals.per_rate:
        key = (t.rate.ubl_category, t.rate.percent)
        entry = grouped.setdefault(key, [0, 0, [], t.rate.exemption_reason_code])
        entry[0] += t.base_cents
        entry[1] += t.vat_cents
        if t.rate.exemption_reason and t.rate.exemption_reason not in entry[2]:
            entry[2].append(t.rate.exemption_reason)
    return [(cat, pct, base, vat, reasons, code) for (cat, pct), (base, vat, reasons, code)
            in grouped.items()]


def _category(parent: ET.Element, name: str, category: str, percent: Decimal,
              reasons: list[str] | None = None, code: str | None = None) -> None:
    element = _el(parent, name)
    _el(element, "cbc:ID", category)
    _el(element, "cbc:Percent", _percent(percent))
    if code:
        _el(element, "cbc:TaxExemptionReasonCode", code)
    if reasons:
        _el(element, "cbc:TaxExemptionReason", "; ".join(reasons))
    _el(_el(element, "cac:TaxScheme"), "cbc:ID", "VAT")


def _allowance(parent: ET.Element, cents: int, reason: str | None,
               rate: money.VatRate | None = None) -> None:
    """A discount (ChargeIndicator false, UNCL5189 95); on the document with its VAT category
    (BR-32), in a line without one."""
    element = _el(parent, "cac:AllowanceCharge")
    _el(element, "cbc:ChargeIndicator", "false")
    _el(element, "cbc:AllowanceChargeReasonCode", ALLOWANCE_DISCOUNT)
    _el(element, "cbc:AllowanceChargeReason", reason or "Korting")
    _money(element, "cbc:Amount", cents)
    if rate is not None:
        _category(element, "cac:TaxCategory", rate.ubl_category, rate.percent)


def _taxes(root: ET.Element, d: InvoiceDocument) -> None:
    total = _el(root, "cac:TaxTotal")
    _money(total, "cbc:TaxAmount", d.totals.vat_cents)
    for category, percent, base, vat, reasons, code in _categories(d):
        sub = _el(total, "cac:TaxSubtotal")
        _money(sub, "cbc:TaxableAmount", base)
        _money(sub, "cbc:TaxAmount", vat)
        _category(sub, "cac:TaxCategory", category, percent, reasons, code)


def _monetary_total(root: ET.Element, d: InvoiceDocument) -> None:
    # Prepaid: nothing. Payments are registered after sending and do not change the document.
    prepaid = 0
    total = _el(root, "cac:LegalMonetaryTotal")
    _money(total, "cbc:LineExtensionAmount", sum(line.net_cents for line in d.lines))
    _money(total, "cbc:TaxExclusiveAmount", d.totals.excl_cents)
    _money(total, "cbc:TaxInclusiveAmount", d.totals.incl_cents)
    if d.totals.allowance_cents:
        _money(total, "cbc:AllowanceTotalAmount", d.totals.allowance_cents)
    if prepaid:
        _money(total, "cbc:PrepaidAmount", prepaid)
    _money(total, "cbc:PayableAmount", d.totals.incl_cents - prepaid)


def _lines(root: ET.Element, d: InvoiceDocument, credit: bool) -> None:
    line_name, quantity_name = (("cac:CreditNoteLine", "cbc:CreditedQuantity") if credit
                                else ("cac:InvoiceLine", "cbc:InvoicedQuantity"))
    for line in d.lines:
        quantity, price = line.quantity, line.unit_price_cents
        if price < 0:  # a price is never negative (BR-27): the quantity carries the sign
            quantity, price = -quantity, -price
        element = _el(root, line_name)
        _el(element, "cbc:ID", line.position)
        _el(element, quantity_name, f"{quantity:.2f}", unitCode=line.unit.ubl_code)
        _money(element, "cbc:LineExtensionAmount", line.net_cents)
        if line.allowance_cents:
            _allowance(element, line.allowance_cents, line.allowance_reason)
        item = _el(element, "cac:Item")
        _el(item, "cbc:Name", line.description)
        _category(item, "cac:ClassifiedTaxCategory", line.vat_rate.ubl_category,
                  line.vat_rate.percent)
        _money(_el(element, "cac:Price"), "cbc:PriceAmount", price)


def build_ubl(d: InvoiceDocument) -> ET.Element:
    """The UBL tree of a sent invoice or credit note. Raises UblError when it cannot be valid
    (see problems())."""
    found = problems(d)
    if found:
        raise UblError(found[0])
    credit = d.is_credit_note
    root = ET.Element(f"{{{NS_CREDIT_NOTE if credit else NS_INVOICE}}}"
                      f"{'CreditNote' if credit else 'Invoice'}")
    _el(root, "cbc:CustomizationID", CUSTOMIZATION_IDS[profile(d.customer)])
    _el(root, "cbc:ProfileID", PROFILE_ID)
    _el(root, "cbc:ID", d.number_text)
    _el(root, "cbc:IssueDate", d.issue_date.isoformat())
    if credit:
        _el(root, "cbc:CreditNoteTypeCode", CREDIT_NOTE_TYPE)
    else:
        if d.due_date:
            _el(root, "cbc:DueDate", d.due_date.isoformat())
        _el(root, "cbc:InvoiceTypeCode", INVOICE_TYPE)
    note = " ".join(d.note.split()) if d.note else None  # one Note (PEPPOL-EN16931-R002)
    if note:
        _el(root, "cbc:Note", note[:1000])
    _el(root, "cbc:DocumentCurrencyCode", CURRENCY)
    buyer_reference = d.buyer_reference or (None if d.order_reference else d.number_text)
    if buyer_reference:
        _el(root, "cbc:BuyerReference", buyer_reference)
    _period(root, d)
    if d.order_reference:
        _el(_el(root, "cac:OrderReference"), "cbc:ID", d.order_reference)
    if credit and d.credited_number:
        reference = _el(_el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _el(reference, "cbc:ID", d.credited_number)
    _supplier(root, d.supplier)
    _customer(root, d.customer)
    _delivery(root, d)
    _payment(root, d, credit)
    if d.totals.allowance_cents and d.allowance_rate is not None:
        _allowance(root, d.totals.allowance_cents, d.allowance_reason, d.allowance_rate)
    _taxes(root, d)
    _monetary_total(root, d)
    _lines(root, d, credit)
    return root


def render_ubl(session: Session, invoice: Invoice) -> bytes:
    """The e-invoice of a sent invoice or credit note as UTF-8 XML.

    Raises DomainError (Dutch) for a draft, and for a document that cannot be a valid
    e-invoice (a customer without KvK or OIN, an address that was incomplete when it was sent).
    """
    if invoice.status == InvoiceStatus.DRAFT or not invoice.number_text:
        raise DomainError(_l("Een concept heeft nog geen factuurnummer. Verstuur de factuur "
                             "eerst; daarna kunt u de e-factuur (UBL) downloaden."))
    try:
        root = build_ubl(invoice_document(session, invoice))
    except UblError as exc:
        raise DomainError(str(exc)) from None
    return serialise(root)


def ubl_file_name(invoice: Invoice) -> str:
    kind = "creditnota" if invoice.kind == InvoiceKind.CREDIT_NOTE else "factuur"
    return f"{kind}-{invoice.number_text}.xml"


def ubl_available(session: Session, invoice: Invoice) -> bool:
    """Whether render_ubl() would succeed (for pages that offer the download)."""
    if invoice.status == InvoiceStatus.DRAFT or not invoice.number_text:
        return False
    return not problems(invoice_document(session, invoice))


def ubl_problems(session: Session, invoice: Invoice) -> list[str]:
    """For the invoice page of a customer who receives e-invoices: why this invoice has (or,
    as a draft, would have) no e-invoice, in Dutch (empty: it has one)."""
    return content_problems(invoice_document(session, invoice))


def profile_name(invoice: Invoice, customer) -> str:
    """The name of the profile this invoice's e-invoice follows (as sent; a draft: as the
    customer is now), e.g. "SI-UBL 2.0"."""
    from blueprints.invoicing.snapshots import customer_snapshot

    snapshot = None if invoice.status == InvoiceStatus.DRAFT else invoice.customer_snapshot
    return PROFILE_NAMES[profile(snapshot or customer_snapshot(customer))]
