"""What a sent invoice says about supplier and customer, frozen at finalisation.

`Invoice.supplier_snapshot` and `Invoice.customer_snapshot` hold these dicts; the PDF and the
UBL read them (for a draft, the live `supplier_snapshot(settings)` / `customer_snapshot(customer)`
are used), so a later change of address or IBAN never changes an invoice already sent.
"""
from __future__ import annotations

SUPPLIER_KEYS = (
    "legal_name", "street", "postcode", "city", "country_code", "kvk_number", "vat_id",
    "tax_number", "iban", "bic", "email", "phone", "recognition", "recognition_reference",
    "vat_regime", "logo_file", "footer_text",
)
CUSTOMER_KEYS = (
    "kind", "name", "contact_name", "street", "postcode", "city", "country_code", "kvk_number",
    "oin", "vat_id", "email", "einvoice_profile",
)


def _value(v):
    return getattr(v, "value", v)


def supplier_snapshot(settings) -> dict:
    """The tenant's FinanceSettings as a plain dict (enum values as strings)."""
    return {key: _value(getattr(settings, key, None)) for key in SUPPLIER_KEYS}


def customer_snapshot(customer) -> dict:
    return {key: _value(getattr(customer, key, None)) for key in CUSTOMER_KEYS}
