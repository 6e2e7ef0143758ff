"""The rows of the hours lists and the week grid, written in Python: a participant's hours for
staff (hours/participant.html), the approval list (hours/review.html), the week grid
(hours/week.html). They share the status badge, the line under the type and the warnings.

A page holds up to 50 rows of six cells: a date and an hours figure, the type with the trajectory,
help request and correction mark, the note with who wrote it and the entry's warnings, the status
with the reason and reviewer, and the correct or edit link and withdraw form with a text for
screen readers. As a Jinja loop that was ~300 Python calls a row (an escape per `{{ }}`, a
`getattr` per attribute, a filter call per date). `participant_rows` writes the same elements,
attributes and text, each value escaped with markupsafe's `escape` (as Jinja's autoescape does);
only whitespace between tags differs. tests/hours/test_rows.py renders rows in every state both
ways (the templates' loops are kept there as the reference) and compares.
"""
from __future__ import annotations

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from blueprints.hours.formats import format_minutes
from blueprints.hours.models import EntryStatus
from tenants.formatting import format_date, format_number
from tenants.i18n import current_translations
from tenants.web import row_url

__all__ = ["grid_rows", "participant_rows", "review_rows"]


def N_(msgid: str) -> str:
    """Marks a msgid for `pybabel extract` (a default keyword); translated where it is used."""
    return msgid

#: the status badge's modifier per status value (the template's `badge_kinds`)
BADGE_KINDS = {EntryStatus.APPROVED.value: "ok", EntryStatus.SUBMITTED.value: "warning",
               EntryStatus.RETURNED.value: "error"}
APPROVED, SUBMITTED, RETURNED = (EntryStatus.APPROVED.value, EntryStatus.SUBMITTED.value,
                                 EntryStatus.RETURNED.value)
#: a status badge up to its text, per status value
BADGE_OPEN = {status: f'<span class="status-badge status-badge--{kind}">'
              for status, kind in BADGE_KINDS.items()}


def _status_badges(status_labels: dict) -> dict[str, str]:
    """The status badge of each status value with its label, as every list writes it."""
    return {status.value: f"{BADGE_OPEN[status.value]}{escape(label)}</span>"
            for status, label in status_labels.items()}


def _what(append, row, kind_labels: dict, request_word: str, correction_badge: str) -> None:
    """The muted line under an entry's type: the trajectory's kind, the help request, and the
    mark of a correction."""
    if row.trajectory_kind:
        append(escape(kind_labels[row.trajectory_kind]))
    if row.help_request:
        append(f" · {request_word} {escape(row.help_request)}")
    if row.entry.corrects_id:
        append(correction_badge)


def _warning_list(append, messages, attention: str) -> None:
    """An entry's warnings, each with a "let op" badge (`attention`)."""
    if messages:
        append('\n<ul class="warning-list">\n')
        for m in messages:
            append(f"{attention}{escape(m)}</li>")
        append("\n</ul>\n")


def _attention(word: str) -> str:
    return f'<li><span class="status-badge status-badge--warning">{word}</span> '


def _correction(word: str) -> str:
    return f' · <span class="status-badge status-badge--neutral">{word}</span>'


def _words() -> dict[str, str]:
    """What every row repeats, translated once: `_('literal')` in a template (a translation is
    a trusted format string: `%%` becomes `%`, nothing is escaped)."""
    t = current_translations()
    return {key: t.ugettext(msgid) % {} for key, msgid in (
        ("date", N_("Datum")), ("hours", N_("Uren")), ("what", N_("Soort en traject")),
        ("note", N_("Notitie en waarschuwingen")), ("status", N_("Status")),
        ("actions", N_("Acties")),
        ("request", N_("hulpvraag")), ("correction", N_("correctie")), ("attention", N_("let op")),
        ("correct", N_("Corrigeren")), ("edit", N_("Aanpassen")), ("withdraw", N_("Intrekken")))}


def participant_rows(rows, warnings: dict, type_label, kind_labels: dict,
                     status_labels: dict) -> Markup:
    """The `<tr>`s of hours/participant.html's table for `rows` (lists.EntryRow, the person's
    own list: `row.participant` is None); `warnings` per entry id, the labels of
    routes.blueprint._labels()."""
    if not rows:
        return Markup("")
    t = current_translations()
    words = _words()
    written_by = t.ugettext("geschreven door %(name)s")
    hours_of = t.ugettext("(uren van %(date)s)")
    correct_url = row_url("hours.correct", "entry_id")
    edit_url = row_url("hours.edit", "entry_id")
    withdraw_url = row_url("hours.withdraw", "entry_id")
    token = escape(generate_csrf())
    attention, correction = _attention(words["attention"]), _correction(words["correction"])
    badges = _status_badges(status_labels)
    cell = '<td class="utrecht-table__cell" data-label="'
    head = (f'<tr class="utrecht-table__row">\n{cell}{words["date"]}">', f'</td>\n{cell}'
            f'{words["hours"]}">', f'</td>\n{cell}{words["what"]}">')
    out = []
    append = out.append
    for row in rows:
        e = row.entry
        status = e.status.value
        entry_id = e.id
        work_date = e.work_date
        day = escape(format_date(work_date))
        when = hours_of % {"date": day}
        corrects = e.corrects_id
        append(f'{head[0]}{day}{head[1]}{escape(format_minutes(e.minutes))}{head[2]}'
               f'{escape(type_label(e.hour_type, work_date))}<br><span class="muted">')
        _what(append, row, kind_labels, words["request"], correction)
        append(f'</span></td>\n{cell}{words["note"]}">{escape(e.note or "")}')
        if row.submitted_by:
            append(f' <span class="muted">('
                   f'{written_by % {"name": escape(row.submitted_by)}})</span>')
        _warning_list(append, warnings.get(entry_id), attention)
        append(f'</td>\n{cell}{words["status"]}">{badges[status]}')
        if status == RETURNED:
            append(f"<br>{escape(e.return_reason)}")
        if row.reviewed_by and status != SUBMITTED:
            append(f'<br><span class="muted">{escape(row.reviewed_by)}</span>')
        append(f'</td>\n{cell}{words["actions"]}">\n')
        if status == APPROVED:
            append(f'<a class="utrecht-link" href="{escape(correct_url(entry_id))}">'
                   f'{words["correct"]}<span class="visually-hidden"> {when}</span></a>\n')
        else:
            if not corrects:
                append(f'<a class="utrecht-link" href="{escape(edit_url(entry_id))}">'
                       f'{words["edit"]}<span class="visually-hidden"> {when}</span></a>\n')
            append(f'<form method="post" action="{escape(withdraw_url(entry_id))}" '
                   'class="inline-form">\n'
                   f'<input type="hidden" name="csrf_token" value="{token}">\n'
                   f'<input type="hidden" name="version" value="{escape(e.version)}">\n'
                   '<button type="submit" class="utrecht-button utrecht-button--subtle">'
                   f'{words["withdraw"]}<span class="visually-hidden"> {when}</span></button>\n'
                   "</form>\n")
        append("</td>\n</tr>\n")
    return Markup("".join(out))


def review_rows(rows, warnings: dict, type_label, kind_labels: dict, status_labels: dict,
                this_url: str) -> Markup:
    """The `<tr>`s of hours/review.html's table for `rows` (lists.EntryRow with their
    participant), as its loop wrote them: the approve checkbox of a waiting entry, the person,
    date, hours, type, note and warnings, the status with the return form (a waiting entry),
    the reason (a returned one) or the correct link (an approved one)."""
    if not rows:
        return Markup("")
    t = current_translations()
    w = {key: t.ugettext(msgid) % {} for key, msgid in (
        ("choose", N_("Kies")), ("participant", N_("Deelnemer")), ("date", N_("Datum")),
        ("hours", N_("Uren")),
        ("what", N_("Soort en traject")), ("note", N_("Notitie en waarschuwingen")),
        ("status", N_("Status")), ("request", N_("hulpvraag")), ("correction", N_("correctie")),
        ("attention", N_("let op")), ("returned_before", N_("Eerder teruggestuurd")),
        ("return", N_("Terugsturen")), ("reason", N_("Reden voor de deelnemer")),
        ("correct", N_("Corrigeren")))}
    choose_text = t.ugettext("Kies de uren van %(name)s op %(date)s")
    of_text = t.ugettext("(uren van %(name)s op %(date)s)")
    written_by = t.ugettext("geschreven door %(name)s")
    participant_url = row_url("hours.participant", "participant_id")
    return_url = row_url("hours.return_entry", "entry_id")
    correct_url = row_url("hours.correct", "entry_id")
    token = escape(generate_csrf())
    back = escape(this_url)
    attention, correction = _attention(w["attention"]), _correction(w["correction"])
    badges = _status_badges(status_labels)
    cell = '<td class="utrecht-table__cell" data-label="'
    out = []
    append = out.append
    for row in rows:
        e, p = row.entry, row.participant
        status = e.status.value
        entry_id = e.id
        work_date = e.work_date
        day = escape(format_date(work_date))
        name = escape(p.full_name)
        version = escape(e.version)
        append(f'<tr class="utrecht-table__row">\n{cell}{w["choose"]}">\n')
        if status == SUBMITTED:
            append('<div class="checkbox-row">\n<input class="utrecht-checkbox '
                   'utrecht-checkbox--html-input" type="checkbox" name="entry" '
                   f'value="{entry_id}" id="kies-{entry_id}" form="goedkeuren">\n'
                   '<label class="utrecht-form-label utrecht-form-label--checkbox" '
                   f'for="kies-{entry_id}"><span class="visually-hidden">'
                   f'{choose_text % {"name": name, "date": day}}</span></label>\n'
                   f'<input type="hidden" name="version-{entry_id}" value="{version}" '
                   'form="goedkeuren">\n<input type="hidden" name="page_entry" '
                   f'value="{entry_id}" form="goedkeuren">\n</div>\n')
        else:
            append("—")
        append(f'\n</td>\n{cell}{w["participant"]}"><a class="utrecht-link" '
               f'href="{escape(participant_url(p.id))}">{name}</a></td>\n'
               f'{cell}{w["date"]}">{day}</td>\n'
               f'{cell}{w["hours"]}">{escape(format_minutes(e.minutes))}</td>\n'
               f'{cell}{w["what"]}">{escape(type_label(e.hour_type, work_date))}<br>'
               '<span class="muted">')
        _what(append, row, kind_labels, w["request"], correction)
        append(f'</span></td>\n{cell}{w["note"]}">\n{escape(e.note or "")}\n')
        if row.submitted_by and p.user_id != e.submitted_by_id:
            append(f'<span class="muted">({written_by % {"name": escape(row.submitted_by)}})'
                   "</span>")
        append("\n")
        if e.return_reason and status == SUBMITTED:
            append(f'<br><span class="muted">{w["returned_before"]}: '
                   f"{escape(e.return_reason)}</span>")
        append("\n")
        _warning_list(append, warnings.get(entry_id), attention)
        append(f'\n</td>\n{cell}{w["status"]}">\n{badges[status]}\n')
        if status == SUBMITTED:
            append('<details class="return-details">\n<summary class="utrecht-link">'
                   f'{w["return"]}<span class="visually-hidden"> '
                   f'{of_text % {"name": name, "date": day}}</span></summary>\n'
                   f'<form method="post" action="{escape(return_url(entry_id))}">\n'
                   f'<input type="hidden" name="csrf_token" value="{token}">\n'
                   f'<input type="hidden" name="next" value="{back}">\n'
                   f'<input type="hidden" name="version" value="{version}">\n'
                   '<div class="utrecht-form-field">\n<label class="utrecht-form-label" '
                   f'for="reden-{entry_id}">{w["reason"]}</label>\n<textarea '
                   'class="utrecht-textarea utrecht-textarea--html-textarea" '
                   f'id="reden-{entry_id}" name="reason" rows="2" maxlength="500" required>'
                   '</textarea>\n</div>\n<button type="submit" class="utrecht-button '
                   f'utrecht-button--secondary-action">{w["return"]}</button>\n</form>\n'
                   "</details>\n")
        elif status == RETURNED:
            append(f"<br>{escape(e.return_reason)}\n")
        elif status == APPROVED:
            append(f'<br><a class="utrecht-link" href="{escape(correct_url(entry_id))}">'
                   f'{w["correct"]}<span class="visually-hidden"> '
                   f'{of_text % {"name": name, "date": day}}</span></a>\n')
        append("</td>\n</tr>\n")
    return Markup("".join(out))


def grid_rows(grid, *, today, typed, errors: dict, row_errors: dict, type_choices,
              kind_labels: dict, status_labels: dict, day_label) -> Markup:
    """The `<tr>`s of hours/week.html's grid (week.Grid), as its loop wrote them: per row the
    person with the trajectory, the row's snapshot and hour type; per day the hours already
    written (a badge each) and, up to today, the cell to type in with what was typed and its
    error. `typed` is the posted form (empty on a GET), `errors` per (trajectory id, day) and
    `row_errors` per trajectory id (week.WeekResult); `day_label` of routes.blueprint._labels()."""
    if not grid.rows:
        return Markup("")
    t = current_translations()
    w = {key: t.ugettext(msgid) % {} for key, msgid in (
        ("participant", N_("Deelnemer")), ("type", N_("Soort uren")), ("hour", N_("uur")))}
    per_week = t.ugettext("%(hours)s uur per week")
    for_name = t.ugettext("voor %(name)s")
    hours_of = t.ugettext("Uren van %(name)s op %(day)s")
    participant_url = row_url("hours.participant", "participant_id")
    # each entry's badge: status kind, hours, "uur" for screen readers, the status in lower case
    badge_tail = {status.value: (f' <span class="visually-hidden">{w["hour"]}, </span>'
                                 f"{escape(label.lower())}</span>")
                  for status, label in status_labels.items()}
    # the hour type's options, per chosen value (nothing chosen on a GET: the first)
    selects: dict[str, str] = {}

    def select_options(chosen: str) -> str:
        if chosen not in selects:
            selects[chosen] = "".join(
                f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>'
                f"{escape(label)}</option>" for value, label in type_choices)
        return selects[chosen]

    days = [(day, escape(day_label(day)), escape(day_label(day, long=True)), day.isoformat(),
             day <= today) for day in grid.days]
    out = []
    append = out.append
    for row in grid.rows:
        tr, p = row.trajectory, row.participant
        tid = tr.id
        name = escape(p.full_name)
        append(f'<tr class="utrecht-table__row">\n<th class="utrecht-table__cell" scope="row" '
               f'data-label="{w["participant"]}">\n<a class="utrecht-link" '
               f'href="{escape(participant_url(p.id))}">{name}</a><br>\n<span class="muted">'
               f'{escape(kind_labels[tr.kind])} · '
               f'{per_week % {"hours": escape(format_number(tr.hours_per_week))}}</span>\n'
               f'<input type="hidden" name="stand-{tid}" value="{escape(row.snapshot)}">\n'
               '<div class="utrecht-form-field">\n<label class="utrecht-form-label" '
               f'for="soort-{tid}">{w["type"]}<span class="visually-hidden"> '
               f'{for_name % {"name": name}}</span></label>\n<select class="utrecht-select '
               f'utrecht-select--html-select" id="soort-{tid}" name="soort-{tid}">\n'
               f'{select_options(typed.get(f"soort-{tid}", ""))}\n</select>\n</div>\n')
        row_error = row_errors.get(tid)
        if row_error:
            append('<div class="utrecht-form-field-error-message" role="alert">'
                   f'<p class="utrecht-paragraph">{escape(row_error)}</p></div>\n')
        append("</th>\n")
        entries = row.entries
        for day, head, long_head, iso, open_ in days:
            append(f'<td class="utrecht-table__cell" data-label="{head}">\n')
            for e in entries.get(day, ()):
                status = e.status.value
                append(f"{BADGE_OPEN[status]}{escape(format_minutes(e.minutes))}"
                       f"{badge_tail[status]}\n")
            if open_:
                cell = f"u-{tid}-{iso}"
                error = errors.get((tid, day))
                append(f'<div class="{"utrecht-form-field--invalid" if error else ""}">\n'
                       f'<label class="visually-hidden" for="{cell}">'
                       f'{hours_of % {"name": name, "day": long_head}}</label>\n'
                       '<input class="utrecht-textbox utrecht-textbox--html-input '
                       'week-grid__input" type="text" inputmode="decimal" autocomplete="off" '
                       f'id="{cell}" name="{cell}" value="{escape(typed.get(cell, ""))}" '
                       'size="4"')
                if error:
                    append(f' aria-invalid="true" aria-describedby="{cell}-fout">\n'
                           f'<div class="utrecht-form-field-error-message" id="{cell}-fout">'
                           f'<p class="utrecht-paragraph">{escape(error)}</p></div>\n')
                else:
                    append(">\n")
                append("</div>\n")
            append("</td>\n")
        append("</tr>\n")
    return Markup("".join(out))
