"""The API's two blueprints, as app.py registers them: the token page (token_page.py) and the
JSON API (blueprint.py), whose operations live per resource in resources/.

    blueprint.py     the Blueprint: tokens, tenancy, limits, no caching, operation() and query()
    problems.py      errors as RFC 9457 problem details
    fields.py        strict query values and answer values (marshmallow fields)
    schemas.py       what each query may carry and each answer holds
    openapi.py       the document, generated from those schemas
    resources/       general (document, /me), participants, invoices, customers, budgets
"""
from __future__ import annotations

from blueprints.api.blueprint import bp
from blueprints.api.resources import budgets, customers, general, invoices, participants
from blueprints.api.token_page import tokens_bp

__all__ = ["bp", "tokens_bp", "budgets", "customers", "general", "invoices", "participants"]
