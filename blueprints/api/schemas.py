"""The declared shapes of the API: what a query may carry and what an answer holds.

Each schema does three jobs (marshmallow + apispec, through flask-smorest): the query schemas
parse and validate the request (`@bp.arguments`), the answer schemas write the JSON
(`@bp.response`), and both become the OpenAPI document. Enumerations come from the models, so a
new status or kind shows up in answers, checks and document at once. Descriptions are Dutch,
like the API's messages. Amounts are integer cents; a credit note's amounts are positive (its
kind says it is a credit); links are paths under /api/v1/ (usable with the same token).
"""
from __future__ import annotations

from math import ceil

import marshmallow as ma
from marshmallow import fields, validate

from blueprints.api.fields import (
    AsciiInteger,
    Answer,
    Choice,
    Day,
    Id,
    IdParam,
    Items,
    MomentParam,
    Quantity,
    Text,
    UpToNextYear,
    values_of,
)
from blueprints.customers.models import CustomerKind
from blueprints.invoicing.models import InvoiceKind, InvoiceStatus, LineUnit, PaymentMethod
from blueprints.invoicing.money import VatRate
from blueprints.municipality.services import PORTAL_KINDS
from blueprints.participants.models import Benefit, ParticipantStatus
from blueprints.participants.services import CONSENT_KINDS, DAYS, TARGET_GROUPS
from blueprints.reports.periods import COMPARISONS as REPORT_COMPARISONS
from blueprints.reports.periods import KINDS as REPORT_KINDS
from blueprints.reports.report_templates import TEMPLATES as REPORT_TEMPLATES
from blueprints.trajectories.models import Funding, Outcome, TrajectoryKind, TrajectoryStatus
from tenants import suppression
from tenants.models import Role

FIRST_YEAR = 2000
LAST_INVOICE_YEAR = 2100
MAX_PAGE = 100_000

Moment = fields.DateTime


def _text(description: str | None = None, **kw) -> fields.String:
    return fields.String(metadata={"description": description} if description else {}, **kw)


def _cents(description: str | None = None, **kw) -> fields.Integer:
    return fields.Integer(metadata={"description": description or "Een bedrag in hele "
                                                                  "eurocenten."}, **kw)


def _nullable_text(description: str | None = None, **kw) -> fields.String:
    return _text(description, allow_none=True, **kw)


def _page() -> AsciiInteger:
    return AsciiInteger(load_default=1, validate=validate.Range(1, MAX_PAGE))


# --- queries -------------------------------------------------------------------------------------

class Query(ma.Schema):
    """Parameters in the query string; unknown ones are ignored, an empty value is invalid
    (except for free text)."""

    class Meta:
        unknown = ma.EXCLUDE


class ParticipantQuery(Query):
    status = Choice(ParticipantStatus)
    wijk = IdParam(metadata={"description": "Het id van een wijk (zie neighbourhood.id)."})
    q = Text(validate=validate.Length(max=100),
             metadata={"description": "Zoekt in naam en e-mailadres."})
    page = _page()


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
    page = _page()


class CustomerQuery(Query):
    kind = Choice(CustomerKind)
    archived = fields.String(validate=values_of(["true", "false"]), metadata={
        "description": "true: alleen gearchiveerde klanten; false: alleen huidige."})
    page = _page()


class BudgetQuery(Query):
    year = AsciiInteger(validate=UpToNextYear(FIRST_YEAR), metadata={
        "description": "Het jaar van verdiend en besteed; standaard dit jaar (tot en met "
                       "volgend jaar)."})
    page = _page()


# --- answers: general ----------------------------------------------------------------------------

class Reference(Answer):
    id = Id()
    name = _nullable_text()


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


# --- answers: participants -----------------------------------------------------------------------

def _target_groups() -> fields.List:
    return Items(fields.String(validate=values_of(TARGET_GROUPS)))


class ParticipantSummary(Answer):
    id = Id()
    first_name = fields.String()
    last_name = fields.String()
    status = Choice(ParticipantStatus)
    neighbourhood = fields.Nested(Reference, allow_none=True)
    supervisor = fields.Nested(Reference, allow_none=True)
    target_groups = _target_groups()


class ParticipantList(Answer):
    data = fields.List(fields.Nested(ParticipantSummary))
    meta = fields.Nested(Pagination)


class Exemption(Answer):
    """Een ontheffing zoals de gemeente die besloot."""

    id = Id()
    article = fields.String(metadata={"examples": ["9-2", "9-5", "9a"]})
    obligations = Items(fields.String(validate=values_of(["a", "b", "c"])))
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    review_on = fields.Date(allow_none=True)
    decided_by = _nullable_text()


class Consent(Answer):
    id = Id()
    kind = fields.String(validate=values_of(CONSENT_KINDS))
    recipient = _nullable_text()
    given_on = fields.Date()
    withdrawn_on = fields.Date(allow_none=True)


class Address(Answer):
    street = _nullable_text()
    postcode = _nullable_text()
    city = _nullable_text()


class EmergencyContact(Answer):
    name = _nullable_text(attribute="emergency_name")
    relation = _nullable_text(attribute="emergency_relation")
    phone = _nullable_text(attribute="emergency_phone")


class Availability(Answer):
    hours_per_week = fields.Integer(allow_none=True, attribute="available_hours")
    days = Items(fields.String(validate=values_of(DAYS)), attribute="available_days")


class Vog(Answer):
    present = fields.Boolean(attribute="vog_present")
    date = fields.Date(allow_none=True, attribute="vog_date")
    renewal_due = fields.Date(allow_none=True, attribute="vog_renewal_due")


class PayingMunicipality(Answer):
    cbs_code = fields.String()
    name = fields.String()


class Participant(Answer):
    """Het dossier van een deelnemer, zoals de pagina het toont. Er is geen BSN."""

    id = Id()
    first_name = fields.String()
    last_name = fields.String()
    status = Choice(ParticipantStatus)
    date_of_birth = fields.Date(allow_none=True)
    age = fields.Integer(allow_none=True)
    address = fields.Nested(Address)
    neighbourhood = fields.Nested(Reference, allow_none=True)
    phone = _nullable_text()
    email = _nullable_text()
    target_groups = _target_groups()
    supervisor = fields.Nested(Reference, allow_none=True)
    emergency_contact = fields.Nested(EmergencyContact)
    skills = Items(fields.String())
    languages = Items(fields.String())
    availability = fields.Nested(Availability)
    vog = fields.Nested(Vog)
    benefit = Choice(Benefit)
    paying_municipality = fields.Nested(PayingMunicipality, allow_none=True)
    notes = _nullable_text()
    has_account = fields.Boolean()
    exemptions = fields.List(fields.Nested(Exemption))
    consents = fields.List(fields.Nested(Consent))
    created_at = Moment()


class ParticipantFile(Answer):
    data = fields.Nested(Participant)


class BuildUpStep(Answer):
    from_ = fields.String(data_key="from", attribute="from", metadata={"format": "date"})
    hours = fields.Float()


class Trajectory(Answer):
    id = Id()
    kind = Choice(TrajectoryKind)
    status = Choice(TrajectoryStatus)
    funding = Choice(Funding)
    starts_on = fields.Date()
    planned_end_on = fields.Date(allow_none=True)
    hours_per_week = fields.Float()
    build_up = Items(fields.Nested(BuildUpStep))
    host_organisation = fields.Nested(Reference, allow_none=True)
    job_coach = fields.Nested(Reference, allow_none=True)
    agreement_signed_on = fields.Date(allow_none=True)
    outcome = Choice(Outcome, allow_none=True)
    outcome_on = fields.Date(allow_none=True)
    created_at = Moment()


class TrajectoryList(Answer):
    data = fields.List(fields.Nested(Trajectory))


# --- answers: invoices, customers, budgets (admins) ---------------------------------------------

PATH = "Een pad op deze server, onder /api/v1/ (met dezelfde sleutel op te vragen)."
VAT_RATE = ("Het btw-tarief: 21, 9, 0 (nultarief), vrijgesteld, kor (geen btw, "
            "kleineondernemersregeling), verlegd (btw verlegd) of icl "
            "(intracommunautaire levering).")


class InvoiceLinks(Answer):
    self = fields.String(metadata={"description": PATH})
    pdf = _nullable_text(f"De pdf; null voor een concept. {PATH}")
    ubl = _nullable_text("De e-factuur (UBL); alleen als de factuur verzonden is naar een klant "
                         f"met OIN of KvK-nummer. {PATH}")


class Period(Answer):
    """De periode waarover gefactureerd is."""

    start = fields.Date(allow_none=True, attribute="period_start")
    end = fields.Date(allow_none=True, attribute="period_end")


class Totals(Answer):
    """Bedragen in centen. Die van een creditnota zijn positief: kind zegt dat het een
    creditering is."""

    excl_cents = _cents(attribute="total_excl_cents")
    vat_cents = _cents(attribute="total_vat_cents")
    incl_cents = _cents(attribute="total_incl_cents")
    paid_cents = _cents("Som van de geregistreerde betalingen.")
    credited_cents = _cents("Som van de creditnota's op deze factuur (incl. btw).")
    open_cents = _cents("Wat de klant nog moet betalen; 0 voor concepten en creditnota's.")


class InvoiceSummary(Answer):
    id = Id()
    number = _nullable_text("Het factuurnummer; null voor een concept.")
    kind = Choice(InvoiceKind)
    status = Choice(InvoiceStatus)
    customer = fields.Nested(Reference)
    issue_date = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    period = fields.Nested(Period)
    totals = fields.Nested(Totals)
    currency = fields.String(validate=values_of(["EUR"]))
    overdue = fields.Boolean(metadata={
        "description": "Verzonden, nog niet (helemaal) betaald en over de vervaldatum."})
    credits_invoice_id = Id(allow_none=True, metadata={
        "description": "Bij een creditnota: de factuur die zij crediteert."})
    links = fields.Nested(InvoiceLinks)


class InvoiceList(Answer):
    data = fields.List(fields.Nested(InvoiceSummary))
    meta = fields.Nested(Pagination)


class InvoiceLine(Answer):
    position = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "Volgorde zoals op de factuur (per klus)."})
    description = fields.String()
    quantity = Quantity()
    unit = Choice(LineUnit)
    unit_price_cents = _cents()
    vat_rate = Choice(VatRate, metadata={"description": VAT_RATE})
    net_cents = _cents("Aantal × prijs, afgerond op een cent, min de korting; zonder btw.")
    allowance_cents = _cents("Korting op deze regel (0: geen).")
    allowance_reason = _nullable_text("De reden van de korting.")
    supply_date = fields.Date(allow_none=True)
    participant_id = Id(allow_none=True, metadata={"description": "Wiens werk deze regel is."})


class VatBreakdown(Answer):
    vat_rate = Choice(VatRate, attribute="rate", metadata={"description": VAT_RATE})
    percent = fields.Function(lambda r: f"{r.rate.percent:.2f}",
                              metadata={"type": "string", "examples": ["21.00", "0.00"]})
    base_cents = _cents("De som van de regels met dit tarief, min de korting op de factuur "
                        "die bij dit tarief hoort.")
    vat_cents = _cents("Btw over die som, afgerond op een cent.")
    mention = _nullable_text("De vermelding die de wet vraagt (nultarief, vrijstelling, KOR, "
                             "btw verlegd, intracommunautaire levering).",
                             attribute="rate.mention")


class Payment(Answer):
    id = Id()
    date = fields.Date(attribute="paid_on")
    amount_cents = _cents()
    method = Choice(PaymentMethod)
    reference = _nullable_text()


class CreditNoteRef(Answer):
    id = Id()
    number = fields.String(attribute="number_text")


class Invoice(InvoiceSummary):
    """Een factuur of creditnota met regels, btw per tarief en betalingen."""

    buyer_reference = _nullable_text()
    order_reference = _nullable_text()
    allowance_cents = _cents("Korting op de hele factuur (0: geen); de totalen zijn erna.")
    allowance_reason = _nullable_text("De reden van de korting op de factuur.")
    lines = fields.List(fields.Nested(InvoiceLine))
    vat_breakdown = fields.List(fields.Nested(VatBreakdown))
    payments = fields.List(fields.Nested(Payment))
    credit_notes = fields.List(fields.Nested(CreditNoteRef))


class InvoiceFile(Answer):
    data = fields.Nested(Invoice)


class Customer(Answer):
    """Een klant (debiteur). Zonder e-mailadres en telefoonnummer: de API geeft wat de
    boekhouding nodig heeft (dataminimalisatie)."""

    id = Id()
    kind = Choice(CustomerKind)
    name = fields.String()
    city = _nullable_text()
    kvk_number = _nullable_text(validate=validate.Regexp("^[0-9]{8}$"))
    oin = _nullable_text()
    vat_id = _nullable_text()
    buyer_reference = _nullable_text("De referentie (inkoopordernummer) die de klant op elke "
                                     "factuur vraagt.")
    wants_ubl = fields.Function(lambda c: bool(c.wants_ubl), metadata={
        "type": "boolean", "description": "De klant krijgt ook een e-factuur (UBL)."})
    einvoice_profile = fields.String(metadata={
        "enum": ["si-ubl", "peppol"],
        "description": "Het profiel van de e-factuur: si-ubl (SI-UBL 2.0, NLCIUS, voor een "
                       "Nederlandse overheid) of peppol (Peppol BIS Billing 3.0)."})
    archived = fields.Function(lambda c: c.archived_at is not None,
                               metadata={"type": "boolean"})


class CustomerList(Answer):
    data = fields.List(fields.Nested(Customer))
    meta = fields.Nested(Pagination)


class Budget(Answer):
    participant_id = Id(attribute="participant.id")
    balance_cents = _cents("Het saldo nu.", attribute="balance")
    earned_cents = _cents("Verdiend in het jaar (toekenningen uit betaalde facturen).",
                          attribute="earned")
    spent_cents = _cents("Aan cursussen besteed in het jaar.", attribute="spent")


class Pool(Answer):
    """De collectieve pot, saldo nu."""

    balance_cents = _cents()


class BudgetList(Answer):
    data = fields.List(fields.Nested(Budget))
    year = fields.Integer()
    pool = fields.Nested(Pool)
    meta = fields.Nested(Pagination)


# --- reports -------------------------------------------------------------------------------------

REPORT_UNITS = ("count", "minutes", "cents", "percent", "days")


class ValueQuery(Query):
    """The period of a report or value estimate."""

    period = fields.String(validate=values_of(REPORT_KINDS), metadata={
        "description": "maand, kwartaal, jaar of eigen (start en end); standaard de vorige "
                       "volle maand."})
    year = AsciiInteger(validate=validate.Range(FIRST_YEAR, LAST_INVOICE_YEAR), metadata={
        "description": "Het jaar van de maand, het kwartaal of het jaar."})
    month = AsciiInteger(validate=validate.Range(1, 12), metadata={
        "description": "De maand (1-12) bij period=maand."})
    quarter = AsciiInteger(validate=validate.Range(1, 4), metadata={
        "description": "Het kwartaal (1-4) bij period=kwartaal."})
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
    kind = _text("maand, kwartaal, jaar of eigen.")
    label = _text("De naam van de periode, zoals op de pagina (Q2 2026).")
    start = fields.Date()
    end = fields.Date(metadata={"description": "Inbegrepen."})


class ReportRow(Answer):
    key = _text("Vaste sleutel van het cijfer (hours, hours_traject, outflow_rate, ...).")
    label = _text()
    definition = _text("Hoe het cijfer geteld wordt.")
    unit = fields.String(validate=values_of(REPORT_UNITS), metadata={
        "description": "count: aantal; minutes: minuten; cents: eurocenten; percent: procent "
                       "met één decimaal; days: dagen met één decimaal (een mediaan)."})
    value = FigureValue(allow_none=True, metadata={"description": "Het cijfer in de periode."})
    compare = FigureValue(allow_none=True, metadata={
        "description": "Het cijfer in de vergelijkingsperiode."})
    sub = fields.Boolean(metadata={"description": "Een uitsplitsing van de regel erboven."})


class ReportSection(Answer):
    title = _text()
    rows = fields.List(fields.Nested(ReportRow))


class ReportWeek(Answer):
    week = _text("ISO-week, bijvoorbeeld 2026-W15.")
    monday = fields.Date()
    minutes = fields.Integer(metadata={"description": "Goedgekeurde minuten in de week (binnen "
                                                      "de periode)."})


class Report(Answer):
    period = fields.Nested(ReportPeriod)
    compare = fields.Nested(ReportPeriod)
    template = _text("Het gebruikte rapportsjabloon.")
    source = _text("Altijd: volgens registratie van de coöperatie (geen CBS-cijfers).")
    sections = fields.List(fields.Nested(ReportSection))
    hours_per_week = fields.List(fields.Nested(ReportWeek), metadata={
        "description": "Leeg bij een sjabloon zonder de grafiek van uren per week."})


class ValueInput(Answer):
    key = _text("Vaste sleutel van de aanname (dode_last, bandbreedte, duurzaamheid_cbs, "
                "uitvoeringskosten, uitvoeringskosten_meetellen, brede_baten, "
                "uurwaarde_vrijwilliger).")
    label = _text()
    unit = fields.String(validate=values_of(("percent", "cents", "yesno")), metadata={
        "description": "percent: hele procenten; cents: eurocenten; yesno: 1 of 0."})
    value = fields.Integer(metadata={"description": "De waarde die de schatting gebruikte."})
    source = _text("De bron van de gebruikte waarde (van de coöperatie als die een eigen "
                   "waarde koos, anders die van het platform).")
    own = fields.Boolean(metadata={"description": "De coöperatie koos een eigen waarde."})
    default = fields.Integer(metadata={"description": "De standaardwaarde van het platform."})
    default_source = _text("De bron van de standaardwaarde van het platform.")
    low = fields.Integer(metadata={"description": "De laagste waarde die een coöperatie mag "
                                                  "kiezen."})
    high = fields.Integer(metadata={"description": "De hoogste waarde die een coöperatie mag "
                                                   "kiezen."})


class ValueNorm(Answer):
    category = _text("gehuwden, alleenstaand, kostendeler_2 of jongere_18_20.")
    label = _text()
    valid_from = fields.Date()
    monthly_cents = _cents("Netto per maand inclusief vakantiegeld, in eurocenten.")
    source = _text()


class ValueBand(Answer):
    low_cents = _cents("Laag: dode last + bandbreedte, zonder uitvoeringskosten.")
    central_cents = _cents("Midden: de gekozen dode last; met uitvoeringskosten als de "
                           "coöperatie dat koos.")
    high_cents = _cents("Hoog: dode last − bandbreedte, met uitvoeringskosten.")
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
    gross_confirmed_cents = _cents("Bevestigde maanden × norm.")
    gross_unconfirmed_cents = _cents("Onbevestigde maanden × norm.")
    durability_percent = fields.Float(metadata={"description": "Duurzaamheidsfactor in "
                                                               "procent (één decimaal)."})
    durability_source = _text("Eigen nazorg (aantallen) of het CBS-cijfer.")
    gross_cents = _cents("Bevestigd + factor × onbevestigd.")
    admin_cents = _cents("Uitvoeringskosten voor dezelfde maanden (zonder dode last).")


class ValueSocial(Answer):
    broad_cents = _cents("Brede baten van werk: persoonjaren na dode last × het bedrag per "
                         "persoon per jaar. Naast de besparing, nooit erbij opgeteld.")
    person_years = fields.Float(metadata={"description": "Persoonjaren in werk na dode last "
                                                         "(twee decimalen)."})
    volunteer_minutes = fields.Integer(metadata={"description": "Goedgekeurde minuten "
                                                                "vrijwilligerswerk."})
    volunteer_cents = _cents("Vervangingswaarde van die uren.")


class ValueEstimate(Answer):
    period = fields.Nested(ReportPeriod)
    source = _text("Altijd: een schatting volgens registratie van de coöperatie, geen "
                   "CBS-cijfer.")
    formula = _text("De berekening in woorden.")
    benefits_saved = fields.Nested(ValueBand, metadata={
        "description": "Bespaarde uitkeringen: komt terecht bij de gemeente."})
    working = fields.Nested(ValueWorking)
    social_value = fields.Nested(ValueSocial, metadata={
        "description": "Maatschappelijke waarde: landt grotendeels elders (Rijk, zorg)."})
    inputs = fields.List(fields.Nested(ValueInput))
    norms = fields.List(fields.Nested(ValueNorm), metadata={
        "description": "De bijstandsnormen die de schatting gebruikte."})


# --- the municipal API (a municipality's token: what its portal shows) ---------------------------

#: why a cell is hidden: the marks of tenants.suppression
SUPPRESSION_MARKS = (suppression.SMALL, suppression.SECONDARY, suppression.PERIOD,
                     suppression.PARTS)


class MunicipalQuery(Query):
    period = fields.String(validate=values_of(PORTAL_KINDS), metadata={
        "description": "maand, kwartaal of jaar (hele kalenderperioden, zoals het portaal); "
                       "standaard de vorige volle maand."})
    year = AsciiInteger(validate=validate.Range(FIRST_YEAR, LAST_INVOICE_YEAR), metadata={
        "description": "Het jaar van de maand, het kwartaal of het jaar."})
    month = AsciiInteger(validate=validate.Range(1, 12), metadata={
        "description": "De maand (1-12) bij period=maand."})
    quarter = AsciiInteger(validate=validate.Range(1, 4), metadata={
        "description": "Het kwartaal (1-4) bij period=kwartaal."})
    compare = fields.String(validate=values_of(REPORT_COMPARISONS), metadata={
        "description": "vorige (de periode ervoor, standaard) of vorig_jaar (dezelfde "
                       "periode een jaar eerder)."})


class MunicipalityRef(Answer):
    cbs_code = _text("De CBS-gemeentecode (vier cijfers).")
    name = _text()


class SharedTemplate(Answer):
    template = _text("uren of uitstroom.")
    label = _text("De naam van de tabel, zoals in het portaal.")
    from_month = fields.Date(metadata={"description": "De eerste maand die gedeeld is."})


class SharingCooperative(Answer):
    id = Id()
    name = _text()
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
    name = _text()


class MunicipalRow(Answer):
    key = _text("De sleutel van de rij (urensoort of uitstroombestemming); totaal voor de "
                "totaalrij.")
    label = _text()
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
    template = _text("uren of uitstroom.")
    label = _text()
    definition = _text("Hoe de tabel geteld wordt.")
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
    source = _text("Altijd: volgens registratie van de organisaties (geen CBS-cijfers).")
    cooperatives = fields.List(fields.Nested(CooperativeRef), metadata={
        "description": "Alle organisaties die iets met de gemeente delen."})
    tables = fields.List(fields.Nested(MunicipalTable), metadata={
        "description": "De gedeelde tabellen, beschermd zoals in het portaal."})
