"""The event types, limits and errors the online-payment modules share."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from tenants.actor import Actor

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
#: Stripe's smallest charge in euros; below it the page offers the bank transfer only
MIN_CHARGE_CENTS = 50
ACTOR = Actor.system("stripe")

PAID = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
FAILED = "checkout.session.async_payment_failed"
ACCOUNT_UPDATED = "account.updated"
REFUNDED = "charge.refunded"
DISPUTE_CREATED = "charge.dispute.created"
DISPUTE_CLOSED = "charge.dispute.closed"
DEAUTHORIZED = "account.application.deauthorized"
#: Stripe's closed dispute statuses, as the invoice shows them
DISPUTE_CLOSED_STATUS = {"won": "gewonnen", "lost": "verloren", "warning_closed": "gesloten"}
DISPUTE_OPEN = "open"


class BadEvent(ValueError):
    """A signed event that does not have the shape Stripe documents (answered 400)."""


class RetryLater(Exception):
    """The event is about a payment of ours that is not registered yet (events come out of
    order): nothing is stored, the webhook answers 503 and Stripe delivers it again later."""
