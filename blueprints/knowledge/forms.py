"""Forms of the question box and the knowledge base."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.knowledge.models import QuestionStatus, Theme
from blueprints.knowledge.services import STATUS_LABELS, THEME_LABELS
from tenants.formfields import SelectField, SelectMultipleField
from tenants.forms import BaseForm


def _len(n: int) -> Length:
    return Length(max=n, message=_l("Hoogstens %(max)d tekens.", max=n))


THEME_CHOICES = [(t.value, THEME_LABELS[t]) for t in Theme]
STATUS_CHOICES = [(s.value, STATUS_LABELS[s]) for s in QuestionStatus]


class QuestionForm(BaseForm):
    title = StringField(_l("Titel van uw vraag"), validators=[
        DataRequired(message=_l("Vul een titel in.")), _len(200)],
        description=_l("Kort en concreet, bijvoorbeeld: Mag een vrijwilliger een "
                       "leerwerktraject begeleiden?"))
    body = TextAreaField(_l("Uw vraag"), validators=[
        DataRequired(message=_l("Beschrijf uw vraag.")), _len(5000)],
        description=_l("Wat wilt u weten, en waar loopt u tegenaan? Noem geen namen of "
                       "gegevens van deelnemers."))
    theme = SelectField(_l("Thema"), choices=THEME_CHOICES, validate_choice=True,
                        validators=[DataRequired(message=_l("Kies een thema."))])
    anonymous = BooleanField(_l("Anoniem plaatsen"), description=_l(
        "Andere leden zien dan niet wie de vraag stelde. De netwerkbeheerder ziet het wel."))
    #: set after the similar questions were shown once
    checked = HiddenField()
    preview = SubmitField(_l("Zoek vergelijkbare vragen"))
    submit = SubmitField(_l("Vraag plaatsen"))


class CommentForm(BaseForm):
    body = TextAreaField(_l("Uw reactie"), validators=[
        DataRequired(message=_l("Vul een reactie in.")), _len(3000)])
    anonymous = BooleanField(_l("Anoniem plaatsen"))
    submit = SubmitField(_l("Reageren"))


class ReportForm(BaseForm):
    reason = StringField(_l("Waarom meldt u dit bericht? (optioneel)"),
                         validators=[Optional(), _len(300)])
    submit = SubmitField(_l("Melden"))


class AnswerForm(BaseForm):
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, validate_choice=True)
    programme_topic = StringField(_l("Onderdeel van het programma"),
                                  validators=[Optional(), _len(120)],
                                  description=_l("Bijvoorbeeld: Workshop 2 – regels en "
                                                 "uitkering"))
    answer = TextAreaField(_l("Officieel antwoord"), validators=[Optional(), _len(20000)],
                           description=_l("Markdown: **vet**, *schuin*, [link](https://…), "
                                          "lijsten met -."))
    articles = SelectMultipleField(_l("Artikelen in de kennisbank"), choices=[],
                                   validate_choice=False, coerce=str)
    submit = SubmitField(_l("Antwoord opslaan"))


class ArticleForm(BaseForm):
    title = StringField(_l("Titel"), validators=[DataRequired(message=_l("Vul een titel in.")),
                                                 _len(200)])
    theme = SelectField(_l("Thema"), choices=THEME_CHOICES, validate_choice=True)
    body = TextAreaField(_l("Tekst"), validators=[DataRequired(message=_l("Vul de tekst in.")),
                                                  _len(50000)],
                         description=_l("Markdown: ## kopje, **vet**, *schuin*, "
                                        "[link](https://…), lijsten met -."),
                         render_kw={"rows": 14})
    sources = TextAreaField(_l("Bronnen"), validators=[Optional(), _len(5000)],
                            description=_l("Eén bron per regel: titel, en eventueel het "
                                           "webadres."))
    last_checked_on = DateField(_l("Laatst gecontroleerd op"), validators=[
        DataRequired(message=_l("Vul een geldige datum in."))])
    note = StringField(_l("Wat is er gewijzigd?"), validators=[Optional(), _len(300)])
    submit = SubmitField(_l("Opslaan"))


class AuthorForm(BaseForm):
    email = StringField(_l("E-mailadres van het netwerklid"), validators=[
        DataRequired(message=_l("Vul een e-mailadres in.")), _len(254)])
    submit = SubmitField(_l("Uitnodigen als auteur"))


class ConfirmForm(BaseForm):
    submit = SubmitField(_l("Bevestigen"))
