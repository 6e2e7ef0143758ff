"""Choice fields that take our (value, label) pairs and hand WTForms `SelectChoice` objects.

WTForms 3.3 deprecates choices given as tuples (removed in 3.4); every form in the app declares
its options as (value, label) pairs, often built from a label mapping. Forms import their choice
fields from here instead of from `wtforms`: the pairs are turned into `SelectChoice` once, when
the field is declared or its choices are set, so WTForms never sees a tuple. Everything else is
WTForms' own field.
"""
from __future__ import annotations

from wtforms import fields
from wtforms.fields.choices import SelectChoice

__all__ = ["RadioField", "SelectChoice", "SelectField", "SelectMultipleField", "select_choices"]


def select_choices(choices):
    """(value, label) pairs, (value, label, render_kw) triples, bare values or `SelectChoice`s
    as a list of `SelectChoice`; None and a callable (resolved by WTForms) pass unchanged."""
    if choices is None or callable(choices) or isinstance(choices, dict):
        return choices
    result = []
    for choice in choices:
        if isinstance(choice, SelectChoice):
            result.append(choice)
        elif isinstance(choice, tuple):
            result.append(SelectChoice(*choice))
        else:
            result.append(SelectChoice(choice))
    return result


class _PairChoices:
    """Mixin: converts `choices` on construction and on assignment."""

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, choices=select_choices(choices), **kwargs)

    @property
    def choices(self):
        return fields.SelectField.choices.fget(self)

    @choices.setter
    def choices(self, value):
        fields.SelectField.choices.fset(self, select_choices(value))


class SelectField(_PairChoices, fields.SelectField):
    pass


class SelectMultipleField(_PairChoices, fields.SelectMultipleField):
    pass


class RadioField(_PairChoices, fields.RadioField):
    pass
