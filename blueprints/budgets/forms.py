"""Forms for training budgets: the policy, the course catalogue, proposals and decisions.

Amounts and percentages are text fields: the services parse them and answer in Dutch
("25", "12,50", "1.234,56" and "25.00" are all understood)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, StringField, SubmitField
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.budgets.services import MODE_LABELS, UNSPENT_LABELS
from tenants.formfields import RadioField, SelectField
from tenants.forms import BaseForm


def _len(n: int):
    return Length(max=n, message=_l("Hoogstens %(n)s tekens.", n=n))


class PolicyForm(BaseForm):
    mode = RadioField(_l("Wat gaat er naar het budget als een factuur betaald is?"),
                      choices=[(k.value, v) for k, v in MODE_LABELS.items()],
                      validators=[DataRequired(message=_l("Kies een regel."))])
    percentage = StringField(_l("Percentage (bij 'een percentage')"),
                             validators=[Optional(), _len(5)],
                             description=_l("Een heel getal van 0 tot en met 100."),
                             render_kw={"inputmode": "numeric"})
    per_hour = StringField(_l("Bedrag per uur (bij 'een vast bedrag per uur')"),
                           validators=[Optional(), _len(15)],
                           description=_l("In euro's, bijvoorbeeld 7,50."),
                           render_kw={"inputmode": "decimal"})
    pool_share = StringField(_l("Deel voor de gezamenlijke pot (%)"),
                             validators=[Optional(), _len(5)],
                             description=_l("Een heel getal van 0 tot en met 100; 0 is niets "
                                            "naar de pot."),
                             render_kw={"inputmode": "numeric"})
    unspent = RadioField(_l("Wat gebeurt er met ongebruikt budget als een traject eindigt?"),
                         choices=[(k.value, v) for k, v in UNSPENT_LABELS.items()],
                         validators=[DataRequired(message=_l("Kies wat er gebeurt."))])
    submit = SubmitField(_l("Regel opslaan"))


class CourseForm(BaseForm):
    provider = StringField(_l("Aanbieder"), validators=[
        DataRequired(message=_l("Vul de aanbieder in.")), _len(150)])
    title = StringField(_l("Naam van de cursus"), validators=[
        DataRequired(message=_l("Vul de naam van de cursus in.")), _len(200)])
    description = TextAreaField(_l("Omschrijving"), validators=[Optional(), _len(5000)])
    cost = StringField(_l("Kosten"), validators=[
        DataRequired(message=_l("Vul de kosten in.")), _len(20)],
        description=_l("In euro's, bijvoorbeeld 250 of 249,50."),
        render_kw={"inputmode": "decimal"})
    hours = StringField(_l("Aantal uren"), validators=[Optional(), _len(6)],
                        render_kw={"inputmode": "numeric"})
    leads_to_certificate = BooleanField(_l("Leidt tot een certificaat of diploma"))
    leads_to_praktijkverklaring = BooleanField(_l("Leidt tot een SBB-praktijkverklaring"))
    active = BooleanField(_l("In de catalogus (kan worden voorgesteld)"), default=True)
    submit = SubmitField(_l("Cursus opslaan"))


class ProposeForm(BaseForm):
    course = SelectField(_l("Cursus"), validators=[
        DataRequired(message=_l("Kies een cursus."))], validate_choice=True)
    motivation = TextAreaField(_l("Waarom past deze cursus?"),
                               validators=[Optional(), _len(2000)])
    starts_on = DateField(_l("Begint op"), validators=[Optional()])
    submit = SubmitField(_l("Cursus voorstellen"))


class ApproveForm(BaseForm):
    #: checked in the service (a bad value gets its Dutch message there)
    source = RadioField(_l("Betalen uit"), choices=[
        ("budget", _l("het budget van de deelnemer")),
        ("pool", _l("de gezamenlijke pot")),
        ("split", _l("het budget, aangevuld uit de pot"))], default="budget",
        validate_choice=False)
    #: the form of earlier pages (a checkbox); still understood
    from_pool = BooleanField(_l("Betalen uit de gezamenlijke pot"))
    submit = SubmitField(_l("Goedkeuren"))


class RequestForm(BaseForm):
    """A participant asks for a course from the catalogue."""
    course = SelectField(_l("Cursus"), validators=[
        DataRequired(message=_l("Kies een cursus."))], validate_choice=True)
    motivation = TextAreaField(_l("Waarom wilt u deze cursus doen?"),
                               validators=[Optional(), _len(2000)])
    submit = SubmitField(_l("Cursus aanvragen"))


class DeclineForm(BaseForm):
    reason = TextAreaField(_l("Reden"), validators=[
        DataRequired(message=_l("Schrijf waarom het voorstel wordt afgewezen.")), _len(1000)])
    submit = SubmitField(_l("Afwijzen"))


class ButtonForm(BaseForm):
    """A button-only POST form (CSRF only)."""
