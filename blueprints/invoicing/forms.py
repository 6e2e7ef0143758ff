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
    confirm = BooleanField(_l("Ik heb de factuur gecontroleerd. Na verzenden krijgt hij een "
                              "nummer en kan hij niet meer worden gewijzigd."), validators=[
        DataRequired(message=_l("Vink aan dat u de factuur heeft gecontroleerd."))])
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
