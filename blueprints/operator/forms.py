"""Operator forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from tenants.formfields import SelectField
from tenants.forms import BaseForm
from tenants.suppression import MAX_THRESHOLD, PLATFORM_THRESHOLD

KIND_CHOICES = [
    ("bewonersinitiatief", _l("Bewonersinitiatief / bewonerscoöperatie")),
    ("leerwerkbedrijf", _l("Leerwerkbedrijf")),
    ("gemeentelijk_project", _l("Gemeentelijk project")),
]


class TenantForm(BaseForm):
    name = StringField(_l("Naam van de organisatie"), validators=[
        DataRequired(message=_l("Vul de naam in.")),
        Length(max=150, message=_l("Een naam is hoogstens 150 tekens.")),
    ])
    slug = StringField(_l("Korte naam in het webadres"), validators=[
        DataRequired(message=_l("Vul een korte naam in, bijvoorbeeld ons-breda.")),
        Length(max=50, message=_l("Een korte naam is hoogstens 50 tekens.")),
    ], description=_l("Kleine letters, cijfers en streepjes, bijvoorbeeld ons-breda."))
    kind = SelectField(_l("Soort"), choices=KIND_CHOICES, validate_choice=True)
    municipality = SelectField(_l("Gemeente"), choices=[], validate_choice=True)
    admin_email = StringField(_l("E-mailadres van de eerste beheerder"), validators=[
        DataRequired(message=_l("Vul het e-mailadres van de beheerder in.")),
        Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens.")),
        Email(message=_l("Vul een geldig e-mailadres in, zoals naam@example.org."),
              check_deliverability=False),
    ])
    submit = SubmitField(_l("Organisatie aanmaken"))


MUNICIPAL_ROLE_CHOICES = [
    ("consulent", _l("Consulent (totalen en voortgang van eigen cliënten)")),
    ("beleid", _l("Beleid (alleen totalen)")),
]


class MunicipalityForm(BaseForm):
    cbs_code = StringField(_l("CBS-gemeentecode"), validators=[
        DataRequired(message=_l("Vul de gemeentecode in, bijvoorbeeld 0758.")),
        Length(min=4, max=4, message=_l("Een gemeentecode bestaat uit vier cijfers.")),
    ], description=_l("Vier cijfers, bijvoorbeeld 0758 voor Breda."))
    name = StringField(_l("Naam van de gemeente"), validators=[
        DataRequired(message=_l("Vul de naam in.")),
        Length(max=100, message=_l("Een naam is hoogstens 100 tekens.")),
    ])
    officer_email = StringField(_l("E-mailadres van de eerste medewerker"), validators=[
        DataRequired(message=_l("Vul het e-mailadres van de medewerker in.")),
        Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens.")),
        Email(message=_l("Vul een geldig e-mailadres in, zoals naam@example.org."),
              check_deliverability=False),
    ])
    role = SelectField(_l("Rol"), choices=MUNICIPAL_ROLE_CHOICES, validate_choice=True)
    submit = SubmitField(_l("Gemeente aanmaken"))


class PlanForm(BaseForm):
    """The operator assigns a plan, a pilot (the largest plan's room until a day) or a
    discount (a Stripe coupon id used when the tenant subscribes)."""

    plan = SelectField(_l("Abonnement"), choices=[], validate_choice=True)
    pilot_until = DateField(_l("Pilot tot en met"), validators=[Optional()],
                            description=_l("Leeg: geen pilot."))
    coupon = StringField(_l("Korting (Stripe-couponcode)"), validators=[
        Optional(), Length(max=60, message=_l("Een couponcode is hoogstens 60 tekens.")),
        Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Een couponcode bestaat uit letters, cijfers, "
                                               "_ en -."))])
    submit = SubmitField(_l("Opslaan"))


class ThresholdForm(BaseForm):
    """A municipality's suppression threshold; the service checks the range (5 to 10)."""

    threshold = StringField(_l("Drempel (kleinste groep personen)"), validators=[
        DataRequired(message=_l("Vul een drempel in.")),
        Length(max=2, message=_l("Kies als drempel een heel getal van %(low)s tot en met "
                                 "%(high)s personen.", low=PLATFORM_THRESHOLD,
                                 high=MAX_THRESHOLD))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    submit = SubmitField(_l("Drempel opslaan"))
