"""Rules for customers (debiteuren), their rates and prepaid punch cards (strippenkaarten).

- A customer has a kind and a name; e-mail, postcode, KvK number, OIN and VAT id are checked
  (blueprints.customers.identifiers). A municipality needs an OIN or a KvK number, and any Dutch
  customer who gets UBL e-invoices a KvK number or OIN and a full address (SI-UBL 2.0 rules
  BR-NL-10 and BR-NL-4): otherwise their e-invoice would be refused later, at sending time.
  A municipality gets e-invoices (UBL) by default.
- Prices are integer cents. A customer may have rates per kind of job or named item;
  `rate_for` picks the price of a job: the rate for its kind, else the customer's hourly rate,
  else the tenant's (FinanceSettings).
- A punch card is N prepaid hours. Its balance is derived: minutes bought minus the minutes of
  its uses (a correction is a negative use). `use_punch_card` takes minutes from the oldest card
  with a balance first, over several cards when needed, under a row lock on the customer's
  cards: two uses at once never take more than there is.
- Archiving hides a customer from lists and pickers; invoices and cards stay.
- Every change is in the audit log.
"""
from __future__ import annotations

from blueprints.customers.services.customers import (
    CustomerData,
    CustomerRow,
    active_customers,
    archive_customer,
    create_customer,
    get_customer,
    list_customers,
    unarchive_customer,
    update_customer,
)
from blueprints.customers.services.punch_cards import (
    CardView,
    UseView,
    card_balance_minutes,
    cards_of,
    correct_punch_card,
    customer_punch_balance,
    help_requests_of,
    sell_punch_card,
    use_punch_card,
)
from blueprints.customers.services.rates import add_rate, rate_for, rates_of, remove_rate
from blueprints.customers.services.rules import (
    DEFAULT_HOURLY_RATE_CENTS,
    DEFAULT_VAT_RATE,
    KIND_LABELS,
    MAX_PAYMENT_TERM_DAYS,
    MAX_PUNCH_CARD_HOURS,
    PAGE_SIZE,
    RATE_UNITS,
    VAT_LABELS,
    clean_vat_rate,
    hours_text,
)
from blueprints.customers.services.settling import (
    approved_minutes_of,
    settle_help_request_with_card,
)

__all__ = [
    "DEFAULT_HOURLY_RATE_CENTS",
    "DEFAULT_VAT_RATE",
    "KIND_LABELS",
    "MAX_PAYMENT_TERM_DAYS",
    "MAX_PUNCH_CARD_HOURS",
    "PAGE_SIZE",
    "RATE_UNITS",
    "VAT_LABELS",
    "CardView",
    "CustomerData",
    "CustomerRow",
    "UseView",
    "active_customers",
    "add_rate",
    "approved_minutes_of",
    "archive_customer",
    "card_balance_minutes",
    "cards_of",
    "clean_vat_rate",
    "correct_punch_card",
    "create_customer",
    "customer_punch_balance",
    "get_customer",
    "help_requests_of",
    "hours_text",
    "list_customers",
    "rate_for",
    "rates_of",
    "remove_rate",
    "sell_punch_card",
    "settle_help_request_with_card",
    "unarchive_customer",
    "update_customer",
    "use_punch_card",
]
