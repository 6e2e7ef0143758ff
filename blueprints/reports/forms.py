"""The period choice of the report (a plain GET form, works without JavaScript) and the
scheduled report's settings."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional

from blueprints.reports.followups import SOURCES
from blueprints.reports.periods import COMPARISON_LABELS, KIND_LABELS, MONTH_NAMES
from blueprints.reports.report_templates import DEFAULT, TEMPLATES
from blueprints.reports.schedule import FREQUENCIES
from tenants.formfields import SelectField
from tenants.forms import BaseForm


class PeriodForm(BaseForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    periode = SelectField(_l("Soort periode"), choices=list(KIND_LABELS.items()),
                          validators=[Optional()], validate_choice=False)
    jaar = StringField(_l("Jaar"), validators=[Optional(), Length(max=4)])
    maand = SelectField(_l("Maand (bij soort maand)"),
                        choices=[(str(i + 1), name) for i, name in enumerate(MONTH_NAMES)],
                        validators=[Optional()], validate_choice=False)
    kwartaal = SelectField(_l("Kwartaal (bij soort kwartaal)"),
                           choices=[(str(q), f"Q{q}") for q in range(1, 5)],
                           validators=[Optional()], validate_choice=False)
    van = DateField(_l("Van (bij eigen periode)"), validators=[Optional()])
    tot = DateField(_l("Tot en met (bij eigen periode)"), validators=[Optional()])
    vergelijk = SelectField(_l("Vergelijken met"), choices=list(COMPARISON_LABELS.items()),
                            validators=[Optional()], validate_choice=False)
    sjabloon = SelectField(_l("Sjabloon"), choices=[(k, t.label) for k, t in TEMPLATES.items()],
                           validators=[Optional()], validate_choice=False)


TEMPLATE_CHOICE = _l("Kies een van de sjablonen in de lijst.")


class ScheduleForm(BaseForm):
    """The scheduled report: how often, with which report template, and to whom."""

    frequency = SelectField(_l("Hoe vaak"), choices=list(FREQUENCIES.items()),
                            validators=[DataRequired()])
    template = SelectField(
        _l("Sjabloon"), choices=[(k, t.label) for k, t in TEMPLATES.items()], default=DEFAULT,
        validators=[DataRequired(TEMPLATE_CHOICE), AnyOf(list(TEMPLATES), TEMPLATE_CHOICE)],
        validate_choice=False,  # AnyOf says it in the words of the page
        description=_l("Welke cijfers de PDF toont: dezelfde als de rapportagepagina met dit "
                       "sjabloon."))
    recipients = TextAreaField(
        _l("E-mailadressen"), validators=[DataRequired(), Length(max=3000)],
        description=_l("Eén adres per regel (hoogstens tien). De PDF gaat naar elk adres."))
    submit = SubmitField(_l("Opslaan"))


class ShareForm(BaseForm):
    """Share a report template with the municipality, from a month on."""

    template = SelectField(_l("Wat deelt u"), validators=[DataRequired()])
    maand = SelectField(_l("Vanaf maand"),
                        choices=[(str(i + 1), name) for i, name in enumerate(MONTH_NAMES)],
                        validators=[DataRequired()])
    jaar = IntegerField(_l("Vanaf jaar"), validators=[
        DataRequired(_l("Vul een jaar in, bijvoorbeeld 2026.")),
        NumberRange(2000, 2100, _l("Vul een jaar tussen 2000 en 2100 in."))])
    submit = SubmitField(_l("Delen met de gemeente"))


class FollowUpForm(BaseForm):
    """One follow-up of an outflow to work (the checkpoint is in the URL)."""

    checked_on = DateField(_l("Nagevraagd op"),
                           validators=[DataRequired(message=_l("Vul de datum van de navraag in."))])
    answer = SelectField(_l("Nog uit de uitkering?"), choices=[
        ("", _l("— kies —")), ("ja", _l("Ja, nog uit de uitkering")),
        ("nee", _l("Nee, weer in de uitkering"))], validate_choice=True,
        validators=[DataRequired(message=_l("Kies of de deelnemer nog uit de uitkering is."))])
    source = SelectField(_l("Hoe weet u het?"), choices=[("", _l("— kies —"))] + [
        (k, v) for k, v in SOURCES.items()], validate_choice=True,
        validators=[DataRequired(message=_l(
            "Kies hoe u het weet: gemeente, contract of de deelnemer zelf."))])
    submit = SubmitField(_l("Nazorg vastleggen"))


class AssumptionForm(BaseForm):
    """A tenant's own value for one assumption of the value estimate (the key is in the URL)."""

    value = StringField(_l("Waarde"), validators=[Length(max=20)])
    source = StringField(_l("Bron of reden"), validators=[Length(max=300)])
    submit = SubmitField(_l("Opslaan"))
    reset = SubmitField(_l("Terug naar de standaard"))
