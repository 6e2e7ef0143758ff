"""What the municipality feature adds to the pages below it (tenants/sections.py): on the
participant's page the ground for sharing progress with the paying municipality (record, end,
the views); on "Mijn pagina" with whom progress is shared, on what ground, each view, and
withdrawing one's own consent. It answers the privacy export's question (tenants/hooks.py): the
grounds and views for the participant's right-of-access export."""
from __future__ import annotations

from datetime import date

from flask import render_template
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import select

from blueprints.municipality import sharing
from blueprints.municipality.clients.forms import EndShareForm, ShareForm
from blueprints.participants.models import ParticipantStatus
from tenants import hooks, sections
from tenants.extensions import db
from tenants.models import Municipality


def participant_section(*, participant, today, municipality_name=None, **_context) -> str:
    """The grounds (one query), the views (one query); the paying municipality's name from the
    page's context (`municipality_name`), else one query. The record form only where it shows."""
    municipality = municipality_name
    if municipality is None and participant.paying_municipality_id:
        municipality = db.session.scalar(select(Municipality.name).where(
            Municipality.id == participant.paying_municipality_id))
    fields = _share_fields(today) \
        if municipality and participant.status != ParticipantStatus.ANONYMISED else None
    return render_template(
        "municipality/clients/_participant_section.html", p=participant,
        shares=sharing.shares_of(db.session, participant, today),
        views=sharing.views_of(db.session, participant, limit=10), municipality=municipality,
        share_fields=fields, ground_labels=sharing.GROUND_LABELS, parts=sharing.PARTS)


_SHARE_FIELDS: dict[tuple[str, date], Markup] = {}


def _share_fields(today: date) -> Markup:
    """The blank share form's fields (starting today), rendered once per language and day: a
    GET shows them without data or errors (a refused POST redirects back), and building and
    rendering the form was a large part of the section's CPU. The section adds the CSRF token."""
    key = (str(get_locale()), today)
    html = _SHARE_FIELDS.get(key)
    if html is None:
        form = ShareForm(formdata=None)
        form.starts_on.data = today
        if len(_SHARE_FIELDS) > 16:  # yesterday's are never asked again
            _SHARE_FIELDS.clear()
        html = _SHARE_FIELDS[key] = Markup(render_template(
            "municipality/clients/_share_fields.html", form=form))
    return html


def my_section(*, participant, today, **_context) -> str | None:
    shares = sharing.shares_of(db.session, participant, today)
    if not shares:
        return None
    return render_template(
        "municipality/clients/_my_section.html", shares=shares,
        views=sharing.views_of(db.session, participant), end_form=EndShareForm(),
        ground_labels=sharing.GROUND_LABELS, parts=sharing.PARTS)


def connect() -> None:
    hooks.participant_sharing_export.provide(sharing.export_of)
    sections.participant_page.add("municipality", participant_section, order=50)
    sections.my_page.add("municipality", my_section, order=50)
