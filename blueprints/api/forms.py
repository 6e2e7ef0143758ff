"""Forms of the API-token page. Every form carries a CSRF token (Flask-WTF)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from blueprints.api.services import LIFETIME_DAYS, NAME_MAX
from tenants.formfields import SelectField
from tenants.forms import BaseForm


class CreateTokenForm(BaseForm):
    name = StringField(_l("Naam van de sleutel"), validators=[
        DataRequired(message=_l("Geef de sleutel een naam, zodat u hem later herkent.")),
        Length(max=NAME_MAX, message=_l("Hoogstens %(n)s tekens.", n=NAME_MAX)),
    ], description=_l("Bijvoorbeeld de naam van het programma dat de sleutel gebruikt."),
        render_kw={"autocomplete": "off"})
    # Choices are the user's own admin and supervisor memberships (set by the view). Any
    # other value is refused by the service: 404 for a stranger's tenant, 403 for a
    # participant membership.
    tenant = SelectField(_l("Organisatie"), validate_choice=False, validators=[
        DataRequired(message=_l("Kies een organisatie."))])
    lifetime = SelectField(_l("Geldig"), default=str(LIFETIME_DAYS[-1]), choices=[
        ("30", _l("30 dagen")), ("90", _l("90 dagen")), ("365", _l("1 jaar"))])
    submit = SubmitField(_l("Sleutel maken"))


class RevokeTokenForm(BaseForm):
    submit = SubmitField(_l("Intrekken"))
