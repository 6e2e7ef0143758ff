"""Rules for prepaid punch cards (strippenkaarten) of customers.

- A punch card is N prepaid hours. Its balance is derived: minutes bought minus the minutes of
  its uses (a correction is a negative use). `use_punch_card` takes minutes from the oldest card
  with a balance first, over several cards when needed, under a row lock on the customer's
  cards: two uses at once never take more than there is.
- A card may be sold on a new draft invoice (`sell_punch_card_on_invoice`); deleting the draft
  leaves the card sold, without an invoice.
- A done punch-card job is settled from the cards: the minutes of its approved hours are taken
  and the job becomes "gefactureerd" (`settle_help_request_with_card`).
- A customer with prepaid hours left is not archived.
- Every change is in the audit log.

Punch cards stand above customers, help requests, hours and invoicing (ARCHITECTURE.md): what
those pages show of them comes through tenants/hooks.py and tenants/sections.py.
"""
from __future__ import annotations

from blueprints.punchcards.services.cards import (
    CardView,
    UseView,
    card_balance_minutes,
    cards_of,
    correct_punch_card,
    customer_punch_balance,
    prepaid_minutes,
    refuse_archiving_with_hours_left,
    sell_punch_card,
    use_punch_card,
)
from blueprints.punchcards.services.invoices import sell_punch_card_on_invoice
from blueprints.punchcards.services.rules import MAX_PUNCH_CARD_HOURS, hours_text
from blueprints.punchcards.services.settling import (
    approved_minutes_of,
    settle_help_request_with_card,
)

__all__ = [
    "MAX_PUNCH_CARD_HOURS",
    "CardView",
    "UseView",
    "approved_minutes_of",
    "card_balance_minutes",
    "cards_of",
    "correct_punch_card",
    "customer_punch_balance",
    "hours_text",
    "prepaid_minutes",
    "refuse_archiving_with_hours_left",
    "sell_punch_card",
    "sell_punch_card_on_invoice",
    "settle_help_request_with_card",
    "use_punch_card",
]
