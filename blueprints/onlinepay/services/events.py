"""A webhook event's shape, and recording it exactly once (a StripeEvent row UNIQUE per event id);
the checks that an event belongs to the tenant's own account.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from blueprints.invoicing.models import (
    FinanceSettings,
)
from blueprints.onlinepay.models import StripeEvent
from blueprints.onlinepay.services.account import stripe_field
from blueprints.onlinepay.services.common import AMSTERDAM, BadEvent
from tenants import audit
from tenants.models import Tenant

log = logging.getLogger(__name__)

# --- webhook events --------------------------------------------------------------------------

@dataclass(frozen=True)
class Event:
    """The parts of a Stripe event we use, checked."""

    id: str
    type: str
    account: str | None
    created: int
    object: dict


def event_text(value, name: str, required: bool = True, limit: int = 255) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise BadEvent(name)
    return value


def parse_event(data: dict) -> Event:
    """Check the shape of a (signed) event. Raises BadEvent."""
    if not isinstance(data, dict):
        raise BadEvent("event")
    created = data.get("created")
    body = data.get("data")
    if not isinstance(created, int) or isinstance(created, bool) or created <= 0:
        raise BadEvent("created")
    if not isinstance(body, dict) or not isinstance(body.get("object"), dict):
        raise BadEvent("data.object")
    return Event(event_text(data.get("id"), "id", limit=80),
                 event_text(data.get("type"), "type", limit=80),
                 event_text(data.get("account"), "account", required=False), created,
                 body["object"])


def int_or_none(value) -> int | None:
    if isinstance(value, str) and value.isdigit() and len(value) <= 19:
        return int(value)
    return None


class AlreadyApplied(Exception):
    """A parallel delivery of the same event committed its row first."""


def is_recorded(session: Session, event: Event) -> bool:
    """This event was applied already (a read; `record_event` is the one that counts)."""
    return session.scalar(select(StripeEvent.id).where(StripeEvent.event_id == event.id)) \
        is not None


def record_event(session: Session, event: Event) -> bool:
    """Write the event's row as the transaction's first write; False when it is there
    already. A parallel delivery inserting the same id at the same moment waits on the unique
    key and then fails on it: the transaction is rolled back (it wrote nothing else yet) and
    AlreadyApplied raised.
    (No savepoint here: on SQLite a savepoint that opens the transaction commits on release,
    and the row must stand or fall with the event's effect.)"""
    if session.scalar(select(StripeEvent.id).where(StripeEvent.event_id == event.id)):
        return False
    session.add(StripeEvent(event_id=event.id, type=event.type))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise AlreadyApplied() from None
    return True


def own_account(session: Session, event: Event, settings: FinanceSettings | None,
                 tenant_id: int) -> bool:
    """The event comes from this tenant's own Stripe account; else a security event."""
    if settings is not None and settings.stripe_account_id \
            and event.account == settings.stripe_account_id:
        return True
    audit.record_security(session, "stripe.event_refused", event_id=event.id, type=event.type,
                          account=event.account, tenant_id=tenant_id,
                          reason="account does not match the tenant")
    log.warning("Stripe event %s refused: account %s is not tenant %s's", event.id,
                event.account, tenant_id)
    return False


def tenant_exists(session: Session, tenant_id: int | None) -> bool:
    return tenant_id is not None and session.scalar(
        select(Tenant.id).where(Tenant.id == tenant_id)) is not None


def payment_key(checkout_id: str) -> str:
    key = f"stripe:{checkout_id}"
    if len(key) <= 80:
        return key
    return "stripe:sha256:" + hashlib.sha256(checkout_id.encode()).hexdigest()[:64]


def amsterdam_day(timestamp: int) -> date:
    return datetime.fromtimestamp(timestamp, timezone.utc).astimezone(AMSTERDAM).date()


def stripe_fee_cents(read_fee, account: str, intent: str) -> int | None:
    """Stripe's fee on the payment, from its balance transaction (integer cents; None when
    Stripe does not say). Raises stripe.StripeError when Stripe cannot be asked (the event is
    then delivered again)."""
    if read_fee is None:
        return None
    fee = read_fee(account, intent)
    if isinstance(fee, int) and not isinstance(fee, bool) and 0 <= fee < 10**12:
        return fee
    return None


def balance_fee(payment_intent) -> int | None:
    """The fee of a PaymentIntent retrieved with `expand=["latest_charge.balance_transaction"]`
    (a stripe object or a dict); None when not there."""
    charge = stripe_field(payment_intent, "latest_charge")
    transaction = stripe_field(charge, "balance_transaction") if charge is not None else None
    return stripe_field(transaction, "fee") if transaction is not None else None
