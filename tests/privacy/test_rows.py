"""blueprints/privacy/rows.py writes the rows privacy/audit_trail.html's loop wrote.

The loop below is the template's as it was before the rows became a Python function: the
reference. Events with and without actor, details (of several types, with values that need
escaping), object and IP address, with an action the trail names and one it does not, in Dutch
and English, rendered both ways: the same HTML but for whitespace between tags.
"""
from __future__ import annotations

import itertools
import re
from datetime import datetime, timezone
from types import SimpleNamespace

from flask_babel import force_locale
from markupsafe import Markup

from blueprints.privacy.rows import ACTION_LABELS, trail_rows

REFERENCE_LOOP = r"""
{% set action_labels = {
  'participant.created': _('Dossier aangemaakt'),
  'participant.updated': _('Gegevens gewijzigd'),
  'participant.viewed': _('Dossier bekeken'),
  'participant.exported': _('Gegevens gedownload'),
  'participant.erased': _('Gegevens geanonimiseerd'),
  'participant.account_linked': _('Account gekoppeld'),
  'exemption.recorded': _('Ontheffing vastgelegd'),
  'consent.given': _('Toestemming gegeven'),
  'consent.withdrawn': _('Toestemming ingetrokken'),
  'trajectory.created': _('Traject aangemaakt'),
  'trajectory.updated': _('Traject gewijzigd'),
  'trajectory.status_changed': _('Status van traject gewijzigd'),
  'trajectory.ended': _('Traject afgerond'),
  'goal.created': _('Leerdoel toegevoegd'),
  'goal.progress': _('Voortgang leerdoel'),
  'evaluation.planned': _('Evaluatie gepland'),
  'evaluation.recorded': _('Evaluatie vastgelegd'),
} %}
  {%- set l_when, l_who, l_action, l_object, l_ip, w_system = _('Tijdstip'), _('Wie'), _('Actie'), _('Object'), _('IP-adres'), _('systeem') %}
  {% for e in events %}
    <tr class="utrecht-table__row">
      <td class="utrecht-table__cell" data-label="{{ l_when }}">{{ e.at|datetime }}</td>
      <td class="utrecht-table__cell" data-label="{{ l_who }}">{{ e.actor_email or w_system }}</td>
      <td class="utrecht-table__cell" data-label="{{ l_action }}">{{ action_labels.get(e.action, '') }} <code>{{ e.action }}</code>{% if e.details %} <span class="muted">{% for k, v in e.details.items() %}{{ k }}={{ v }} {% endfor %}</span>{% endif %}</td>
      <td class="utrecht-table__cell" data-label="{{ l_object }}">{{ e.object_type or '' }} {{ e.object_id or '' }}</td>
      <td class="utrecht-table__cell" data-label="{{ l_ip }}">{{ e.ip or '' }}</td>
    </tr>
  {% endfor %}
"""

AWKWARD = 'Jan "J" <de> & Vries'


def _norm(html) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


def _events():
    actions = [*ACTION_LABELS, "hours.logged", "custom.<x>&"]
    details = (None, {}, {"n": 3}, {"fields": ["name", "<b>"], "old": None, "new": 7},
               {"note": AWKWARD, "ok": True, "nested": {"a": "<&>"}})
    states = itertools.product(actions, (None, "anna@example.org", "a<b>@x.nl"), details,
                               ((None, None), ("Participant", "12"), ("Trajectory", "<9>")),
                               (None, "127.0.0.1", "2001:db8::<1>"))
    events = []
    for n, (action, email, detail, (object_type, object_id), ip) in enumerate(states):
        if n % 7:  # every combination of action and email, a seventh of the rest
            continue
        events.append(SimpleNamespace(
            id=n, at=datetime(2026, 3 + n % 9, 1 + n % 27, n % 24, n % 60, tzinfo=timezone.utc),
            actor_email=email, action=action, details=detail, object_type=object_type,
            object_id=object_id, ip=ip))
    return events


def test_the_rows_as_the_template_wrote_them(app):
    events = _events()
    assert len(events) > 100
    reference = app.jinja_env.from_string(REFERENCE_LOOP)
    with app.test_request_context("/"):
        for locale in ("nl", "en"):
            with force_locale(locale):
                expected = reference.render(events=events)
                actual = trail_rows(events)
                assert isinstance(actual, Markup)
                for want, got in zip(expected.split("</tr>"), str(actual).split("</tr>")):
                    assert _norm(got) == _norm(want)
                assert _norm(actual) == _norm(expected)
        # what the rows must hold, so that the comparison above cannot pass on empty rows
        html = str(actual)
        assert html.count("<tr ") == len(events)
        assert "File created" in html and "Dossier aangemaakt" not in html  # English last
        assert "&lt;de&gt;" in html and "<de>" not in html and "<x>" not in html
        assert trail_rows([]) == ""
