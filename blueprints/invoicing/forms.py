"""Forms of invoicing: invoices, lines, payments, credit notes, reminders; finance settings."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from blueprints.participants.forms import MultiCheckboxField
from tenants.formfields import RadioField, SelectField
from tenants.forms import BaseForm


def _len(n: int):
    return Length(max=n, message=_l("Hoogstens %(n)s tekens.", n=n))


#: line VAT choices (the service refuses anything else, also a value typed into the request)
LINE_VAT_CHOICES = [("21", _l("21% btw")), ("9", _l("9% btw")), ("0", _l("0% btw (nultarief)")),
                    ("vrijgesteld", _l("Vrijgesteld van btw (art. 11 Wet OB)")),
                    ("verlegd", _l("Btw verlegd (btw-id van de klant nodig)")),
                    ("icl", _l("Intracommunautaire levering, 0% (btw-id van de klant nodig)"))]
UNIT_CHOICES = [("stuk", _l("stuk")), ("uur", _l("uur")), ("maand", _l("maand")),
                ("plaatsing", _l("plaatsing")), ("traject", _l("traject")),
                ("strippenkaart", _l("strippenkaart"))]
METHOD_CHOICES = [("overboeking", _l("Bankoverschrijving")), ("contant", _l("Contant")),
                  ("pin", _l("Pin")), ("online", _l("Online"))]
FEE_CHOICES = [("per_maand", _l("Per deelnemer per maand")),
               ("per_plaatsing", _l("Per plaatsing")),
               ("per_resultaat", _l("Per resultaat (uitstroom)"))]
BUYER_REFERENCE_HINT = _l("Het inkoopordernummer of de referentie die de klant op elke factuur "
                          "vraagt. Een gemeente wijst een factuur zonder af.")


class _DraftFields(BaseForm):
    period_start = DateField(_l("Periode van"), validators=[Optional()])
    period_end = DateField(_l("Periode tot en met"), validators=[Optional()])
    buyer_reference = StringField(_l("Referentie van de klant"), validators=[
        Optional(), _len(100)], description=BUYER_REFERENCE_HINT)
    order_reference = StringField(_l("Ordernummer (optioneel)"),
                                  validators=[Optional(), _len(100)])
    note = TextAreaField(_l("Opmerking op de factuur (optioneel)"),
                         validators=[Optional(), _len(2000)])


class NewInvoiceForm(_DraftFields):
    customer = SelectField(_l("Klant"), choices=[], validate_choice=False,
                           validators=[DataRequired(message=_l("Kies een klant."))])
    submit = SubmitField(_l("Conceptfactuur maken"))


class DraftDetailsForm(_DraftFields):
    submit = SubmitField(_l("Gegevens opslaan"))


class HoursForm(BaseForm):
    entries = MultiCheckboxField(_l("Uren"), choices=[], validate_choice=False)
    #: a group button of the hours without a payer ("klus-<id>" or "klus-<id>-<participant>")
    groep = HiddenField(_l("Groep"))
    submit = SubmitField(_l("Gekozen uren op de factuur zetten"))


class HelpRequestLineForm(BaseForm):
    help_request = SelectField(_l("Uitgevoerde klus met een vaste prijs"), choices=[],
                               validate_choice=False,
                               validators=[DataRequired(message=_l("Kies een klus."))])
    submit = SubmitField(_l("Klus op de factuur zetten"))


class LineForm(BaseForm):
    description = StringField(_l("Omschrijving"), validators=[
        DataRequired(message=_l("Vul de omschrijving van de regel in.")), _len(300)])
    quantity = StringField(_l("Aantal"), validators=[
        DataRequired(message=_l("Vul het aantal in, bijvoorbeeld 2 of 1,5.")), _len(20)],
        render_kw={"inputmode": "decimal"})
    unit = SelectField(_l("Eenheid"), choices=UNIT_CHOICES, validate_choice=False)
    unit_price = StringField(_l("Prijs per eenheid in euro's (excl. btw)"), validators=[
        DataRequired(message=_l("Vul de prijs per eenheid in, bijvoorbeeld 25,00.")), _len(20)],
        render_kw={"inputmode": "decimal"})
    vat_rate = SelectField(_l("Btw-tarief"), choices=LINE_VAT_CHOICES, validate_choice=False)
    supply_date = DateField(_l("Leverdatum (optioneel)"), validators=[Optional()])
    allowance = StringField(_l("Korting op deze regel in euro's (optioneel)"),
                            validators=[Optional(), _len(20)], render_kw={"inputmode": "decimal"},
                            description=_l("Gaat af van aantal × prijs, bijvoorbeeld 10,00."))
    allowance_reason = StringField(_l("Reden van de korting (optioneel)"),
                                   validators=[Optional(), _len(100)],
                                   description=_l("Staat op de factuur, bijvoorbeeld "
                                                  "Vrijwilligerskorting."))
    submit = SubmitField(_l("Regel toevoegen"))


class InvoiceAllowanceForm(BaseForm):
    amount = StringField(_l("Korting op de hele factuur in euro's"),
                         validators=[Optional(), _len(20)], render_kw={"inputmode": "decimal"},
                         description=_l("Leeg of 0: geen korting."))
    reason = StringField(_l("Reden van de korting"), validators=[Optional(), _len(100)],
                         description=_l("Staat op de factuur, bijvoorbeeld Jubileumkorting."))
    vat_rate = SelectField(_l("Btw-tarief waar de korting van afgaat"), choices=[],
                           validate_choice=False)
    submit = SubmitField(_l("Korting opslaan"))


class FeeForm(BaseForm):
    kind = SelectField(_l("Soort vergoeding"), choices=FEE_CHOICES, validate_choice=False)
    trajectories = MultiCheckboxField(_l("Trajecten"), choices=[], validate_choice=False)
    unit_price = StringField(_l("Bedrag per deelnemer in euro's (excl. btw)"), validators=[
        DataRequired(message=_l("Vul het bedrag van de vergoeding in, bijvoorbeeld 450,00.")),
        _len(20)], render_kw={"inputmode": "decimal"})
    months = StringField(_l("Aantal maanden (bij per maand)"), validators=[Optional(), _len(3)],
                         render_kw={"inputmode": "numeric"})
    vat_rate = SelectField(_l("Btw-tarief"), choices=LINE_VAT_CHOICES, validate_choice=False,
                           description=_l("Re-integratie voor een gemeente is meestal 21%."))
    submit = SubmitField(_l("Vergoedingen toevoegen"))


class FinaliseForm(BaseForm):
    issue_date = DateField(_l("Factuurdatum"), validators=[
        DataRequired(message=_l("Vul de factuurdatum in."))])
    confirm = BooleanField(_l("Ik heb de factuur gecontroleerd"), validators=[
        DataRequired(message=_l("Vink aan dat u de factuur heeft gecontroleerd."))],
        description=_l("Na verzenden krijgt hij een nummer en kan hij niet meer worden "
                       "gewijzigd."))
    submit = SubmitField(_l("Factuur definitief maken"))


class PaymentForm(BaseForm):
    amount = StringField(_l("Bedrag in euro's"), validators=[
        DataRequired(message=_l("Vul het betaalde bedrag in, bijvoorbeeld 25,00.")), _len(20)],
        render_kw={"inputmode": "decimal"})
    paid_on = DateField(_l("Betaald op"), validators=[
        DataRequired(message=_l("Vul de datum van de betaling in."))])
    method = SelectField(_l("Betaald via"), choices=METHOD_CHOICES, validate_choice=False)
    reference = StringField(_l("Kenmerk of omschrijving (optioneel)"),
                            validators=[Optional(), _len(140)],
                            description=_l("Bijvoorbeeld de omschrijving op het bankafschrift."))
    key = HiddenField()
    submit = SubmitField(_l("Betaling registreren"))


class CreditForm(BaseForm):
    mode = RadioField(_l("Wat crediteert u?"), choices=[
        ("alles", _l("Alles wat nog niet is gecrediteerd")),
        ("regels", _l("Een deel: de aantallen hieronder"))], default="alles",
        validate_choice=False)
    reason = TextAreaField(_l("Reden (staat op de creditnota)"), validators=[
        DataRequired(message=_l("Vul de reden van de creditnota in; die staat op de "
                                "creditnota.")), _len(1000)])
    submit = SubmitField(_l("Creditnota maken"))


class InvoiceFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Zoeken op nummer of klant"), validators=[Optional(), _len(100)])
    status = SelectField(_l("Status"), validators=[Optional()], validate_choice=False)
    klant = SelectField(_l("Klant"), validators=[Optional()], validate_choice=False)
    jaar = SelectField(_l("Jaar"), validators=[Optional()], validate_choice=False)
    soort = SelectField(_l("Soort"), validators=[Optional()], validate_choice=False)
    achterstallig = BooleanField(_l("Alleen achterstallig"))


class StatementForm(BaseForm):
    class Meta:
        csrf = False

    van = DateField(_l("Van"), validators=[Optional()])
    tot = DateField(_l("Tot en met"), validators=[Optional()])


# --- finance settings ---------------------------------------------------------------------

RECOGNITION_CHOICES = [
    ("geen", _l("Geen")),
    ("sbb", _l("SBB erkend leerbedrijf")),
    ("keurmerk", _l("Keurmerk (bijvoorbeeld Blik op Werk)")),
    ("gemeentelijk_contract", _l("Contract met de gemeente")),
]
VAT_REGIME_CHOICES = [
    ("normaal", _l("Normaal: btw per regel")),
    ("kor", _l("Kleineondernemersregeling (KOR): geen btw")),
]
VAT_RATE_CHOICES = [
    ("21", _l("21%")), ("9", _l("9%")), ("0", _l("0%")),
    ("vrijgesteld", _l("Vrijgesteld (art. 11 Wet OB)")), ("kor", _l("KOR")),
]


class FinanceSettingsForm(BaseForm):
    """The supplier details on every invoice. Identifiers are checked by the service
    (blueprints.invoicing.settings.save_settings) with their checksums."""

    legal_name = StringField(_l("Officiële naam"), validators=[
        DataRequired(message=_l("Vul de officiële naam van de organisatie in.")), _len(150)],
        description=_l("Zoals ingeschreven bij de KvK, bijvoorbeeld Bewonerscoöperatie De "
                        "Vaart U.A."))
    street = StringField(_l("Straat en huisnummer"), validators=[Optional(), _len(150)],
                          render_kw={"autocomplete": "street-address"})
    postcode = StringField(_l("Postcode"), validators=[Optional(), _len(8)],
                            render_kw={"autocomplete": "postal-code"})
    city = StringField(_l("Plaats"), validators=[Optional(), _len(80)],
                        render_kw={"autocomplete": "address-level2"})
    kvk_number = StringField(_l("KvK-nummer"), validators=[Optional(), _len(12)],
                              description=_l("8 cijfers"), render_kw={"inputmode": "numeric"})
    vat_id = StringField(_l("Btw-identificatienummer"), validators=[Optional(), _len(20)],
                          description=_l("Bijvoorbeeld NL123456789B01. Onder de KOR niet "
                                          "nodig voor de pdf; een e-factuur (UBL) vraagt het "
                                          "btw-id of het omzetbelastingnummer."))
    tax_number = StringField(
        _l("Omzetbelastingnummer (alleen zonder btw-id)"), validators=[Optional(), _len(20)],
        description=_l("Bijvoorbeeld 123456789B01: het nummer van de Belastingdienst. Alleen "
                       "nodig onder de KOR zonder btw-id, voor de e-factuur (UBL). Niet voor "
                       "een eenmanszaak: dat nummer bevat het BSN; vul dan het btw-id in."))
    iban = StringField(_l("IBAN"), validators=[Optional(), _len(42)],
                        description=_l("Het rekeningnummer waarop klanten betalen"))
    bic = StringField(_l("BIC (optioneel)"), validators=[Optional(), _len(11)])
    email = StringField(_l("E-mailadres voor facturen (optioneel)"),
                         validators=[Optional(), _len(254)], render_kw={"type": "email",
                                                                         "autocomplete": "email"})
    phone = StringField(_l("Telefoon (optioneel)"), validators=[Optional(), _len(30)],
                         render_kw={"type": "tel", "autocomplete": "tel"})
    recognition = SelectField(_l("Erkenning"), choices=RECOGNITION_CHOICES,
                               description=_l("Staat op de factuur, bijvoorbeeld „SBB erkend "
                                               "leerbedrijf, nr. …”."))
    recognition_reference = StringField(_l("Nummer of naam van de erkenning"),
                                         validators=[Optional(), _len(100)],
                                         description=_l("Bij SBB verplicht: het SBB-nummer."))
    vat_regime = SelectField(_l("Btw-regeling"), choices=VAT_REGIME_CHOICES)
    default_vat_rate = SelectField(
        _l("Standaard btw-tarief voor nieuwe regels"), choices=VAT_RATE_CHOICES,
        description=_l("Per regel te wijzigen. Welzijnswerk kan vrijgesteld zijn; "
                        "re-integratie voor een gemeente is meestal 21%. Onder de KOR is het "
                        "altijd KOR."))
    hourly_rate = StringField(_l("Standaard uurtarief"), validators=[
        DataRequired(message=_l("Vul het standaard uurtarief in, bijvoorbeeld 25,00.")),
        _len(14)], description=_l("In euro's, bijvoorbeeld 25,00. Een klant kan een eigen "
                                   "tarief hebben."), render_kw={"inputmode": "decimal"})
    payment_term_days = IntegerField(_l("Betalingstermijn in dagen"), validators=[
        # InputRequired, not DataRequired: 0 days (pay at once) is a term too.
        InputRequired(message=_l("Vul de betalingstermijn in (0 tot en met 120 dagen).")),
        NumberRange(min=0, max=120, message=_l("Kies 0 tot en met 120 dagen."))],
        render_kw={"inputmode": "numeric"})
    invoice_prefix = StringField(_l("Voorvoegsel factuurnummers"), validators=[
        DataRequired(message=_l("Vul een voorvoegsel in, bijvoorbeeld F.")), _len(10)],
        description=_l("1 tot 10 letters of cijfers; het nummer wordt bijvoorbeeld "
                        "F2026-00042. Een nieuw voorvoegsel geldt alleen voor nieuwe nummers: "
                        "verzonden facturen houden hun nummer. Elk voorvoegsel telt per jaar "
                        "door, vanaf 1."))
    credit_prefix = StringField(_l("Voorvoegsel creditnotanummers"), validators=[
        DataRequired(message=_l("Vul een voorvoegsel in, bijvoorbeeld C.")), _len(10)],
        description=_l("Creditnota's hebben een eigen reeks, met een ander voorvoegsel. "
                        "Bestaande nummers blijven zoals ze zijn."))
    footer_text = TextAreaField(_l("Voettekst (optioneel)"), validators=[Optional(), _len(300)],
                                 description=_l("Bijvoorbeeld de algemene voorwaarden."))
    submit = SubmitField(_l("Instellingen opslaan"))


class LogoForm(BaseForm):
    logo = FileField(_l("Logo (PNG of JPEG, hoogstens 1 MB)"))
    submit = SubmitField(_l("Logo opslaan"))


class RemoveLogoForm(BaseForm):
    submit = SubmitField(_l("Logo verwijderen"))


class BankUploadForm(BaseForm):
    statement = FileField(
        _l("Bankafschrift (CAMT.053, XML)"),
        description=_l("Het rekeningafschrift zoals uw bank het exporteert in het formaat "
                       "CAMT.053, hoogstens 5 MB."),
        validators=[FileRequired(message=_l("Kies het bankafschrift dat u wilt inlezen."))],
        render_kw={"accept": ".xml,application/xml,text/xml"})
    submit = SubmitField(_l("Afschrift controleren"))


class BankConfirmForm(BaseForm):
    """Register the ticked rows; only the stored file's key travels, never amounts."""

    afschrift = HiddenField()
    submit = SubmitField(_l("Aangevinkte betalingen registreren"))
