"""tenants/widgets.py writes exactly what WTForms' own html_params writes."""
from __future__ import annotations

import itertools

import wtforms.widgets.core
from flask_babel import lazy_gettext
from markupsafe import Markup

from tenants import widgets

VALUES = ["plain", 'a "quoted" <b>&amp;', Markup('<i>"safe"</i>'), 0, 120, 2.5, True, False,
          None, "", lazy_gettext("Uitloggen"), "ë ü €"]
KEYS = ["class_", "id", "for_", "data_some_key", "aria_describedby", "aria_invalid", "name",
        "value", "placeholder", "required", "a<b"]


def test_the_same_markup_as_wtforms(app):
    with app.test_request_context("/"):
        for size in (0, 1, 2, 4):
            for keys in itertools.combinations(KEYS, size):
                for offset in range(len(VALUES)):
                    kwargs = {k: VALUES[(offset + i) % len(VALUES)] for i, k in enumerate(keys)}
                    expected = widgets.ORIGINAL(**kwargs)
                    actual = widgets.fast_html_params(**kwargs)
                    assert actual == expected and isinstance(actual, Markup), kwargs


def test_installed_where_the_widgets_look(app):
    assert wtforms.widgets.core.html_params is widgets.fast_html_params
    for name in ("TextInput", "HiddenInput", "PasswordInput", "SubmitInput", "CheckboxInput",
                 "DateInput"):
        assert getattr(wtforms.widgets.core, name).html_params is widgets.fast_html_params, name


def test_rendered_fields_are_unchanged(app, monkeypatch):
    from wtforms import (BooleanField, Form, HiddenField, StringField, SubmitField,
                         TextAreaField)

    class Sample(Form):
        name = StringField("Naam", render_kw={"placeholder": 'a "b" <c>'})
        secret = HiddenField()
        agreed = BooleanField("Akkoord")
        note = TextAreaField("Notitie")
        submit = SubmitField("Opslaan")

    def render():
        form = Sample(data={"name": 'Jan "J" <de> & Vries', "secret": "x&y", "agreed": True,
                            "note": "<x>"})
        return [str(f(class_="c", aria_describedby="h", required=True, disabled=False))
                for f in form]

    fast = render()
    monkeypatch.setattr(wtforms.widgets.core, "html_params", widgets.ORIGINAL)
    for name in ("Input", "Button"):
        cls = getattr(wtforms.widgets.core, name, None)
        if cls is not None and "html_params" in cls.__dict__:
            monkeypatch.setattr(cls, "html_params", staticmethod(widgets.ORIGINAL))
    assert render() == fast
