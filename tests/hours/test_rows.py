"""blueprints/hours/rows.py writes the rows hours/participant.html's loop wrote.

The loop below is the template's as it was before the rows became a Python function: the
reference. Rows in every state a participant's list shows — waiting, approved, returned (with
and without reviewer), a correction of each, with and without trajectory, help request, note,
"geschreven door", warnings, tegenprestatie before and after its renaming — with values that
need escaping, in Dutch and English, rendered both ways: the same HTML but for whitespace
between tags.
"""
from __future__ import annotations

import itertools
import re
from datetime import date
from types import SimpleNamespace

from flask import g
from flask_babel import force_locale
from markupsafe import Markup

from blueprints.hours.lists import EntryRow
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.hours.routes.blueprint import _labels
from blueprints.hours.rows import participant_rows
from blueprints.trajectories.models import TrajectoryKind

REFERENCE_LOOP = r"""
{% set badge_kinds = {'goedgekeurd': 'ok', 'ingediend': 'warning', 'teruggestuurd': 'error'} %}
{% set correct_url, edit_url, withdraw_url = row_url('hours.correct', 'entry_id'), row_url('hours.edit', 'entry_id'), row_url('hours.withdraw', 'entry_id') %}
{%- set l_date, l_hours, l_what, l_note, l_status, l_actions = _('Datum'), _('Uren'), _('Soort en traject'), _('Notitie en waarschuwingen'), _('Status'), _('Acties') %}
{%- set w_request, w_correction, w_attention, w_correct, w_edit, w_withdraw = _('hulpvraag'), _('correctie'), _('let op'), _('Corrigeren'), _('Aanpassen'), _('Intrekken') %}
{%- set token = csrf_token() %}
  {% for row in rows %}{% set e = row.entry %}{% set status, day = e.status.value, e.work_date|date %}
    <tr class="utrecht-table__row">
      <td class="utrecht-table__cell" data-label="{{ l_date }}">{{ day }}</td>
      <td class="utrecht-table__cell" data-label="{{ l_hours }}">{{ e.minutes|hours_from_minutes }}</td>
      <td class="utrecht-table__cell" data-label="{{ l_what }}">{{ type_label(e.hour_type, e.work_date) }}<br><span class="muted">{% if row.trajectory_kind %}{{ kind_labels[row.trajectory_kind] }}{% endif %}
  {%- if row.help_request %} · {{ w_request }} {{ row.help_request }}{% endif %}
  {%- if e.corrects_id %} · <span class="status-badge status-badge--neutral">{{ w_correction }}</span>{% endif %}</span></td>
      <td class="utrecht-table__cell" data-label="{{ l_note }}">{{ e.note or '' }}{% if row.submitted_by %} <span class="muted">({{ _('geschreven door %(name)s', name=row.submitted_by) }})</span>{% endif %}{% set messages = warnings.get(e.id) %}{% if messages %}
  <ul class="warning-list">
    {% for m in messages %}<li><span class="status-badge status-badge--warning">{{ w_attention }}</span> {{ m }}</li>{% endfor %}
  </ul>
  {% endif %}</td>
      <td class="utrecht-table__cell" data-label="{{ l_status }}"><span class="status-badge status-badge--{{ badge_kinds[status] }}">{{ status_labels[e.status] }}</span>{% if status == 'teruggestuurd' %}<br>{{ e.return_reason }}{% endif %}{% if row.reviewed_by and status != 'ingediend' %}<br><span class="muted">{{ row.reviewed_by }}</span>{% endif %}</td>
      <td class="utrecht-table__cell" data-label="{{ l_actions }}">
        {% set when = _('(uren van %(date)s)', date=day) %}
        {%- if status == 'goedgekeurd' %}
          <a class="utrecht-link" href="{{ correct_url(e.id) }}">{{ w_correct }}<span class="visually-hidden"> {{ when }}</span></a>
        {% else %}
          {% if not e.corrects_id %}<a class="utrecht-link" href="{{ edit_url(e.id) }}">{{ w_edit }}<span class="visually-hidden"> {{ when }}</span></a>{% endif %}
          {#- the withdraw form of hours/_macros.html, written out: a macro call per row #}
  <form method="post" action="{{ withdraw_url(e.id) }}" class="inline-form">
    <input type="hidden" name="csrf_token" value="{{ token }}">
    <input type="hidden" name="version" value="{{ e.version }}">
    <button type="submit" class="utrecht-button utrecht-button--subtle">{{ w_withdraw }}<span class="visually-hidden"> {{ when }}</span></button>
  </form>
        {% endif %}
      </td>
    </tr>
  {% endfor %}
"""

AWKWARD = 'Jan "J" <de> & Vries'


def _norm(html) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


def _rows():
    """Rows in every combination of what a row shows."""
    rows, warnings = [], {}
    states = itertools.product(
        EntryStatus, (None, 12), (None, TrajectoryKind.SOCIAL_JOB, TrajectoryKind.VOLUNTEER),
        (None, "HV-0042 <x>"), (None, "", AWKWARD), (None, AWKWARD), (None, "Karin & co"))
    for n, (status, corrects, kind, request, note, submitter, reviewer) in enumerate(states):
        hour_type = list(HourType)[n % len(HourType)]
        work_date = (date(2025, 12, 31), date(2026, 3, 4), date(2027, 1, 1))[n % 3]
        e = TimeEntry(id=1000 + n, status=status, corrects_id=corrects, note=note,
                      minutes=(150, 480, 20, -90)[n % 4], hour_type=hour_type,
                      work_date=work_date, version=n % 5 + 1,
                      return_reason=AWKWARD if status == EntryStatus.RETURNED else None)
        rows.append(EntryRow(e, None, kind, request, submitter, reviewer))
        if n % 4 == 1:
            warnings[e.id] = [AWKWARD]
        elif n % 4 == 2:
            warnings[e.id] = ["Meer dan 40 uur in deze week", Markup("<em>al veilig</em>")]
    return rows, warnings


def test_the_rows_as_the_template_wrote_them(app):
    rows, warnings = _rows()
    assert len(rows) > 200
    reference = app.jinja_env.from_string(REFERENCE_LOOP)
    with app.test_request_context("/"):
        g.tenant = SimpleNamespace(slug="de-vaart")
        for locale in ("nl", "en"):
            with force_locale(locale):
                labels = _labels()
                context = {"rows": rows, "warnings": warnings, **labels}
                expected = reference.render(**context)
                actual = participant_rows(rows, warnings, labels["type_label"],
                                          labels["kind_labels"], labels["status_labels"])
                assert isinstance(actual, Markup)
                for want, got in zip(expected.split("</tr>"), str(actual).split("</tr>")):
                    assert _norm(got) == _norm(want)
                assert _norm(actual) == _norm(expected)
        # what the rows must hold, so that the comparison above cannot pass on empty rows
        html = str(actual)
        assert html.count("<tr ") == len(rows)
        assert 'action="/de-vaart/uren/1000/intrekken"' in html  # waiting: withdraw
        assert 'href="/de-vaart/uren/1000/bewerken"' in html     # not a correction: edit
        approved = next(r.entry.id for r in rows if r.entry.status == EntryStatus.APPROVED)
        assert f'href="/de-vaart/uren/{approved}/corrigeren"' in html
        assert "&lt;de&gt;" in html and "<de>" not in html
        assert participant_rows([], {}, labels["type_label"], labels["kind_labels"],
                                labels["status_labels"]) == ""
