"""Registration tokens, the calendar file and the mails sent about a registration."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from blueprints.network.ics import event_file
from blueprints.network.models import (
    Meeting,
    Registration,
)
from tenants.errors import InvalidToken
from tenants.mail import send_mail
from tenants.urls import absolute_url

# --- tokens and mails --------------------------------------------------------------------------

def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="network-registration")


def registration_token(registration: Registration) -> str:
    return _signer().dumps({"r": registration.id, "e": registration.email})


def registration_by_token(session: Session, token: str) -> Registration:
    """The registration a mailed link names. Raises InvalidToken for a forged or stale link."""
    try:
        data = _signer().loads(token)
    except BadSignature:
        raise InvalidToken(_l("Deze link is ongeldig.")) from None
    registration = session.get(Registration, data.get("r")) if isinstance(data, dict) else None
    if registration is None or registration.email != data.get("e"):
        raise InvalidToken(_l("Deze link is ongeldig."))
    return registration


def calendar_file(meeting: Meeting, registration: Registration, now: datetime) -> bytes:
    return event_file(
        uid=f"meeting-{meeting.id}-registration-{registration.id}@wijkwerk",
        title=meeting.title, day=meeting.day, starts_at=meeting.starts_at,
        ends_at=meeting.ends_at, place=meeting.place,
        description=meeting.description or meeting.title,
        url=absolute_url("network.meeting", meeting_id=meeting.id), now=now)


MAIL_SUBJECTS = {
    "confirmed": _l("Aanmelding bevestigd: %(title)s"),
    "waiting": _l("Op de wachtlijst: %(title)s"),
    "offer": _l("Er is een plaats vrij: %(title)s"),
    "reminder": _l("Herinnering: %(title)s"),
}


def mail_registration(session: Session, meeting: Meeting, registration: Registration,
                      kind: str, now: datetime) -> None:
    token = registration_token(registration)
    attachments = None
    if kind in ("confirmed", "offer", "reminder"):
        attachments = [("bijeenkomst.ics", calendar_file(meeting, registration, now),
                        "text/calendar; charset=utf-8; method=PUBLISH")]
    send_mail(
        registration.email, MAIL_SUBJECTS[kind] % {"title": meeting.title},
        f"network_{kind}", attachments=attachments, after_commit=session,
        meeting=meeting, registration=registration,
        cancel_link=absolute_url("network_links.cancel", token=token),
        accept_link=absolute_url("network_links.accept", token=token))
