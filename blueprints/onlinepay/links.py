"""The pay link of an invoice: `/<tenant>/betalen/<token>`.

The token is the pair (tenant id, invoice id), signed with the app's SECRET_KEY and a salt of
its own (itsdangerous): it cannot be guessed or changed, and it only opens that one invoice of
that one cooperative. It does not expire: a link printed on an invoice keeps working, and the
page it opens shows only the cooperative's name, the invoice number and date, and what is
still open.

`pay_url(session, invoice)` is the absolute link, or None when there is nothing to pay online
(online payment not configured, the cooperative's Stripe account not ready, a draft, a credit
note, nothing open). It is offered to other blueprints through `app.extensions`
(INVOICE_PAY_URL) and as the template global `invoice_pay_url`, so that invoicing does not
import this package (no import circle).
"""
from __future__ import annotations

from flask import current_app, g, has_app_context, has_request_context
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from blueprints.invoicing.models import FinanceSettings, Invoice
from blueprints.invoicing.services import open_cents
from blueprints.onlinepay import gateway
from tenants.models import Tenant
from tenants.urls import absolute_url as kernel_absolute_url
from tenants.urls import base_url

SALT = "wijkwerk.onlinepay.invoice"
ENDPOINT = "onlinepay.pay"
#: the key in app.extensions under which `pay_url` is offered to other blueprints
INVOICE_PAY_URL = "wijkwerk.invoice_pay_url"


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def make_token(secret_key: str, tenant_id: int, invoice_id: int) -> str:
    return _serializer(secret_key).dumps([int(tenant_id), int(invoice_id)])


def read_token(secret_key: str, token: str) -> tuple[int, int] | None:
    """(tenant id, invoice id) of a genuine token; None for anything else."""
    try:
        data = _serializer(secret_key).loads(token)
    except BadData:
        return None
    if (not isinstance(data, list) or len(data) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in data)):
        return None
    return data[0], data[1]


def _tenant_slug(session: Session, tenant_id: int) -> str | None:
    tenant = g.get("tenant") if has_request_context() else None
    if tenant is not None and tenant.id == tenant_id:
        return tenant.slug
    return session.scalar(select(Tenant.slug).where(Tenant.id == tenant_id))


def absolute_url(endpoint: str, **values) -> str | None:
    """An absolute URL under BASE_URL (never the request's Host); None without BASE_URL."""
    return kernel_absolute_url(endpoint, **values) if base_url() else None


def online_ready(settings: FinanceSettings | None) -> bool:
    """The cooperative's Stripe account exists and Stripe lets it take payments."""
    return bool(settings is not None and settings.stripe_account_id
                and settings.stripe_charges_enabled)


def pay_url(session: Session | None, invoice: Invoice) -> str | None:
    """The absolute pay link of `invoice`, or None when it cannot be paid online now."""
    if not has_app_context() or not gateway.enabled() or invoice is None:
        return None
    if open_cents(invoice) <= 0:
        return None
    session = session or object_session(invoice)
    if session is None:
        return None
    settings = session.scalar(select(FinanceSettings)
                              .where(FinanceSettings.tenant_id == invoice.tenant_id))
    if not online_ready(settings):
        return None
    slug = _tenant_slug(session, invoice.tenant_id)
    if slug is None:
        return None
    token = make_token(current_app.config["SECRET_KEY"], invoice.tenant_id, invoice.id)
    return absolute_url(ENDPOINT, tenant_slug=slug, token=token)
