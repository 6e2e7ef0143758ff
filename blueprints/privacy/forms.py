"""Forms for the privacy pages: export, erasure confirmation, retention setting."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SubmitField
from wtforms.validators import DataRequired, NumberRange, Optional

from blueprints.privacy.services import RETENTION_MAX_YEARS, RETENTION_MIN_YEARS
from tenants.forms import BaseForm


class ExportForm(BaseForm):
    submit = SubmitField(_l("Gegevens downloaden (ZIP)"))


class EraseForm(BaseForm):
    confirm = BooleanField(
        _l("Ik begrijp dat dit niet ongedaan kan worden"),
        validators=[DataRequired(message=_l(
            "Vink aan dat u begrijpt dat anonimiseren niet ongedaan kan worden."))])
    submit = SubmitField(_l("Gegevens definitief anonimiseren"))


class RetentionForm(BaseForm):
    years = IntegerField(
        _l("Bewaartermijn in jaren"),
        description=_l("Hoeveel jaar na het einde van het laatste traject Wijkwerk voorstelt de "
                       "gegevens te anonimiseren. Laat leeg om geen voorstellen te krijgen."),
        validators=[Optional(), NumberRange(
            min=RETENTION_MIN_YEARS, max=RETENTION_MAX_YEARS,
            message=_l("Kies een bewaartermijn van 1 tot en met 30 jaar, of laat het veld leeg."))],
        render_kw={"inputmode": "numeric", "min": RETENTION_MIN_YEARS,
                   "max": RETENTION_MAX_YEARS})
    submit = SubmitField(_l("Bewaartermijn opslaan"))
