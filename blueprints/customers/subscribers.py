"""What customers answer for the features below them (tenants/hooks.py): the customers a
trajectory or host organisation may be funded by. Connected by create_app() (app.py
`register_subscribers`)."""
from __future__ import annotations

from blueprints.customers import services
from tenants import hooks


def connect() -> None:
    hooks.payer_choices.provide(services.payer_choices)
