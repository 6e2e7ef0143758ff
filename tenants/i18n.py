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

Most calls are a bare literal, `_('Datum')`, often once per table cell. Every call in a template
goes through Jinja's `Context.call` (about three quarters of the cost of such a lookup); a filter
does not. `ConstantGettext` therefore rewrites, when a template is compiled, `_('literal')` and
`gettext('literal')` into `('literal'|gettext_constant)`, which returns the finished text from a
cache per Translations object. Extraction (pybabel reads the source) is not affected.
"""
from __future__ import annotations

from decimal import Decimal
from weakref import WeakKeyDictionary

from babel.support import NullTranslations
from flask.globals import _cv_app
from flask_babel import Domain, get_translations
from jinja2 import pass_context, pass_eval_context
from jinja2.ext import Extension
from jinja2.lexer import Token
from markupsafe import Markup, escape

_NULL = NullTranslations()


def _cached(app_ctx):
    """The Translations kept for the request's current locale, or None."""
    babel_ctx = app_ctx.g.__dict__.get("_flask_babel")
    if babel_ctx is not None:
        cached = babel_ctx.__dict__.get("wijkwerk_translations")
        if cached is not None and cached[0] is babel_ctx.__dict__.get("babel_locale"):
            return cached[1]
    return None


def current_translations():
    """The request's Translations (a NullTranslations outside any app context)."""
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return _NULL
    return _cached(app_ctx) or get_translations()  # the domain below fills the cache


class RequestCachedDomain(Domain):
    """Flask-Babel's message domain, with the Translations kept per request and locale, so that
    Python's `gettext` and every lazy string (`_l`: labels of forms and of choices, rendered in
    templates by the hundred) skip the lookup as well."""

    def get_translations(self):
        app_ctx = _cv_app.get(None)
        if app_ctx is None:
            return super().get_translations()
        translations = _cached(app_ctx)
        if translations is None:
            translations = super().get_translations()  # resolves the locale, fills _flask_babel
            babel_ctx = app_ctx.g.__dict__.get("_flask_babel")
            if babel_ctx is not None and getattr(babel_ctx, "babel_domain", self) is self:
                babel_ctx.wijkwerk_translations = (babel_ctx.__dict__.get("babel_locale"),
                                                   translations)
        return translations


#: Values put in a translation as they are: their text has nothing to escape, and `%(n)d`
#: needs a number, not the escaped text of one.
_NUMBERS = (int, float, Decimal)


def _escaped_format(rv: str, variables: dict) -> Markup:
    """`Markup(rv) % variables`, the same text: each value escaped (numbers kept as numbers),
    then formatted once. Markupsafe's `%` wraps every value in a helper object and formats
    through it, about 10 µs more per call; a list page translates a sentence with a value in
    every row ("geschreven door …", "(uren van …)")."""
    return Markup(rv % {key: value if isinstance(value, _NUMBERS) else escape(value)
                        for key, value in variables.items()})


@pass_eval_context
def gettext(eval_ctx, string: str, **variables) -> str:
    rv = current_translations().ugettext(string)
    if eval_ctx.autoescape:
        return _escaped_format(rv, variables)
    return rv % variables


@pass_eval_context
def ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    rv = current_translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        return _escaped_format(rv, variables)
    return rv % variables


#: Per Translations object: msgid -> (text with autoescape, text without): the result of
#: `gettext(msgid)` without variables, which depends on nothing else.
_constants: WeakKeyDictionary = WeakKeyDictionary()


@pass_context  # not pass_eval_context: Jinja would fold that filter on a constant at compile time
def gettext_constant(context, string: str) -> str:
    """`_('literal')` as a filter (see ConstantGettext): the same text, from a cache."""
    translations = current_translations()
    try:
        cache = _constants[translations]
    except (KeyError, TypeError):
        cache = {}
        try:
            _constants[translations] = cache
        except TypeError:  # not weak-referenceable: no cache
            pass
    try:
        done = cache[string]
    except KeyError:
        text = translations.ugettext(string)
        done = cache[string] = (Markup(text) % {}, text % {})
    return done[0] if context.eval_ctx.autoescape else done[1]


class ConstantGettext(Extension):
    """Compile `_('literal')` / `gettext('literal')` as `('literal'|gettext_constant)`."""

    NAMES = frozenset({"_", "gettext"})

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["gettext_constant"] = gettext_constant

    def filter_stream(self, stream):
        tokens = list(stream)
        i, n = 0, len(tokens)
        while i < n:
            t = tokens[i]
            if (t.type == "name" and t.value in self.NAMES and i + 3 < n
                    and (i == 0 or tokens[i - 1].type != "dot")
                    and tokens[i + 1].type == "lparen" and tokens[i + 2].type == "string"
                    and tokens[i + 3].type == "rparen"):
                line = t.lineno
                yield Token(line, "lparen", "(")
                yield tokens[i + 2]
                yield Token(line, "pipe", "|")
                yield Token(line, "name", "gettext_constant")
                yield Token(line, "rparen", ")")
                i += 4
                continue
            yield t
            i += 1


def install(app, babel) -> None:
    """Replace Flask-Babel's domain and template gettext callables (after babel.init_app)."""
    if not isinstance(babel.__dict__.get("domain_instance"), RequestCachedDomain):
        babel.domain_instance = RequestCachedDomain(
            domain=app.config.get("BABEL_DOMAIN", "messages"))
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
    app.jinja_env.add_extension(ConstantGettext)
