"""Forms of invoicing. Sections are owned by different authors: edit only your own section."""
from __future__ import annotations

# --- invoices, lines, payments, credit notes, reminders -----------------------------------
# Imports of this section stay here, so the two sections can be edited independently.
from flask_babel import lazy_gettext as _l  # noqa: E402
from flask_wtf import FlaskForm  # noqa: E402
from wtforms import (  # noqa: E402
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional  # noqa: E402

from blueprints.participants.forms import MultiCheckboxField  # noqa: E402


def _len(n: int):
    return Length(max=n, message=_l("Hoogstens %(n)s tekens.", n=n))


#: line VAT choices (the service refuses anything else, also a value typed into the request)
LINE_VAT_CHOICES = [("21", _l("21% btw")), ("9", _l("9% btw")), ("0", _l("0% btw")),
                    ("vrijgesteld", _l("Vrijgesteld van btw"))]
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


class _DraftFields(FlaskForm):
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


class HoursForm(FlaskForm):
    entries = MultiCheckboxField(_l("Uren"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Gekozen uren op de factuur zetten"))


class HelpRequestLineForm(FlaskForm):
    help_request = SelectField(_l("Uitgevoerde klus met een vaste prijs"), choices=[],
                               validate_choice=False,
                               validators=[DataRequired(message=_l("Kies een klus."))])
    submit = SubmitField(_l("Klus op de factuur zetten"))


class LineForm(FlaskForm):
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
    submit = SubmitField(_l("Regel toevoegen"))


class FeeForm(FlaskForm):
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


class FinaliseForm(FlaskForm):
    issue_date = DateField(_l("Factuurdatum"), validators=[
        DataRequired(message=_l("Vul de factuurdatum in."))])
    confirm = BooleanField(_l("Ik heb de factuur gecontroleerd"), validators=[
        DataRequired(message=_l("Vink aan dat u de factuur heeft gecontroleerd."))],
        description=_l("Na verzenden krijgt hij een nummer en kan hij niet meer worden "
                       "gewijzigd."))
    submit = SubmitField(_l("Factuur definitief maken"))


class PaymentForm(FlaskForm):
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


class CreditForm(FlaskForm):
    mode = RadioField(_l("Wat crediteert u?"), choices=[
        ("alles", _l("Alles wat nog niet is gecrediteerd")),
        ("regels", _l("Een deel: de aantallen hieronder"))], default="alles",
        validate_choice=False)
    reason = TextAreaField(_l("Reden (staat op de creditnota)"), validators=[
        DataRequired(message=_l("Vul de reden van de creditnota in; die staat op de "
                                "creditnota.")), _len(1000)])
    submit = SubmitField(_l("Creditnota maken"))


class InvoiceFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Zoeken op nummer of klant"), validators=[Optional(), _len(100)])
    status = SelectField(_l("Status"), validators=[Optional()], validate_choice=False)
    klant = SelectField(_l("Klant"), validators=[Optional()], validate_choice=False)
    jaar = SelectField(_l("Jaar"), validators=[Optional()], validate_choice=False)
    soort = SelectField(_l("Soort"), validators=[Optional()], validate_choice=False)
    achterstallig = BooleanField(_l("Alleen achterstallig"))


class StatementForm(FlaskForm):
    class Meta:
        csrf = False

    van = DateField(_l("Van"), validators=[Optional()])
    tot = DateField(_l("Tot en met"), validators=[Optional()])


# --- finance settings ---------------------------------------------------------------------
# Imports of this section stay here, so the two sections can be edited independently.
from flask_babel import lazy_gettext as _fl  # noqa: E402
from flask_wtf import FlaskForm as _FinanceForm  # noqa: E402
from flask_wtf.file import FileField as _FileField  # noqa: E402
from wtforms import IntegerField as _IntegerField  # noqa: E402
from wtforms import SelectField as _SelectField  # noqa: E402
from wtforms import StringField as _StringField  # noqa: E402
from wtforms import SubmitField as _SubmitField  # noqa: E402
from wtforms import TextAreaField as _TextAreaField  # noqa: E402
from wtforms.validators import DataRequired as _DataRequired  # noqa: E402
from wtforms.validators import InputRequired as _InputRequired  # noqa: E402
from wtforms.validators import Length as _Length  # noqa: E402
from wtforms.validators import NumberRange as _NumberRange  # noqa: E402
from wtforms.validators import Optional as _Optional  # noqa: E402


def _max(n: int):
    return _Length(max=n, message=_fl("Hoogstens %(n)s tekens.", n=n))


RECOGNITION_CHOICES = [
    ("geen", _fl("Geen")),
    ("sbb", _fl("SBB erkend leerbedrijf")),
    ("keurmerk", _fl("Keurmerk (bijvoorbeeld Blik op Werk)")),
    ("gemeentelijk_contract", _fl("Contract met de gemeente")),
]
VAT_REGIME_CHOICES = [
    ("normaal", _fl("Normaal: btw per regel")),
    ("kor", _fl("Kleineondernemersregeling (KOR): geen btw")),
]
VAT_RATE_CHOICES = [
    ("21", _fl("21%")), ("9", _fl("9%")), ("0", _fl("0%")),
    ("vrijgesteld", _fl("Vrijgesteld (art. 11 Wet OB)")), ("kor", _fl("KOR")),
]


class FinanceSettingsForm(_FinanceForm):
    """The supplier details on every invoice. Identifiers are checked by the service
    (blueprints.invoicing.settings.save_settings) with their checksums."""

    legal_name = _StringField(_fl("Officiële naam"), validators=[
        _DataRequired(message=_fl("Vul de officiële naam van de organisatie in.")), _max(150)],
        description=_fl("Zoals ingeschreven bij de KvK, bijvoorbeeld Bewonerscoöperatie De "
                        "Vaart U.A."))
    street = _StringField(_fl("Straat en huisnummer"), validators=[_Optional(), _max(150)],
                          render_kw={"autocomplete": "street-address"})
    postcode = _StringField(_fl("Postcode"), validators=[_Optional(), _max(8)],
                            render_kw={"autocomplete": "postal-code"})
    city = _StringField(_fl("Plaats"), validators=[_Optional(), _max(80)],
                        render_kw={"autocomplete": "address-level2"})
    kvk_number = _StringField(_fl("KvK-nummer"), validators=[_Optional(), _max(12)],
                              description=_fl("8 cijfers"), render_kw={"inputmode": "numeric"})
    vat_id = _StringField(_fl("Btw-identificatienummer"), validators=[_Optional(), _max(20)],
                          description=_fl("Bijvoorbeeld NL123456789B01. Niet nodig onder de "
                                          "KOR."))
    iban = _StringField(_fl("IBAN"), validators=[_Optional(), _max(42)],
                        description=_fl("Het rekeningnummer waarop klanten betalen"))
    bic = _StringField(_fl("BIC (optioneel)"), validators=[_Optional(), _max(11)])
    email = _StringField(_fl("E-mailadres voor facturen (optioneel)"),
                         validators=[_Optional(), _max(254)], render_kw={"type": "email",
                                                                         "autocomplete": "email"})
    phone = _StringField(_fl("Telefoon (optioneel)"), validators=[_Optional(), _max(30)],
                         render_kw={"type": "tel", "autocomplete": "tel"})
    recognition = _SelectField(_fl("Erkenning"), choices=RECOGNITION_CHOICES,
                               description=_fl("Staat op de factuur, bijvoorbeeld „SBB erkend "
                                               "leerbedrijf, nr. …”."))
    recognition_reference = _StringField(_fl("Nummer of naam van de erkenning"),
                                         validators=[_Optional(), _max(100)],
                                         description=_fl("Bij SBB verplicht: het SBB-nummer."))
    vat_regime = _SelectField(_fl("Btw-regeling"), choices=VAT_REGIME_CHOICES)
    default_vat_rate = _SelectField(
        _fl("Standaard btw-tarief voor nieuwe regels"), choices=VAT_RATE_CHOICES,
        description=_fl("Per regel te wijzigen. Welzijnswerk kan vrijgesteld zijn; "
                        "re-integratie voor een gemeente is meestal 21%. Onder de KOR is het "
                        "altijd KOR."))
    hourly_rate = _StringField(_fl("Standaard uurtarief"), validators=[
        _DataRequired(message=_fl("Vul het standaard uurtarief in, bijvoorbeeld 25,00.")),
        _max(14)], description=_fl("In euro's, bijvoorbeeld 25,00. Een klant kan een eigen "
                                   "tarief hebben."), render_kw={"inputmode": "decimal"})
    payment_term_days = _IntegerField(_fl("Betalingstermijn in dagen"), validators=[
        # InputRequired, not DataRequired: 0 days (pay at once) is a term too.
        _InputRequired(message=_fl("Vul de betalingstermijn in (0 tot en met 120 dagen).")),
        _NumberRange(min=0, max=120, message=_fl("Kies 0 tot en met 120 dagen."))],
        render_kw={"inputmode": "numeric"})
    invoice_prefix = _StringField(_fl("Voorvoegsel factuurnummers"), validators=[
        _DataRequired(message=_fl("Vul een voorvoegsel in, bijvoorbeeld F.")), _max(10)],
        description=_fl("1 tot 10 letters of cijfers; het nummer wordt bijvoorbeeld "
                        "F2026-00042. Een nieuw voorvoegsel geldt alleen voor nieuwe nummers: "
                        "verzonden facturen houden hun nummer. Elk voorvoegsel telt per jaar "
                        "door, vanaf 1."))
    credit_prefix = _StringField(_fl("Voorvoegsel creditnotanummers"), validators=[
        _DataRequired(message=_fl("Vul een voorvoegsel in, bijvoorbeeld C.")), _max(10)],
        description=_fl("Creditnota's hebben een eigen reeks, met een ander voorvoegsel. "
                        "Bestaande nummers blijven zoals ze zijn."))
    footer_text = _TextAreaField(_fl("Voettekst (optioneel)"), validators=[_Optional(), _max(300)],
                                 description=_fl("Bijvoorbeeld de algemene voorwaarden."))
    submit = _SubmitField(_fl("Instellingen opslaan"))


class LogoForm(_FinanceForm):
    logo = _FileField(_fl("Logo (PNG of JPEG, hoogstens 1 MB)"))
    submit = _SubmitField(_fl("Logo opslaan"))


class RemoveLogoForm(_FinanceForm):
    submit = _SubmitField(_fl("Logo verwijderen"))
