"""The platform subscription: plans, Stripe Checkout and the customer portal, state from
Stripe's webhooks (stored once, never backwards), reconciliation, dunning mails."""
