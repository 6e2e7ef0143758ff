"""The municipal API's shapes: what a municipality's token reads, as its portal shows it."""
from __future__ import annotations

from marshmallow import fields

from blueprints.api.fields import (
    Answer,
    Id,
    values_of,
)
from blueprints.api.schemas.common import CalendarQuery, text_field
from blueprints.api.schemas.reports import FigureValue, ReportPeriod
from blueprints.municipality.services import PORTAL_KINDS
from blueprints.reports.periods import COMPARISONS as REPORT_COMPARISONS
from tenants import suppression

# --- the municipal API (a municipality's token: what its portal shows) ---------------------------

#: why a cell is hidden: the marks of tenants.suppression
SUPPRESSION_MARKS = (suppression.SMALL, suppression.SECONDARY, suppression.PERIOD,
                     suppression.PARTS)


class MunicipalQuery(CalendarQuery):
    period = fields.String(validate=values_of(PORTAL_KINDS), metadata={
        "description": "maand, kwartaal of jaar (hele kalenderperioden, zoals het portaal); "
                       "standaard de vorige volle maand."})
    compare = fields.String(validate=values_of(REPORT_COMPARISONS), metadata={
        "description": "vorige (de periode ervoor, standaard) of vorig_jaar (dezelfde "
                       "periode een jaar eerder)."})


class MunicipalityRef(Answer):
    cbs_code = text_field("De CBS-gemeentecode (vier cijfers).")
    name = text_field()


class SharedTemplate(Answer):
    template = text_field("uren of uitstroom.")
    label = text_field("De naam van de tabel, zoals in het portaal.")
    from_month = fields.Date(metadata={"description": "De eerste maand die gedeeld is."})


class SharingCooperative(Answer):
    id = Id()
    name = text_field()
    shares = fields.List(fields.Nested(SharedTemplate), metadata={
        "description": "De tabellen die deze organisatie nu met de gemeente deelt."})


class MunicipalCooperatives(Answer):
    municipality = fields.Nested(MunicipalityRef)
    threshold = fields.Integer(metadata={
        "description": "De kleinste groep personen die een cel toont (minimaal 5, de gemeente "
                       "kan die verhogen tot 10)."})
    data = fields.List(fields.Nested(SharingCooperative), metadata={
        "description": "Alleen organisaties die met de gemeente delen, op naam."})


class ProtectedCell(Answer):
    value = fields.Integer(allow_none=True, metadata={
        "description": "Minuten (uren) of aantal; null als de cel verborgen is."})
    suppressed = fields.String(allow_none=True, validate=values_of(SUPPRESSION_MARKS),
                               metadata={"description": (
                                   "null als de cel getoond wordt; anders waarom verborgen: "
                                   "klein (minder personen dan de drempel), aanvullend (anders "
                                   "terug te rekenen uit totalen), periode (in een maand van "
                                   "de periode verborgen), totaal (een totaal over "
                                   "organisaties waarin een verborgen cel zit).")})


class CooperativeRef(Answer):
    id = Id()
    name = text_field()


class MunicipalRow(Answer):
    key = text_field("De sleutel van de rij (urensoort of uitstroombestemming); totaal voor de "
                     "totaalrij.")
    label = text_field()
    cells = fields.List(fields.Nested(ProtectedCell), metadata={
        "description": "Eén cel per organisatie, in de volgorde van cooperatives."})
    total = fields.Nested(ProtectedCell, metadata={
        "description": "Het totaal van alle organisaties in deze tabel."})
    share = FigureValue(allow_none=True, metadata={
        "description": "Aandeel van de rij in het totaal in procenten (één decimaal), alleen "
                       "bij aantallen in de gevraagde periode; null als het verborgen is of "
                       "niet van toepassing."})


class MunicipalBlock(Answer):
    cooperatives = fields.List(fields.Nested(CooperativeRef), metadata={
        "description": "De kolommen: de organisaties die deze tabel over deze periode delen."})
    rows = fields.List(fields.Nested(MunicipalRow))


class MunicipalTable(Answer):
    template = text_field("uren of uitstroom.")
    label = text_field()
    definition = text_field("Hoe de tabel geteld wordt.")
    unit = fields.String(validate=values_of(("minutes", "count")), metadata={
        "description": "minutes (uren in minuten) of count (aantal trajecten)."})
    period = fields.Nested(MunicipalBlock)
    compare = fields.Nested(MunicipalBlock)


class MunicipalReport(Answer):
    municipality = fields.Nested(MunicipalityRef)
    period = fields.Nested(ReportPeriod)
    compare = fields.Nested(ReportPeriod)
    threshold = fields.Integer(metadata={
        "description": "De kleinste groep personen die een cel toont."})
    source = text_field("Altijd: volgens registratie van de organisaties (geen CBS-cijfers).")
    cooperatives = fields.List(fields.Nested(CooperativeRef), metadata={
        "description": "Alle organisaties die iets met de gemeente delen."})
    tables = fields.List(fields.Nested(MunicipalTable), metadata={
        "description": "De gedeelde tabellen, beschermd zoals in het portaal."})
