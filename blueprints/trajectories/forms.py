"""Forms for trajectories, their status, goals, evaluations, outcome and agreement."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from blueprints.trajectories.services import FUNDING_LABELS, KIND_LABELS, LADDER, OUTCOME_LABELS
from tenants.formfields import SelectField
from tenants.forms import BaseForm


def _len(n: int):
    return Length(max=n, message=_l("Hoogstens %(n)s tekens.", n=n))


class TrajectoryForm(BaseForm):
    kind = SelectField(_l("Soort traject"), choices=[(k.value, v) for k, v in KIND_LABELS.items()],
                       validate_choice=True)
    host = SelectField(_l("Inzetorganisatie"), choices=[], validate_choice=True)
    host_supervisor_name = StringField(_l("Begeleider bij de inzetorganisatie"),
                                       validators=[Optional(), _len(120)])
    host_supervisor_contact = StringField(_l("Contact van die begeleider (telefoon of e-mail)"),
                                          validators=[Optional(), _len(254)])
    job_coach = SelectField(_l("Jobcoach"), choices=[], validate_choice=True)
    starts_on = DateField(_l("Startdatum"), validators=[
        DataRequired(message=_l("Vul de startdatum in."))])
    planned_end_on = DateField(_l("Geplande einddatum"), validators=[Optional()])
    hours_per_week = StringField(_l("Afgesproken uren per week"), validators=[
        DataRequired(message=_l("Vul het aantal uren per week in.")), _len(5)],
        render_kw={"inputmode": "decimal"})
    build_up = StringField(_l("Opbouw van de uren (optioneel)"), validators=[Optional(), _len(300)],
                           description=_l("Per stap: datum=uren, gescheiden door komma's. "
                                          "Bijvoorbeeld: 2026-03-01=16, 2026-05-01=24"))
    funding = SelectField(_l("Financiering"), choices=[(k.value, v) for k, v in
                                                       FUNDING_LABELS.items()],
                          validate_choice=True)
    payer = SelectField(_l("Uren betaald door"), choices=[], validate_choice=True, default="",
                        description=_l("De klant die de uren van dit traject betaalt, als ze "
                                       "niet voor een klus van een klant zijn. Leeg: de "
                                       "betaler van de inzetorganisatie, of niemand."))
    submit = SubmitField(_l("Opslaan"))


class StatusForm(BaseForm):
    status = HiddenField()
    note = StringField(_l("Toelichting (optioneel)"), validators=[Optional(), _len(500)])
    submit = SubmitField(_l("Status wijzigen"))


class OutcomeForm(BaseForm):
    # No outcome is chosen beforehand: one mis-click must not record outflow to paid work.
    outcome = SelectField(_l("Uitstroom"), choices=[("", _l("— kies —"))] + [
        (k.value, v) for k, v in OUTCOME_LABELS.items()], validate_choice=True,
        validators=[DataRequired(message=_l("Kies het uitstroomresultaat."))])
    outcome_on = DateField(_l("Einddatum"), validators=[
        DataRequired(message=_l("Vul de einddatum in."))])
    hours = StringField(_l("Bij betaald werk: uren per week"), validators=[Optional(), _len(5)],
                        render_kw={"inputmode": "decimal"})
    contract = StringField(_l("Bij betaald werk: soort contract"), validators=[Optional(), _len(60)],
                           description=_l("Bijvoorbeeld: tijdelijk, vast, uitzend, "
                                          "loonkostensubsidie"))
    note = TextAreaField(_l("Toelichting"), validators=[Optional(), _len(1000)])
    confirm = BooleanField(_l("Ja, dit traject is afgelopen en deze uitstroom klopt"),
                           validators=[DataRequired(message=_l(
                               "Bevestig dat het traject wordt afgerond."))])
    #: set when the form is sent from the action list: go back there
    aandacht = HiddenField()
    submit = SubmitField(_l("Traject afronden"))


class ExtendForm(BaseForm):
    planned_end_on = DateField(_l("Nieuwe einddatum"), validators=[
        DataRequired(message=_l("Vul de nieuwe einddatum in."))])
    reason = StringField(_l("Reden van de verlenging"), validators=[
        DataRequired(message=_l("Schrijf waarom het traject wordt verlengd.")), _len(500)])
    aandacht = HiddenField()
    submit = SubmitField(_l("Verlengen"))


class GoalForm(BaseForm):
    title = StringField(_l("Leerdoel"), validators=[
        DataRequired(message=_l("Beschrijf het leerdoel.")), _len(200)])
    description = TextAreaField(_l("Toelichting"), validators=[Optional(), _len(2000)])
    level = SelectField(_l("Niveau nu"), choices=[(str(i), str(i)) for i in range(1, 6)],
                        validate_choice=True, default="1")
    submit = SubmitField(_l("Leerdoel toevoegen"))


class GoalNoteForm(BaseForm):
    text = TextAreaField(_l("Voortgang"), validators=[
        DataRequired(message=_l("Schrijf wat er is gebeurd.")), _len(2000)])
    level = SelectField(_l("Niveau"), choices=[("", _l("ongewijzigd"))] +
                        [(str(i), str(i)) for i in range(1, 6)], validate_choice=True)
    achieved = BooleanField(_l("Doel bereikt"))
    submit = SubmitField(_l("Voortgang vastleggen"))


class PlanEvaluationForm(BaseForm):
    planned_on = DateField(_l("Evaluatie gepland op"), validators=[
        DataRequired(message=_l("Vul de datum in."))])
    submit = SubmitField(_l("Evaluatie plannen"))


class EvaluationForm(BaseForm):
    evaluation_id = HiddenField()
    held_on = DateField(_l("Gehouden op"), validators=[
        DataRequired(message=_l("Vul de datum van de evaluatie in."))])
    ladder_step = SelectField(_l("Trede op de participatieladder"),
                              choices=[("", _l("— kies —"))] + [(str(k), v) for k, v in
                                                               LADDER.items()],
                              validate_choice=True)
    summary = TextAreaField(_l("Verslag"), validators=[Optional(), _len(4000)])
    next_on = DateField(_l("Volgende evaluatie (optioneel)"), validators=[Optional()])
    submit = SubmitField(_l("Evaluatie vastleggen"))


class AgreementForm(BaseForm):
    signed_on = DateField(_l("Getekend op"), validators=[
        DataRequired(message=_l("Vul de datum van ondertekening in."))])
    scan = FileField(_l("Getekende overeenkomst (PDF, optioneel)"))
    submit = SubmitField(_l("Ondertekening vastleggen"))
