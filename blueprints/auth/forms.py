"""Forms of the account pages. Every form carries a CSRF token (Flask-WTF)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from tenants.forms import BaseForm

EMAIL = [
    DataRequired(message=_l("Vul uw e-mailadres in.")),
    Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens.")),
    Email(message=_l("Vul een geldig e-mailadres in, zoals naam@example.org."),
          check_deliverability=False),
]
NEW_PASSWORD = [
    DataRequired(message=_l("Kies een wachtwoord.")),
    Length(max=128, message=_l("Een wachtwoord mag hoogstens %(n)s tekens lang zijn.", n=128)),
]


class LoginForm(BaseForm):
    email = StringField(_l("E-mailadres"), validators=EMAIL,
                        render_kw={"autocomplete": "username", "inputmode": "email"})
    password = PasswordField(_l("Wachtwoord"), validators=[
        DataRequired(message=_l("Vul uw wachtwoord in.")),
        Length(max=128, message=_l("Een wachtwoord mag hoogstens %(n)s tekens lang zijn.", n=128)),
    ], render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Inloggen"))


class CodeForm(BaseForm):
    code = StringField(_l("Code"), validators=[
        DataRequired(message=_l("Vul de code in.")),
        Length(max=20, message=_l("Een code is 6 cijfers, of een herstelcode zoals abcd-efgh.")),
    ], render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
    submit = SubmitField(_l("Bevestigen"))


class ForgotPasswordForm(BaseForm):
    email = StringField(_l("E-mailadres"), validators=EMAIL,
                        render_kw={"autocomplete": "email", "inputmode": "email"})
    submit = SubmitField(_l("Stuur mij een link"))


class NewPasswordForm(BaseForm):
    password = PasswordField(_l("Nieuw wachtwoord"), validators=NEW_PASSWORD,
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Herhaal het nieuwe wachtwoord"), validators=[
        EqualTo("password", message=_l("De twee wachtwoorden zijn niet gelijk.")),
    ], render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Wachtwoord opslaan"))


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Huidig wachtwoord"), validators=[
        DataRequired(message=_l("Vul uw huidige wachtwoord in.")),
        Length(max=128, message=_l("Een wachtwoord mag hoogstens %(n)s tekens lang zijn.", n=128)),
    ], render_kw={"autocomplete": "current-password"})


class ReauthForm(BaseForm):
    """Confirm who you are before changing a factor: the password, and the code where two-factor
    is on (the view asks for it then)."""

    password = PasswordField(_l("Wachtwoord"), validators=[
        DataRequired(message=_l("Vul uw wachtwoord in.")),
        Length(max=128, message=_l("Een wachtwoord mag hoogstens %(n)s tekens lang zijn.", n=128)),
    ], render_kw={"autocomplete": "current-password"})
    code = StringField(_l("Code uit uw app (of een herstelcode)"), validators=[
        Length(max=20, message=_l("Een code is 6 cijfers, of een herstelcode zoals abcd-efgh.")),
    ], render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
    submit = SubmitField(_l("Bevestigen"))


class AcceptInvitationForm(NewPasswordForm):
    name = StringField(_l("Uw naam"), validators=[
        DataRequired(message=_l("Vul uw naam in.")),
        Length(max=120, message=_l("Een naam is hoogstens 120 tekens.")),
    ], render_kw={"autocomplete": "name"})
    submit = SubmitField(_l("Account maken en lid worden"))


class NameForm(BaseForm):
    name = StringField(_l("Naam"), validators=[
        DataRequired(message=_l("Vul uw naam in.")),
        Length(max=120, message=_l("Een naam is hoogstens 120 tekens.")),
    ], render_kw={"autocomplete": "name"})
    submit = SubmitField(_l("Naam opslaan"))


class ConfirmForm(BaseForm):
    """A button that changes something: only the CSRF token."""

    submit = SubmitField(_l("Bevestigen"))
