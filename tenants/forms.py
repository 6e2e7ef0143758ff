"""The base of every form: the input rules of `tenants.inputs`, applied to every field once.

Every Flask-WTF form in the project derives from `BaseForm` (an architecture test checks it).
When a form is made, each field is given, on top of what the form declares:
- text (StringField, TextAreaField, HiddenField, …): Unicode normalised to NFC, refused with a
  Dutch message when it holds a control character (NUL and the like; tab, newline and carriage
  return are fine), and a length limit when the form declared none (`DEFAULT_MAX_LENGTH`; a
  declared `Length` must match the model's column, which tests/kernel/test_inputs.py checks);
- choices (SelectField, RadioField, multiple selects): the same control-character rule, so an
  id taken from a select with open choices is plain ASCII digits at worst;
- IntegerField: ASCII digits only (`int()` reads "٣" as 3 and refuses "²"), within 32 bits
  unless the form declares its own NumberRange;
- DateField: a real date between 1900 and 2100.
Passwords are left as typed: they are hashed, never stored or shown, and changing them (NFC)
would lock out whoever chose one with a decomposed accent.
"""
from __future__ import annotations

from babel import support
from flask import current_app, has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.i18n import messages_path
from wtforms.validators import Length, NumberRange, StopValidation

from tenants import inputs

#: The limit of a text field that declares none (a String column is rarely longer).
DEFAULT_MAX_LENGTH = 255
DEFAULT_TEXTAREA_MAX_LENGTH = 5000


def _nfc(value):
    return inputs.normalise(value) if isinstance(value, str) else value


def no_control_characters(form, field):
    """Refuse a value holding NUL or another control character, before anything else looks
    at it."""
    for raw in field.raw_data or ():
        if isinstance(raw, str) and inputs.has_control_characters(raw):
            field.errors[:] = []
            raise StopValidation(str(inputs.CONTROL_MESSAGE))


def _ascii_integer(form, field):
    raw = (field.raw_data or [""])[0]
    if isinstance(raw, str) and raw.strip() and inputs.to_int(
            raw, min_value=-inputs.INT32_MAX, max_value=inputs.INT32_MAX) is None:
        field.errors[:] = []
        raise StopValidation(str(_l("Vul een heel getal in, met de cijfers 0 tot en met 9.")))


def _sane_date(form, field):
    raw = (field.raw_data or [""])[0]
    if isinstance(raw, str) and raw.strip() and inputs.to_date(raw) is None:
        field.errors[:] = []
        raise StopValidation(str(_l("Vul een bestaande datum in tussen 1900 en 2100.")))


def _has(validators, kind, attribute) -> bool:
    return any(isinstance(v, kind) and getattr(v, attribute, None) not in (None, -1)
               for v in validators)


def harden(field) -> None:
    """Add the input rules to one bound field (see the module docstring)."""
    if isinstance(field, PasswordField) or field.type in ("CSRFTokenField", "FileField",
                                                          "MultipleFileField", "SubmitField",
                                                          "BooleanField"):
        return
    validators = list(field.validators)
    extra = [no_control_characters]
    if isinstance(field, StringField):
        field.filters = (_nfc, *field.filters)
        if not _has(validators, Length, "max"):
            limit = (DEFAULT_TEXTAREA_MAX_LENGTH if isinstance(field, TextAreaField)
                     else DEFAULT_MAX_LENGTH)
            validators.append(Length(max=limit, message=_l("Hoogstens %(n)s tekens.", n=limit)))
    elif isinstance(field, IntegerField):
        extra.append(_ascii_integer)
        if not _has(validators, NumberRange, "max"):
            validators.append(NumberRange(
                min=-inputs.INT32_MAX, max=inputs.INT32_MAX,
                message=_l("Dit getal is te groot.")))
    elif isinstance(field, DateField):
        extra.append(_sane_date)
    # first: nothing else sees a NUL, an Arabic-Indic digit or the year 9999
    field.validators = [*extra, *validators]


class _WTFormsTranslations:
    """WTForms' own messages ("Not a valid choice.", a field's default label) in the request's
    language, as Flask-WTF's `translations` gives them, but with the catalogue parsed once per
    process and locale: Flask-WTF reads and parses the wtforms `.mo` file again on every
    request in which a form needs one of its messages (a field declared without a label, such
    as a hidden `version`, gets a translated default label), 0.3 ms of CPU each time. A parsed
    catalogue is never changed. Unlike Flask-WTF's, the language follows a `force_locale()`
    within the request."""

    _loaded: dict[str, support.Translations] = {}

    def _translations(self):
        if not has_request_context() or "babel" not in current_app.extensions:
            return None
        locale = str(get_locale())
        found = self._loaded.get(locale)
        if found is None:
            found = self._loaded[locale] = support.Translations.load(
                messages_path(), [locale], domain="wtforms")
        return found

    def gettext(self, string):
        t = self._translations()
        return string if t is None else t.ugettext(string)

    def ngettext(self, singular, plural, n):
        t = self._translations()
        if t is None:
            return singular if n == 1 else plural
        return t.ungettext(singular, plural, n)


_wtforms_translations = _WTFormsTranslations()


class BaseForm(FlaskForm):
    """FlaskForm with the project's input rules on every field."""

    class Meta:
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _wtforms_translations

        def bind_field(self, form, unbound_field, options):
            field = unbound_field.bind(form=form, **options)
            harden(field)
            return field


__all__ = ["BaseForm", "harden", "no_control_characters"]
