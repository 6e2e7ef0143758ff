"""The cooperative's side of sharing one participant's progress with their paying municipality.

Rules:
- a ground is recorded only for the municipality that pays for the participant (their
  `paying_municipality_id`), as the municipality's re-integration assignment or the
  participant's written consent, with a start date, an end date (after the start, at most five
  years later) and a scope (at least one part of the progress report);
- the cooperative ends a ground on the day it says so; the participant withdraws their own
  consent, not an assignment; either stops access at once (the check runs at every view);
- a ground is never deleted: ended grounds stay on the page as history;
- every record, end and withdrawal is in the tenant's audit log, about the participant.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from blueprints.municipality.models import Ground, ProgressShare
from blueprints.participants.models import Participant
from tenants import audit
from tenants.actor import Actor
from tenants.bsn import BSN_MESSAGE, contains_bsn
from tenants.errors import DomainError, NotFound
from tenants.models import AuditEvent, Municipality

GROUND_LABELS = {
    Ground.ASSIGNMENT: _l("Opdracht tot re-integratie van de gemeente"),
    Ground.CONSENT: _l("Schriftelijke toestemming van de deelnemer"),
}
#: The parts of the progress report a ground may cover, in the report's order. Never notes,
#: never health data: those are no part.
PARTS = {
    "traject": _l("Traject en status"),
    "uren": _l("Uren per week tegenover de afspraak"),
    "doelen": _l("Leerdoelen en niveau"),
    "evaluaties": _l("Evaluaties en trede op de participatieladder"),
}
MAX_YEARS = 5
VIEWED = "municipality.progress_viewed"
ENDED_BY_ORGANISATION = "organisatie"
ENDED_BY_PARTICIPANT = "deelnemer"


@dataclass(frozen=True)
class NewShare:
    ground: str
    reference: str | None
    scope: list[str]
    starts_on: date | None
    ends_on: date | None


def record_share(session: Session, actor: Actor, participant: Participant, data: NewShare,
                 today: date) -> ProgressShare:
    """Record the ground for sharing `participant`'s progress with their paying municipality."""
    if participant.anonymised_at is not None:
        raise DomainError(_l("Deze deelnemer is geanonimiseerd."))
    if participant.paying_municipality_id is None:
        raise DomainError(_l("Leg eerst vast welke gemeente de uitkering van deze deelnemer "
                             "betaalt."))
    try:
        ground = Ground(data.ground)
    except ValueError:
        raise DomainError(_l("Kies de grondslag: opdracht van de gemeente of toestemming.")) \
            from None
    scope = [part for part in PARTS if part in (data.scope or [])]
    if not scope:
        raise DomainError(_l("Kies wat u deelt: minstens één onderdeel."))
    if data.starts_on is None or data.ends_on is None:
        raise DomainError(_l("Vul de ingangsdatum en de einddatum in."))
    if data.ends_on < data.starts_on:
        raise DomainError(_l("De einddatum ligt vóór de ingangsdatum."))
    if data.ends_on < today:
        raise DomainError(_l("De einddatum ligt in het verleden."))
    if (data.ends_on - data.starts_on).days > MAX_YEARS * 366:
        raise DomainError(_l("Leg een grondslag vast voor hoogstens %(n)s jaar.", n=MAX_YEARS))
    reference = (data.reference or "").strip() or None
    if reference and contains_bsn(reference):
        raise DomainError(BSN_MESSAGE)
    share = ProgressShare(participant_id=participant.id,
                          municipality_id=participant.paying_municipality_id, ground=ground,
                          reference=reference, scope=scope, starts_on=data.starts_on,
                          ends_on=data.ends_on, recorded_by_id=actor.user_id)
    session.add(share)
    session.flush()
    audit.record(session, actor, "municipality.share_recorded", share,
                 participant_id=participant.id, ground=ground.value, scope=scope,
                 starts_on=data.starts_on.isoformat(), ends_on=data.ends_on.isoformat())
    return share


def get_share(session: Session, participant: Participant, share_id: int) -> ProgressShare:
    share = session.scalar(select(ProgressShare).where(
        ProgressShare.id == share_id, ProgressShare.participant_id == participant.id))
    if share is None:
        raise NotFound()
    return share


def end_share(session: Session, actor: Actor, participant: Participant, share_id: int,
              today: date) -> ProgressShare:
    """The cooperative ends a ground today (an assignment ended, consent withdrawn by letter)."""
    share = get_share(session, participant, share_id)
    return _end(session, actor, participant, share, today, ENDED_BY_ORGANISATION)


def withdraw_consent(session: Session, actor: Actor, participant: Participant, share_id: int,
                     today: date) -> ProgressShare:
    """The participant withdraws their own consent; access stops at once."""
    share = get_share(session, participant, share_id)
    if share.ground != Ground.CONSENT:
        raise DomainError(_l("Een opdracht van de gemeente kunt u niet zelf intrekken. "
                             "Vraag uw begeleider ernaar."))
    return _end(session, actor, participant, share, today, ENDED_BY_PARTICIPANT)


def _end(session, actor, participant, share, today, by) -> ProgressShare:
    if share.ended_on is not None:
        raise DomainError(_l("Dit delen is al beëindigd."))
    share.ended_on = today
    share.ended_by = by
    audit.record(session, actor, "municipality.share_ended", share,
                 participant_id=participant.id, ground=share.ground.value, by=by)
    return share


@dataclass(frozen=True)
class ShareRow:
    share: ProgressShare
    municipality: str
    active: bool


def shares_of(session: Session, participant: Participant, today: date) -> list[ShareRow]:
    """The participant's grounds, newest first, with the municipality's name (one query)."""
    rows = session.execute(
        select(ProgressShare, Municipality.name)
        .join(Municipality, Municipality.id == ProgressShare.municipality_id)
        .where(ProgressShare.participant_id == participant.id)
        .order_by(ProgressShare.created_at.desc()))
    return [ShareRow(share, name, share.active_on(today)) for share, name in rows]


@dataclass(frozen=True)
class View:
    at: object
    municipality: str
    role: str


def views_of(session: Session, participant: Participant, limit: int = 50) -> list[View]:
    """Each time the municipality viewed the participant's progress, newest first (the
    municipality and the officer's role; the officer's address stays in the audit log)."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.participant_id == participant.id, AuditEvent.action == VIEWED)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    return [View(e.at, (e.details or {}).get("municipality", ""),
                 (e.details or {}).get("role", "")) for e in events]


def export_of(session: Session, participant: Participant) -> dict:
    """The participant's sharing, for their right-of-access export (tenants.hooks
    participant_sharing_export): every ground, oldest first (three queries with the views),
    and every view, oldest first, with what "Mijn pagina" shows of it (when, the municipality,
    the officer's role) and nothing more about the officer."""
    rows = session.execute(
        select(ProgressShare, Municipality.cbs_code, Municipality.name)
        .join(Municipality, Municipality.id == ProgressShare.municipality_id)
        .where(ProgressShare.participant_id == participant.id)
        .order_by(ProgressShare.created_at, ProgressShare.id))
    grounds = [{
        "gemeente": {"cbs_code": code, "naam": name},
        "grondslag": share.ground.value,
        "grondslag_omschrijving": str(GROUND_LABELS[share.ground]),
        "kenmerk": share.reference,
        "vastgelegd_op": share.created_at.isoformat() if share.created_at else None,
        "ingangsdatum": share.starts_on.isoformat(),
        "einddatum": share.ends_on.isoformat(),
        "onderdelen": [{"sleutel": key, "omschrijving": str(PARTS.get(key, key))}
                       for key in (share.scope or [])],
        "beeindigd_op": share.ended_on.isoformat() if share.ended_on else None,
        "beeindigd_door": share.ended_by,
    } for share, code, name in rows]
    events = session.execute(
        select(AuditEvent.at, AuditEvent.details)
        .where(AuditEvent.participant_id == participant.id, AuditEvent.action == VIEWED)
        .order_by(AuditEvent.at, AuditEvent.id))
    views = [{"tijdstip": at.isoformat(),
              "gemeente": (details or {}).get("municipality", ""),
              "cbs_code": (details or {}).get("cbs_code"),
              "rol": (details or {}).get("role", ""),
              "grondslag": (details or {}).get("ground")} for at, details in events]
    return {"grondslagen": grounds, "bekeken": views}
