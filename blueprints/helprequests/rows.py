"""The rows of the staff list of help requests (helprequests/index.html), written in Python.

The pattern of blueprints/hours/rows.py: a page holds up to 25 rows of seven cells (reference
with its link, resident and street, kind, wijk, status with the source of a new request from
the website, date, participants). As a Jinja loop that was ~250 Python calls a row (an escape
per `{{ }}`, a `getattr` per attribute, a lazy label translated per row, a filter call per
date). `request_rows` writes the same elements, attributes and text, each value escaped with
markupsafe's `escape` (as Jinja's autoescape does); the labels are translated once per page.
Only whitespace between tags differs. tests/helprequests/test_rows.py renders rows in every
state both ways (the template's loop is kept there as the reference) and compares.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from blueprints.helprequests.models import RequestStatus, Source
from tenants.fieldhtml import cell_openers
from tenants.formatting import format_date
from tenants.i18n import current_translations
from tenants.web import row_url

__all__ = ["request_rows"]


def N_(msgid: str) -> str:
    """Marks a msgid for `pybabel extract` (a default keyword); translated where it is used."""
    return msgid


#: the status badge's modifier per status (the template's `status_kinds`)
STATUS_KINDS = {RequestStatus.NEW: "warning", RequestStatus.PLANNED: "neutral",
                RequestStatus.DONE: "ok", RequestStatus.INVOICED: "ok",
                RequestStatus.DECLINED: "muted"}


def request_rows(rows, kind_labels: dict, status_labels: dict, source_labels: dict) -> Markup:
    """The `<tr>`s of helprequests/index.html's table for `rows` (services.RequestRow)."""
    if not rows:
        return Markup("")
    t = current_translations()
    # `_('literal')` in a template: a translation is a trusted format string (`%%` → `%`)
    w = {key: t.ugettext(msgid) % {} for key, msgid in (
        ("ref", N_("Kenmerk")), ("resident", N_("Bewoner")), ("kind", N_("Soort klus")),
        ("area", N_("Wijk")), ("status", N_("Status")), ("date", N_("Datum")),
        ("people", N_("Deelnemers")), ("no_date", N_("nog geen datum")))}
    kinds = {k: escape(v) for k, v in kind_labels.items()}
    statuses = {s: f'<span class="status-badge status-badge--{STATUS_KINDS[s]}">'
                   f'{escape(label)}</span>' for s, label in status_labels.items()}
    website = f' <span class="muted">({escape(source_labels[Source.WEBSITE])})</span>'
    show_url = row_url("helprequests.show", "help_request_id")
    head, resident, kind, area, status, day, people = cell_openers(*(
        w[key] for key in ("ref", "resident", "kind", "area", "status", "date", "people")))
    head += '<a class="utrecht-link" href="'
    no_date = w["no_date"]
    out = []
    append = out.append
    for row in rows:
        r = row.request
        street = r.street
        state = r.status
        planned = r.planned_on
        names = row.participants
        append(f'{head}{escape(show_url(r.id))}">{escape(r.reference)}</a>{resident}'
               f'{escape(r.requester_name)}')
        if street:
            append(f' · <span class="muted">{escape(street)}</span>')
        append(f'{kind}{kinds[r.kind]}{area}{escape(row.neighbourhood or "—")}{status}'
               f'{statuses[state]}')
        if state is RequestStatus.NEW and r.source is Source.WEBSITE:
            append(website)
        append(f'{day}{escape(format_date(planned)) if planned else no_date}{people}'
               f'{", ".join([str(escape(n)) for n in names]) if names else "—"}</td>\n</tr>\n')
    return Markup("".join(out))
