"""The document itself and `/me`: who a token speaks for."""
from __future__ import annotations

from flask import g, jsonify

from blueprints.api import schemas
from blueprints.api.routes import openapi
from blueprints.api.routes.blueprint import bp, operation, public


@bp.route("/openapi.json")
@operation("openapi", "algemeen", "Dit document.")
@bp.response(200, {"type": "object"}, description="Het OpenAPI-document.")
@public
def openapi_document():
    return jsonify(openapi.document())


@bp.route("/me")
@operation("me", "algemeen", "Wie de sleutel gebruikt: gebruiker, organisatie en rol (nu).")
@bp.response(200, schemas.Me, description="Gebruiker, organisatie, rol en sleutel.")
def me():
    return {"data": g.api}
