"""blueprints/helprequests/rows.py writes the rows helprequests/index.html's loop wrote.

The loop below is the template's as it was before the rows became a Python function: the
reference. Rows in every state the list shows — each status and source, with and without
street, wijk, date and participants — with values that need escaping, in Dutch and English,
rendered both ways: the same HTML but for whitespace between tags.
"""
from __future__ import annotations

import itertools
import re
from datetime import date
from types import SimpleNamespace

from flask import g
from flask_babel import force_locale
from markupsafe import Markup

from blueprints.helprequests import services
from blueprints.helprequests.models import HelpRequest, JobKind, RequestStatus, Source
from blueprints.helprequests.rows import request_rows
from blueprints.helprequests.services import RequestRow

REFERENCE_LOOP = r"""
  {%- set l_ref, l_resident, l_kind, l_area, l_status, l_date, l_people = _('Kenmerk'), _('Bewoner'), _('Soort klus'), _('Wijk'), _('Status'), _('Datum'), _('Deelnemers') %}
  {%- set w_no_date, show_url = _('nog geen datum'), row_url('helprequests.show', 'help_request_id') %}
  {%- set status_kinds = {'nieuw': 'warning', 'ingepland': 'neutral', 'uitgevoerd': 'ok', 'gefactureerd': 'ok', 'afgewezen': 'muted'} %}
  {% for row in rows %}{% set r = row.request %}{% set status = r.status.value %}
    <tr class="utrecht-table__row">
      <td class="utrecht-table__cell" data-label="{{ l_ref }}"><a class="utrecht-link" href="{{ show_url(r.id) }}">{{ r.reference }}</a></td>
      <td class="utrecht-table__cell" data-label="{{ l_resident }}">{{ r.requester_name }}{% if r.street %} · <span class="muted">{{ r.street }}</span>{% endif %}</td>
      <td class="utrecht-table__cell" data-label="{{ l_kind }}">{{ kind_labels[r.kind] }}</td>
      <td class="utrecht-table__cell" data-label="{{ l_area }}">{{ row.neighbourhood or '—' }}</td>
      <td class="utrecht-table__cell" data-label="{{ l_status }}"><span class="status-badge status-badge--{{ status_kinds[status] }}">{{ status_labels[r.status] }}</span>{% if status == 'nieuw' and r.source.value == 'website' %} <span class="muted">({{ source_labels[r.source] }})</span>{% endif %}</td>
      <td class="utrecht-table__cell" data-label="{{ l_date }}">{{ r.planned_on|date or w_no_date }}</td>
      <td class="utrecht-table__cell" data-label="{{ l_people }}">{{ row.participants|join(', ') or '—' }}</td>
    </tr>
  {% endfor %}
"""  # noqa: E501 - the template's lines as they were

AWKWARD = 'Jan "J" <de> & Vries'


def _norm(html) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


def _rows() -> list[RequestRow]:
    """Rows in every combination of what a row shows."""
    rows = []
    states = itertools.product(RequestStatus, Source, (None, "", AWKWARD), (None, AWKWARD),
                               (None, date(2026, 3, 4)), ([], [AWKWARD], ["Anna", "Bo & co"]))
    for n, (status, source, street, wijk, planned, names) in enumerate(states):
        r = HelpRequest(id=2000 + n, reference=f"2026-{n:04d}" if n % 7 else "<2026>",
                        requester_name=AWKWARD if n % 2 else "Mevrouw Tuin", street=street,
                        kind=list(JobKind)[n % len(JobKind)], status=status, source=source,
                        planned_on=planned)
        rows.append(RequestRow(r, wijk, names))
    return rows


def test_the_rows_as_the_template_wrote_them(app):
    rows = _rows()
    assert len(rows) > 500
    reference = app.jinja_env.from_string(REFERENCE_LOOP)
    labels = {"kind_labels": services.KIND_LABELS, "status_labels": services.STATUS_LABELS,
              "source_labels": services.SOURCE_LABELS}
    with app.test_request_context("/"):
        g.tenant = SimpleNamespace(slug="de-vaart")
        for locale in ("nl", "en"):
            with force_locale(locale):
                expected = reference.render(rows=rows, **labels)
                actual = request_rows(rows, **labels)
                assert isinstance(actual, Markup)
                for want, got in zip(expected.split("</tr>"), str(actual).split("</tr>")):
                    assert _norm(got) == _norm(want)
                assert _norm(actual) == _norm(expected)
        # what the rows must hold, so that the comparison above cannot pass on empty rows
        html = str(actual)
        assert html.count("<tr ") == len(rows)
        assert 'href="/de-vaart/hulpvragen/2000/"' in html
        assert "&lt;de&gt;" in html and "<de>" not in html and "&lt;2026&gt;" in html
        assert "status-badge--muted" in html and "(Website)" in html
        assert request_rows([], **labels) == ""
