"""Forms for managing the team."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from tenants.formfields import SelectField

ROLE_CHOICES = [
    ("admin", _l("Beheerder")),
    ("supervisor", _l("Begeleider / jobcoach")),
    ("participant", _l("Deelnemer")),
]


class InviteForm(FlaskForm):
    email = StringField(_l("E-mailadres"), validators=[
        DataRequired(message=_l("Vul een e-mailadres in.")),
        Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens.")),
        Email(message=_l("Vul een geldig e-mailadres in, zoals naam@example.org."),
              check_deliverability=False),
    ], render_kw={"inputmode": "email", "autocomplete": "off"})
    role = SelectField(_l("Rol"), choices=ROLE_CHOICES, default="supervisor",
                       validate_choice=True)
    submit = SubmitField(_l("Uitnodiging versturen"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Rol"), choices=ROLE_CHOICES, validate_choice=True)
    submit = SubmitField(_l("Rol wijzigen"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Bevestigen"))
