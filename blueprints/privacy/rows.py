"""The rows of a participant's audit trail (privacy/audit_trail.html), written in Python.

A page holds up to 50 events of five cells: the time, who, the action (its label, its code and
its details as `key=value`), the object and the IP address. As a Jinja loop that was ~100 Python
calls a row (an escape per `{{ }}`, a `getattr` per attribute, a filter call for the time, a loop
over the details). `trail_rows` writes the same elements, attributes and text, each value
escaped with markupsafe's `escape` (as Jinja's autoescape does); only whitespace between tags
differs. The house pattern of blueprints/hours/rows.py; tests/privacy/test_rows.py renders rows
both ways (the template's loop kept there as the reference) and compares.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from tenants.fieldhtml import cell_openers
from tenants.formatting import datetime_formatter
from tenants.i18n import current_translations

__all__ = ["ACTION_LABELS", "trail_rows"]


def N_(msgid: str) -> str:
    """Marks a msgid for `pybabel extract` (a default keyword); translated where it is used."""
    return msgid


#: the label of each action the trail names (other actions: the code alone)
ACTION_LABELS = {
    "participant.created": N_("Dossier aangemaakt"),
    "participant.updated": N_("Gegevens gewijzigd"),
    "participant.viewed": N_("Dossier bekeken"),
    "participant.exported": N_("Gegevens gedownload"),
    "participant.erased": N_("Gegevens geanonimiseerd"),
    "participant.account_linked": N_("Account gekoppeld"),
    "exemption.recorded": N_("Ontheffing vastgelegd"),
    "consent.given": N_("Toestemming gegeven"),
    "consent.withdrawn": N_("Toestemming ingetrokken"),
    "trajectory.created": N_("Traject aangemaakt"),
    "trajectory.updated": N_("Traject gewijzigd"),
    "trajectory.status_changed": N_("Status van traject gewijzigd"),
    "trajectory.ended": N_("Traject afgerond"),
    "goal.created": N_("Leerdoel toegevoegd"),
    "goal.progress": N_("Voortgang leerdoel"),
    "evaluation.planned": N_("Evaluatie gepland"),
    "evaluation.recorded": N_("Evaluatie vastgelegd"),
}


def _details(details) -> str:
    """`{% for k, v in e.details.items() %}{{ k }}={{ v }} {% endfor %}`"""
    return "".join([f"{escape(k)}={escape(v)} " for k, v in details.items()])


def trail_rows(events) -> Markup:
    """The `<tr>`s of the trail's table for `events` (AuditEvent rows, newest first)."""
    t = current_translations()
    # `_('literal')` in a template: a translation is a trusted format string (`%%` becomes
    # `%`, nothing is escaped)
    labels = {action: t.ugettext(msgid) % {} for action, msgid in ACTION_LABELS.items()}
    l_when, l_who, l_action, l_object, l_ip, w_system = (t.ugettext(m) % {} for m in (
        N_("Tijdstip"), N_("Wie"), N_("Actie"), N_("Object"), N_("IP-adres"), N_("systeem")))
    format_datetime = datetime_formatter()
    when_cell, who_cell, action_cell, object_cell, ip_cell = cell_openers(
        l_when, l_who, l_action, l_object, l_ip)
    out = []
    append = out.append
    for e in events:
        action = e.action
        details = e.details
        append(f"{when_cell}{escape(format_datetime(e.at))}"
               f"{who_cell}{escape(e.actor_email) if e.actor_email else w_system}"
               f"{action_cell}{labels.get(action, '')} <code>{escape(action)}</code>"
               f'{f""" <span class="muted">{_details(details)}</span>""" if details else ""}'
               f"{object_cell}{escape(e.object_type or '')} {escape(e.object_id or '')}"
               f"{ip_cell}{escape(e.ip or '')}</td>\n</tr>\n")
    return Markup("".join(out))
