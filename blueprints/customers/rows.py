"""The rows of the customer list (customers/index.html), written in Python.

A page holds up to 25 customers of five cells: the name with its link, contact and archive
mark, the kind, the city, the hourly rate and the punch-card balance. As a Jinja loop that was
~130 Python calls a row, most of them the link: a `url_for` per row, in which Werkzeug looks the
endpoint up among all the app's rules (about 0.4 ms a row at 100× a tenant's data). The link is
now built once (`tenants.web.row_url`) and the cells written as blueprints/hours/rows.py writes
its rows: the same elements, attributes and text, each value escaped with markupsafe's `escape`
(as Jinja's autoescape does); only whitespace between tags differs.
tests/customers/test_rows.py renders rows both ways (the template's loop kept there as the
reference) and compares.
"""
from __future__ import annotations

from flask import current_app
from markupsafe import Markup, escape

from tenants.fieldhtml import cell_openers
from tenants.formatting import format_money
from tenants.i18n import current_translations
from tenants.web import row_url

__all__ = ["customer_rows"]


def N_(msgid: str) -> str:
    """Marks a msgid for `pybabel extract` (a default keyword); translated where it is used."""
    return msgid


def customer_rows(rows, kind_labels: dict) -> Markup:
    """The `<tr>`s of the customer list for `rows` (services.CustomerRow); `kind_labels` per
    CustomerKind (services.KIND_LABELS)."""
    if not rows:
        return Markup("")
    t = current_translations()
    # `_('literal')` in a template: a translation is a trusted format string (`%%` becomes
    # `%`, nothing is escaped); a lazy label is trusted markup as it is (its `__html__`)
    (l_name, l_kind, l_city, l_rate, l_punch, w_archived, w_einvoice, w_default,
     w_used_up) = (t.ugettext(m) % {} for m in (
        N_("Naam"), N_("Soort"), N_("Plaats"), N_("Uurtarief"), N_("Strippenkaart (uren over)"),
        N_("gearchiveerd"), N_("e-factuur"), N_("standaard"), N_("op")))
    hours_text = t.ugettext("%(hours)s uur")
    kinds = {kind: str(label) for kind, label in kind_labels.items()}
    hours = current_app.jinja_env.filters["hours_from_minutes"]
    show_url = row_url("customers.show", "customer_id")
    name_cell, kind_cell, city_cell, rate_cell, punch_cell = cell_openers(
        l_name, l_kind, l_city, l_rate, l_punch)
    name_cell += '<a class="utrecht-link" href="'
    archived = f' <span class="status-badge status-badge--muted">{w_archived}</span>'
    einvoice = f' <span class="muted">({w_einvoice})</span>'
    default_rate = f'<span class="muted">{w_default}</span>'
    used_up = f'<span class="status-badge status-badge--warning">{w_used_up}</span>'
    out = []
    append = out.append
    for row in rows:
        c = row.customer
        contact = c.contact_name
        rate = c.hourly_rate_cents
        minutes = row.punch_minutes
        if minutes is None:
            punch = "—"
        elif minutes <= 0:
            punch = used_up
        else:
            punch = hours_text % {"hours": escape(hours(minutes))}
        append(f'{name_cell}{escape(show_url(c.id))}">{escape(c.name)}</a>'
               f'{f""" · <span class="muted">{escape(contact)}</span>""" if contact else ""}'
               f'{archived if c.archived_at else ""}'
               f'{kind_cell}{kinds[c.kind]}{einvoice if c.wants_ubl else ""}'
               f'{city_cell}{escape(c.city or "—")}'
               f'{rate_cell}{default_rate if rate is None else escape(format_money(rate))}'
               f"{punch_cell}{punch}</td>\n</tr>\n")
    return Markup("".join(out))
