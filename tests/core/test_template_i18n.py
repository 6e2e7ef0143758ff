"""Templates still translate now that `_()` resolves the request's Translations once
(tenants/i18n.py): English pages are English, each request gets its own user's language, a
`force_locale()` inside a request wins while it lasts, and escaping is Jinja's newstyle gettext's."""
from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale

from tests.helpers import login, post
from tenants.models import Role


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_an_english_invoice_list_is_english_in_every_row(app, make, client):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    login(client, admin)
    post(client, "/taal", {"lang": "en", "next": "/"})
    html = _page(client, f"/{tenant.slug}/facturen/")
    assert 'lang="en"' in html
    assert "Skip to content" in html and "Log out" in html and ">Invoices</h1>" in html
    assert "All customers" in html  # a translation made in the view (Python gettext)
    assert "0 invoices found" in html  # ngettext
    assert "Naar de inhoud" not in html and "Alle klanten" not in html


def test_two_users_in_turn_each_get_their_own_language(app, make):
    tenant = make.tenant()
    english, dutch = app.test_client(), app.test_client()
    login(english, make.member(tenant, Role.SUPERVISOR))
    login(dutch, make.member(tenant, Role.SUPERVISOR))
    post(english, "/taal", {"lang": "en", "next": "/"})
    for _ in range(3):
        html = _page(english, f"/{tenant.slug}/deelnemers/")
        assert 'lang="en"' in html and ">Participants<" in html and "Log out" in html
        html = _page(dutch, f"/{tenant.slug}/deelnemers/")
        assert 'lang="nl"' in html and ">Deelnemers<" in html and "Uitloggen" in html
        assert "Log out" not in html
    post(english, "/taal", {"lang": "nl", "next": "/"})
    assert "Uitloggen" in _page(english, f"/{tenant.slug}/deelnemers/")


def test_force_locale_within_a_request_is_honoured(app):
    template = "{{ _('Uitloggen') }}|{{ ngettext('%(num)s factuur gevonden', " \
               "'%(num)s facturen gevonden', 2) }}"
    with app.test_request_context("/"):
        assert render_template_string(template) == "Uitloggen|2 facturen gevonden"
        with force_locale("en"):
            assert render_template_string(template) == "Log out|2 invoices found"
        assert render_template_string(template) == "Uitloggen|2 facturen gevonden"


def test_escaping_is_newstyle_gettexts(app):
    with app.test_request_context("/"):
        html = render_template_string("{{ _('Pagina %(page)s van %(pages)s', page='<b>', "
                                      "pages=2) }}")
        assert html == "Pagina &lt;b&gt; van 2"
        text = render_template_string("{% autoescape false %}{{ _('Pagina %(page)s van "
                                      "%(pages)s', page='<b>', pages=2) }}{% endautoescape %}")
        assert text == "Pagina <b> van 2"


def test_templates_use_the_cached_lookup(app):
    from tenants import i18n

    assert app.jinja_env.globals["_"] is i18n.gettext
    assert app.jinja_env.globals["ngettext"] is i18n.ngettext


def test_literal_lookups_are_compiled_to_the_cached_filter_and_stay_correct(app):
    source = "{{ _('Uitloggen') }}|{{ gettext('Uitloggen') }}|{{ x._('y') }}"
    code = app.jinja_env.compile(source, raw=True)
    assert code.count("gettext_constant") >= 2 and "'y'" in code
    with app.test_request_context("/"):
        obj = type("O", (), {"_": staticmethod(lambda s: s.upper())})()
        assert render_template_string(source, x=obj) == "Uitloggen|Uitloggen|Y"
        with force_locale("en"):
            assert render_template_string(source, x=obj) == "Log out|Log out|Y"
        both = "{{ _('Uitloggen') }}{% autoescape false %}{{ _('Uitloggen') }}{% endautoescape %}"
        assert render_template_string(both) == "UitloggenUitloggen"


def test_lazy_strings_and_python_gettext_follow_the_request_locale(app):
    from flask_babel import gettext, lazy_gettext

    from tenants import i18n
    from tenants.extensions import babel

    assert isinstance(babel.domain_instance, i18n.RequestCachedDomain)
    label = lazy_gettext("Uitloggen")
    with app.test_request_context("/"):
        assert str(label) == gettext("Uitloggen") == "Uitloggen"
        with force_locale("en"):
            assert str(label) == gettext("Uitloggen") == "Log out"
            assert render_template_string("{{ label }}", label=label) == "Log out"
        assert str(label) == "Uitloggen"


def test_a_translation_with_values_escapes_them_as_markupsafe_does():
    """The template `_()` formats with escaped values itself (tenants/i18n.py): the same text as
    `Markup(msg) % values` for text, markup, lazy strings, numbers and `%(n)d`."""
    from decimal import Decimal

    from flask_babel import lazy_gettext
    from markupsafe import Markup

    from tenants.i18n import _escaped_format

    values = {"a": "<b>Jan & 'Piet'</b>", "b": Markup("<i>al veilig</i>"), "c": 3, "d": 2.5,
              "e": Decimal("1.50"), "f": True, "g": lazy_gettext("Uitloggen"), "h": None,
              "i": 'x"y'}
    for message in ("%(a)s %(b)s %(c)s %(d)s %(e)s %(f)s %(h)s %(i)s", "%(c)d%% van %(e)d",
                    "niets", "100%%", "%(g)s"):
        expected = Markup(message) % values
        got = _escaped_format(message, values)
        assert got == expected and isinstance(got, Markup), message
