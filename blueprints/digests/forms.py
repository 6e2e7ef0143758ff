"""The digest's forms: a member's choice of kinds, and the reminders sent in one go."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tenants.formfields import SelectMultipleField
from tenants.forms import BaseForm


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ChoicesForm(BaseForm):
    kinds = MultiCheckboxField(_l("Wat wilt u in de dagelijkse e-mail?"),
                               validators=[Optional()])
    submit = SubmitField(_l("Opslaan"))


class ConfirmForm(BaseForm):
    submit = SubmitField(_l("Herinneringen versturen"))
