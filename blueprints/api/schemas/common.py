"""The shared parts of the API's shapes: field helpers, the query schemas, pages and the caller."""
from __future__ import annotations

from math import ceil

import marshmallow as ma
from marshmallow import fields, validate

from blueprints.api.fields import (
    Answer,
    AsciiInteger,
    Choice,
    Day,
    Id,
    IdParam,
    MomentParam,
    Text,
    UpToNextYear,
    values_of,
)
from blueprints.customers.models import CustomerKind
from blueprints.invoicing.models import InvoiceKind, InvoiceStatus
from blueprints.participants.models import ParticipantStatus
from tenants.models import Role

FIRST_YEAR = 2000
LAST_INVOICE_YEAR = 2100
MAX_PAGE = 100_000

Moment = fields.DateTime


def text_field(description: str | None = None, **kw) -> fields.String:
    return fields.String(metadata={"description": description} if description else {}, **kw)


def cents_field(description: str | None = None, **kw) -> fields.Integer:
    return fields.Integer(metadata={"description": description or "Een bedrag in hele "
                                                                  "eurocenten."}, **kw)


def nullable_text_field(description: str | None = None, **kw) -> fields.String:
    return text_field(description, allow_none=True, **kw)


def page_field() -> AsciiInteger:
    return AsciiInteger(load_default=1, validate=validate.Range(1, MAX_PAGE))


# --- queries -------------------------------------------------------------------------------------

class Query(ma.Schema):
    """Parameters in the query string; unknown ones are ignored, an empty value is invalid
    (except for free text)."""

    class Meta:
        unknown = ma.EXCLUDE



class CalendarQuery(Query):
    """A calendar period's year, month and quarter (the report and the municipal API)."""

    year = AsciiInteger(validate=validate.Range(FIRST_YEAR, LAST_INVOICE_YEAR), metadata={
        "description": "Het jaar van de maand, het kwartaal of het jaar."})
    month = AsciiInteger(validate=validate.Range(1, 12), metadata={
        "description": "De maand (1-12) bij period=maand."})
    quarter = AsciiInteger(validate=validate.Range(1, 4), metadata={
        "description": "Het kwartaal (1-4) bij period=kwartaal."})

class ParticipantQuery(Query):
    status = Choice(ParticipantStatus)
    wijk = IdParam(metadata={"description": "Het id van een wijk (zie neighbourhood.id)."})
    q = Text(validate=validate.Length(max=100),
             metadata={"description": "Zoekt in naam en e-mailadres."})
    page = page_field()


class InvoiceQuery(Query):
    status = Choice(InvoiceStatus)
    kind = Choice(InvoiceKind)
    year = AsciiInteger(validate=validate.Range(FIRST_YEAR, LAST_INVOICE_YEAR), metadata={
        "description": "Het jaar van het factuurnummer (de factuurdatum); een concept telt in "
                       "het jaar waarin het gemaakt is."})
    customer_id = IdParam(metadata={"description": "Het id van een klant (zie customer.id)."})
    issued_since = Day(metadata={"description": "Factuurdatum op of na deze dag."})
    updated_since = MomentParam(metadata={
        "description": "Gemaakt of veranderd (verzonden, betaald, gecrediteerd, herinnerd; bij "
                       "een concept ook de regels) op of na dit moment, zoals het auditlog het "
                       "vastlegt. Zonder tijdzone: UTC. Neem bij het synchroniseren een paar "
                       "minuten overlap."})
    page = page_field()


class CustomerQuery(Query):
    kind = Choice(CustomerKind)
    archived = fields.String(validate=values_of(["true", "false"]), metadata={
        "description": "true: alleen gearchiveerde klanten; false: alleen huidige."})
    page = page_field()


class BudgetQuery(Query):
    year = AsciiInteger(validate=UpToNextYear(FIRST_YEAR), metadata={
        "description": "Het jaar van verdiend en besteed; standaard dit jaar (tot en met "
                       "volgend jaar)."})
    page = page_field()


# --- answers: general ----------------------------------------------------------------------------

class Reference(Answer):
    id = Id()
    name = nullable_text_field()


def meta(page: int, per_page: int, total: int) -> dict:
    """The `meta` of a list: this page, its size, the number of matches and of pages."""
    return {"page": page, "per_page": per_page, "total": total,
            "pages": max(1, ceil(total / per_page))}


class Pagination(Answer):
    page = fields.Integer(validate=validate.Range(min=1))
    per_page = fields.Integer(validate=validate.Range(min=1))
    total = fields.Integer(validate=validate.Range(min=0))
    pages = fields.Integer(validate=validate.Range(min=1))


class MeUser(Answer):
    id = Id()
    name = fields.String()
    email = fields.String(metadata={"format": "email"})


class MeTenant(Answer):
    id = Id()
    slug = fields.String()
    name = fields.String()


class MeToken(Answer):
    id = Id()
    name = fields.String()
    created_at = Moment()
    expires_at = Moment()


class MeData(Answer):
    user = fields.Nested(MeUser)
    tenant = fields.Nested(MeTenant)
    role = Choice(Role, attribute="membership.role")
    token = fields.Nested(MeToken)


class Me(Answer):
    data = fields.Nested(MeData)
