"""Forms for hours: logging (own or for someone), review, correction, settings, filters.

The hours field is text: people type "2,5" or "2:30"; the service parses it. Trajectory and
help request choices are filled per request; their ids are checked by the service (another
person's trajectory answers 404), not by WTForms.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from blueprints.hours.formats import type_choices
from tenants.formfields import SelectField
from tenants.forms import BaseForm
from tenants.idempotency import IdempotencyKeyField


def _len(n: int):
    return Length(max=n, message=_l("Hoogstens %(n)s tekens.", n=n))


HOURS_HINT = _l("Bijvoorbeeld 2,5 of 2:30")


class EntryForm(BaseForm):
    work_date = DateField(_l("Datum"), validators=[DataRequired(message=_l("Vul de datum in."))])
    hours = StringField(_l("Uren"), validators=[
        DataRequired(message=_l("Vul het aantal uren in, bijvoorbeeld 2,5 of 2:30.")), _len(12)],
        description=HOURS_HINT,
        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    trajectory = SelectField(_l("Traject"), choices=[], validate_choice=False)
    hour_type = SelectField(_l("Soort uren"), choices=[], validate_choice=True)
    help_request = SelectField(_l("Hulpvraag (optioneel)"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Notitie (optioneel)"), validators=[Optional(), _len(1000)])
    version = HiddenField()
    #: a new entry is stored once, however often the form is sent
    idempotency_key = IdempotencyKeyField()
    submit = SubmitField(_l("Uren schrijven"))

    def fill_types(self, on=None) -> None:
        self.hour_type.choices = [("", _l("Wat past bij het traject"))] + type_choices(on)


class StaffEntryForm(EntryForm):
    approve = BooleanField(_l("Direct goedkeuren"))


class ApproveForm(BaseForm):
    """Bulk approval: the entries come as `entry` values with a `version-<id>` each."""

    submit = SubmitField(_l("Geselecteerde uren goedkeuren"))


class ReturnForm(BaseForm):
    reason = TextAreaField(_l("Reden voor de deelnemer"), validators=[
        DataRequired(message=_l("Schrijf waarom u de uren terugstuurt.")), _len(500)])
    version = HiddenField()
    submit = SubmitField(_l("Terugsturen"))


class WithdrawForm(BaseForm):
    version = HiddenField()
    submit = SubmitField(_l("Intrekken"))


class CorrectionForm(BaseForm):
    hours = StringField(_l("Juiste aantal uren"), validators=[
        DataRequired(message=_l("Vul het juiste aantal uren in (0 mag).")), _len(12)],
        description=_l("Wat het had moeten zijn, bijvoorbeeld 6 of 5:30. 0 haalt de uren weg."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    reason = TextAreaField(_l("Reden van de correctie"), validators=[
        DataRequired(message=_l("Schrijf waarom de uren worden gecorrigeerd.")), _len(1000)])
    submit = SubmitField(_l("Correctie indienen"))


class WeekForm(BaseForm):
    """The week grid: the cells are read from the request by name (u-<trajectory>-<date>)."""

    approve = BooleanField(_l("Direct goedkeuren"))
    submit = SubmitField(_l("Weekstaat opslaan"))


class SettingsForm(BaseForm):
    hours_need_approval = BooleanField(_l("Uren die deelnemers zelf schrijven, moeten worden "
                                          "goedgekeurd"))
    allowance = StringField(_l("Vrijwilligersvergoeding per uur (€)"),
                            validators=[Optional(), _len(10)],
                            description=_l("Leeg laten als de coöperatie geen "
                                           "vrijwilligersvergoeding betaalt. Bijvoorbeeld 2,50."),
                            render_kw={"inputmode": "decimal"})
    submit = SubmitField(_l("Opslaan"))


class ReviewFilterForm(BaseForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    begeleider = SelectField(_l("Begeleider"), choices=[], validate_choice=False)
    van = DateField(_l("Van"), validators=[Optional()])
    tot = DateField(_l("Tot en met"), validators=[Optional()])


class PeriodForm(BaseForm):
    class Meta:
        csrf = False

    van = DateField(_l("Van"), validators=[Optional()])
    tot = DateField(_l("Tot en met"), validators=[Optional()])
