"""The Stripe client for the platform's own account (billing), from the configuration.

Billing is on only when STRIPE_SECRET_KEY is set; its webhook needs its own secret
(STRIPE_BILLING_WEBHOOK_SECRET, the platform endpoint's, not the Connect endpoint's)."""
from __future__ import annotations

import stripe
from flask import current_app

TIMEOUT = 20
RETRIES = 2


def enabled(config=None) -> bool:
    config = current_app.config if config is None else config
    return bool(config.get("STRIPE_SECRET_KEY"))


def client(config=None) -> stripe.StripeClient:
    config = current_app.config if config is None else config
    base = config.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"],
        base_addresses={"api": base.rstrip("/")} if base else None,
        max_network_retries=RETRIES,
        http_client=stripe.RequestsClient(timeout=TIMEOUT),
    )
