"""The API's web side, as app.py registers it: the token page (token_page.py) and the JSON API
(blueprint.py), whose operations live per resource in resources/. Everything here may read the
request; the rules stay in ../services.py, the declared shapes in ../schemas.py and ../fields.py.

    blueprint.py     the Blueprint: tokens, tenancy, limits, no caching, operation() and query()
    problems.py      errors as RFC 9457 problem details
    openapi.py       the document, generated from the schemas
    resources/       general (document, /me), participants, invoices, customers, budgets,
                     reports, municipal (the municipal API: a municipality's token)
    token_page.py    "API-tokens" under Mijn account
"""
from __future__ import annotations

from blueprints.api.routes.blueprint import bp
from blueprints.api.routes.resources import (
    budgets,
    customers,
    general,
    invoices,
    municipal,
    participants,
    reports,
)
from blueprints.api.routes.token_page import tokens_bp

__all__ = ["bp", "tokens_bp", "budgets", "customers", "general", "invoices", "municipal",
           "participants", "reports"]
