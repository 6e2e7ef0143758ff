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
