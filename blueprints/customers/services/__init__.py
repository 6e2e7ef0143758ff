"""Rules for customers (debiteuren) and their rates (punch cards: blueprints.punchcards).

- A customer has a kind and a name; e-mail, postcode, KvK number, OIN and VAT id are checked
  (blueprints.customers.identifiers). A municipality needs an OIN or a KvK number, and any Dutch
  customer who gets UBL e-invoices a KvK number or OIN and a full address (SI-UBL 2.0 rules
  BR-NL-10 and BR-NL-4): otherwise their e-invoice would be refused later, at sending time.
  A municipality gets e-invoices (UBL) by default, in the SI-UBL 2.0 profile; other customers
  in Peppol BIS Billing 3.0 (einvoice_profile: one file cannot be both).
- A default rate of btw verlegd or intracommunautaire levering needs the customer's VAT id.
- Prices are integer cents. A customer may have rates per kind of job or named item; the price
  of a job (the rate for its kind, else the customer's hourly rate, else the tenant's) is
  invoicing's `rate_for` (blueprints.invoicing.services.prices).
- Archiving hides a customer from lists and pickers; invoices and cards stay. It is refused
  while something still holds the customer (tenants.hooks.customer_archivable: prepaid hours).
- Every change is in the audit log.
"""
from __future__ import annotations

from blueprints.customers.services.customers import (
    CUSTOMER_SEARCH_LIMIT,
    CUSTOMER_SELECT_LIMIT,
    CustomerData,
    CustomerRow,
    active_customers,
    archive_customer,
    create_customer,
    customers_for_choice,
    get_customer,
    list_customers,
    payer_choices,
    search_customers,
    unarchive_customer,
    update_customer,
)
from blueprints.customers.services.rates import add_rate, rates_of, remove_rate
from blueprints.customers.services.rules import (
    KIND_LABELS,
    MAX_PAYMENT_TERM_DAYS,
    PAGE_SIZE,
    PROFILE_LABELS,
    RATE_UNITS,
    VAT_LABELS,
    clean_vat_rate,
)

__all__ = [
    "CUSTOMER_SEARCH_LIMIT",
    "CUSTOMER_SELECT_LIMIT",
    "KIND_LABELS",
    "MAX_PAYMENT_TERM_DAYS",
    "PAGE_SIZE",
    "PROFILE_LABELS",
    "RATE_UNITS",
    "VAT_LABELS",
    "CustomerData",
    "CustomerRow",
    "active_customers",
    "add_rate",
    "archive_customer",
    "clean_vat_rate",
    "create_customer",
    "customers_for_choice",
    "get_customer",
    "list_customers",
    "payer_choices",
    "rates_of",
    "remove_rate",
    "search_customers",
    "unarchive_customer",
    "update_customer",
]
