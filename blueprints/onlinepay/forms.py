"""Button-only forms (CSRF) of online payment."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from tenants.forms import BaseForm


class PayForm(BaseForm):
    submit = SubmitField(_l("Betalen met iDEAL of kaart"))


class ConnectForm(BaseForm):
    submit = SubmitField(_l("Stripe-account koppelen"))
