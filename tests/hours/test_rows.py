"""blueprints/hours/rows.py writes the rows hours/participant.html's, hours/review.html's and
hours/week.html's loops wrote.

The loops below are the templates' as they were before the rows became Python functions: the
reference. Rows in every state a participant's list shows — waiting, approved, returned (with
and without reviewer), a correction of each, with and without trajectory, help request, note,
"geschreven door", warnings, tegenprestatie before and after its renaming — with values that
need escaping, in Dutch and English, rendered both ways: the same HTML but for whitespace
between tags.
"""
from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from flask import g
from flask_babel import force_locale
from markupsafe import Markup

from blueprints.hours.lists import EntryRow
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.hours.routes.blueprint import _labels
from blueprints.hours.formats import HOUR_TYPES, type_label
from blueprints.hours.rows import grid_rows, participant_rows, review_rows
from blueprints.hours.week import Grid, GridRow
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

REVIEW_LOOP = r"""
{% set badge_kinds = {'goedgekeurd': 'ok', 'ingediend': 'warning', 'teruggestuurd': 'error'} %}
  {% set participant_url, return_url, correct_url = row_url('hours.participant', 'participant_id'), row_url('hours.return_entry', 'entry_id'), row_url('hours.correct', 'entry_id') %}
  {%- for row in rows %}{% set e = row.entry %}{% set p = row.participant %}
    <tr class="utrecht-table__row">
      <td class="utrecht-table__cell" data-label="{{ _('Kies') }}">
        {% if e.status.value == 'ingediend' %}
        <div class="checkbox-row">
          <input class="utrecht-checkbox utrecht-checkbox--html-input" type="checkbox" name="entry" value="{{ e.id }}" id="kies-{{ e.id }}" form="goedkeuren">
          <label class="utrecht-form-label utrecht-form-label--checkbox" for="kies-{{ e.id }}"><span class="visually-hidden">{{ _('Kies de uren van %(name)s op %(date)s', name=p.full_name, date=e.work_date|date) }}</span></label>
          <input type="hidden" name="version-{{ e.id }}" value="{{ e.version }}" form="goedkeuren">
          <input type="hidden" name="page_entry" value="{{ e.id }}" form="goedkeuren">
        </div>
        {% else %}—{% endif %}
      </td>
      <td class="utrecht-table__cell" data-label="{{ _('Deelnemer') }}"><a class="utrecht-link" href="{{ participant_url(p.id) }}">{{ p.full_name }}</a></td>
      <td class="utrecht-table__cell" data-label="{{ _('Datum') }}">{{ e.work_date|date }}</td>
      <td class="utrecht-table__cell" data-label="{{ _('Uren') }}">{{ e.minutes|hours_from_minutes }}</td>
      <td class="utrecht-table__cell" data-label="{{ _('Soort en traject') }}">{{ type_label(e.hour_type, e.work_date) }}<br><span class="muted">{% if row.trajectory_kind %}{{ kind_labels[row.trajectory_kind] }}{% endif %}
  {%- if row.help_request %} · {{ _('hulpvraag') }} {{ row.help_request }}{% endif %}
  {%- if e.corrects_id %} · <span class="status-badge status-badge--neutral">{{ _('correctie') }}</span>{% endif %}</span></td>
      <td class="utrecht-table__cell" data-label="{{ _('Notitie en waarschuwingen') }}">
        {{ e.note or '' }}
        {% if row.submitted_by and p.user_id != e.submitted_by_id %}<span class="muted">({{ _('geschreven door %(name)s', name=row.submitted_by) }})</span>{% endif %}
        {% if e.return_reason and e.status.value == 'ingediend' %}<br><span class="muted">{{ _('Eerder teruggestuurd') }}: {{ e.return_reason }}</span>{% endif %}
        {% set messages = warnings.get(e.id) %}{% if messages %}
  <ul class="warning-list">
    {% for m in messages %}<li><span class="status-badge status-badge--warning">{{ _('let op') }}</span> {{ m }}</li>{% endfor %}
  </ul>
  {% endif %}
      </td>
      <td class="utrecht-table__cell" data-label="{{ _('Status') }}">
        <span class="status-badge status-badge--{{ badge_kinds[e.status.value] }}">{{ status_labels[e.status] }}</span>
        {% if e.status.value == 'ingediend' %}
        <details class="return-details">
          <summary class="utrecht-link">{{ _('Terugsturen') }}<span class="visually-hidden"> {{ _('(uren van %(name)s op %(date)s)', name=p.full_name, date=e.work_date|date) }}</span></summary>
          <form method="post" action="{{ return_url(e.id) }}">
            <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
            <input type="hidden" name="next" value="{{ this_url }}">
            <input type="hidden" name="version" value="{{ e.version }}">
            <div class="utrecht-form-field">
              <label class="utrecht-form-label" for="reden-{{ e.id }}">{{ _('Reden voor de deelnemer') }}</label>
              <textarea class="utrecht-textarea utrecht-textarea--html-textarea" id="reden-{{ e.id }}" name="reason" rows="2" maxlength="500" required></textarea>
            </div>
            <button type="submit" class="utrecht-button utrecht-button--secondary-action">{{ _('Terugsturen') }}</button>
          </form>
        </details>
        {% elif e.status.value == 'teruggestuurd' %}<br>{{ e.return_reason }}
        {% elif e.status.value == 'goedgekeurd' %}<br><a class="utrecht-link" href="{{ correct_url(e.id) }}">{{ _('Corrigeren') }}<span class="visually-hidden"> {{ _('(uren van %(name)s op %(date)s)', name=p.full_name, date=e.work_date|date) }}</span></a>
        {% endif %}
      </td>
    </tr>
  {% endfor %}
"""

GRID_LOOP = r"""
    {#- What every row and cell repeats, looked up once: the words, the row link, the badge
        kinds, the day labels and each day's ISO date. #}
    {%- set participant_url = row_url('hours.participant', 'participant_id') %}
    {%- set l_participant, l_type, l_hour = _('Deelnemer'), _('Soort uren'), _('uur') %}
    {%- set badge_kinds = {'goedgekeurd': 'ok', 'ingediend': 'warning', 'teruggestuurd': 'error'} %}
    {%- set days = [] %}{% for day in grid.days %}{% do days.append((day, day_label(day), day_label(day, long=True), day.isoformat(), day <= today)) %}{% endfor %}
    {%- for row in grid.rows %}{% set t = row.trajectory %}{% set p = row.participant %}{% set full_name = p.full_name %}
      <tr class="utrecht-table__row">
        <th class="utrecht-table__cell" scope="row" data-label="{{ l_participant }}">
          <a class="utrecht-link" href="{{ participant_url(p.id) }}">{{ full_name }}</a><br>
          <span class="muted">{{ kind_labels[t.kind] }} · {{ _('%(hours)s uur per week', hours=t.hours_per_week|number) }}</span>
          <input type="hidden" name="stand-{{ t.id }}" value="{{ row.snapshot }}">
          <div class="utrecht-form-field">
            <label class="utrecht-form-label" for="soort-{{ t.id }}">{{ l_type }}<span class="visually-hidden"> {{ _('voor %(name)s', name=full_name) }}</span></label>
            <select class="utrecht-select utrecht-select--html-select" id="soort-{{ t.id }}" name="soort-{{ t.id }}">
              {% for value, label in type_choices %}<option value="{{ value }}"{% if typed.get('soort-' ~ t.id, '') == value %} selected{% endif %}>{{ label }}</option>{% endfor %}
            </select>
          </div>
          {% if row_errors.get(t.id) %}<div class="utrecht-form-field-error-message" role="alert"><p class="utrecht-paragraph">{{ row_errors[t.id] }}</p></div>{% endif %}
        </th>
        {% for day, head, long_head, iso, open in days %}{% set name = 'u-' ~ t.id ~ '-' ~ iso %}{% set error = errors.get((t.id, day)) %}
        <td class="utrecht-table__cell" data-label="{{ head }}">
          {% for e in row.entries.get(day, []) %}
            <span class="status-badge status-badge--{{ badge_kinds[e.status.value] }}">{{ e.minutes|hours_from_minutes }} <span class="visually-hidden">{{ l_hour }}, </span>{{ status_labels[e.status]|lower }}</span>
          {% endfor %}
          {% if open %}
          <div class="{% if error %}utrecht-form-field--invalid{% endif %}">
            <label class="visually-hidden" for="{{ name }}">{{ _('Uren van %(name)s op %(day)s', name=full_name, day=long_head) }}</label>
            <input class="utrecht-textbox utrecht-textbox--html-input week-grid__input" type="text" inputmode="decimal" autocomplete="off" id="{{ name }}" name="{{ name }}" value="{{ typed.get(name, '') }}" size="4"{% if error %} aria-invalid="true" aria-describedby="{{ name }}-fout"{% endif %}>
            {% if error %}<div class="utrecht-form-field-error-message" id="{{ name }}-fout"><p class="utrecht-paragraph">{{ error }}</p></div>{% endif %}
          </div>
          {% endif %}
        </td>
        {% endfor %}
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


def test_the_review_rows_as_the_template_wrote_them(app):
    rows, warnings = _rows()
    people = [SimpleNamespace(id=7, full_name=AWKWARD, user_id=None),
              SimpleNamespace(id=8, full_name="Sandra Verhoeven", user_id=41)]
    review = []
    for n, row in enumerate(rows):
        row.entry.submitted_by_id = (None, 41, 42)[n % 3]
        review.append(EntryRow(row.entry, people[n % 2], *list(row.__dict__.values())[2:]))
    reference = app.jinja_env.from_string(REVIEW_LOOP)
    this_url = '/de-vaart/uren/?status=alle&van=2026-01-01&x="<y>"'
    with app.test_request_context("/"):
        g.tenant = SimpleNamespace(slug="de-vaart")
        for locale in ("nl", "en"):
            with force_locale(locale):
                labels = _labels()
                expected = reference.render(rows=review, warnings=warnings, this_url=this_url,
                                            **labels)
                actual = review_rows(review, warnings, labels["type_label"],
                                     labels["kind_labels"], labels["status_labels"], this_url)
                assert isinstance(actual, Markup)
                for want, got in zip(expected.split("</tr>"), str(actual).split("</tr>")):
                    assert _norm(got) == _norm(want)
                assert _norm(actual) == _norm(expected)
        html = str(actual)
        assert html.count("<tr ") == len(review)
        assert 'action="/de-vaart/uren/1000/terugsturen"' in html  # waiting: return form
        assert 'href="/de-vaart/uren/deelnemer/7"' in html
        assert "&#34;&lt;y&gt;&#34;" in html and '"<y>"' not in html
        assert review_rows([], {}, labels["type_label"], labels["kind_labels"],
                           labels["status_labels"], this_url) == ""


def test_the_grid_rows_as_the_template_wrote_them(app):
    """Rows of the week grid with entries of each status on some days, a day after today (no
    cell), typed values and hour types, cell errors and a row error, names that need escaping."""
    monday = date(2026, 3, 2)
    today = monday + timedelta(days=4)
    people = [SimpleNamespace(id=7, full_name=AWKWARD),
              SimpleNamespace(id=8, full_name="Sandra Verhoeven")]
    rows, typed, errors, row_errors = [], {}, {}, {}
    for n, kind in enumerate([*TrajectoryKind, *TrajectoryKind]):
        trajectory = SimpleNamespace(id=500 + n, kind=kind,
                                     hours_per_week=(Decimal("12"), Decimal("7.5"))[n % 2])
        entries: dict = {}
        for k, status in enumerate(EntryStatus):
            if (n + k) % 3:
                day = monday + timedelta(days=(n + k) % 7)
                entries.setdefault(day, []).append(TimeEntry(
                    id=9000 + 10 * n + k, status=status, minutes=(150, 480, 20)[k]))
        rows.append(GridRow(people[n % 2], trajectory, entries, f"snap{n}"))
        if n % 3 == 1:
            typed[f"u-{trajectory.id}-{(monday + timedelta(days=1)).isoformat()}"] = '2,5 "<x>"'
            typed[f"soort-{trajectory.id}"] = HOUR_TYPES[n % len(HOUR_TYPES)].value
            errors[(trajectory.id, monday + timedelta(days=1))] = AWKWARD
        if n % 4 == 2:
            row_errors[trajectory.id] = "Iemand anders <b>"
    grid = Grid(monday, rows, len(rows))
    reference = app.jinja_env.from_string(GRID_LOOP)
    with app.test_request_context("/"):
        g.tenant = SimpleNamespace(slug="de-vaart")
        for locale in ("nl", "en"):
            with force_locale(locale):
                labels = _labels()
                context = {"grid": grid, "today": today, "typed": typed, "errors": errors,
                           "row_errors": row_errors, "type_choices": [("", "Wat past")] + [
                               (t.value, type_label(t, monday)) for t in HOUR_TYPES],
                           "kind_labels": labels["kind_labels"],
                           "status_labels": labels["status_labels"],
                           "day_label": labels["day_label"]}
                expected = reference.render(**context)
                actual = grid_rows(grid, **{k: v for k, v in context.items() if k != "grid"})
                assert isinstance(actual, Markup)
                for want, got in zip(expected.split("</tr>"), str(actual).split("</tr>")):
                    assert _norm(got) == _norm(want)
                assert _norm(actual) == _norm(expected)
        html = str(actual)
        assert html.count("<tr ") == len(rows)
        assert html.count('aria-invalid="true"') == len(errors) > 0
        assert html.count('role="alert"') == len(row_errors) > 0
        assert html.count(" selected>") == len(rows)
        assert 'href="/de-vaart/uren/deelnemer/7"' in html
        assert all(f"status-badge--{kind}" in html for kind in ("ok", "warning", "error"))
        assert "&lt;de&gt;" in html and "<de>" not in html and "&lt;x&gt;" in html
        assert f'name="u-500-{today.isoformat()}"' in html
        assert f'name="u-500-{(today + timedelta(days=1)).isoformat()}"' not in html
        assert grid_rows(Grid(monday, []), **{k: v for k, v in context.items()
                                              if k != "grid"}) == ""
