"""Applying one verified Stripe event: the dispatch by event type."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from blueprints.onlinepay.services.common import (
    ACCOUNT_UPDATED,
    AMSTERDAM,
    DEAUTHORIZED,
    DISPUTE_CLOSED,
    DISPUTE_CREATED,
    FAILED,
    PAID,
    REFUNDED,
)
from blueprints.onlinepay.services.disputes import (
    deauthorized_event,
    dispute_event,
    refund_event,
)
from blueprints.onlinepay.services.events import AlreadyApplied, parse_event
from blueprints.onlinepay.services.payments import account_event, checkout_event


def apply_event(session: Session, data: dict, read_account, today: date | None = None,
                read_fee=None) -> str:
    """Apply one verified Stripe event; a word for the log ("applied", "unchanged",
    "duplicate", "ignored", "refused", "unmatched", "pending", "failed"). The caller commits.
    Raises BadEvent for a malformed event, stripe.StripeError when Stripe could not be asked
    and RetryLater for a refund of a payment not registered yet (both: Stripe retries).
    `read_account(account id)` reads a connected account, `read_fee(account id, payment
    intent id)` the fee of a payment (tests/onlinepay give the local Stripe)."""
    event = parse_event(data)
    today = today or datetime.now(AMSTERDAM).date()
    try:
        if event.type in PAID or event.type == FAILED:
            return checkout_event(session, event, today, read_fee)
        if event.type == ACCOUNT_UPDATED:
            return account_event(session, event, read_account)
        if event.type == REFUNDED:
            return refund_event(session, event)
        if event.type in (DISPUTE_CREATED, DISPUTE_CLOSED):
            return dispute_event(session, event)
        if event.type == DEAUTHORIZED:
            return deauthorized_event(session, event)
    except AlreadyApplied:
        return "duplicate"
    return "ignored"
