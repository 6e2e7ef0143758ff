"""Translations in templates, looked up cheaply: `_()`, `gettext`, `ngettext` for Jinja.

Flask-Babel installs Jinja's "newstyle" gettext, in which every `_('Klant')` goes through four
layers (Jinja's alias, the newstyle wrapper, a lambda, Flask-Babel's domain, which finds the
request's Babel context and looks its Translations up in a cache keyed by `str(locale)`).
A list page calls `_()` a few hundred times (a `data-label` per cell), and that was about a
fifth of its CPU. Here the Translations object is resolved once per request and locale and kept
in Flask-Babel's own per-request namespace next to the locale it belongs to, so that a
`force_locale()` (mails in the recipient's language) or a language switch within a request is
still honoured: the cache is used only while the request's locale is the same object.

The behaviour is Jinja's newstyle gettext, unchanged: the translation is always a format string
(`%%` for a percent sign), marked safe and its variables escaped where autoescaping is on (HTML),
left as text where it is off (plain-text mails).
"""
from __future__ import annotations

from babel.support import NullTranslations
from flask.globals import _cv_app
from flask_babel import get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

_NULL = NullTranslations()


def current_translations():
    """The request's Translations (a NullTranslations outside any app context)."""
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return _NULL
    babel_ctx = app_ctx.g.__dict__.get("_flask_babel")
    if babel_ctx is not None:
        cached = babel_ctx.__dict__.get("wijkwerk_translations")
        if cached is not None and cached[0] is babel_ctx.__dict__.get("babel_locale"):
            return cached[1]
    translations = get_translations()  # resolves the locale and fills _flask_babel
    babel_ctx = app_ctx.g.__dict__.get("_flask_babel")
    if babel_ctx is not None:
        babel_ctx.wijkwerk_translations = (babel_ctx.__dict__.get("babel_locale"), translations)
    return translations


@pass_eval_context
def gettext(eval_ctx, string: str, **variables) -> str:
    rv = current_translations().ugettext(string)
    if eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


@pass_eval_context
def ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    rv = current_translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


def install(app) -> None:
    """Replace Flask-Babel's template gettext callables (call after babel.init_app)."""
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
