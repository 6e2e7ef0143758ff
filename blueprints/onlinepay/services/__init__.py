"""Online payment rules: connecting the cooperative's Stripe account, the pay page, Checkout,
and applying Stripe's webhook events exactly once.

- Each cooperative is its own (Standard) connected account; residents and customers pay it by
  a direct charge: the Checkout Session is created *on* that account (`stripe_account`), so
  the money never passes through the platform. The legal invoice number is ours; Stripe only
  gets it as a description and in the metadata.
- Calls to Stripe carry fixed idempotency keys (`account:{tenant}`,
  `checkout:{tenant}:{invoice}:{open cents}`): a double click or a retry gives the same
  account or Checkout Session, not a second one.
- Webhook events arrive late, twice, in parallel and out of order. An event is applied in
  one transaction with a `StripeEvent` row UNIQUE per event id, so a second delivery fails on
  the key and changes nothing. Two different events about the same Checkout Session
  (completed, async_payment_succeeded) register one payment: its idempotency key is
  `stripe:{checkout session id}` (invoicing.services.register_payment). `account.updated`
  re-reads the account from Stripe, so an old event never undoes a newer state.
- An event is trusted for a tenant only when it comes from that tenant's own account
  (`event.account` = FinanceSettings.stripe_account_id); anything else goes to the security
  log and changes nothing.
- Money Stripe took that cannot be registered (the invoice was paid by transfer meanwhile, or
  credited) is never lost silently: the audit log says "invoice.online_payment_unmatched"
  with the amount, for the administrator to refund or settle.

Plain functions on the session; the Stripe client and the URLs come from the caller.
"""
from __future__ import annotations

from blueprints.onlinepay.services.account import (
    connect_account,
    onboarding_url,
    refresh_account,
)
from blueprints.onlinepay.services.checkout import (
    PayPage,
    pay_page,
    payable_invoice,
    start_checkout,
)
from blueprints.onlinepay.services.common import (
    ACCOUNT_UPDATED,
    ACTOR,
    AMSTERDAM,
    DEAUTHORIZED,
    DISPUTE_CLOSED,
    DISPUTE_CLOSED_STATUS,
    DISPUTE_CREATED,
    DISPUTE_OPEN,
    FAILED,
    MIN_CHARGE_CENTS,
    PAID,
    REFUNDED,
    BadEvent,
    RetryLater,
)
from blueprints.onlinepay.services.events import (
    Event,
    balance_fee,
    parse_event,
)
from blueprints.onlinepay.services.webhooks import (
    apply_event,
)

__all__ = [
    "ACCOUNT_UPDATED",
    "ACTOR",
    "AMSTERDAM",
    "BadEvent",
    "DEAUTHORIZED",
    "DISPUTE_CLOSED",
    "DISPUTE_CLOSED_STATUS",
    "DISPUTE_CREATED",
    "DISPUTE_OPEN",
    "Event",
    "FAILED",
    "MIN_CHARGE_CENTS",
    "PAID",
    "PayPage",
    "REFUNDED",
    "RetryLater",
    "apply_event",
    "balance_fee",
    "connect_account",
    "onboarding_url",
    "parse_event",
    "pay_page",
    "payable_invoice",
    "refresh_account",
    "start_checkout",
]
