"""Selling a punch card on a new draft invoice."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from blueprints.customers.models import Customer
from blueprints.invoicing import money
from blueprints.invoicing import services as invoicing
from blueprints.invoicing.models import Invoice, LineUnit
from blueprints.punchcards.services.cards import sell_punch_card
from tenants.actor import Actor


def sell_punch_card_on_invoice(session: Session, actor: Actor, customer: Customer, hours,
                               price_cents: int | None, bought_on: date | None,
                               note: str | None = None) -> Invoice:
    """Sell a punch card and put it on a new draft invoice for the customer: one line
    "Strippenkaart N uur" at the card's price (excl. VAT) at the customer's VAT rate. The card
    refers to the invoice; deleting the draft leaves the card sold without an invoice
    (tenants.events.draft_deleting)."""
    draft = invoicing.create_draft(session, actor, customer, bought_on, bought_on)
    card = sell_punch_card(session, actor, customer, hours, price_cents, bought_on, note,
                           invoice_id=draft.id)
    # Stored in Dutch, whatever the admin's language: an invoice is a Dutch document.
    hours_text = f"{money.hours_quantity(card.minutes_bought):.2f}".replace(".", ",")
    hours_text = hours_text.removesuffix(",00")
    vat = invoicing.rate_for(session, customer, None)[1]
    invoicing.add_fixed_line(session, actor, draft, f"Strippenkaart {hours_text} uur", "1",
                             LineUnit.PUNCH_CARD.value, card.price_cents, vat, bought_on)
    return draft
