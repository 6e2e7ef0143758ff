"""The Stripe side: a client built from the configuration, and webhook verification.

- Online payment is on only when STRIPE_SECRET_KEY is set. A fresh machine has no Stripe:
  then there are no buttons and no links, and the webhook does not exist (404).
- One `stripe.StripeClient` per use, from the app's configuration (no module-level
  `stripe.api_key`): thread-safe, and STRIPE_API_BASE points it at a local server in tests.
- Keys are never logged, never rendered, never put in an error message.
"""
from __future__ import annotations

import json

import stripe
from flask import current_app

#: seconds a call to Stripe may take; the idempotency keys make the library's retries safe
TIMEOUT = 20
RETRIES = 2


def enabled(config=None) -> bool:
    """Whether online payment is configured on this installation (a secret key is set)."""
    config = current_app.config if config is None else config
    return bool(config.get("STRIPE_SECRET_KEY"))


def client(config=None) -> stripe.StripeClient:
    """A Stripe client for the platform account (calls on a cooperative's account pass
    `stripe_account` in their options)."""
    config = current_app.config if config is None else config
    base = config.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"],
        base_addresses={"api": base.rstrip("/")} if base else None,
        max_network_retries=RETRIES,
        http_client=stripe.RequestsClient(timeout=TIMEOUT),
    )


class BadEvent(ValueError):
    """The webhook body is not a validly signed Stripe event."""


def verified_event(payload: bytes, signature: str | None, secret: str | None) -> dict:
    """The event as plain data, after checking its `Stripe-Signature` header (HMAC over the raw
    body, at most 300 seconds old). Raises BadEvent for a bad or missing signature, a body
    that is not JSON, or one that is not an event."""
    if not secret:
        raise BadEvent("no webhook secret configured")
    try:
        stripe.Webhook.construct_event(payload, signature, secret)
        data = json.loads(payload)
    # a bad signature; not UTF-8 or not JSON (ValueError); JSON that is not an object
    # (the library then fails on it with AttributeError or TypeError)
    except (stripe.SignatureVerificationError, ValueError, AttributeError, TypeError) as exc:
        raise BadEvent(type(exc).__name__) from None
    if not isinstance(data, dict) or data.get("object") != "event":
        raise BadEvent("not an event")
    return data
