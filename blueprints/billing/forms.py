"""Subscription forms (CSRF on each)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp

from tenants.forms import BaseForm


class ChooseForm(BaseForm):
    plan = HiddenField()
    submit = SubmitField(_l("Kiezen en betalen met iDEAL of kaart"))


class InvoiceForm(BaseForm):
    plan = HiddenField()
    purchase_order = StringField(_l("Inkoopordernummer"), validators=[
        DataRequired(message=_l("Vul het inkoopordernummer in.")),
        Length(max=60, message=_l("Een inkoopordernummer is hoogstens 60 tekens.")),
        Regexp(r"^[A-Za-z0-9 ./_-]+$",
               message=_l("Gebruik letters, cijfers, spaties en . / _ - in het nummer.")),
    ])
    submit = SubmitField(_l("Op factuur betalen"))


class PortalForm(BaseForm):
    submit = SubmitField(_l("Betaalgegevens, facturen en opzeggen"))
