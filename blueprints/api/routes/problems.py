"""Error answers of the API as RFC 9457 problem details (`application/problem+json`).

Every refusal and failure of /api/v1/ is one JSON object:

    {"type": "about:blank", "status": 400, "title": "Ongeldige parameter",
     "detail": "De parameter page heeft een ongeldige waarde.", "code": "invalid_parameter",
     "invalid_params": [{"name": "page", "reason": "..."}],
     "error": {"code": "invalid_parameter", "message": "De parameter page ..."}}

`type` is `about:blank` (RFC 9457 4.2.1): the HTTP status says what kind of problem it is, and the
extension member `code` says which one, for programs (`missing_token`, `token_expired`, ...).
`error` is the answer of API v1 before problem details, kept as an extension member so that
existing clients keep working; new clients read `code` and `detail`. Texts are Dutch, whatever
language a cookie asks for. The same table (PROBLEMS) feeds the OpenAPI document, so the document
lists every status an operation can give with the schema of its body.
"""
from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

import marshmallow as ma
from flask import Response, current_app, json, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from tenants import logs
from tenants.extensions import db

MEDIA_TYPE = "application/problem+json"
API_LOCALE = "nl"
#: seconds a client should wait when the database is away
RETRY_AFTER = 30

NOT_FOUND = _l("Dit bestaat niet, of u heeft er geen toegang toe.")


@dataclass(frozen=True)
class Status:
    """How the API answers one HTTP status: its Dutch title, the default code and message,
    and what the OpenAPI document says about it."""

    title: object
    code: str
    message: object
    described: str
    headers: tuple[str, ...] = ()


#: every error status the API gives, keyed by status; the document is built from this table
PROBLEMS: dict[int, Status] = {
    400: Status(_l("Ongeldige parameter"), "invalid_parameter", _l("Het verzoek klopt niet."),
                "Een parameter heeft een ongeldige waarde (code invalid_parameter); "
                "invalid_params noemt welke."),
    401: Status(_l("Niet aangemeld"), "invalid_token",
                _l("Deze API-sleutel is ongeldig."),
                "Geen, een ongeldige, verlopen of ingetrokken sleutel, of de gebruiker is geen "
                "lid meer van de organisatie (codes missing_token, invalid_token, "
                "token_expired, token_revoked).", ("WWW-Authenticate",)),
    403: Status(_l("Geen toegang"), "forbidden", _l("U heeft hier geen toegang toe."),
                "De rol in de organisatie geeft geen toegang (alleen beheerders en "
                "begeleiders; facturen, klanten, budgetten en rapportages alleen beheerders)."),
    404: Status(_l("Niet gevonden"), "not_found", NOT_FOUND,
                "Bestaat niet, of hoort bij een andere organisatie dan die van de sleutel."),
    405: Status(_l("Methode niet toegestaan"), "method_not_allowed",
                _l("Deze methode is hier niet toegestaan."),
                "Deze methode is hier niet toegestaan; Allow noemt wat wel mag.", ("Allow",)),
    422: Status(_l("Niet te verwerken"), "ubl_unavailable",
                _l("Dit verzoek kan niet worden uitgevoerd."),
                "Deze factuur kan geen e-factuur zijn: de klant heeft geen OIN of KvK-nummer "
                "(een bewoner krijgt de pdf), of gegevens ontbraken bij het verzenden "
                "(code ubl_unavailable)."),
    429: Status(_l("Te veel verzoeken"), "rate_limited",
                _l("Te veel verzoeken met deze sleutel. Wacht even en probeer het dan "
                   "opnieuw."),
                "Te veel verzoeken met deze sleutel; zie Retry-After.", ("Retry-After",)),
    500: Status(_l("Interne fout"), "internal_error",
                _l("Er ging iets mis aan onze kant. Probeer het later opnieuw."),
                "Er ging iets mis aan onze kant (code internal_error); er is niets "
                "veranderd."),
    503: Status(_l("Tijdelijk niet beschikbaar"), "unavailable",
                _l("De database is even niet bereikbaar. Probeer het over een halve minuut "
                   "opnieuw."),
                "De database is even niet bereikbaar (code unavailable); zie Retry-After.",
                ("Retry-After",)),
}

HEADER_DOCS = {
    "WWW-Authenticate": "Bearer-uitdaging (RFC 6750).",
    "Allow": "De methoden die hier wel mogen.",
    "Retry-After": "Na hoeveel seconden het opnieuw kan.",
}


class ProblemError(Exception):
    """Raised in an API view to answer with a problem (status, code, Dutch message)."""

    def __init__(self, status: int, code: str | None = None, message=None, *,
                 invalid_params: list[dict] | None = None, headers: dict | None = None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.invalid_params = invalid_params
        self.headers = headers


def invalid_parameter(name: str, reason: str | None = None) -> ProblemError:
    return ProblemError(400, "invalid_parameter", _invalid_message(name),
                        invalid_params=[{"name": name, "reason": reason or "ongeldig"}])


def _invalid_message(name: str):
    return _l("De parameter %(name)s heeft een ongeldige waarde.", name=name)


def problem(status: int, code: str | None = None, message=None, *,
            invalid_params: list[dict] | None = None, headers: dict | None = None) -> Response:
    """The problem-details answer for `status`; `code` and `message` default to the table's."""
    known = PROBLEMS.get(status) or Status(HTTPStatus(status).phrase, "error",
                                           _l("Dit verzoek lukte niet."), "")
    code = code or known.code
    with force_locale(API_LOCALE):
        detail = str(message if message is not None else known.message)
        title = str(known.title)
    body = {"type": "about:blank", "status": status, "title": title, "detail": detail,
            "code": code, "error": {"code": code, "message": detail}}
    if invalid_params:
        body["invalid_params"] = invalid_params
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    if status == 401:
        challenge = 'Bearer realm="wijkwerk"'
        if code != "missing_token":
            challenge += ', error="invalid_token"'
        response.headers["WWW-Authenticate"] = challenge
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


# --- error handlers of the API blueprint ------------------------------------------------------

def _validation_problem(exc: HTTPException) -> Response:
    """webargs refused the query (see schemas): name the first bad parameter, list them all."""
    messages = exc.data.get("messages") or {}
    fields: dict = {}
    for location in messages.values():
        fields.update(location if isinstance(location, dict) else {})
    names = sorted(fields) or ["?"]
    invalid = [{"name": name, "reason": "; ".join(map(str, _flatten(fields.get(name))))}
               for name in names]
    return problem(400, "invalid_parameter", _invalid_message(names[0]), invalid_params=invalid)


def _flatten(value) -> list:
    if isinstance(value, dict):
        return [item for part in value.values() for item in _flatten(part)]
    if isinstance(value, list):
        return [item for part in value for item in _flatten(part)]
    return [] if value is None else [value]


def http_problem(exc: HTTPException) -> Response:
    db.session.rollback()
    if getattr(exc, "data", None) and "messages" in exc.data:
        return _validation_problem(exc)
    headers = {}
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    status = exc.code or 500
    if status == 400:  # a malformed request that is not about one parameter
        return problem(400, "bad_request", _l("Het verzoek klopt niet."))
    # A 429 gets Retry-After and the X-RateLimit headers from Flask-Limiter's after_request.
    return problem(status, headers=headers)


def raised_problem(exc: ProblemError) -> Response:
    db.session.rollback()
    return problem(exc.status, exc.code, exc.message, invalid_params=exc.invalid_params,
                   headers=exc.headers)


def unexpected_problem(exc: Exception) -> Response:
    db.session.rollback()
    if isinstance(exc, OperationalError) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated):
        current_app.logger.warning("API: database unavailable on %s %s: %s", request.method,
                                   request.path, exc)
        return problem(503, headers={"Retry-After": str(RETRY_AFTER)})
    current_app.logger.exception("Unhandled API error on %s %s", request.method, request.path)
    logs.report_error(current_app._get_current_object(), exc)
    return problem(500)


def register(bp) -> None:
    bp.register_error_handler(ProblemError, raised_problem)
    bp.register_error_handler(HTTPException, http_problem)
    bp.register_error_handler(Exception, unexpected_problem)


# --- the schema of a problem, for the OpenAPI document -----------------------------------------

class InvalidParam(ma.Schema):
    name = ma.fields.String(required=True, metadata={"description": "De naam van de parameter."})
    reason = ma.fields.String(required=True, metadata={"description": "Waarom (technisch)."})


class LegacyError(ma.Schema):
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)


class Problem(ma.Schema):
    """RFC 9457 problem details, with the extension members code, invalid_params and error."""

    type = ma.fields.String(required=True, metadata={
        "description": "Altijd about:blank: de status zegt wat voor probleem het is.",
        "examples": ["about:blank"]})
    status = ma.fields.Integer(required=True, metadata={"description": "De HTTP-status."})
    title = ma.fields.String(required=True, metadata={
        "description": "De HTTP-status in woorden (Nederlands)."})
    detail = ma.fields.String(required=True, metadata={
        "description": "Uitleg voor een mens, in het Nederlands."})
    code = ma.fields.String(required=True, metadata={
        "description": "Welk probleem, voor programma's.",
        "examples": ["invalid_token", "not_found", "invalid_parameter"]})
    invalid_params = ma.fields.List(ma.fields.Nested(InvalidParam), metadata={
        "description": "Bij 400: de parameters die niet kloppen."})
    error = ma.fields.Nested(LegacyError, required=True, metadata={
        "description": "Verouderd (API v1 vóór problem details): dezelfde code en uitleg.",
        "deprecated": True})
