"""Forms for managing the team."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from tenants.formfields import SelectField
from tenants.forms import BaseForm

ROLE_CHOICES = [
    ("admin", _l("Beheerder")),
    ("supervisor", _l("Begeleider / jobcoach")),
    ("participant", _l("Deelnemer")),
    ("bestuur", _l("Bestuur (alleen rapportage, niets persoonlijks)")),
]


class InviteForm(BaseForm):
    email = StringField(_l("E-mailadres"), validators=[
        DataRequired(message=_l("Vul een e-mailadres in.")),
        Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens.")),
        Email(message=_l("Vul een geldig e-mailadres in, zoals naam@example.org."),
              check_deliverability=False),
    ], render_kw={"inputmode": "email", "autocomplete": "off"})
    role = SelectField(_l("Rol"), choices=ROLE_CHOICES, default="supervisor",
                       validate_choice=True)
    submit = SubmitField(_l("Uitnodiging versturen"))


class RoleForm(BaseForm):
    role = SelectField(_l("Rol"), choices=ROLE_CHOICES, validate_choice=True)
    submit = SubmitField(_l("Rol wijzigen"))


class ConfirmForm(BaseForm):
    submit = SubmitField(_l("Bevestigen"))
