"""A form field with its label, hint and errors, written in Python: the `field` macro's markup.

Every form field of the app is rendered through `field(f)` (templates/_macros.html): the label
(with "(verplicht)" for a required field), the hint and the error messages tied to the input by
`aria-describedby` and `aria-invalid`, in the NL Design System's (Utrecht) classes, for a
checkbox, a group of radio buttons or checkboxes (a fieldset with a legend) or any other input.
As a Jinja macro that cost ~120 Python calls per field before the widget was called (building
the `described` list and the attribute dict through `do`, a macro frame, an escape per
`{{ }}`); a form page has 10–40 fields. `render_field` writes the same elements, attributes and
text with the same escaping (markupsafe's `escape`, as Jinja's autoescape) and calls the WTForms
widget exactly as the macro did; only the whitespace between tags is shorter (one newline where
the macro wrote a newline and indentation). tests/core/test_fieldhtml.py renders every field of
every form of the app both ways, with and without hints, errors and submitted data, and compares.
"""
from __future__ import annotations

from weakref import WeakKeyDictionary

from markupsafe import Markup, escape
from wtforms import widgets as w
from wtforms.fields import SelectField as _WTFormsSelectField
from wtforms.meta import DefaultMeta
from wtforms.widgets.core import clean_key

from tenants.i18n import current_translations
from tenants.widgets import fast_html_params

__all__ = ["render_field"]

_CHECKBOX = "utrecht-checkbox utrecht-checkbox--html-input"
_RADIO = "utrecht-radio-button utrecht-radio-button--html-input"
_SELECT = "utrecht-select utrecht-select--html-select"
_TEXTAREA = "utrecht-textarea utrecht-textarea--html-textarea"
_TEXTBOX = "utrecht-textbox utrecht-textbox--html-input"
_TEXTBOX_INVALID = "utrecht-textbox utrecht-textbox--html-input utrecht-textbox--invalid"
_CHOICE_GROUPS = frozenset({"MultiCheckboxField", "RadioField"})

#: Per Translations object: the required mark, translated (the macro's `_('verplicht')`).
_required_marks: WeakKeyDictionary = WeakKeyDictionary()


def _required_mark() -> str:
    translations = current_translations()
    try:
        return _required_marks[translations]
    except (KeyError, TypeError):
        pass
    # `_('verplicht')` in a template: the translation is trusted markup (a format string)
    mark = f' <span class="required-mark">({Markup(translations.ugettext("verplicht")) % {}})</span>'
    try:
        _required_marks[translations] = mark
    except TypeError:  # not weak-referenceable: no cache
        pass
    return mark


# --- the widgets -------------------------------------------------------------------------------
# `f(class_=…, **attrs)` goes through Field.__call__, the form's Meta.render_field and the
# widget, which lists `dir(field.flags)` and, for a select, inspects `render_option`'s signature
# on every call and builds a `Choice` per option. For WTForms' own input, text area and select
# widgets (the app has no others but its checkbox lists) the same markup is written here;
# anything else (another widget or Meta, a select with option groups or its own
# `render_option`) is rendered by WTForms itself.

#: widget class -> the attributes it takes from the field's flags (WTForms' validation_attrs)
_INPUTS = {cls: tuple(cls.validation_attrs) for cls in (
    w.TextInput, w.PasswordInput, w.HiddenInput, w.CheckboxInput, w.RadioInput, w.SubmitInput,
    w.DateInput, w.DateTimeInput, w.DateTimeLocalInput, w.TimeInput, w.MonthInput, w.WeekInput,
    w.NumberInput, w.RangeInput, w.EmailInput, w.SearchInput, w.TelInput, w.URLInput,
    w.ColorInput)}
_TEXTAREA_FLAGS = tuple(w.TextArea.validation_attrs)
_SELECT_FLAGS = tuple(w.Select.validation_attrs)
_SELECT_ITER_CHOICES = _WTFormsSelectField.iter_choices
_RENDER_FIELD = DefaultMeta.render_field


def _attribute(value) -> str:
    """A value as `fast_html_params` writes it between double quotes."""
    return str(escape(value)).replace('"', "&quot;")


def _widget(f, kwargs: dict) -> str:
    """`f(**kwargs)`: the field's widget, as WTForms renders it."""
    widget = f.widget
    kind = type(widget)
    input_flags = _INPUTS.get(kind)
    if (type(f.meta).render_field is not _RENDER_FIELD
            or (input_flags is None and kind is not w.Select and kind is not w.TextArea)):
        return escape(f(**kwargs))
    # DefaultMeta.render_field: the field's render_kw, the caller's keywords win
    attrs = {clean_key(k): v for k, v in kwargs.items()}
    render_kw = f.render_kw
    if render_kw is not None:
        attrs = dict({clean_key(k): v for k, v in render_kw.items()}, **attrs)
    attrs.setdefault("id", f.id)
    flags = f.flags.__dict__  # what dir(flags) lists and WTForms reads (Flags has no own names)
    if input_flags is not None:
        if kind is w.CheckboxInput:
            if getattr(f, "checked", f.data):
                attrs.setdefault("checked", True)
        elif kind is w.RadioInput:
            if f.checked:
                attrs.setdefault("checked", True)
        elif kind is w.SubmitInput:
            attrs.setdefault("value", f.label.text)
        elif kind is w.PasswordInput and widget.hide_value:
            attrs["value"] = ""
        attrs.setdefault("type", widget.input_type)
        if "value" not in attrs:
            attrs["value"] = f._value()
        datalist = getattr(f, "_datalist", None)
        if datalist is not None and "list" not in attrs:
            attrs["list"] = datalist if isinstance(datalist, str) else datalist.id
        for k in input_flags:
            if k in flags and k not in attrs:
                value = flags[k]
                attrs[k] = value() if callable(value) else value
        return f"<input {fast_html_params(name=f.name, **attrs)}>"
    if kind is w.TextArea:
        for k in _TEXTAREA_FLAGS:
            if k in flags and k not in attrs:
                attrs[k] = flags[k]
        return (f"<textarea {fast_html_params(name=f.name, **attrs)}>\r\n"
                f"{escape(f._value())}</textarea>")
    # Select
    if f.has_groups():
        return escape(f(**kwargs))
    if widget.multiple:
        attrs["multiple"] = True
    for k in _SELECT_FLAGS:
        if k in flags and k not in attrs:
            attrs[k] = flags[k]
    html = [f"<select {fast_html_params(name=f.name, **attrs)}>"]
    if type(f).iter_choices is _SELECT_ITER_CHOICES:
        # SelectField.iter_choices without a Choice object per option
        coerce, data = f.coerce, f.data
        choices = [(c.value, c.label, coerce(c.value) == data, c.render_kw)
                   for c in f._choices_from_input(f.choices) or ()]
    else:
        choices = [(c.value, c.label, c.selected, c.render_kw)
                   for c in f._iter_choices_normalized()]
    for value, label, selected, option_kw in choices:
        # Select.render_option
        shown = escape(label or value)
        if isinstance(value, bool):
            value = str(value)
        if option_kw:
            options = {"value": value, **option_kw}
            if selected:
                options["selected"] = True
            html.append(f"<option {fast_html_params(**options)}>{shown}</option>")
        else:
            html.append(f'<option {"selected " if selected else ""}'
                        f'value="{_attribute(value)}">{shown}</option>')
    html.append("</select>")
    return "".join(html)


def _errors(errors) -> str:
    return "".join([f'<p class="utrecht-paragraph">{escape(e)}</p>' for e in errors])


def render_field(f, type=None) -> Markup:  # noqa: A002 - the macro's signature; unused there too
    """One field as the `field` macro of templates/_macros.html writes it."""
    fid = f.id
    hid = escape(fid)
    description = f.description
    errors = f.errors
    attrs = {}
    if description and errors:
        attrs["aria-describedby"] = f"{fid}-hint {fid}-error"
    elif description:
        attrs["aria-describedby"] = f"{fid}-hint"
    elif errors:
        attrs["aria-describedby"] = f"{fid}-error"
    if errors:
        attrs["aria-invalid"] = "true"
    kind = f.type
    label = escape(f.label.text)
    out = []
    if kind == "BooleanField":
        out.append('\n<div class="utrecht-form-field utrecht-form-field--checkbox'
                   f'{" utrecht-form-field--invalid" if errors else ""}">\n'
                   f'<div class="checkbox-row">\n{_widget(f, dict(attrs, class_=_CHECKBOX))}\n'
                   '<label class="utrecht-form-label utrecht-form-label--checkbox" '
                   f'for="{hid}">{label}</label>\n</div>\n')
        if description:
            out.append(f'<div class="utrecht-form-field-description" id="{hid}-hint">'
                       f'{escape(description)}</div>\n')
        if errors:
            out.append(f'<div class="utrecht-form-field-error-message" id="{hid}-error">'
                       f'{_errors(errors)}</div>\n')
        out.append("</div>\n")
    elif kind in _CHOICE_GROUPS:
        described = attrs.get("aria-describedby")
        out.append('\n<fieldset class="utrecht-form-fieldset'
                   f'{" utrecht-form-fieldset--invalid" if errors else ""}"'
                   f'{f" aria-describedby={chr(34)}{escape(described)}{chr(34)}" if described else ""}>\n'
                   '<legend class="utrecht-form-fieldset__legend utrecht-form-label">'
                   f'{label}</legend>\n')
        if description:
            out.append(f'<div class="utrecht-form-field-description" id="{hid}-hint">'
                       f'{escape(description)}</div>\n')
        if errors:
            out.append(f'<div class="utrecht-form-field-error-message" id="{hid}-error">'
                       f'{_errors(errors)}</div>\n')
        out.append('<div class="choice-list">\n')
        option_class = _RADIO if kind == "RadioField" else _CHECKBOX
        for sub in f:
            out.append(f'<div class="checkbox-row">\n{escape(sub(class_=option_class))}\n'
                       '<label class="utrecht-form-label utrecht-form-label--checkbox" '
                       f'for="{escape(sub.id)}">{escape(sub.label.text)}</label>\n</div>\n')
        out.append("</div>\n</fieldset>\n")
    else:
        out.append('\n<div class="utrecht-form-field'
                   f'{" utrecht-form-field--invalid" if errors else ""}">\n'
                   '<div class="utrecht-form-field__label">\n'
                   f'<label class="utrecht-form-label" for="{hid}">{label}'
                   f'{_required_mark() if f.flags.required else ""}</label>\n</div>\n')
        if description:
            out.append('<div class="utrecht-form-field__description '
                       f'utrecht-form-field-description" id="{hid}-hint">'
                       f'{escape(description)}</div>\n')
        if errors:
            out.append(f'<div class="utrecht-form-field-error-message" id="{hid}-error">\n'
                       f'{_errors(errors)}\n</div>\n')
        if kind == "SelectField":
            attrs["class_"] = _SELECT
        elif kind == "TextAreaField":
            attrs["class_"], attrs["rows"] = _TEXTAREA, 4
        else:
            attrs["class_"] = _TEXTBOX_INVALID if errors else _TEXTBOX
        out.append(f'<div class="utrecht-form-field__input">\n{_widget(f, attrs)}\n</div>\n</div>\n')
    return Markup("".join(out))


def cell_openers(*labels: str) -> list[str]:
    """The text before each cell of a table row written in Python (the rows renderers): the
    first opens the row and its first cell, each next one closes the cell before it. `labels`
    are the columns' data-label texts (translated, shown on a phone above each value)."""
    cell = '<td class="utrecht-table__cell" data-label="'
    first, *rest = labels
    return [f'<tr class="utrecht-table__row">\n{cell}{first}">',
            *(f'</td>\n{cell}{label}">' for label in rest)]
