"""What the digest feature answers for the features below (tenants/hooks.py). Connected by
create_app() (app.py `register_subscribers`)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from blueprints.invoicing import services as invoicing_services
from tenants import hooks


def cooperative_phone(session: Session) -> str | None:
    """The phone number of the finance settings (what the invoices show), or None."""
    return (invoicing_services.current_settings(session).phone or "").strip() or None


def connect() -> None:
    hooks.cooperative_phone.provide(cooperative_phone)
