"""The OpenAPI 3.1 document of /api/v1/, generated from the declared schemas and served at
/api/v1/openapi.json.

Library: flask-smorest (marshmallow + apispec + webargs), because it fits a Flask blueprint as it
is: one marshmallow schema parses a query (`@bp.arguments`), writes an answer (`@bp.response`) and
becomes the document, so the three cannot drift apart. Pydantic would need its own Flask glue for
parsing and for the paths; apispec alone would leave the parsing to hand-written code.

Nothing here is written by hand but what no schema says: the introduction, the security scheme,
the tags, and the problem answer of each error status (problems.PROBLEMS). The document is built
from the blueprint's routes the first time it is asked for in a year (the budgets' `year` goes up
to next year) and kept.
"""
from __future__ import annotations

from datetime import date

from flask import current_app
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from blueprints.api.routes import problems
from blueprints.api.routes.blueprint import bp, problems_response_name
from tenants.web import CbsCodeConverter, SlugConverter

VERSION = "1.0.0"
TITLE = "Wijkwerk API"
INTRODUCTION = (
    "Alleen-lezen toegang tot de gegevens van één organisatie. Maak een sleutel op "
    "/account/api-tokens (beheerders en begeleiders) en stuur die mee als "
    "'Authorization: Bearer <sleutel>'. De sleutel hoort bij één organisatie; de rol wordt bij "
    "elk verzoek opnieuw bekeken. Facturen, klanten, budgetten en rapportages zijn alleen voor "
    "beheerders (x-required-role: admin). Bedragen zijn hele centen. Fouten zijn problem details "
    "(RFC 9457, application/problem+json) met een Nederlandse uitleg in detail en een code "
    "voor programma's; elke operatie noemt alle statussen die ze kan geven. "
    "De operaties onder /api/v1/gemeente/{cbs_code}/ (tag gemeente) zijn de gemeentelijke API: "
    "een sleutel van een gemeente (gemaakt in het gemeenteportaal, /gemeente/{cbs_code}/"
    "api-sleutels) leest precies wat het portaal toont, met dezelfde verborgen cellen.")
TAGS = ["algemeen", "deelnemers", "facturen", "klanten", "budgetten", "rapportage", "gemeente"]
_CACHE_KEY = "wijkwerk.api.openapi"


class _DocumentApi(Api):
    """flask-smorest's Api used only to write the document: the API blueprint answers its own
    errors (problems.py), so no app-wide error handler is registered, and every error status
    is the problem answer of problems.PROBLEMS."""

    DEFAULT_ERROR_RESPONSE_NAME = None
    ERROR_SCHEMA = problems.Problem

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        for status, known in problems.PROBLEMS.items():
            response = {"description": known.described, "schema": self.ERROR_SCHEMA}
            if known.headers:
                response["headers"] = {name: {"description": problems.HEADER_DOCS[name],
                                              "schema": {"type": "string"}}
                                       for name in known.headers}
            prepare_response(response, self.spec, problems.MEDIA_TYPE)
            self.spec.components.response(problems_response_name(status), response, lazy=True)


def _slug_schema(converter) -> dict:
    return {"type": "string", "pattern": f"^{converter.regex}$"}


def _build(app) -> dict:
    api = _DocumentApi(spec_kwargs={
        "title": TITLE, "version": VERSION, "openapi_version": "3.1.0",
        "info": {"description": INTRODUCTION},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
    })
    api.init_app(app)
    api.register_converter(SlugConverter, _slug_schema)
    api.register_converter(CbsCodeConverter, _slug_schema)
    api.spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer", "bearerFormat": "ww_<organisatie>_<geheim>",
        "description": "Een API-sleutel van /account/api-tokens."})
    api.spec.components.security_scheme("municipalBearer", {
        "type": "http", "scheme": "bearer", "bearerFormat": "wwg_<geheim>",
        "description": "Een API-sleutel van een gemeente, van /gemeente/{cbs_code}/"
                       "api-sleutels."})
    bp.register_views_in_doc(api, app, api.spec, name=bp.name, parameters=None)
    for tag in TAGS:
        api.spec.tag({"name": tag})
    return _operations_carry_path_parameters(api.spec.to_dict())


def _operations_carry_path_parameters(document: dict) -> dict:
    """Each operation lists its own path parameters (flask-smorest puts them on the path item;
    both are valid OpenAPI, but a client generator reading operations sees them this way)."""
    for item in document["paths"].values():
        shared = item.pop("parameters", [])
        for method, operation in item.items():
            own = operation.get("parameters", [])
            names = {(p["in"], p["name"]) for p in own}
            operation["parameters"] = [p for p in shared if (p["in"], p["name"]) not in names
                                       ] + own
            operation["responses"] = dict(sorted(operation["responses"].items()))
    return document


def document() -> dict:
    """The OpenAPI 3.1 document (built once a year per app; a copy is not needed: jsonify
    only reads it)."""
    app = current_app._get_current_object()
    year = date.today().year
    cached = app.extensions.get(_CACHE_KEY)
    if cached is None or cached[0] != year:
        cached = (year, _build(app))
        app.extensions[_CACHE_KEY] = cached
    return cached[1]
