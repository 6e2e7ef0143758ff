"""Forms of the municipality's client pages and of the ground for sharing."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints.municipality.sharing import GROUND_LABELS, PARTS
from blueprints.municipality.tokens import NAME_MAX
from tenants.formfields import SelectField, SelectMultipleField
from tenants.forms import BaseForm
from tenants.municipal import ROLE_LABELS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ShareForm(BaseForm):
    ground = SelectField(_l("Grondslag"), choices=[(k.value, v) for k, v in GROUND_LABELS.items()],
                         validate_choice=True)
    reference = StringField(_l("Kenmerk (zaaknummer van de opdracht, of waar het getekende "
                               "formulier ligt)"),
                            validators=[Optional(), Length(max=60, message=_l(
                                "Hoogstens %(n)s tekens.", n=60))])
    scope = MultiCheckboxField(_l("Wat de gemeente ziet"), choices=list(PARTS.items()),
                               default=list(PARTS))
    starts_on = DateField(_l("Ingangsdatum"), validators=[
        DataRequired(message=_l("Vul de ingangsdatum in."))])
    ends_on = DateField(_l("Einddatum"), validators=[
        DataRequired(message=_l("Vul de einddatum in."))])
    submit = SubmitField(_l("Delen met de gemeente vastleggen"))


class EndShareForm(BaseForm):
    submit = SubmitField(_l("Beëindigen"))


class InviteOfficerForm(BaseForm):
    email = StringField(_l("E-mailadres"), validators=[
        DataRequired(message=_l("Vul het e-mailadres in.")),
        Length(max=254, message=_l("Een e-mailadres is hoogstens 254 tekens.")),
        Email(message=_l("Vul een geldig e-mailadres in, zoals naam@example.org."),
              check_deliverability=False),
    ])
    role = SelectField(_l("Rol"), choices=[(k.value, v) for k, v in ROLE_LABELS.items()],
                       validate_choice=True)
    submit = SubmitField(_l("Uitnodigen"))


class RevokeForm(BaseForm):
    submit = SubmitField(_l("Intrekken"))


class MunicipalTokenForm(BaseForm):
    name = StringField(_l("Naam van de sleutel"), validators=[
        DataRequired(message=_l("Geef de sleutel een naam, zodat u hem later herkent.")),
        Length(max=NAME_MAX, message=_l("Hoogstens %(n)s tekens.", n=NAME_MAX)),
    ], description=_l("Bijvoorbeeld de naam van het programma dat de sleutel gebruikt."),
        render_kw={"autocomplete": "off"})
    lifetime = SelectField(_l("Geldig"), default="365", validate_choice=True, choices=[
        ("30", _l("30 dagen")), ("90", _l("90 dagen")), ("365", _l("1 jaar")),
        ("", _l("Tot intrekken"))])
    submit = SubmitField(_l("Sleutel maken"))
