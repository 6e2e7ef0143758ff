"""Forms of the network's pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    PasswordField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional

from tenants.formfields import SelectField
from tenants.forms import BaseForm

ROLE_CHOICES = [("member", _l("Lid")), ("admin", _l("Netwerkbeheerder"))]

_EMAIL = [
    DataRequired(message=_l("Vul een e-mailadres in.")),
    Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens.")),
    Email(message=_l("Vul een geldig e-mailadres in, zoals naam@example.org."),
          check_deliverability=False),
]


class InviteForm(BaseForm):
    email = StringField(_l("E-mailadres"), validators=_EMAIL,
                        render_kw={"inputmode": "email", "autocomplete": "off"})
    organisation = StringField(_l("Organisatie"), validators=[Optional(), Length(max=150)])
    role = SelectField(_l("Rol"), choices=ROLE_CHOICES, default="member", validate_choice=True)
    submit = SubmitField(_l("Uitnodiging versturen"))


class MunicipalityForm(BaseForm):
    cbs_code = StringField(_l("CBS-code van de gemeente"), validators=[
        DataRequired(message=_l("Vul de viercijferige CBS-code in, zoals 0758.")),
        Length(min=4, max=4, message=_l("Vul de viercijferige CBS-code in, zoals 0758."))],
        render_kw={"inputmode": "numeric"})
    submit = SubmitField(_l("Gemeente toevoegen"))


class ConfirmForm(BaseForm):
    submit = SubmitField(_l("Bevestigen"))


class MeetingForm(BaseForm):
    title = StringField(_l("Titel"), validators=[
        DataRequired(message=_l("Geef een titel.")), Length(max=150)])
    day = DateField(_l("Datum"), validators=[DataRequired(message=_l("Kies een datum."))])
    starts_at = TimeField(_l("Begintijd"), validators=[
        DataRequired(message=_l("Vul een begintijd in, zoals 13:00."))])
    ends_at = TimeField(_l("Eindtijd"), validators=[
        DataRequired(message=_l("Vul een eindtijd in, zoals 17:00."))])
    place = StringField(_l("Plaats en adres"), validators=[
        DataRequired(message=_l("Geef de plaats.")), Length(max=200)])
    description = TextAreaField(_l("Beschrijving"), validators=[Optional(), Length(max=5000)])
    capacity = IntegerField(_l("Aantal plaatsen"), validators=[
        DataRequired(message=_l("Vul het aantal plaatsen in.")),
        NumberRange(min=1, max=10_000, message=_l("Het aantal plaatsen is 1 tot 10.000."))])
    registration_deadline = DateField(_l("Aanmelden kan tot en met"), validators=[
        DataRequired(message=_l("Kies de laatste dag waarop aanmelden kan."))])
    offer_hours = IntegerField(
        _l("Uren dat een vrijgekomen plaats aangeboden blijft"), default=48,
        validators=[DataRequired(message=_l("Vul een aantal uren in.")),
                    NumberRange(min=1, max=336,
                                message=_l("Een vrijgekomen plaats blijft 1 uur tot 14 dagen "
                                           "aangeboden."))])
    submit = SubmitField(_l("Bijeenkomst publiceren"))


class SessionForm(BaseForm):
    starts_at = TimeField(_l("Begint om"), validators=[
        DataRequired(message=_l("Vul een begintijd in, zoals 13:00."))])
    ends_at = TimeField(_l("Eindigt om"), validators=[Optional()])
    title = StringField(_l("Onderdeel"), validators=[
        DataRequired(message=_l("Geef de titel van het programmaonderdeel.")), Length(max=200)])
    room = StringField(_l("Zaal"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Toevoegen aan het programma"))


class CapacityForm(BaseForm):
    capacity = IntegerField(_l("Aantal plaatsen"), validators=[
        DataRequired(message=_l("Vul het aantal plaatsen in.")),
        NumberRange(min=1, max=10_000, message=_l("Het aantal plaatsen is 1 tot 10.000."))])
    submit = SubmitField(_l("Aantal plaatsen opslaan"))


#: colleagues a member can register at once, besides themselves
COLLEAGUES = 3


class RegisterForm(BaseForm):
    """Register yourself (and colleagues). Prefilled from the account: two taps on a phone."""
    name = StringField(_l("Uw naam"), validators=[
        DataRequired(message=_l("Geef uw naam.")), Length(max=120)],
        render_kw={"autocomplete": "name"})
    email = StringField(_l("Uw e-mailadres"), validators=_EMAIL,
                        render_kw={"inputmode": "email", "autocomplete": "email"})
    organisation = StringField(_l("Organisatie"), validators=[Optional(), Length(max=150)],
                               render_kw={"autocomplete": "organization"})
    dietary = StringField(_l("Dieetwensen"), validators=[Optional(), Length(max=300)],
                          description=_l("Bijvoorbeeld vegetarisch, halal, geen noten."))
    accessibility = StringField(
        _l("Toegankelijkheid"), validators=[Optional(), Length(max=300)],
        description=_l("Bijvoorbeeld een rolstoelplek, ringleiding of een tolk."))
    colleague_1_name = StringField(_l("Naam collega 1"), validators=[Optional(), Length(max=120)])
    colleague_1_email = StringField(_l("E-mailadres collega 1"),
                                    validators=[Optional(), Length(max=254)],
                                    render_kw={"inputmode": "email"})
    colleague_2_name = StringField(_l("Naam collega 2"), validators=[Optional(), Length(max=120)])
    colleague_2_email = StringField(_l("E-mailadres collega 2"),
                                    validators=[Optional(), Length(max=254)],
                                    render_kw={"inputmode": "email"})
    colleague_3_name = StringField(_l("Naam collega 3"), validators=[Optional(), Length(max=120)])
    colleague_3_email = StringField(_l("E-mailadres collega 3"),
                                    validators=[Optional(), Length(max=254)],
                                    render_kw={"inputmode": "email"})
    submit = SubmitField(_l("Aanmelden"))

    def colleagues(self) -> list[tuple[str, str]]:
        out = []
        for i in range(1, COLLEAGUES + 1):
            name = (getattr(self, f"colleague_{i}_name").data or "").strip()
            email = (getattr(self, f"colleague_{i}_email").data or "").strip()
            if name or email:
                out.append((name, email))
        return out


class AccountForm(BaseForm):
    """A new account for an invited address (the invitation proves the address)."""
    name = StringField(_l("Uw naam"), validators=[
        DataRequired(message=_l("Vul uw naam in.")), Length(max=120)],
        render_kw={"autocomplete": "name"})
    password = PasswordField(_l("Wachtwoord"), validators=[
        DataRequired(message=_l("Kies een wachtwoord.")), Length(max=128)],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Herhaal het wachtwoord"), validators=[
        EqualTo("password", message=_l("De twee wachtwoorden zijn niet gelijk."))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Account maken en lid worden"))
