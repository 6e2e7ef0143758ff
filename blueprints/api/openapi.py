"""The OpenAPI 3.1 document of /api/v1/, written by hand and served at /api/v1/openapi.json.

Enumerations are taken from the models, so a new status or kind shows up here by itself; a new
route must be added to PATHS (tests/api/test_openapi.py compares the document with the URL
map, both ways). Descriptions are Dutch, like the API's error messages.
"""
from __future__ import annotations

from blueprints.participants.models import Benefit, ParticipantStatus
from blueprints.participants.services import CONSENT_KINDS, DAYS, TARGET_GROUPS
from blueprints.trajectories.models import Funding, Outcome, TrajectoryKind, TrajectoryStatus
from tenants.models import Role

VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def _object(properties: dict, description: str | None = None) -> dict:
    schema = {"type": "object", "required": sorted(properties), "properties": properties,
              "additionalProperties": False}
    if description:
        schema["description"] = description
    return schema


def _values(enum_class) -> list[str]:
    return [member.value for member in enum_class]


ID = {"type": "string", "pattern": "^[0-9]+$",
      "description": "Een getal van hoogstens 63 bits, als tekst (JavaScript kan het niet exact "
                     "als getal bewaren)."}
TEXT = {"type": "string"}
DAY = {"type": "string", "format": "date"}
MOMENT = {"type": "string", "format": "date-time"}
TARGET_GROUP = {"type": "string", "enum": list(TARGET_GROUPS)}


def _schemas() -> dict:
    return {
        "Error": _object({"error": _object({
            "code": {"type": "string", "examples": ["invalid_token", "not_found"]},
            "message": {"type": "string", "description": "Uitleg in het Nederlands."},
        })}),
        "Reference": _object({"id": ID, "name": _nullable(TEXT)}),
        "Me": _object({"data": _object({
            "user": _object({"id": ID, "name": TEXT, "email": {"type": "string",
                                                                "format": "email"}}),
            "tenant": _object({"id": ID, "slug": TEXT, "name": TEXT}),
            "role": {"type": "string", "enum": _values(Role)},
            "token": _object({"id": ID, "name": TEXT, "created_at": MOMENT,
                              "expires_at": MOMENT}),
        })}),
        "ParticipantSummary": _object({
            "id": ID, "first_name": TEXT, "last_name": TEXT,
            "status": {"type": "string", "enum": _values(ParticipantStatus)},
            "neighbourhood": _nullable(_ref("Reference")),
            "supervisor": _nullable(_ref("Reference")),
            "target_groups": {"type": "array", "items": TARGET_GROUP},
        }),
        "Pagination": _object({
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 1},
        }),
        "ParticipantList": _object({
            "data": {"type": "array", "items": _ref("ParticipantSummary")},
            "meta": _ref("Pagination"),
        }),
        "Exemption": _object({
            "id": ID, "article": {"type": "string", "examples": ["9-2", "9-5", "9a"]},
            "obligations": {"type": "array", "items": {"type": "string",
                                                       "enum": ["a", "b", "c"]}},
            "starts_on": DAY, "ends_on": _nullable(DAY), "review_on": _nullable(DAY),
            "decided_by": _nullable(TEXT),
        }, "Een ontheffing zoals de gemeente die besloot."),
        "Consent": _object({
            "id": ID, "kind": {"type": "string", "enum": list(CONSENT_KINDS)},
            "recipient": _nullable(TEXT), "given_on": DAY, "withdrawn_on": _nullable(DAY),
        }),
        "Participant": _object({
            "id": ID, "first_name": TEXT, "last_name": TEXT,
            "status": {"type": "string", "enum": _values(ParticipantStatus)},
            "date_of_birth": _nullable(DAY), "age": _nullable({"type": "integer"}),
            "address": _object({"street": _nullable(TEXT), "postcode": _nullable(TEXT),
                                "city": _nullable(TEXT)}),
            "neighbourhood": _nullable(_ref("Reference")),
            "phone": _nullable(TEXT), "email": _nullable(TEXT),
            "target_groups": {"type": "array", "items": TARGET_GROUP},
            "supervisor": _nullable(_ref("Reference")),
            "emergency_contact": _object({"name": _nullable(TEXT),
                                          "relation": _nullable(TEXT),
                                          "phone": _nullable(TEXT)}),
            "skills": {"type": "array", "items": TEXT},
            "languages": {"type": "array", "items": TEXT},
            "availability": _object({
                "hours_per_week": _nullable({"type": "integer"}),
                "days": {"type": "array", "items": {"type": "string", "enum": list(DAYS)}},
            }),
            "vog": _object({"present": {"type": "boolean"}, "date": _nullable(DAY),
                            "renewal_due": _nullable(DAY)}),
            "benefit": {"type": "string", "enum": _values(Benefit)},
            "paying_municipality": _nullable(_object({"cbs_code": TEXT, "name": TEXT})),
            "notes": _nullable(TEXT),
            "has_account": {"type": "boolean"},
            "exemptions": {"type": "array", "items": _ref("Exemption")},
            "consents": {"type": "array", "items": _ref("Consent")},
            "created_at": MOMENT,
        }, "Het dossier van een deelnemer, zoals de pagina het toont. Er is geen BSN."),
        "ParticipantFile": _object({"data": _ref("Participant")}),
        "Trajectory": _object({
            "id": ID,
            "kind": {"type": "string", "enum": _values(TrajectoryKind)},
            "status": {"type": "string", "enum": _values(TrajectoryStatus)},
            "funding": {"type": "string", "enum": _values(Funding)},
            "starts_on": DAY, "planned_end_on": _nullable(DAY),
            "hours_per_week": {"type": "number"},
            "build_up": {"type": "array", "items": _object({"from": DAY,
                                                            "hours": {"type": "number"}})},
            "host_organisation": _nullable(_ref("Reference")),
            "job_coach": _nullable(_ref("Reference")),
            "agreement_signed_on": _nullable(DAY),
            "outcome": _nullable({"type": "string", "enum": _values(Outcome)}),
            "outcome_on": _nullable(DAY),
            "created_at": MOMENT,
        }),
        "TrajectoryList": _object({"data": {"type": "array", "items": _ref("Trajectory")}}),
    }


def _error_response(description: str, challenge: bool = False) -> dict:
    response = {"description": description,
                "content": {"application/json": {"schema": _ref("Error")}}}
    if challenge:
        response["headers"] = {"WWW-Authenticate": {
            "description": "Bearer-uitdaging (RFC 6750).", "schema": {"type": "string"}}}
    return response


RESPONSES = {
    "BadRequest": _error_response("Een parameter heeft een ongeldige waarde."),
    "Unauthorized": _error_response(
        "Geen, een ongeldige, verlopen of ingetrokken sleutel, of de gebruiker is geen lid "
        "meer van de organisatie.", challenge=True),
    "Forbidden": _error_response(
        "De rol in de organisatie geeft geen toegang (alleen beheerders en begeleiders)."),
    "NotFound": _error_response(
        "Bestaat niet, of hoort bij een andere organisatie dan die van de sleutel."),
    "TooManyRequests": _error_response("Te veel verzoeken met deze sleutel; zie Retry-After."),
}


def _errors(*names: str) -> dict:
    codes = {"BadRequest": "400", "Unauthorized": "401", "Forbidden": "403",
             "NotFound": "404", "TooManyRequests": "429"}
    return {codes[name]: {"$ref": f"#/components/responses/{name}"} for name in names}


def _ok(description: str, schema: str) -> dict:
    return {"200": {"description": description,
                    "content": {"application/json": {"schema": _ref(schema)}}}}


TENANT_SLUG = {"name": "tenant_slug", "in": "path", "required": True,
               "description": "De korte naam van de organisatie; die van de sleutel.",
               "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$"}}
PARTICIPANT_ID = {"name": "participant_id", "in": "path", "required": True,
                  "schema": {"type": "string", "pattern": "^[0-9]+$"}}
AUTHENTICATED = ("Unauthorized", "Forbidden", "NotFound", "TooManyRequests")


def _paths() -> dict:
    return {
        "/api/v1/openapi.json": {"get": {
            "operationId": "openapi", "summary": "Dit document.", "security": [],
            "tags": ["algemeen"],
            "responses": {"200": {"description": "Het OpenAPI-document.",
                                  "content": {"application/json": {
                                      "schema": {"type": "object"}}}},
                          **_errors("TooManyRequests")},
        }},
        "/api/v1/me": {"get": {
            "operationId": "me", "tags": ["algemeen"],
            "summary": "Wie de sleutel gebruikt: gebruiker, organisatie en rol (nu).",
            "responses": {**_ok("Gebruiker, organisatie, rol en sleutel.", "Me"),
                          **_errors(*AUTHENTICATED)},
        }},
        "/api/v1/{tenant_slug}/participants": {"get": {
            "operationId": "listParticipants", "tags": ["deelnemers"],
            "summary": "Deelnemers, 25 per pagina, gesorteerd op achternaam.",
            "description": "Zonder status: alle deelnemers behalve geanonimiseerde.",
            "parameters": [
                TENANT_SLUG,
                {"name": "status", "in": "query", "required": False,
                 "schema": {"type": "string", "enum": _values(ParticipantStatus)}},
                {"name": "wijk", "in": "query", "required": False,
                 "description": "Het id van een wijk (zie neighbourhood.id).",
                 "schema": {"type": "string", "pattern": "^[0-9]+$"}},
                {"name": "q", "in": "query", "required": False,
                 "description": "Zoekt in naam en e-mailadres.",
                 "schema": {"type": "string", "maxLength": 100}},
                {"name": "page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100000,
                            "default": 1}},
            ],
            "responses": {**_ok("Eén pagina deelnemers.", "ParticipantList"),
                          **_errors("BadRequest", *AUTHENTICATED)},
        }},
        "/api/v1/{tenant_slug}/participants/{participant_id}": {"get": {
            "operationId": "getParticipant", "tags": ["deelnemers"],
            "summary": "Het dossier van een deelnemer.",
            "description": "Elke opvraging komt in het auditlog van de organisatie "
                           "(participant.viewed).",
            "parameters": [TENANT_SLUG, PARTICIPANT_ID],
            "responses": {**_ok("Het dossier.", "ParticipantFile"),
                          **_errors(*AUTHENTICATED)},
        }},
        "/api/v1/{tenant_slug}/participants/{participant_id}/trajectories": {"get": {
            "operationId": "listTrajectories", "tags": ["deelnemers"],
            "summary": "De trajecten van een deelnemer, nieuwste eerst.",
            "description": "Elke opvraging komt in het auditlog van de organisatie "
                           "(participant.viewed).",
            "parameters": [TENANT_SLUG, PARTICIPANT_ID],
            "responses": {**_ok("De trajecten.", "TrajectoryList"),
                          **_errors(*AUTHENTICATED)},
        }},
    }


def document() -> dict:
    """The OpenAPI 3.1 document (a fresh dict on every call)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Wijkwerk API",
            "version": VERSION,
            "description": (
                "Alleen-lezen toegang tot de gegevens van één organisatie. Maak een sleutel op "
                "/account/api-tokens (beheerders en begeleiders) en stuur die mee als "
                "'Authorization: Bearer <sleutel>'. De sleutel hoort bij één organisatie; de "
                "rol wordt bij elk verzoek opnieuw bekeken. Fouten zijn JSON: "
                "{\"error\": {\"code\": ..., \"message\": ...}}."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "algemeen"}, {"name": "deelnemers"}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer", "bearerFormat": "ww_<organisatie>_<geheim>",
                "description": "Een API-sleutel van /account/api-tokens.",
            }},
            "schemas": _schemas(),
            "responses": RESPONSES,
        },
    }
