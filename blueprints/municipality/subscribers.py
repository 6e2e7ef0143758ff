"""What the municipality feature adds to the pages below it (tenants/sections.py): on the
participant's page the ground for sharing progress with the paying municipality (record, end,
the views); on "Mijn pagina" with whom progress is shared, on what ground, each view, and
withdrawing one's own consent. It answers the privacy export's question (tenants/hooks.py): the
grounds and views for the participant's right-of-access export."""
from __future__ import annotations

from flask import render_template
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
    form = None
    if municipality and participant.status != ParticipantStatus.ANONYMISED:
        form = ShareForm()
        form.starts_on.data = today
    return render_template(
        "municipality/clients/_participant_section.html", p=participant,
        shares=sharing.shares_of(db.session, participant, today),
        views=sharing.views_of(db.session, participant, limit=10), municipality=municipality,
        form=form, ground_labels=sharing.GROUND_LABELS, parts=sharing.PARTS)


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
