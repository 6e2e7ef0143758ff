"""The OpenAPI 3.1 document of /api/v1/, written by hand and served at /api/v1/openapi.json.

Enumerations are taken from the models, so a new status or kind shows up here by itself; a new
route must be added to PATHS (tests/api/test_openapi.py compares the document with the URL
map, both ways). Descriptions are Dutch, like the API's error messages.
"""
from __future__ import annotations

from blueprints.customers.models import CustomerKind
from blueprints.invoicing.models import InvoiceKind, InvoiceStatus, LineUnit, PaymentMethod
from blueprints.invoicing.money import VatRate
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
CENTS = {"type": "integer", "description": "Een bedrag in hele eurocenten."}
PATH = {"type": "string", "description": "Een pad op deze server, onder /api/v1/ (met dezelfde "
                                         "sleutel op te vragen)."}
VAT_RATE = {"type": "string", "enum": _values(VatRate),
            "description": "Het btw-tarief: 21, 9, 0, vrijgesteld of kor (geen btw, "
                           "kleineondernemersregeling)."}


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
        **_finance_schemas(),
    }


def _invoice_fields() -> dict:
    return {
        "id": ID,
        "number": _nullable({**TEXT, "examples": ["F2026-00042", "C2026-00003"],
                             "description": "Het factuurnummer; null voor een concept."}),
        "kind": {"type": "string", "enum": _values(InvoiceKind)},
        "status": {"type": "string", "enum": _values(InvoiceStatus)},
        "customer": _ref("Reference"),
        "issue_date": _nullable(DAY), "due_date": _nullable(DAY),
        "period": _object({"start": _nullable(DAY), "end": _nullable(DAY)},
                          "De periode waarover gefactureerd is."),
        "totals": _object({
            "excl_cents": CENTS, "vat_cents": CENTS, "incl_cents": CENTS,
            "paid_cents": {**CENTS, "description": "Som van de geregistreerde betalingen."},
            "credited_cents": {**CENTS, "description": "Som van de creditnota's op deze "
                                                       "factuur (incl. btw)."},
            "open_cents": {**CENTS, "description": "Wat de klant nog moet betalen; 0 voor "
                                                   "concepten en creditnota's."},
        }, "Bedragen in centen. Die van een creditnota zijn positief: kind zegt dat het een "
           "creditering is."),
        "currency": {"type": "string", "enum": ["EUR"]},
        "overdue": {"type": "boolean",
                    "description": "Verzonden, nog niet (helemaal) betaald en over de "
                                   "vervaldatum."},
        "credits_invoice_id": _nullable({**ID, "description": "Bij een creditnota: de "
                                                              "factuur die zij crediteert."}),
        "links": _object({
            "self": PATH,
            "pdf": _nullable({**PATH, "description": "De pdf; null voor een concept."}),
            "ubl": _nullable({**PATH, "description": "De e-factuur (UBL); alleen als de "
                                                     "factuur verzonden is naar een klant met "
                                                     "OIN of KvK-nummer."}),
        }),
    }


def _finance_schemas() -> dict:
    summary = _invoice_fields()
    return {
        "InvoiceSummary": _object(summary),
        "InvoiceList": _object({
            "data": {"type": "array", "items": _ref("InvoiceSummary")},
            "meta": _ref("Pagination"),
        }),
        "InvoiceLine": _object({
            "position": {"type": "integer", "minimum": 1,
                         "description": "Volgorde zoals op de factuur (per klus)."},
            "description": TEXT,
            "quantity": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$",
                         "examples": ["2.50"],
                         "description": "Het aantal, als tekst met twee decimalen."},
            "unit": {"type": "string", "enum": _values(LineUnit)},
            "unit_price_cents": CENTS,
            "vat_rate": VAT_RATE,
            "net_cents": {**CENTS, "description": "Aantal × prijs, afgerond op een cent; "
                                                  "zonder btw."},
            "supply_date": _nullable(DAY),
            "participant_id": _nullable({**ID, "description": "Wiens werk deze regel is."}),
        }),
        "VatBreakdown": _object({
            "vat_rate": VAT_RATE,
            "percent": {"type": "string", "examples": ["21.00", "0.00"]},
            "base_cents": {**CENTS, "description": "De som van de regels met dit tarief."},
            "vat_cents": {**CENTS, "description": "Btw over die som, afgerond op een cent."},
            "mention": _nullable({**TEXT, "description": "De vermelding die de wet vraagt "
                                                         "(vrijstelling, KOR)."}),
        }),
        "Payment": _object({
            "id": ID, "date": DAY, "amount_cents": CENTS,
            "method": {"type": "string", "enum": _values(PaymentMethod)},
            "reference": _nullable(TEXT),
        }),
        "Invoice": _object({
            **summary,
            "buyer_reference": _nullable(TEXT), "order_reference": _nullable(TEXT),
            "lines": {"type": "array", "items": _ref("InvoiceLine")},
            "vat_breakdown": {"type": "array", "items": _ref("VatBreakdown")},
            "payments": {"type": "array", "items": _ref("Payment")},
            "credit_notes": {"type": "array", "items": _object({"id": ID, "number": TEXT})},
        }, "Een factuur of creditnota met regels, btw per tarief en betalingen."),
        "InvoiceFile": _object({"data": _ref("Invoice")}),
        "Customer": _object({
            "id": ID, "kind": {"type": "string", "enum": _values(CustomerKind)},
            "name": TEXT, "city": _nullable(TEXT),
            "kvk_number": _nullable({**TEXT, "pattern": "^[0-9]{8}$"}),
            "oin": _nullable(TEXT), "vat_id": _nullable(TEXT),
            "buyer_reference": _nullable({**TEXT, "description": "De referentie "
                                                                 "(inkoopordernummer) die de "
                                                                 "klant op elke factuur vraagt."}),
            "wants_ubl": {"type": "boolean",
                          "description": "De klant krijgt ook een e-factuur (UBL)."},
            "archived": {"type": "boolean"},
        }, "Een klant (debiteur). Zonder e-mailadres en telefoonnummer: de API geeft wat de "
           "boekhouding nodig heeft (dataminimalisatie)."),
        "CustomerList": _object({
            "data": {"type": "array", "items": _ref("Customer")},
            "meta": _ref("Pagination"),
        }),
        "Budget": _object({
            "participant_id": ID,
            "balance_cents": {**CENTS, "description": "Het saldo nu."},
            "earned_cents": {**CENTS, "description": "Verdiend in het jaar (toekenningen uit "
                                                     "betaalde facturen)."},
            "spent_cents": {**CENTS, "description": "Aan cursussen besteed in het jaar."},
        }),
        "BudgetList": _object({
            "data": {"type": "array", "items": _ref("Budget")},
            "year": {"type": "integer"},
            "pool": _object({"balance_cents": CENTS}, "De collectieve pot, saldo nu."),
            "meta": _ref("Pagination"),
        }),
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
        "De rol in de organisatie geeft geen toegang (alleen beheerders en begeleiders; "
        "facturen, klanten en budgetten alleen beheerders)."),
    "NotFound": _error_response(
        "Bestaat niet, of hoort bij een andere organisatie dan die van de sleutel."),
    "TooManyRequests": _error_response("Te veel verzoeken met deze sleutel; zie Retry-After."),
    "UblUnavailable": _error_response(
        "Deze factuur kan geen e-factuur zijn: de klant heeft geen OIN of KvK-nummer (een "
        "bewoner krijgt de pdf), of gegevens ontbraken bij het verzenden "
        "(code ubl_unavailable)."),
}


def _errors(*names: str) -> dict:
    codes = {"BadRequest": "400", "Unauthorized": "401", "Forbidden": "403",
             "NotFound": "404", "UblUnavailable": "422", "TooManyRequests": "429"}
    return {codes[name]: {"$ref": f"#/components/responses/{name}"} for name in names}


def _ok(description: str, schema: str) -> dict:
    return {"200": {"description": description,
                    "content": {"application/json": {"schema": _ref(schema)}}}}


TENANT_SLUG = {"name": "tenant_slug", "in": "path", "required": True,
               "description": "De korte naam van de organisatie; die van de sleutel.",
               "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$"}}
PARTICIPANT_ID = {"name": "participant_id", "in": "path", "required": True,
                  "schema": {"type": "string", "pattern": "^[0-9]+$"}}
INVOICE_ID = {"name": "invoice_id", "in": "path", "required": True,
              "schema": {"type": "string", "pattern": "^[0-9]+$"}}
AUTHENTICATED = ("Unauthorized", "Forbidden", "NotFound", "TooManyRequests")
ADMIN_ONLY = ("Alleen voor beheerders: een sleutel van een begeleider krijgt 403, net als "
              "een sleutel waarvan de gebruiker geen beheerder meer is.")
#: marks the operations only admins may call (tests/api checks it against the routes)
ADMIN_ROLE = {"x-required-role": Role.ADMIN.value}
PAGE = {"name": "page", "in": "query", "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}}


def _query(name: str, schema: dict, description: str | None = None) -> dict:
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


def _admin(operation: dict) -> dict:
    description = operation.get("description")
    return {**operation, **ADMIN_ROLE,
            "description": f"{description} {ADMIN_ONLY}" if description else ADMIN_ONLY}


def _file(description: str, media_type: str) -> dict:
    return {"200": {"description": description, "content": {media_type: {
        "schema": {"type": "string", "contentMediaType": media_type}}}}}


def _finance_paths() -> dict:
    invoice = "/api/v1/{tenant_slug}/invoices/{invoice_id}"
    return {
        "/api/v1/{tenant_slug}/invoices": {"get": _admin({
            "operationId": "listInvoices", "tags": ["facturen"],
            "summary": "Facturen en creditnota's, 25 per pagina, nieuwste factuurdatum eerst.",
            "description": "Zonder status: alles behalve concepten; concepten alleen met "
                           "status=concept.",
            "parameters": [
                TENANT_SLUG,
                _query("status", {"type": "string", "enum": _values(InvoiceStatus)}),
                _query("kind", {"type": "string", "enum": _values(InvoiceKind)}),
                _query("year", {"type": "integer", "minimum": 2000, "maximum": 2100},
                       "Het jaar van het factuurnummer (de factuurdatum); een concept telt "
                       "in het jaar waarin het gemaakt is."),
                _query("customer_id", {"type": "string", "pattern": "^[0-9]+$"},
                       "Het id van een klant (zie customer.id)."),
                _query("issued_since", DAY, "Factuurdatum op of na deze dag."),
                _query("updated_since", MOMENT,
                       "Gemaakt of veranderd (verzonden, betaald, gecrediteerd, herinnerd; "
                       "bij een concept ook de regels) op of na dit moment, zoals het "
                       "auditlog het vastlegt. Zonder tijdzone: UTC. Neem bij het "
                       "synchroniseren een paar minuten overlap."),
                PAGE,
            ],
            "responses": {**_ok("Eén pagina facturen.", "InvoiceList"),
                          **_errors("BadRequest", *AUTHENTICATED)},
        })},
        invoice: {"get": _admin({
            "operationId": "getInvoice", "tags": ["facturen"],
            "summary": "Een factuur of creditnota met regels, btw per tarief en betalingen.",
            "parameters": [TENANT_SLUG, INVOICE_ID],
            "responses": {**_ok("De factuur.", "InvoiceFile"), **_errors(*AUTHENTICATED)},
        })},
        f"{invoice}/pdf": {"get": _admin({
            "operationId": "getInvoicePdf", "tags": ["facturen"],
            "summary": "De pdf van een verzonden factuur of creditnota.",
            "description": "Een concept heeft hier geen pdf (404).",
            "parameters": [TENANT_SLUG, INVOICE_ID],
            "responses": {**_file("De pdf.", "application/pdf"), **_errors(*AUTHENTICATED)},
        })},
        f"{invoice}/ubl": {"get": _admin({
            "operationId": "getInvoiceUbl", "tags": ["facturen"],
            "summary": "De e-factuur (UBL 2.1, SI-UBL 2.0 / Peppol BIS Billing 3.0).",
            "description": "Voor een verzonden factuur of creditnota aan een klant met OIN of "
                           "KvK-nummer. Een concept: 404. Een klant die geen e-factuur kan "
                           "ontvangen (een bewoner), of gegevens die ontbraken bij het "
                           "verzenden: 422 met de code ubl_unavailable en de reden.",
            "parameters": [TENANT_SLUG, INVOICE_ID],
            "responses": {**_file("De e-factuur.", "application/xml"),
                          **_errors("Unauthorized", "Forbidden", "NotFound", "UblUnavailable",
                                    "TooManyRequests")},
        })},
        "/api/v1/{tenant_slug}/customers": {"get": _admin({
            "operationId": "listCustomers", "tags": ["klanten"],
            "summary": "Klanten (debiteuren), 25 per pagina, op naam.",
            "description": "Zonder e-mailadres en telefoonnummer: de API geeft wat de "
                           "boekhouding nodig heeft (dataminimalisatie). Zonder archived: "
                           "huidige en gearchiveerde klanten.",
            "parameters": [
                TENANT_SLUG,
                _query("kind", {"type": "string", "enum": _values(CustomerKind)}),
                _query("archived", {"type": "string", "enum": ["true", "false"]},
                       "true: alleen gearchiveerde klanten; false: alleen huidige."),
                PAGE,
            ],
            "responses": {**_ok("Eén pagina klanten.", "CustomerList"),
                          **_errors("BadRequest", *AUTHENTICATED)},
        })},
        "/api/v1/{tenant_slug}/budgets": {"get": _admin({
            "operationId": "listBudgets", "tags": ["budgetten"],
            "summary": "Opleidingsbudgetten per deelnemer, 50 per pagina, op naam; en de pot.",
            "description": "Saldo nu; verdiend en besteed in het gevraagde jaar. Elke "
                           "opvraging komt in het auditlog van de organisatie (budgets.read), "
                           "zoals de export van de budgetten.",
            "parameters": [
                TENANT_SLUG,
                _query("year", {"type": "integer", "minimum": 2000},
                       "Het jaar van verdiend en besteed; standaard dit jaar (tot en met "
                       "volgend jaar)."),
                PAGE,
            ],
            "responses": {**_ok("Eén pagina budgetten.", "BudgetList"),
                          **_errors("BadRequest", *AUTHENTICATED)},
        })},
    }


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
        **_finance_paths(),
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
                "rol wordt bij elk verzoek opnieuw bekeken. Facturen, klanten en budgetten "
                "zijn alleen voor beheerders (x-required-role: admin). Bedragen zijn hele "
                "centen. Fouten zijn JSON: "
                "{\"error\": {\"code\": ..., \"message\": ...}}."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "algemeen"}, {"name": "deelnemers"}, {"name": "facturen"},
                 {"name": "klanten"}, {"name": "budgetten"}],
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
