"""Button-only forms (CSRF) of online payment."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class PayForm(FlaskForm):
    submit = SubmitField(_l("Betalen met iDEAL of kaart"))


class ConnectForm(FlaskForm):
    submit = SubmitField(_l("Stripe-account koppelen"))
