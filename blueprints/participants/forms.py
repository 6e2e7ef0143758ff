"""Forms for participants, host organisations, exemptions and consents."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints.participants.services import (
    CONSENT_KINDS,
    DAYS,
    EXEMPTION_ARTICLES,
    HOST_KINDS,
    BENEFIT_LABELS,
    OBLIGATIONS,
)
from tenants.formfields import SelectField, SelectMultipleField
from tenants.forms import BaseForm


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _len(n: int):
    return Length(max=n, message=_l("Hoogstens %(n)s tekens.", n=n))


OPTIONAL_EMAIL = [Optional(), _len(254),
                  Email(message=_l("Vul een geldig e-mailadres in, zoals naam@example.org."),
                        check_deliverability=False)]
HOUSEHOLDS = [("", _l("— onbekend —")), ("alleenstaand", _l("Alleenstaand")),
              ("alleenstaande_ouder", _l("Alleenstaande ouder")),
              ("samenwonend", _l("Gehuwd of samenwonend")), ("inwonend", _l("Inwonend"))]
BENEFITS = list(BENEFIT_LABELS.items())
ROUTES = [("", _l("— geen / onbekend —")), ("b1", _l("B1-route")),
          ("onderwijs", _l("Onderwijsroute")), ("z", _l("Zelfredzaamheidsroute (Z-route)"))]


class ParticipantForm(BaseForm):
    first_name = StringField(_l("Voornaam"), validators=[
        DataRequired(message=_l("Vul de voornaam in.")), _len(80)])
    last_name = StringField(_l("Achternaam"), validators=[
        DataRequired(message=_l("Vul de achternaam in.")), _len(120)])
    email = StringField(_l("E-mailadres"), validators=OPTIONAL_EMAIL,
                        render_kw={"inputmode": "email", "autocomplete": "off"})
    phone = StringField(_l("Telefoon"), validators=[Optional(), _len(30)],
                        render_kw={"inputmode": "tel"})
    street = StringField(_l("Straat en huisnummer"), validators=[Optional(), _len(150)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), _len(7)])
    city = StringField(_l("Plaats"), validators=[Optional(), _len(80)])
    neighbourhood = StringField(_l("Wijk"), validators=[Optional(), _len(80)],
                                render_kw={"list": "wijken"})
    date_of_birth = DateField(_l("Geboortedatum"), validators=[Optional()])
    household_type = SelectField(_l("Huishouden"), choices=HOUSEHOLDS, validate_choice=True)
    benefit = SelectField(_l("Uitkering"), choices=BENEFITS, validate_choice=True)
    paying_municipality = SelectField(_l("Gemeente die de uitkering betaalt"), choices=[],
                                      validate_choice=True)
    is_refugee_permit_holder = BooleanField(_l("Statushouder"))
    integration_route = SelectField(_l("Inburgeringsroute"), choices=ROUTES, validate_choice=True)
    has_work_limitation = BooleanField(_l("Arbeidsbeperking (doelgroepregister, beschut werk)"))
    skills = StringField(_l("Vaardigheden"), validators=[Optional(), _len(500)],
                         description=_l("Gescheiden door komma's, bijvoorbeeld: tuin, klussen, "
                                        "boodschappen"))
    languages = StringField(_l("Talen"), validators=[Optional(), _len(200)],
                            description=_l("Gescheiden door komma's"))
    available_hours = IntegerField(_l("Beschikbaar (uren per week)"), validators=[
        Optional(), NumberRange(min=0, max=60, message=_l("Tussen 0 en 60 uur."))])
    available_days = MultiCheckboxField(_l("Beschikbare dagen"),
                                        choices=[(k, v) for k, v in DAYS.items()])
    vog_present = BooleanField(_l("VOG aanwezig"))
    vog_date = DateField(_l("Datum VOG"), validators=[Optional()])
    vog_renewal_due = DateField(_l("VOG vernieuwen vóór"), validators=[Optional()],
                                description=_l("Leeg laten: 3 jaar na de datum van de VOG."))
    supervisor = SelectField(_l("Begeleider"), choices=[], validate_choice=True)
    emergency_name = StringField(_l("Noodcontact: naam"), validators=[Optional(), _len(120)])
    emergency_phone = StringField(_l("Noodcontact: telefoon"), validators=[Optional(), _len(30)])
    emergency_relation = StringField(_l("Noodcontact: relatie"), validators=[Optional(), _len(60)])
    notes = TextAreaField(_l("Notities"), validators=[Optional(), _len(4000)],
                          description=_l("Geen medische gegevens en geen BSN: alleen wat nodig "
                                         "is voor de begeleiding."))
    submit = SubmitField(_l("Opslaan"))


class ParticipantFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Zoeken op naam of e-mail"), validators=[Optional(), _len(100)])
    status = SelectField(_l("Status"), validators=[Optional()], validate_choice=False)
    wijk = SelectField(_l("Wijk"), validators=[Optional()], validate_choice=False)
    begeleider = SelectField(_l("Begeleider"), validators=[Optional()], validate_choice=False)
    doelgroep = SelectField(_l("Doelgroep"), validators=[Optional()], validate_choice=False)
    soort = SelectField(_l("Soort traject"), validators=[Optional()], validate_choice=False)


class HostForm(BaseForm):
    name = StringField(_l("Naam"), validators=[DataRequired(message=_l("Vul de naam in.")),
                                               _len(150)])
    kind = SelectField(_l("Soort"), choices=[(k, v) for k, v in HOST_KINDS.items()],
                       validate_choice=True)
    contact_name = StringField(_l("Contactpersoon / begeleider ter plekke"),
                               validators=[Optional(), _len(120)])
    contact_email = StringField(_l("E-mailadres"), validators=OPTIONAL_EMAIL)
    contact_phone = StringField(_l("Telefoon"), validators=[Optional(), _len(30)])
    street = StringField(_l("Straat en huisnummer"), validators=[Optional(), _len(150)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), _len(7)])
    city = StringField(_l("Plaats"), validators=[Optional(), _len(80)])
    vog_required = BooleanField(_l("VOG verplicht voor wie hier werkt"))
    insurance_covered = BooleanField(_l("Valt onder de vrijwilligersverzekering van de gemeente"),
                                     default=True)
    notes = TextAreaField(_l("Notities"), validators=[Optional(), _len(2000)])
    payer = SelectField(_l("Uren betaald door"), choices=[], validate_choice=True, default="",
                        description=_l("De klant die de uren van trajecten hier betaalt, als "
                                       "geen klus of traject een andere betaler heeft."))
    submit = SubmitField(_l("Opslaan"))


class ExemptionForm(BaseForm):
    article = SelectField(_l("Wetsartikel"), choices=[(k, v[0]) for k, v in
                                                      EXEMPTION_ARTICLES.items()],
                          validate_choice=True)
    obligations = MultiCheckboxField(_l("Geldt voor de verplichtingen"),
                                     choices=[(k, v) for k, v in OBLIGATIONS.items()])
    starts_on = DateField(_l("Ingangsdatum"), validators=[
        DataRequired(message=_l("Vul de ingangsdatum in."))])
    ends_on = DateField(_l("Einddatum"), validators=[Optional()])
    review_on = DateField(_l("Herbeoordeling op"), validators=[Optional()])
    decided_by = StringField(_l("Besloten door (gemeente / consulent)"),
                             validators=[Optional(), _len(150)])
    submit = SubmitField(_l("Ontheffing vastleggen"))


class ConsentForm(BaseForm):
    kind = SelectField(_l("Toestemming voor"), choices=[(k, v) for k, v in CONSENT_KINDS.items()],
                       validate_choice=True)
    recipient = StringField(_l("Met wie (bijvoorbeeld: gemeente Breda)"),
                            validators=[Optional(), _len(150)])
    given_on = DateField(_l("Gegeven op"), validators=[
        DataRequired(message=_l("Vul de datum in."))])
    submit = SubmitField(_l("Toestemming vastleggen"))


class WithdrawForm(BaseForm):
    withdrawn_on = DateField(_l("Ingetrokken op"), validators=[
        DataRequired(message=_l("Vul de datum in."))])
    submit = SubmitField(_l("Intrekken"))


class LinkAccountForm(BaseForm):
    user = SelectField(_l("Account van de deelnemer"), choices=[], validate_choice=True)
    submit = SubmitField(_l("Koppelen"))
