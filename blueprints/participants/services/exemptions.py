"""Exemptions as the municipality decided them, and consents given and withdrawn (a withdrawn
consent is never deleted)."""
from __future__ import annotations

from datetime import date
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from blueprints.participants.models import (
    PARTICIPATIEWET_BENEFITS,
    Consent,
    Exemption,
    Participant,
)
from blueprints.participants.services.rules import CONSENT_KINDS, EXEMPTION_ARTICLES
from tenants import audit
from tenants.actor import Actor
from tenants.bsn import BSN_MESSAGE, contains_bsn
from tenants.errors import DomainError, NotFound


# --- exemptions and consents -----------------------------------------------------------------

def add_exemption(session: Session, actor: Actor, participant: Participant, article: str,
                  obligations: list[str], starts_on: date, ends_on: date | None,
                  review_on: date | None, decided_by: str | None) -> Exemption:
    """Record an ontheffing as decided by the municipality; only for a Participatiewet client
    (PARTICIPATIEWET_BENEFITS), else DomainError."""
    if article not in EXEMPTION_ARTICLES:
        raise DomainError(_l("Kies het wetsartikel van de ontheffing."))
    if participant.benefit not in PARTICIPATIEWET_BENEFITS:
        raise DomainError(_l(
            "Een ontheffing van de Participatiewet geldt alleen voor iemand met bijstand of Bbz "
            "volgens de Participatiewet; deze deelnemer heeft een andere uitkering."))
    obligations = [o for o in ("a", "b", "c") if o in set(obligations)] or \
        EXEMPTION_ARTICLES[article][1]
    if ends_on and ends_on < starts_on:
        raise DomainError(_l("De einddatum ligt vóór de begindatum."))
    if review_on and review_on < starts_on:
        raise DomainError(_l("De herbeoordelingsdatum ligt vóór de begindatum."))
    if contains_bsn(decided_by):
        raise DomainError(BSN_MESSAGE)
    exemption = Exemption(participant_id=participant.id, article=article, obligations=obligations,
                          starts_on=starts_on, ends_on=ends_on, review_on=review_on,
                          decided_by=(decided_by or "").strip() or None)
    session.add(exemption)
    session.flush()
    audit.record(session, actor, "exemption.recorded", participant, article=article,
                 obligations=obligations)
    return exemption


@cache
def _exemptions_statement():
    # built once: a statement's expressions cost more to build than to run (the participant page)
    return select(Exemption).where(Exemption.participant_id == bindparam("participant_id")) \
        .order_by(Exemption.starts_on.desc())


def exemptions_of(session: Session, participant: Participant) -> list[Exemption]:
    return list(session.scalars(_exemptions_statement(), {"participant_id": participant.id}))


def active_exemption(exemptions: list[Exemption], today: date) -> Exemption | None:
    for e in exemptions:
        if e.starts_on <= today and (e.ends_on is None or e.ends_on >= today):
            return e
    return None


def give_consent(session: Session, actor: Actor, participant: Participant, kind: str,
                 recipient: str | None, given_on: date, today: date | None = None) -> Consent:
    today = today or date.today()
    if kind not in CONSENT_KINDS:
        raise DomainError(_l("Kies waarvoor de deelnemer toestemming geeft."))
    if given_on > today:
        raise DomainError(_l("Toestemming kan niet in de toekomst gegeven zijn."))
    for old in consents_of(session, participant):
        if old.kind == kind and old.active and (old.recipient or "") == (recipient or ""):
            raise DomainError(_l("Deze toestemming is al gegeven."))
    consent = Consent(participant_id=participant.id, kind=kind,
                      recipient=(recipient or "").strip() or None, given_on=given_on,
                      recorded_by_id=actor.user_id)
    session.add(consent)
    session.flush()
    # No recipient text in the append-only log: it could name a third party, and erasure
    # cannot reach the log.
    audit.record(session, actor, "consent.given", participant, kind=kind)
    return consent


def withdraw_consent(session: Session, actor: Actor, participant: Participant, consent_id: int,
                     withdrawn_on: date) -> Consent:
    consent = session.scalar(select(Consent).where(
        Consent.id == consent_id, Consent.participant_id == participant.id))
    if consent is None:
        raise NotFound()
    if not consent.active:
        raise DomainError(_l("Deze toestemming is al ingetrokken."))
    if withdrawn_on < consent.given_on:
        raise DomainError(_l("Intrekken kan niet vóór de datum waarop de toestemming is gegeven."))
    consent.withdrawn_on = withdrawn_on
    audit.record(session, actor, "consent.withdrawn", participant, kind=consent.kind)
    return consent


@cache
def _consents_statement():
    return select(Consent).where(Consent.participant_id == bindparam("participant_id")) \
        .order_by(Consent.given_on.desc())


def consents_of(session: Session, participant: Participant) -> list[Consent]:
    return list(session.scalars(_consents_statement(), {"participant_id": participant.id}))


def has_consent(session: Session, participant: Participant, kind: str) -> bool:
    return any(c.kind == kind and c.active for c in consents_of(session, participant))
