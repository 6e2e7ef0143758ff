"""A participant's record: register, change, look up, the logged view of the file, the target
groups; and the participant's own login."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from blueprints.participants.models import (
    Benefit,
    HouseholdType,
    IntegrationRoute,
    Neighbourhood,
    Participant,
    ParticipantStatus,
)
from blueprints.participants.services.rules import DAYS, VOG_VALID_YEARS, normalise_postcode
from tenants import audit, plans
from tenants.actor import Actor
from tenants.bsn import BSN_MESSAGE, contains_bsn
from tenants.errors import DomainError, NotFound
from tenants.membership import municipality_by_code
from tenants.models import Membership, Municipality, Role, User


# --- participants ---------------------------------------------------------------------------

@dataclass
class ParticipantData:
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    neighbourhood: str | None = None
    date_of_birth: date | None = None
    household_type: HouseholdType | None = None
    is_refugee_permit_holder: bool = False
    integration_route: IntegrationRoute | None = None
    has_work_limitation: bool = False
    benefit: Benefit = Benefit.BIJSTAND
    paying_municipality_code: str | None = None
    skills: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    available_hours: int | None = None
    available_days: list[str] = field(default_factory=list)
    vog_present: bool = False
    vog_date: date | None = None
    vog_renewal_due: date | None = None
    emergency_name: str | None = None
    emergency_phone: str | None = None
    emergency_relation: str | None = None
    notes: str | None = None
    supervisor_id: int | None = None


FREE_TEXT_FIELDS = ("first_name", "last_name", "street", "city", "neighbourhood", "notes",
                    "emergency_name", "emergency_relation", "email", "phone",
                    "emergency_phone")


def _check(session: Session, data: ParticipantData, today: date) -> dict:
    """Validate; return the column values. Raises DomainError with the first problem."""
    for name in FREE_TEXT_FIELDS:
        if contains_bsn(getattr(data, name)):
            raise DomainError(BSN_MESSAGE)
    for item in list(data.skills) + list(data.languages):
        if contains_bsn(item):
            raise DomainError(BSN_MESSAGE)
    if not (data.first_name or "").strip() or not (data.last_name or "").strip():
        raise DomainError(_l("Vul voornaam en achternaam in."))
    if data.date_of_birth and data.date_of_birth >= today:
        raise DomainError(_l("De geboortedatum moet in het verleden liggen."))
    if data.date_of_birth and data.date_of_birth < date(today.year - 110, 1, 1):
        raise DomainError(_l("Controleer de geboortedatum: die ligt te ver in het verleden."))
    if data.vog_date and data.vog_date > today:
        raise DomainError(_l("De datum van de VOG kan niet in de toekomst liggen."))
    if data.vog_present and not data.vog_date:
        raise DomainError(_l("Vul de datum van de VOG in."))
    if data.available_hours is not None and not 0 <= data.available_hours <= 60:
        raise DomainError(_l("Beschikbare uren per week liggen tussen 0 en 60."))
    unknown_days = set(data.available_days) - set(DAYS)
    if unknown_days:
        raise DomainError(_l("Onbekende dag: %(days)s.", days=", ".join(sorted(unknown_days))))
    municipality_id = None
    if data.paying_municipality_code:
        municipality = municipality_by_code(session, data.paying_municipality_code.strip())
        if municipality is None:
            raise DomainError(_l("Onbekende gemeente (CBS-code %(code)s).",
                                 code=data.paying_municipality_code))
        municipality_id = municipality.id
    if data.supervisor_id is not None and not _is_staff(session, data.supervisor_id):
        raise DomainError(_l("Kies als begeleider iemand uit het team."))
    renewal = data.vog_renewal_due
    if data.vog_present and data.vog_date and renewal is None:
        renewal = data.vog_date.replace(year=data.vog_date.year + VOG_VALID_YEARS) \
            if not (data.vog_date.month == 2 and data.vog_date.day == 29) \
            else data.vog_date + timedelta(days=365 * VOG_VALID_YEARS + 1)
    clean = lambda v: (v or "").strip() or None  # noqa: E731
    return {
        "first_name": data.first_name.strip(), "last_name": data.last_name.strip(),
        "email": (clean(data.email) or None) and data.email.strip().lower(),
        "phone": clean(data.phone), "street": clean(data.street),
        "postcode": normalise_postcode(data.postcode), "city": clean(data.city),
        "neighbourhood_id": neighbourhood_id(session, data.neighbourhood),
        "date_of_birth": data.date_of_birth, "household_type": data.household_type,
        "is_refugee_permit_holder": data.is_refugee_permit_holder,
        "integration_route": data.integration_route if data.is_refugee_permit_holder else None,
        "has_work_limitation": data.has_work_limitation, "benefit": data.benefit,
        "paying_municipality_id": municipality_id,
        "skills": sorted({s.strip().lower() for s in data.skills if s.strip()}),
        "languages": sorted({s.strip() for s in data.languages if s.strip()}),
        "available_hours": data.available_hours,
        "available_days": [d for d in DAYS if d in set(data.available_days)],
        "vog_present": data.vog_present, "vog_date": data.vog_date if data.vog_present else None,
        "vog_renewal_due": renewal if data.vog_present else None,
        "emergency_name": clean(data.emergency_name), "emergency_phone": clean(data.emergency_phone),
        "emergency_relation": clean(data.emergency_relation), "notes": clean(data.notes),
        "supervisor_id": data.supervisor_id,
    }


def _is_staff(session: Session, user_id: int) -> bool:
    return session.scalar(select(Membership.id).where(
        Membership.user_id == user_id, Membership.role.in_([Role.ADMIN, Role.SUPERVISOR]))
    ) is not None


def neighbourhood_id(session: Session, name: str | None) -> int | None:
    """The id of the wijk with this name, created on first use."""
    name = (name or "").strip()
    if not name:
        return None
    found = session.scalar(select(Neighbourhood).where(
        func.lower(Neighbourhood.name) == name.lower()))
    if found is None:
        found = Neighbourhood(name=name[:80])
        session.add(found)
        session.flush()
    return found.id


def create_participant(session: Session, actor: Actor, data: ParticipantData,
                       today: date | None = None) -> Participant:
    values = _check(session, data, today or date.today())
    # The plan's room counts the participants in work (intake, active, paused); ended and
    # anonymised ones keep their rows and take no room.
    plans.check_tenant_room(session, "participants", session.scalar(
        select(func.count()).select_from(Participant).where(Participant.status.in_(
            (ParticipantStatus.INTAKE, ParticipantStatus.ACTIVE, ParticipantStatus.PAUSED)))),
        today)
    participant = Participant(**values)
    session.add(participant)
    session.flush()
    audit.record(session, actor, "participant.created", participant)
    return participant


def update_participant(session: Session, actor: Actor, participant: Participant,
                       data: ParticipantData, today: date | None = None) -> Participant:
    if participant.status == ParticipantStatus.ANONYMISED:
        raise DomainError(_l("Deze deelnemer is geanonimiseerd en kan niet meer worden gewijzigd."))
    values = _check(session, data, today or date.today())
    changed = sorted(k for k, v in values.items() if getattr(participant, k) != v)
    for key, value in values.items():
        setattr(participant, key, value)
    audit.record(session, actor, "participant.updated", participant, fields=changed)
    return participant


def get_participant(session: Session, participant_id: int) -> Participant:
    participant = session.scalar(select(Participant).where(Participant.id == participant_id))
    if participant is None:
        raise NotFound(_l("Deze deelnemer bestaat niet."))
    return participant


@dataclass(frozen=True)
class ParticipantFile:
    """A participant with the names their page shows instead of ids."""

    participant: Participant
    neighbourhood: str | None
    supervisor: str | None
    municipality: str | None


@cache
def _file_statement():
    # built once (a statement's expressions cost more to build than to run)
    return (select(Participant, Neighbourhood.name, User.name, Municipality.name)
            .outerjoin(Neighbourhood, Neighbourhood.id == Participant.neighbourhood_id)
            .outerjoin(User, User.id == Participant.supervisor_id)
            .outerjoin(Municipality, Municipality.id == Participant.paying_municipality_id)
            .where(Participant.id == bindparam("participant_id")))


def participant_file(session: Session, participant_id: int) -> ParticipantFile:
    """The participant, their wijk, begeleider and paying municipality (one statement: outer
    joins; the wijk is a tenant row, so the tenant filter joins it on its tenant too)."""
    row = session.execute(_file_statement(), {"participant_id": participant_id}).first()
    if row is None:
        raise NotFound(_l("Deze deelnemer bestaat niet."))
    return ParticipantFile(*row)


def record_view(session: Session, actor: Actor, participant: Participant, what: str = "file"):
    """A view of a participant's file is logged (AVG: who looked at whose data)."""
    audit.record(session, actor, "participant.viewed", participant, part=what)


def target_groups(participant: Participant, today: date) -> list[str]:
    groups = []
    age = participant.age_on(today)
    if age is not None and age < 27:
        groups.append("jongere")
    if age is not None and age >= 50:
        groups.append("50plus")
    if participant.is_refugee_permit_holder:
        groups.append("statushouder")
    if participant.has_work_limitation:
        groups.append("arbeidsbeperking")
    if participant.household_type == HouseholdType.SINGLE_PARENT:
        groups.append("alleenstaande_ouder")
    return groups


# --- the participant's own login -------------------------------------------------------------

def linkable_accounts(session: Session) -> list[User]:
    """Members with the participant role not yet linked to a participant."""
    return list(session.scalars(_linkable_statement()))


@cache
def _linkable_statement():
    linked = select(Participant.user_id).where(Participant.user_id.is_not(None))
    return (select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.role == Role.PARTICIPANT, User.id.not_in(linked)).order_by(User.name))


def link_account(session: Session, actor: Actor, participant: Participant, user_id: int) -> None:
    """Link a participant to their login, so that they see their own page."""
    if user_id not in {u.id for u in linkable_accounts(session)}:
        raise DomainError(_l("Kies een account met de rol deelnemer dat nog niet gekoppeld is."))
    participant.user_id = user_id
    audit.record(session, actor, "participant.account_linked", participant, user_id=user_id)


def participant_for_user(session: Session, user: User) -> Participant | None:
    """The participant record of a logged-in participant in the current tenant."""
    return session.scalar(select(Participant).where(
        Participant.user_id == user.id, Participant.status != ParticipantStatus.ANONYMISED))
