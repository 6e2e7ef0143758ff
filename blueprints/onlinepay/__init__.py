"""Online payment of invoices through Stripe (iDEAL, card) into the cooperative's own Stripe
account, and the webhook that registers each payment once."""
