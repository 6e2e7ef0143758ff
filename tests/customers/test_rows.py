"""blueprints/customers/rows.py writes the rows customers/index.html's loop wrote.

The loop below is the template's as it was before the rows became a Python function: the
reference. Customers of every kind, with and without contact, archive mark, e-invoice, city,
hourly rate and punch-card balance (none, used up, left), with values that need escaping, in
Dutch and English, rendered both ways: the same HTML but for whitespace between tags.
"""
from __future__ import annotations

import itertools
import re
from datetime import datetime, timezone
from types import SimpleNamespace

from flask import g
from flask_babel import force_locale
from markupsafe import Markup

from blueprints.customers.models import CustomerKind
from blueprints.customers.rows import customer_rows
from blueprints.customers.services import KIND_LABELS, CustomerRow

REFERENCE_LOOP = r"""
  {% for row in rows %}{% set c = row.customer %}
    <tr class="utrecht-table__row">
      <td class="utrecht-table__cell" data-label="{{ _('Naam') }}"><a class="utrecht-link" href="{{ url_for('customers.show', customer_id=c.id) }}">{{ c.name }}</a>{% if c.contact_name %} · <span class="muted">{{ c.contact_name }}</span>{% endif %}{% if c.archived_at %} <span class="status-badge status-badge--muted">{{ _('gearchiveerd') }}</span>{% endif %}</td>
      <td class="utrecht-table__cell" data-label="{{ _('Soort') }}">{{ kind_labels[c.kind] }}{% if c.wants_ubl %} <span class="muted">({{ _('e-factuur') }})</span>{% endif %}</td>
      <td class="utrecht-table__cell" data-label="{{ _('Plaats') }}">{{ c.city or '—' }}</td>
      <td class="utrecht-table__cell" data-label="{{ _('Uurtarief') }}">{% if c.hourly_rate_cents is not none %}{{ c.hourly_rate_cents|money }}{% else %}<span class="muted">{{ _('standaard') }}</span>{% endif %}</td>
      <td class="utrecht-table__cell" data-label="{{ _('Strippenkaart (uren over)') }}">{% if row.punch_minutes is none %}—{% elif row.punch_minutes <= 0 %}<span class="status-badge status-badge--warning">{{ _('op') }}</span>{% else %}{{ _('%(hours)s uur', hours=row.punch_minutes|hours_from_minutes) }}{% endif %}</td>
    </tr>
  {% endfor %}
"""

AWKWARD = 'Jan "J" <de> & Vries'


def _norm(html) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


def _rows():
    states = itertools.product(CustomerKind, (None, "", AWKWARD), (None, datetime(
        2026, 1, 2, tzinfo=timezone.utc)), (False, True), (None, "", "Breda", "<Tilburg>"),
        (None, 0, 3250, 123456), (None, -30, 0, 20, 150, 6000))
    rows = []
    for n, (kind, contact, archived, ubl, city, rate, minutes) in enumerate(states):
        if n % 5:  # every kind, a fifth of the rest
            continue
        c = SimpleNamespace(id=9_000 + n, name=(AWKWARD, "Woonstichting Breda")[n % 2],
                            kind=kind, contact_name=contact, archived_at=archived,
                            wants_ubl=ubl, city=city, hourly_rate_cents=rate)
        rows.append(CustomerRow(c, minutes))
    return rows


def test_the_rows_as_the_template_wrote_them(app):
    rows = _rows()
    assert len(rows) > 100
    reference = app.jinja_env.from_string(REFERENCE_LOOP)
    with app.test_request_context("/"):
        g.tenant = SimpleNamespace(slug="de-vaart")
        for locale in ("nl", "en"):
            with force_locale(locale):
                expected = reference.render(rows=rows, kind_labels=KIND_LABELS)
                actual = customer_rows(rows, KIND_LABELS)
                assert isinstance(actual, Markup)
                for want, got in zip(expected.split("</tr>"), str(actual).split("</tr>")):
                    assert _norm(got) == _norm(want)
                assert _norm(actual) == _norm(expected)
        # what the rows must hold, so that the comparison above cannot pass on empty rows
        html = str(actual)
        assert html.count("<tr ") == len(rows)
        assert f'href="/de-vaart/klanten/{rows[0].customer.id}/"' in html
        assert "&lt;de&gt;" in html and "<de>" not in html and "<Tilburg>" not in html
        assert "status-badge--muted" in html and "status-badge--warning" in html
        assert customer_rows([], KIND_LABELS) == ""
