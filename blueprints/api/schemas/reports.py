"""The shapes of the report figures and of the value estimate with its working."""
from __future__ import annotations

from marshmallow import fields

from blueprints.api.fields import (
    Answer,
    Day,
    values_of,
)
from blueprints.api.schemas.common import (
    CalendarQuery,
    cents_field,
    text_field,
)
from blueprints.reports.periods import COMPARISONS as REPORT_COMPARISONS
from blueprints.reports.periods import KINDS as REPORT_KINDS
from blueprints.reports.report_templates import TEMPLATES as REPORT_TEMPLATES

# --- reports -------------------------------------------------------------------------------------

REPORT_UNITS = ("count", "minutes", "cents", "percent", "days")


class ValueQuery(CalendarQuery):
    """The period of a report or value estimate."""

    period = fields.String(validate=values_of(REPORT_KINDS), metadata={
        "description": "maand, kwartaal, jaar of eigen (start en end); standaard de vorige "
                       "volle maand."})
    start = Day(metadata={"description": "Eerste dag bij period=eigen (hoogstens drie jaar)."})
    end = Day(metadata={"description": "Laatste dag (inbegrepen) bij period=eigen."})


class ReportQuery(ValueQuery):
    compare = fields.String(validate=values_of(REPORT_COMPARISONS), metadata={
        "description": "vorige (de periode ervoor, standaard) of vorig_jaar (dezelfde "
                       "periode een jaar eerder)."})
    template = fields.String(validate=values_of(REPORT_TEMPLATES), metadata={
        "description": "Het rapportsjabloon: standaard (de vaste cijfers), jaarverslag, "
                       "maandoverzicht of financiers; dezelfde regels als op de pagina met "
                       "?sjabloon=."})


class FigureValue(fields.Number):
    """A figure in its unit: a whole number (count, minutes, cents), a percentage with one
    decimal, or null (a percentage of nothing)."""

    num_type = float

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value if isinstance(value, int) else float(value)


class ReportPeriod(Answer):
    kind = text_field("maand, kwartaal, jaar of eigen.")
    label = text_field("De naam van de periode, zoals op de pagina (Q2 2026).")
    start = fields.Date()
    end = fields.Date(metadata={"description": "Inbegrepen."})


class ReportRow(Answer):
    key = text_field("Vaste sleutel van het cijfer (hours, hours_traject, outflow_rate, ...).")
    label = text_field()
    definition = text_field("Hoe het cijfer geteld wordt.")
    unit = fields.String(validate=values_of(REPORT_UNITS), metadata={
        "description": "count: aantal; minutes: minuten; cents: eurocenten; percent: procent "
                       "met één decimaal; days: dagen met één decimaal (een mediaan)."})
    value = FigureValue(allow_none=True, metadata={"description": "Het cijfer in de periode."})
    compare = FigureValue(allow_none=True, metadata={
        "description": "Het cijfer in de vergelijkingsperiode."})
    sub = fields.Boolean(metadata={"description": "Een uitsplitsing van de regel erboven."})


class ReportSection(Answer):
    title = text_field()
    rows = fields.List(fields.Nested(ReportRow))


class ReportWeek(Answer):
    week = text_field("ISO-week, bijvoorbeeld 2026-W15.")
    monday = fields.Date()
    minutes = fields.Integer(metadata={"description": "Goedgekeurde minuten in de week (binnen "
                                                      "de periode)."})


class Report(Answer):
    period = fields.Nested(ReportPeriod)
    compare = fields.Nested(ReportPeriod)
    template = text_field("Het gebruikte rapportsjabloon.")
    source = text_field("Altijd: volgens registratie van de coöperatie (geen CBS-cijfers).")
    sections = fields.List(fields.Nested(ReportSection))
    hours_per_week = fields.List(fields.Nested(ReportWeek), metadata={
        "description": "Leeg bij een sjabloon zonder de grafiek van uren per week."})


class ValueInput(Answer):
    key = text_field("Vaste sleutel van de aanname (dode_last, bandbreedte, duurzaamheid_cbs, "
                     "uitvoeringskosten, uitvoeringskosten_meetellen, brede_baten, "
                     "uurwaarde_vrijwilliger).")
    label = text_field()
    unit = fields.String(validate=values_of(("percent", "cents", "yesno")), metadata={
        "description": "percent: hele procenten; cents: eurocenten; yesno: 1 of 0."})
    value = fields.Integer(metadata={"description": "De waarde die de schatting gebruikte."})
    source = text_field("De bron van de gebruikte waarde (van de coöperatie als die een eigen "
                        "waarde koos, anders die van het platform).")
    own = fields.Boolean(metadata={"description": "De coöperatie koos een eigen waarde."})
    default = fields.Integer(metadata={"description": "De standaardwaarde van het platform."})
    default_source = text_field("De bron van de standaardwaarde van het platform.")
    low = fields.Integer(metadata={"description": "De laagste waarde die een coöperatie mag "
                                                  "kiezen."})
    high = fields.Integer(metadata={"description": "De hoogste waarde die een coöperatie mag "
                                                   "kiezen."})


class ValueNorm(Answer):
    category = text_field("gehuwden, alleenstaand, kostendeler_2 of jongere_18_20.")
    label = text_field()
    valid_from = fields.Date()
    monthly_cents = cents_field("Netto per maand inclusief vakantiegeld, in eurocenten.")
    source = text_field()


class ValueBand(Answer):
    low_cents = cents_field("Laag: dode last + bandbreedte, zonder uitvoeringskosten.")
    central_cents = cents_field("Midden: de gekozen dode last; met uitvoeringskosten als de "
                                "coöperatie dat koos.")
    high_cents = cents_field("Hoog: dode last − bandbreedte, met uitvoeringskosten.")
    deadweight_low = fields.Integer(metadata={"description": "Dode last (procent) van laag."})
    deadweight = fields.Integer(metadata={"description": "Dode last (procent) van midden."})
    deadweight_high = fields.Integer(metadata={"description": "Dode last (procent) van hoog."})
    includes_admin_cost = fields.Boolean(metadata={
        "description": "Midden telt de uitvoeringskosten mee."})


class ValueWorking(Answer):
    outflows = fields.Integer(metadata={"description": "Uitstroom naar werk met maanden in "
                                                       "de periode."})
    confirmed_months = fields.Integer()
    unconfirmed_months = fields.Integer()
    gross_confirmed_cents = cents_field("Bevestigde maanden × norm.")
    gross_unconfirmed_cents = cents_field("Onbevestigde maanden × norm.")
    durability_percent = fields.Float(metadata={"description": "Duurzaamheidsfactor in "
                                                               "procent (één decimaal)."})
    durability_source = text_field("Eigen nazorg (aantallen) of het CBS-cijfer.")
    gross_cents = cents_field("Bevestigd + factor × onbevestigd.")
    admin_cents = cents_field("Uitvoeringskosten voor dezelfde maanden (zonder dode last).")


class ValueSocial(Answer):
    broad_cents = cents_field("Brede baten van werk: persoonjaren na dode last × het bedrag per "
                              "persoon per jaar. Naast de besparing, nooit erbij opgeteld.")
    person_years = fields.Float(metadata={"description": "Persoonjaren in werk na dode last "
                                                         "(twee decimalen)."})
    volunteer_minutes = fields.Integer(metadata={"description": "Goedgekeurde minuten "
                                                                "vrijwilligerswerk."})
    volunteer_cents = cents_field("Vervangingswaarde van die uren.")


class ValueEstimate(Answer):
    period = fields.Nested(ReportPeriod)
    source = text_field("Altijd: een schatting volgens registratie van de coöperatie, geen "
                        "CBS-cijfer.")
    formula = text_field("De berekening in woorden.")
    benefits_saved = fields.Nested(ValueBand, metadata={
        "description": "Bespaarde uitkeringen: komt terecht bij de gemeente."})
    working = fields.Nested(ValueWorking)
    social_value = fields.Nested(ValueSocial, metadata={
        "description": "Maatschappelijke waarde: landt grotendeels elders (Rijk, zorg)."})
    inputs = fields.List(fields.Nested(ValueInput))
    norms = fields.List(fields.Nested(ValueNorm), metadata={
        "description": "De bijstandsnormen die de schatting gebruikte."})
