"""Connecting the cooperative's own Stripe account (Standard, direct charges) and reading its
state.
"""
from __future__ import annotations

import logging

import stripe
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from blueprints.invoicing import settings as finance_settings
from blueprints.invoicing.models import (
    FinanceSettings,
)
from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.models import AuditEvent
from tenants.tenancy import current_tenant_id

log = logging.getLogger(__name__)



# --- connecting the cooperative's Stripe account ---------------------------------------------

def locked_settings(session: Session) -> FinanceSettings:
    settings = finance_settings.get_settings(session)
    session.flush()
    return session.scalar(select(FinanceSettings).where(FinanceSettings.id == settings.id)
                          .with_for_update().execution_options(populate_existing=True))


def set_charges(session: Session, actor: Actor, settings: FinanceSettings,
                 enabled: bool) -> None:
    if bool(settings.stripe_charges_enabled) == enabled:
        return
    settings.stripe_charges_enabled = enabled
    audit.record(session, actor, "onlinepay.charges_enabled" if enabled
                 else "onlinepay.charges_disabled", settings,
                 account=settings.stripe_account_id)


def stripe_field(obj, name: str):
    """A top-level field of a Stripe object (not a dict in stripe-python 16) or a dict."""
    data = obj.to_dict(recursive=False) if hasattr(obj, "to_dict") else obj
    return data.get(name) if isinstance(data, dict) else None


def _unreachable() -> DomainError:
    return DomainError(_l("Stripe is op dit moment niet bereikbaar. Probeer het over een paar "
                          "minuten opnieuw."))


def connect_account(session: Session, actor: Actor, client: stripe.StripeClient,
                    email: str | None) -> FinanceSettings:
    """The cooperative's Stripe account: created once (a Standard account in the Netherlands,
    our tenant id in its metadata), its id stored in the finance settings. Calling again
    returns the same account."""
    settings = locked_settings(session)
    if settings.stripe_account_id:
        return settings
    tenant_id = current_tenant_id(session)
    params = {"type": "standard", "country": "NL", "metadata": {"tenant_id": str(tenant_id)}}
    if email:
        params["email"] = email
    # After a disconnection (account.application.deauthorized) a new account is made: a new
    # key, or Stripe would replay the old account for 24 hours.
    disconnected = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "onlinepay.account_disconnected"))
    key = f"account:{tenant_id}" + (f":{disconnected}" if disconnected else "")
    try:
        account = client.v1.accounts.create(
            params=params, options={"idempotency_key": key})
    except stripe.StripeError as exc:
        log.warning("Stripe account for tenant %s not created: %s", tenant_id,
                    type(exc).__name__)
        raise _unreachable() from None
    account_id = stripe_field(account, "id")
    if not isinstance(account_id, str) or not account_id.startswith("acct_") \
            or len(account_id) > 40:
        log.warning("Stripe answered an account without a usable id for tenant %s", tenant_id)
        raise _unreachable()
    settings.stripe_account_id = account_id
    settings.stripe_charges_enabled = bool(stripe_field(account, "charges_enabled"))
    audit.record(session, actor, "onlinepay.account_connected", settings, account=account_id)
    return settings


def onboarding_url(client: stripe.StripeClient, settings: FinanceSettings, refresh_url: str,
                   return_url: str) -> str:
    """Where the administrator fills in the account at Stripe (a link valid for minutes)."""
    if not settings.stripe_account_id:
        raise DomainError(_l("Er is nog geen Stripe-account gekoppeld."))
    try:
        link = client.v1.account_links.create(params={
            "account": settings.stripe_account_id, "refresh_url": refresh_url,
            "return_url": return_url, "type": "account_onboarding"})
    except stripe.StripeError as exc:
        log.warning("Stripe account link not created: %s", type(exc).__name__)
        raise _unreachable() from None
    return stripe_field(link, "url")


def refresh_account(session: Session, actor: Actor,
                    client: stripe.StripeClient) -> FinanceSettings:
    """Read the account from Stripe again and store whether it can take payments."""
    settings = finance_settings.find_settings(session)
    if settings is None or not settings.stripe_account_id:
        raise DomainError(_l("Er is nog geen Stripe-account gekoppeld."))
    try:
        account = client.v1.accounts.retrieve(settings.stripe_account_id)
    except stripe.StripeError as exc:
        log.warning("Stripe account not read: %s", type(exc).__name__)
        raise _unreachable() from None
    set_charges(session, actor, settings, bool(stripe_field(account, "charges_enabled")))
    return settings
