"""Forms for help requests: the public page, staff intake, planning and the status actions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from tenants.idempotency import IdempotencyKeyField

from blueprints.customers.forms import customer_search_field
from blueprints.helprequests.models import Source
from blueprints.helprequests.services import (
    KIND_LABELS,
    PAYER_LABELS,
    PRICE_LABELS,
    SOURCE_LABELS,
)
from blueprints.participants.forms import MultiCheckboxField
from tenants.formfields import RadioField, SelectField
from tenants.forms import BaseForm


def _len(n: int):
    return Length(max=n, message=_l("Hoogstens %(n)s tekens.", n=n))


KINDS = [(k.value, v) for k, v in KIND_LABELS.items()]
OPTIONAL_EMAIL = [Optional(), _len(254),
                  Email(message=_l("Vul een geldig e-mailadres in, zoals naam@example.org."),
                        check_deliverability=False)]


class PublicRequestForm(BaseForm):
    """The resident's form. Every field has a length limit; `website` is the honeypot."""

    name = StringField(_l("Uw naam"), validators=[
        DataRequired(message=_l("Vul uw naam in.")), _len(120)],
        render_kw={"autocomplete": "name"})
    street = StringField(_l("Straat en huisnummer"), validators=[
        DataRequired(message=_l("Vul uw adres in: straat en huisnummer.")), _len(150)],
        render_kw={"autocomplete": "street-address"})
    postcode = StringField(_l("Postcode"), validators=[Optional(), _len(10)],
                           render_kw={"autocomplete": "postal-code"})
    city = StringField(_l("Plaats"), validators=[Optional(), _len(80)],
                       render_kw={"autocomplete": "address-level2"})
    phone = StringField(_l("Telefoonnummer"), validators=[Optional(), _len(30)],
                        render_kw={"inputmode": "tel", "autocomplete": "tel"})
    email = StringField(_l("E-mailadres"), validators=OPTIONAL_EMAIL,
                        description=_l("Vul een telefoonnummer of e-mailadres in, of allebei."),
                        render_kw={"inputmode": "email", "autocomplete": "email"})
    kind = RadioField(_l("Waar gaat het om?"), choices=KINDS, validate_choice=True,
                      validators=[DataRequired(message=_l("Kies waar het om gaat."))])
    description = TextAreaField(_l("Waarmee kunnen we u helpen?"), validators=[
        DataRequired(message=_l("Beschrijf waarbij u hulp nodig heeft.")), _len(2000)],
        description=_l("Bijvoorbeeld: de heg knippen in de achtertuin, ongeveer 10 meter."))
    preferred_dates = StringField(_l("Wanneer komt het u uit?"),
                                  validators=[Optional(), _len(300)],
                                  description=_l("Bijvoorbeeld: dinsdag of donderdag, "
                                                 "liefst 's ochtends."))
    # Honeypot: hidden from people, filled in by bots. Never validated, never stored.
    website = StringField(_l("Laat dit veld leeg"), validators=[Optional(), _len(200)],
                          render_kw={"tabindex": "-1", "autocomplete": "off"})
    #: the same form sent twice (a retry after a timeout) is one request
    idempotency_key = IdempotencyKeyField()
    submit = SubmitField(_l("Hulpvraag versturen"))


class RequestForm(BaseForm):
    """A request entered by staff (phone, counter, partner), or corrected later."""

    source = SelectField(_l("Binnengekomen via"), choices=[
        (s.value, SOURCE_LABELS[s]) for s in (Source.PHONE, Source.COUNTER, Source.PARTNER)],
        validate_choice=True)
    partner_name = StringField(_l("Naam van de partner"), validators=[Optional(), _len(150)],
                               description=_l("Bij een partner: bijvoorbeeld de "
                                              "woningcorporatie of de gemeente."))
    name = StringField(_l("Naam van de bewoner"), validators=[
        DataRequired(message=_l("Vul de naam in.")), _len(120)])
    street = StringField(_l("Straat en huisnummer"), validators=[
        DataRequired(message=_l("Vul het adres in: straat en huisnummer.")), _len(150)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), _len(10)])
    city = StringField(_l("Plaats"), validators=[Optional(), _len(80)])
    neighbourhood = StringField(_l("Wijk"), validators=[Optional(), _len(80)],
                                render_kw={"list": "wijken"})
    phone = StringField(_l("Telefoonnummer"), validators=[Optional(), _len(30)],
                        render_kw={"inputmode": "tel"})
    email = StringField(_l("E-mailadres"), validators=OPTIONAL_EMAIL,
                        render_kw={"inputmode": "email", "autocomplete": "off"})
    kind = SelectField(_l("Soort klus"), choices=KINDS, validate_choice=True)
    description = TextAreaField(_l("Omschrijving"), validators=[
        DataRequired(message=_l("Beschrijf waarbij hulp nodig is.")), _len(2000)])
    preferred_dates = StringField(_l("Voorkeursdata"), validators=[Optional(), _len(300)])
    needs_vog = SelectField(_l("Is een VOG nodig?"), choices=[
        ("", _l("Standaard voor deze soort klus (bij gezelschap: ja)")),
        ("ja", _l("Ja")), ("nee", _l("Nee"))], validate_choice=True,
        description=_l("Bijvoorbeeld bij gezelschap of hulp aan iemand die kwetsbaar is. "
                       "Dan worden alleen deelnemers met een geldige VOG voorgesteld."))
    payer = SelectField(_l("Wie betaalt"), choices=[(k.value, v) for k, v in PAYER_LABELS.items()],
                        validate_choice=True)
    price_agreement = SelectField(_l("Prijsafspraak"), choices=[
        (k.value, v) for k, v in PRICE_LABELS.items()], validate_choice=True)
    price = StringField(_l("Prijs in euro's"), validators=[Optional(), _len(20)],
                        description=_l("Bij een vaste prijs het bedrag, bij een uurtarief het "
                                       "bedrag per uur. Bijvoorbeeld 25,00."),
                        render_kw={"inputmode": "decimal"})
    # Choices are the tenant's active customers (set by the view); the service looks the id
    # up again and refuses one that is not this tenant's, or archived.
    customer = SelectField(_l("Klant (wie de factuur krijgt)"), choices=[],
                           validate_choice=False, validators=[Optional(), _len(20)],
                           description=_l("Nodig om te factureren of van een strippenkaart af "
                                          "te schrijven. Kan ook later."))
    # Above CUSTOMER_SELECT_LIMIT customers the select is replaced by this search (no
    # JavaScript: a "Zoeken" button posts the form back with the matches as radio buttons).
    klant_zoek = customer_search_field()
    submit = SubmitField(_l("Opslaan"))


class FilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Zoeken op kenmerk of naam"), validators=[Optional(), _len(100)])
    status = SelectField(_l("Status"), validators=[Optional()], validate_choice=False)
    soort = SelectField(_l("Soort klus"), validators=[Optional()], validate_choice=False)
    wijk = SelectField(_l("Wijk"), validators=[Optional()], validate_choice=False)
    van = DateField(_l("Ingepland vanaf"), validators=[Optional()])
    tot = DateField(_l("Ingepland tot en met"), validators=[Optional()])


class WeekFilterForm(BaseForm):
    class Meta:
        csrf = False

    week = StringField(_l("Week"), validators=[Optional(), _len(8)],
                       description=_l("Zoals 2026-W48"))
    begeleider = SelectField(_l("Begeleider"), validators=[Optional()], validate_choice=False)
    wijk = SelectField(_l("Wijk"), validators=[Optional()], validate_choice=False)


class SuggestionDateForm(BaseForm):
    class Meta:
        csrf = False

    datum = DateField(_l("Datum van de klus"), validators=[Optional()])


#: the durations a coordinator chooses from when planning, in minutes
DURATIONS = (30, 60, 90, 120, 180, 240, 360, 480)


class PlanForm(BaseForm):
    planned_on = HiddenField()
    planned_at = TimeField(_l("Hoe laat (optioneel)"), validators=[Optional()],
                           format=["%H:%M", "%H:%M:%S"])
    duration = SelectField(_l("Hoe lang (optioneel)"), choices=[], validate_choice=False)

    def validate_duration(self, field):
        """Empty (or left out by an older page) or one of the offered lengths."""
        if field.data not in (None, "") and field.data not in {str(m) for m in DURATIONS}:
            raise ValidationError(_l("Kies een van de getoonde duren."))
    participants = MultiCheckboxField(_l("Deelnemers"), choices=[], validate_choice=True)
    other = SelectField(_l("Of kies iemand anders"), choices=[], validate_choice=True)
    submit = SubmitField(_l("Inplannen"))


class DoneForm(BaseForm):
    done_on = DateField(_l("Uitgevoerd op"), validators=[
        DataRequired(message=_l("Vul de datum in."))])
    submit = SubmitField(_l("Klus is uitgevoerd"))


class DeclineForm(BaseForm):
    reason = TextAreaField(_l("Reden (de bewoner krijgt deze te horen)"), validators=[
        DataRequired(message=_l("Vul de reden in: die krijgt de bewoner te horen.")),
        _len(1000)])
    submit = SubmitField(_l("Hulpvraag afwijzen"))


class ButtonForm(BaseForm):
    """A button-only POST form (CSRF only), e.g. "Klaar" on a job card."""


class NotificationForm(BaseForm):
    enabled = HiddenField()
    submit = SubmitField(_l("Opslaan"))
