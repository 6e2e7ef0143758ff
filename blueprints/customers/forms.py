"""Forms for customers and their rates. The forms check length and shape; the
rules (identifiers, amounts, balances) are in services.py."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from blueprints.customers.services import (
    KIND_LABELS,
    MAX_PAYMENT_TERM_DAYS,
    PROFILE_LABELS,
    RATE_UNITS,
    VAT_LABELS,
)
from tenants.formfields import SelectField
from tenants.forms import BaseForm
from tenants.jobkinds import JOB_KIND_LABELS


def _len(n: int):
    return Length(max=n, message=_l("Hoogstens %(n)s tekens.", n=n))


KINDS = [(k.value, v) for k, v in KIND_LABELS.items()]
VAT_CHOICES = [("", _l("Standaard van de organisatie"))] + list(VAT_LABELS.items())
UBL_CHOICES = {"": None, "ja": True, "nee": False}


class CustomerForm(BaseForm):
    kind = SelectField(_l("Soort klant"), choices=KINDS, validate_choice=True)
    name = StringField(_l("Naam"), validators=[
        DataRequired(message=_l("Vul de naam van de klant in.")), _len(150)],
        description=_l("Zoals op de factuur moet staan, bijvoorbeeld Gemeente Lelystad of "
                       "mevrouw A. Peters."))
    contact_name = StringField(_l("Contactpersoon"), validators=[Optional(), _len(120)])
    email = StringField(_l("E-mailadres voor facturen"), validators=[Optional(), _len(254)],
                        render_kw={"inputmode": "email", "autocomplete": "off"})
    phone = StringField(_l("Telefoonnummer"), validators=[Optional(), _len(30)],
                        render_kw={"inputmode": "tel"})
    street = StringField(_l("Straat en huisnummer"), validators=[Optional(), _len(150)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), _len(10)])
    city = StringField(_l("Plaats"), validators=[Optional(), _len(80)])
    country_code = StringField(_l("Land (code)"), default="NL",
                               validators=[Optional(), _len(2)],
                               description=_l("Twee letters, bijvoorbeeld NL of BE."))
    kvk_number = StringField(_l("KvK-nummer"), validators=[Optional(), _len(12)],
                             render_kw={"inputmode": "numeric"},
                             description=_l("8 cijfers."))
    oin = StringField(_l("OIN (overheidsidentificatienummer)"),
                      validators=[Optional(), _len(24)], render_kw={"inputmode": "numeric"},
                      description=_l("20 cijfers. Een gemeente heeft een OIN of KvK-nummer "
                                     "nodig."))
    vat_id = StringField(_l("Btw-identificatienummer"), validators=[Optional(), _len(20)],
                         description=_l("Bijvoorbeeld NL123456789B01."))
    buyer_reference = StringField(
        _l("Referentie van de klant (inkoopordernummer)"), validators=[Optional(), _len(100)],
        description=_l("Veel gemeenten eisen deze referentie op elke factuur."))
    hourly_rate = StringField(_l("Uurtarief in euro's"), validators=[Optional(), _len(20)],
                              render_kw={"inputmode": "decimal"},
                              description=_l("Leeg: het uurtarief van de organisatie. "
                                             "Bijvoorbeeld 32,50."))
    default_vat_rate = SelectField(_l("Btw-tarief"), choices=VAT_CHOICES, validate_choice=True)
    payment_term_days = IntegerField(
        _l("Betaaltermijn in dagen"), validators=[Optional(), NumberRange(
            min=0, max=MAX_PAYMENT_TERM_DAYS,
            message=_l("Een betaaltermijn is 0 tot en met %(n)s dagen.",
                       n=MAX_PAYMENT_TERM_DAYS))],
        render_kw={"inputmode": "numeric"},
        description=_l("Leeg: de betaaltermijn van de organisatie."))
    wants_ubl = SelectField(_l("E-factuur (UBL) meesturen"), choices=[
        ("", _l("Standaard (bij een gemeente: ja)")), ("ja", _l("Ja")), ("nee", _l("Nee"))],
        validate_choice=True,
        description=_l("Overheden ontvangen facturen als e-factuur (UBL)."))
    einvoice_profile = SelectField(_l("Profiel van de e-factuur"), choices=[
        ("", _l("Standaard (bij een gemeente SI-UBL 2.0, anders Peppol)"))]
        + list(PROFILE_LABELS.items()), validate_choice=False,
        description=_l("SI-UBL 2.0 voor een Nederlandse overheid, Peppol BIS Billing 3.0 voor "
                       "andere ontvangers via Peppol. Eén bestand kan niet beide zijn."))
    notes = TextAreaField(_l("Notities"), validators=[Optional(), _len(2000)])
    submit = SubmitField(_l("Opslaan"))


class CustomerFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Zoeken op naam, plaats, e-mail of KvK-nummer"),
                    validators=[Optional(), _len(100)])
    soort = SelectField(_l("Soort klant"), choices=[("", _l("Alle soorten"))] + KINDS,
                        validators=[Optional()], validate_choice=False)
    archief = BooleanField(_l("Ook gearchiveerde klanten"))


class RateForm(BaseForm):
    job_kind = SelectField(_l("Waarvoor"), choices=[("", _l("Iets anders (omschrijving)"))] + [
        (k.value, v) for k, v in JOB_KIND_LABELS.items()], validate_choice=True,
        description=_l("Een soort klus (dan geldt het tarief voor hulpvragen van die soort), "
                       "of iets anders met een eigen omschrijving."))
    description = StringField(_l("Omschrijving"), validators=[Optional(), _len(150)],
                              description=_l("Alleen bij iets anders, bijvoorbeeld "
                                             "Schoonmaak portiek."))
    unit = SelectField(_l("Eenheid"), choices=list(RATE_UNITS.items()), validate_choice=True)
    price = StringField(_l("Prijs in euro's"), validators=[
        DataRequired(message=_l("Vul de prijs in euro's in, bijvoorbeeld 25,00.")), _len(20)],
        render_kw={"inputmode": "decimal"})
    vat_rate = SelectField(_l("Btw-tarief"), choices=[("", _l("Standaard van de klant"))]
                           + list(VAT_LABELS.items()), validate_choice=True)
    submit = SubmitField(_l("Tarief toevoegen"))


def customer_search_field() -> StringField:
    """The text field of a customer picker above CUSTOMER_SELECT_LIMIT customers (a GET search
    form of its own, or a field of a larger POST form such as the help request's)."""
    return StringField(_l("Klant zoeken"), validators=[Optional(), _len(100)],
                       description=_l("Typ een deel van de naam en kies dan de klant."))


class CustomerSearchForm(BaseForm):
    """The customer picker when a tenant has too many customers for a select: a GET search."""
    class Meta:
        csrf = False  # a GET search form changes nothing

    klant_zoek = customer_search_field()
