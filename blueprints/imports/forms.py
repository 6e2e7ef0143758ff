"""Forms for importing and exporting: the upload, the confirmation, the export filter."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from blueprints.participants.models import ParticipantStatus
from blueprints.participants.services import TARGET_GROUPS, ParticipantFilter
from blueprints.trajectories.services import KIND_LABELS
from tenants import inputs
from tenants.formfields import SelectField
from tenants.forms import BaseForm

KIND_CHOICES = [("deelnemers", _l("Deelnemers")), ("inzetorganisaties", _l("Inzetorganisaties"))]
STATUS_LABELS = {
    ParticipantStatus.INTAKE: _l("Intake"), ParticipantStatus.ACTIVE: _l("Actief"),
    ParticipantStatus.PAUSED: _l("Gepauzeerd"), ParticipantStatus.ENDED: _l("Afgerond"),
}


class UploadForm(BaseForm):
    kind = SelectField(_l("Wat wilt u importeren?"), choices=KIND_CHOICES, default="deelnemers",
                       validators=[DataRequired(message=_l("Kies wat u wilt importeren."))])
    file = FileField(
        _l("Bestand (CSV of Excel)"),
        description=_l("Een .csv- of .xlsx-bestand van hoogstens 10 MB en 5.000 rijen. De eerste "
                       "regel bevat de kolomnamen."),
        validators=[FileRequired(message=_l("Kies een bestand om te importeren."))],
        render_kw={"accept": ".csv,.xlsx,text/csv,"
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    submit = SubmitField(_l("Bestand controleren"))


class ConfirmForm(BaseForm):
    """Import the next rows; `vanaf` is where the page thought the import was (no repeats)."""

    vanaf = HiddenField()
    submit = SubmitField(_l("Importeren"))

    def start(self) -> int | None:
        return inputs.to_int(self.vanaf.data, min_value=0)


class CancelForm(BaseForm):
    submit = SubmitField(_l("Annuleren"))


def _int_or_none(value):
    return inputs.to_id(value)


class ExportFilterForm(BaseForm):
    """The participant list's filter, read from the query string (a GET form: no CSRF).

    The parameter names are the list's: q, status, wijk, begeleider, doelgroep, soort.
    A value that is not one of the choices is ignored rather than refused.
    """

    class Meta:
        csrf = False

    q = StringField(_l("Zoeken op naam of e-mailadres"), validators=[
        Length(max=100, message=_l("Hoogstens %(n)s tekens.", n=100))])
    status = SelectField(_l("Status"), validate_choice=False, choices=[
        ("", _l("Alle (behalve geanonimiseerd)"))] + [(s.value, label)
                                                      for s, label in STATUS_LABELS.items()])
    wijk = SelectField(_l("Wijk"), validate_choice=False, coerce=_int_or_none)
    begeleider = SelectField(_l("Begeleider"), validate_choice=False, coerce=_int_or_none)
    doelgroep = SelectField(_l("Doelgroep"), validate_choice=False, choices=[
        ("", _l("Alle doelgroepen"))] + list(TARGET_GROUPS.items()))
    soort = SelectField(_l("Soort traject"), validate_choice=False, choices=[
        ("", _l("Alle soorten"))] + [(k.value, label) for k, label in KIND_LABELS.items()])

    def __init__(self, args, neighbourhoods=(), staff=(), **kw):
        super().__init__(formdata=args, **kw)
        self.wijk.choices = [("", _l("Alle wijken"))] + [(n.id, n.name) for n in neighbourhoods]
        self.begeleider.choices = [("", _l("Alle begeleiders"))] + [(u.id, u.name)
                                                                    for u in staff]

    def to_filter(self) -> ParticipantFilter:
        def known(field):
            values = {choice.value for choice in field.choices}
            return field.data if field.data and field.data in values else None

        statuses = {s.value for s in ParticipantStatus}
        return ParticipantFilter(
            q=(inputs.clean_text(self.q.data, 1000) or "")[:100] or None,
            status=self.status.data if self.status.data in statuses else None,
            neighbourhood_id=self.wijk.data,
            supervisor_id=self.begeleider.data,
            target_group=known(self.doelgroep),
            trajectory_kind=known(self.soort),
        )
