"""Forms for punch cards: sell, write off, correct, and settle a done job. The forms check
length and shape; the rules (hours, amounts, balances) are in services."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.hours.formats import format_minutes
from tenants.formatting import format_date
from tenants.formfields import SelectField
from tenants.forms import BaseForm


def _len(n: int):
    return Length(max=n, message=_l("Hoogstens %(n)s tekens.", n=n))


class PunchCardForm(BaseForm):
    hours = StringField(_l("Aantal uren"), validators=[
        DataRequired(message=_l("Vul het aantal uren in, bijvoorbeeld 10 of 12,5.")), _len(10)],
        render_kw={"inputmode": "decimal"})
    price = StringField(_l("Prijs in euro's"), validators=[
        DataRequired(message=_l("Vul de prijs van de strippenkaart in, bijvoorbeeld 250,00.")),
        _len(20)], render_kw={"inputmode": "decimal"})
    bought_on = DateField(_l("Gekocht op"), validators=[
        DataRequired(message=_l("Vul de datum van aankoop in."))])
    note = StringField(_l("Notitie"), validators=[Optional(), _len(300)],
                       description=_l("Bijvoorbeeld: contant betaald aan de balie."))
    invoice = BooleanField(_l("Meteen een conceptfactuur maken voor deze strippenkaart"),
                           description=_l("De prijs staat dan excl. btw op de factuur, tegen het "
                                          "btw-tarief van de klant."))
    submit = SubmitField(_l("Strippenkaart vastleggen"))


class UseForm(BaseForm):
    hours = StringField(_l("Uren"), validators=[
        DataRequired(message=_l("Vul het aantal uren in, bijvoorbeeld 2,5 of 2:30.")),
        _len(10)], render_kw={"inputmode": "decimal"})
    used_on = DateField(_l("Datum"), validators=[DataRequired(message=_l("Vul de datum in."))])
    note = StringField(_l("Omschrijving"), validators=[Optional(), _len(300)])
    submit = SubmitField(_l("Afschrijven"))


class CorrectionForm(BaseForm):
    card = SelectField(_l("Strippenkaart"), choices=[], validate_choice=True)
    hours = StringField(_l("Uren terugzetten"), validators=[
        DataRequired(message=_l("Vul het aantal uren in, bijvoorbeeld 2,5 of 2:30.")),
        _len(10)], render_kw={"inputmode": "decimal"})
    used_on = DateField(_l("Datum"), validators=[DataRequired(message=_l("Vul de datum in."))])
    note = StringField(_l("Reden"), validators=[
        DataRequired(message=_l("Vul de reden van de correctie in.")), _len(300)])
    submit = SubmitField(_l("Correctie vastleggen"))


class SettleForm(BaseForm):
    submit = SubmitField(_l("Afschrijven van strippenkaart"))


def correction_form(cards) -> CorrectionForm:
    """The correction form with the cards hours can go back to (those with some used)."""
    form = CorrectionForm(prefix="correctie")
    form.card.choices = [
        (str(v.card.id), _("%(hours)s uur, gekocht op %(date)s",
                           hours=format_minutes(v.card.minutes_bought),
                           date=format_date(v.card.bought_on)))
        for v in cards if v.balance_minutes < v.card.minutes_bought]
    return form
