"""tenants/fieldhtml.py writes what the `field` macro wrote, for every field of every form.

The macro below is templates/_macros.html's `field` as it was before it became a Python
function: the reference. Every form of the app is built, and each of its fields rendered both
ways in several states (as a page shows it first; with a hint and error messages that need
escaping; after a POST of awkward values, with the errors the form's own validation gives; in
English). The HTML must be the same but for whitespace between tags: label, hint, errors,
`aria-describedby`, `aria-invalid`, classes and the widget itself.
"""
from __future__ import annotations

import inspect
import re

import pytest
from flask_babel import force_locale
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from tenants.fieldhtml import render_field
from tests.kernel.test_inputs import _form_classes

REFERENCE_MACRO = r"""
{% macro field(f, type=None) %}
  {% set described = [] %}
  {% if f.description %}{% do described.append(f.id ~ '-hint') %}{% endif %}
  {% if f.errors %}{% do described.append(f.id ~ '-error') %}{% endif %}
  {% set attrs = {} %}
  {% if described %}{% do attrs.update({'aria-describedby': described|join(' ')}) %}{% endif %}
  {% if f.errors %}{% do attrs.update({'aria-invalid': 'true'}) %}{% endif %}
  {% if f.type == 'BooleanField' %}
  <div class="utrecht-form-field utrecht-form-field--checkbox{% if f.errors %} utrecht-form-field--invalid{% endif %}">
    <div class="checkbox-row">
      {{ f(class_='utrecht-checkbox utrecht-checkbox--html-input', **attrs) }}
      <label class="utrecht-form-label utrecht-form-label--checkbox" for="{{ f.id }}">{{ f.label.text }}</label>
    </div>
    {% if f.description %}<div class="utrecht-form-field-description" id="{{ f.id }}-hint">{{ f.description }}</div>{% endif %}
    {% if f.errors %}<div class="utrecht-form-field-error-message" id="{{ f.id }}-error">{% for e in f.errors %}<p class="utrecht-paragraph">{{ e }}</p>{% endfor %}</div>{% endif %}
  </div>
  {% elif f.type in ('MultiCheckboxField', 'RadioField') %}
  <fieldset class="utrecht-form-fieldset{% if f.errors %} utrecht-form-fieldset--invalid{% endif %}"{% if described %} aria-describedby="{{ described|join(' ') }}"{% endif %}>
    <legend class="utrecht-form-fieldset__legend utrecht-form-label">{{ f.label.text }}</legend>
    {% if f.description %}<div class="utrecht-form-field-description" id="{{ f.id }}-hint">{{ f.description }}</div>{% endif %}
    {% if f.errors %}<div class="utrecht-form-field-error-message" id="{{ f.id }}-error">{% for e in f.errors %}<p class="utrecht-paragraph">{{ e }}</p>{% endfor %}</div>{% endif %}
    <div class="choice-list">
    {% for sub in f %}
      <div class="checkbox-row">
        {{ sub(class_=('utrecht-radio-button utrecht-radio-button--html-input' if f.type == 'RadioField' else 'utrecht-checkbox utrecht-checkbox--html-input')) }}
        <label class="utrecht-form-label utrecht-form-label--checkbox" for="{{ sub.id }}">{{ sub.label.text }}</label>
      </div>
    {% endfor %}
    </div>
  </fieldset>
  {% else %}
  <div class="utrecht-form-field{% if f.errors %} utrecht-form-field--invalid{% endif %}">
    <div class="utrecht-form-field__label">
      <label class="utrecht-form-label" for="{{ f.id }}">{{ f.label.text }}{% if f.flags.required %} <span class="required-mark">({{ _('verplicht') }})</span>{% endif %}</label>
    </div>
    {% if f.description %}
      <div class="utrecht-form-field__description utrecht-form-field-description" id="{{ f.id }}-hint">{{ f.description }}</div>
    {% endif %}
    {% if f.errors %}
      <div class="utrecht-form-field-error-message" id="{{ f.id }}-error">
        {% for e in f.errors %}<p class="utrecht-paragraph">{{ e }}</p>{% endfor %}
      </div>
    {% endif %}
    <div class="utrecht-form-field__input">
      {% if f.type == 'SelectField' %}
        {{ f(class_='utrecht-select utrecht-select--html-select', **attrs) }}
      {% elif f.type == 'TextAreaField' %}
        {{ f(class_='utrecht-textarea utrecht-textarea--html-textarea', rows=4, **attrs) }}
      {% else %}
        {{ f(class_='utrecht-textbox utrecht-textbox--html-input' ~ (' utrecht-textbox--invalid' if f.errors else ''), **attrs) }}
      {% endif %}
    </div>
  </div>
  {% endif %}
{% endmacro %}
"""

AWKWARD = 'Jan "J" <de> & Vries'
CHOICES = [("1", "Eén <één>"), ("2", 'Twee "2" & co'), ("", "— geen —")]


def _norm(html) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


def _build(form_class, formdata=None):
    """A form as a view builds it (no CSRF: its token differs per call, not per renderer)."""
    params = list(inspect.signature(form_class.__init__).parameters.values())[1:]
    required = [p for p in params if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
    if required:  # a form made from the query arguments (the export filter)
        form = form_class(*[formdata or MultiDict() for _ in required], meta={"csrf": False})
    else:
        form = form_class(formdata=formdata, meta={"csrf": False})
    for f in form:
        # choices a view sets: some awkward ones where the form declares none
        if hasattr(f, "choices") and (f.choices is None or callable(f.choices)):
            f.choices = CHOICES
    return form


def _compare(reference, form, label, seen):
    for f in form:
        if f.type == "CSRFTokenField":
            continue
        try:
            expected = _norm(reference(f))
        except Exception as exc:  # a field the macro cannot render either
            with pytest.raises(type(exc)):
                render_field(f)
            continue
        actual = render_field(f)
        assert isinstance(actual, Markup)
        assert _norm(actual) == expected, f"{label}: {type(form).__name__}.{f.name}"
        seen.add((f.type, type(f.widget).__name__, bool(f.description), bool(f.errors),
                  bool(f.flags.required)))


def test_every_field_of_every_form_as_the_macro_wrote_it(app):
    reference = app.jinja_env.from_string(REFERENCE_MACRO).module.field
    seen: set = set()
    forms = 0
    with app.test_request_context("/", method="POST"):
        for form_class in _form_classes():
            forms += 1
            _compare(reference, _build(form_class), "as shown", seen)

            for hint, errors in ((AWKWARD, None), (None, [AWKWARD, Markup("<b>al veilig</b>")]),
                                 (Markup("Een <em>hint</em>"), ["Eén fout"])):
                form = _build(form_class)
                for f in form:
                    if hint:
                        f.description = hint
                    if errors:
                        f.errors = list(errors)
                _compare(reference, form, "hint and errors", seen)

            data = MultiDict()
            for f in _build(form_class):
                data.add(f.name, AWKWARD)
                data.add(f.name, "2")
            posted = _build(form_class, formdata=data)
            posted.validate()
            _compare(reference, posted, "posted", seen)

            with force_locale("en"):
                _compare(reference, _build(form_class), "English", seen)
    assert forms > 100
    kinds = {s[0] for s in seen}
    # every kind the macro tells apart, in every state it tells apart
    for kind in ("BooleanField", "RadioField", "MultiCheckboxField", "SelectField",
                 "TextAreaField", "StringField", "DateField", "IntegerField", "HiddenField",
                 "SelectMultipleField"):
        assert kind in kinds, kind
        states = {(s[2], s[3]) for s in seen if s[0] == kind}
        assert states == {(False, False), (True, False), (False, True), (True, True)}, kind
    assert {s[4] for s in seen if s[0] == "StringField"} == {True, False}


def test_the_templates_macro_is_the_function(app):
    """Templates import `field` from _macros.html as before; it is `render_field`."""
    with app.test_request_context("/"):
        module = app.jinja_env.get_template("_macros.html").module
        assert module.field is render_field


def test_what_the_apps_forms_do_not_show_yet(app):
    """Widgets and options no form of the app uses today, rendered both ways as well: options
    with their own attributes, a selected option whose value is a number, option groups,
    a password shown again, a field's own class overridden by the macro's, an e-mail input,
    a checkbox list with a hint."""
    from wtforms import (BooleanField, EmailField, Form, IntegerField, PasswordField,
                         StringField, widgets)
    from wtforms.fields.choices import SelectChoice

    from tenants.formfields import RadioField, SelectField, SelectMultipleField

    class Sample(Form):
        kind = SelectField("Soort", coerce=int, choices=[
            SelectChoice(1, "Eén", {"data-x": 'a "b"'}), SelectChoice(2, "<Twee>"),
            (3, "Drie", {"disabled": True})])
        grouped = SelectField("Groep", choices={"Noord": {"n": "Noord <1>"}, "Zuid": {"z": "Z"}})
        many = SelectMultipleField("Veel", choices=[("a", "A"), ("b", 'B "b"'), ("c", "")])
        secret = PasswordField("Geheim", widget=widgets.PasswordInput(hide_value=False))
        styled = StringField("Opgemaakt", render_kw={"class": "eigen", "data-y": "<y>"},
                             description="Met een hint")
        mail = EmailField("E-mail", render_kw={"autocomplete": "email"})
        count = IntegerField("Aantal", render_kw={"min": 0, "max": 10})
        agreed = BooleanField("Akkoord", render_kw={"required": True})
        pick = RadioField("Kies", choices=[("j", "Ja"), ("n", "Nee <n>")])

    reference = app.jinja_env.from_string(REFERENCE_MACRO).module.field
    with app.test_request_context("/"):
        for data in ({}, {"kind": 1, "grouped": "z", "many": ["b", "c"], "secret": 'p"w<',
                          "styled": AWKWARD, "mail": "a@b", "count": 7, "agreed": True,
                          "pick": "n"}):
            form = Sample(data=data)
            for with_errors in (False, True):
                for f in form:
                    if with_errors:
                        f.errors = ["Fout"]
                    assert _norm(render_field(f)) == _norm(reference(f)), (f.name, data)
