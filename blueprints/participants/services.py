"""Rules for participants, host organisations, exemptions and consents.

- No BSN: free-text fields refuse anything that looks like one (nine digits passing the
  elfproef), with a message that says why.
- Dates make sense: born in the past, VOG not dated in the future; a VOG is renewed about
  every 3 years, so the renewal date defaults to three years after the VOG date.
- An exemption is recorded as the municipality decided it: article, obligations, period.
- Consent is given and withdrawn with dates; a withdrawn consent is never deleted.
- Every view of and change to a participant's file is written to the audit log.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from blueprints.participants.models import (
    Benefit,
    Consent,
    Exemption,
    HostOrganisation,
    HouseholdType,
    IntegrationRoute,
    Neighbourhood,
    Participant,
    ParticipantStatus,
)
from tenants import audit
from tenants.actor import Actor
from tenants.bsn import BSN_MESSAGE, contains_bsn
from tenants.errors import DomainError, NotFound
from tenants.membership import municipality_by_code
from tenants.models import Membership, Role, User

VOG_VALID_YEARS = 3
PAGE_SIZE = 25

TARGET_GROUPS = {
    "jongere": _l("Jongere (< 27)"),
    "50plus": _l("50-plus"),
    "statushouder": _l("Statushouder"),
    "arbeidsbeperking": _l("Arbeidsbeperking"),
    "alleenstaande_ouder": _l("Alleenstaande ouder"),
}
EXEMPTION_ARTICLES = {
    # article: (label, obligations covered by default)
    "9-2": (_l("Pw art. 9 lid 2 – dringende redenen"), ["a", "c"]),
    "9-5": (_l("Pw art. 9 lid 5 – volledig en duurzaam arbeidsongeschikt"), ["a", "b", "c"]),
    "9a": (_l("Pw art. 9a – alleenstaande ouder met kind onder 5"), ["a", "c"]),
}
OBLIGATIONS = {
    "a": _l("a. arbeidsplicht"),
    "b": _l("b. re-integratieplicht"),
    "c": _l("c. tegenprestatie / maatschappelijke participatie"),
}
CONSENT_KINDS = {
    "municipality_progress": _l("Voortgang delen met de gemeente"),
    "photo": _l("Foto's gebruiken"),
    "benchmark": _l("Meetellen in de vergelijking van het netwerk"),
}
HOST_KINDS = {
    "speeltuin": _l("Speeltuin"), "sportvereniging": _l("Sportvereniging"),
    "school": _l("School"), "jongerenwerk": _l("Jongerenwerk"),
    "zorginstelling": _l("Zorginstelling / verpleeghuis"), "buurthuis": _l("Buurthuis"),
    "eigen_bedrijf": _l("Eigen bedrijf van de coöperatie"), "anders": _l("Anders"),
}
DAYS = {"ma": _l("maandag"), "di": _l("dinsdag"), "wo": _l("woensdag"), "do": _l("donderdag"),
        "vr": _l("vrijdag"), "za": _l("zaterdag"), "zo": _l("zondag")}

_POSTCODE = re.compile(r"^[1-9][0-9]{3} ?[A-Za-z]{2}$")


def normalise_postcode(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().upper().replace(" ", "")
    if not _POSTCODE.match(value):
        raise DomainError(_l("Vul een geldige postcode in, zoals 4824 AB."))
    return f"{value[:4]} {value[4:]}"


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


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


@dataclass(frozen=True)
class ParticipantFilter:
    q: str | None = None
    status: str | None = None
    neighbourhood_id: int | None = None
    supervisor_id: int | None = None
    target_group: str | None = None
    trajectory_kind: str | None = None


def filtered(f: ParticipantFilter, today: date) -> Select:
    """The participants matching the filter (a SELECT of Participant ids and rows)."""
    from blueprints.trajectories.models import Trajectory, TrajectoryStatus

    stmt = select(Participant)
    if f.q:
        like = f"%{f.q.strip().lower()}%"
        stmt = stmt.where(or_(
            func.lower(Participant.first_name + " " + Participant.last_name).like(like),
            func.lower(func.coalesce(Participant.email, "")).like(like)))
    if f.status:
        stmt = stmt.where(Participant.status == ParticipantStatus(f.status))
    else:
        stmt = stmt.where(Participant.status != ParticipantStatus.ANONYMISED)
    if f.neighbourhood_id:
        stmt = stmt.where(Participant.neighbourhood_id == f.neighbourhood_id)
    if f.supervisor_id:
        stmt = stmt.where(Participant.supervisor_id == f.supervisor_id)
    group = f.target_group
    if group == "jongere":
        stmt = stmt.where(Participant.date_of_birth > _years_ago(today, 27))
    elif group == "50plus":
        stmt = stmt.where(Participant.date_of_birth <= _years_ago(today, 50))
    elif group == "statushouder":
        stmt = stmt.where(Participant.is_refugee_permit_holder.is_(True))
    elif group == "arbeidsbeperking":
        stmt = stmt.where(Participant.has_work_limitation.is_(True))
    elif group == "alleenstaande_ouder":
        stmt = stmt.where(Participant.household_type == HouseholdType.SINGLE_PARENT)
    if f.trajectory_kind:
        stmt = stmt.where(exists().where(and_(
            Trajectory.tenant_id == Participant.tenant_id,
            Trajectory.participant_id == Participant.id,
            Trajectory.kind == f.trajectory_kind,
            Trajectory.status != TrajectoryStatus.ENDED)))
    return stmt


@dataclass(frozen=True)
class ParticipantRow:
    participant: Participant
    neighbourhood: str | None
    supervisor: str | None


def list_participants(session: Session, f: ParticipantFilter, page: int = 1,
                      per_page: int = PAGE_SIZE, today: date | None = None):
    """One page of participants with wijk and supervisor names: two queries, whatever the size."""
    today = today or date.today()
    base = filtered(f, today)
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    page = max(1, page)
    stmt = (
        base.add_columns(Neighbourhood.name, User.name)
        .outerjoin(Neighbourhood, and_(Neighbourhood.tenant_id == Participant.tenant_id,
                                       Neighbourhood.id == Participant.neighbourhood_id))
        .outerjoin(User, User.id == Participant.supervisor_id)
        .order_by(Participant.last_name, Participant.first_name, Participant.id)
        .limit(per_page).offset((page - 1) * per_page)
    )
    rows = [ParticipantRow(p, wijk, coach) for p, wijk, coach in session.execute(stmt)]
    return rows, total


def neighbourhoods(session: Session) -> list[Neighbourhood]:
    return list(session.scalars(select(Neighbourhood).order_by(Neighbourhood.name)))


def staff(session: Session) -> list[User]:
    """Admins and supervisors of the current tenant (possible begeleiders)."""
    return list(session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.role.in_([Role.ADMIN, Role.SUPERVISOR])).order_by(User.name)))


# --- exemptions and consents -----------------------------------------------------------------

def add_exemption(session: Session, actor: Actor, participant: Participant, article: str,
                  obligations: list[str], starts_on: date, ends_on: date | None,
                  review_on: date | None, decided_by: str | None) -> Exemption:
    """Record an ontheffing as decided by the municipality."""
    if article not in EXEMPTION_ARTICLES:
        raise DomainError(_l("Kies het wetsartikel van de ontheffing."))
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


def exemptions_of(session: Session, participant: Participant) -> list[Exemption]:
    return list(session.scalars(select(Exemption).where(
        Exemption.participant_id == participant.id).order_by(Exemption.starts_on.desc())))


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


def consents_of(session: Session, participant: Participant) -> list[Consent]:
    return list(session.scalars(select(Consent).where(
        Consent.participant_id == participant.id).order_by(Consent.given_on.desc())))


def has_consent(session: Session, participant: Participant, kind: str) -> bool:
    return any(c.kind == kind and c.active for c in consents_of(session, participant))


# --- host organisations ----------------------------------------------------------------------

@dataclass
class HostData:
    name: str
    kind: str
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    vog_required: bool = False
    insurance_covered: bool = True
    notes: str | None = None


def _host_values(session: Session, data: HostData, current: HostOrganisation | None) -> dict:
    name = (data.name or "").strip()
    if not name:
        raise DomainError(_l("Vul de naam van de inzetorganisatie in."))
    if data.kind not in HOST_KINDS:
        raise DomainError(_l("Kies het soort organisatie."))
    for text in (data.notes, data.contact_name, data.street):
        if contains_bsn(text):
            raise DomainError(BSN_MESSAGE)
    clash = session.scalar(select(HostOrganisation).where(
        func.lower(HostOrganisation.name) == name.lower()))
    if clash is not None and clash is not current:
        raise DomainError(_l("Er is al een inzetorganisatie met deze naam."))
    clean = lambda v: (v or "").strip() or None  # noqa: E731
    return {"name": name, "kind": data.kind, "contact_name": clean(data.contact_name),
            "contact_email": clean(data.contact_email), "contact_phone": clean(data.contact_phone),
            "street": clean(data.street), "postcode": normalise_postcode(data.postcode),
            "city": clean(data.city), "vog_required": data.vog_required,
            "insurance_covered": data.insurance_covered, "notes": clean(data.notes)}


def create_host(session: Session, actor: Actor, data: HostData) -> HostOrganisation:
    host = HostOrganisation(**_host_values(session, data, None))
    session.add(host)
    session.flush()
    audit.record(session, actor, "host.created", host, name=host.name)
    return host


def update_host(session: Session, actor: Actor, host: HostOrganisation,
                data: HostData) -> HostOrganisation:
    for key, value in _host_values(session, data, host).items():
        setattr(host, key, value)
    audit.record(session, actor, "host.updated", host, name=host.name)
    return host


def hosts(session: Session) -> list[HostOrganisation]:
    return list(session.scalars(select(HostOrganisation).order_by(HostOrganisation.name)))


def get_host(session: Session, host_id: int) -> HostOrganisation:
    host = session.scalar(select(HostOrganisation).where(HostOrganisation.id == host_id))
    if host is None:
        raise NotFound(_l("Deze inzetorganisatie bestaat niet."))
    return host


# --- the participant's own login -------------------------------------------------------------

def linkable_accounts(session: Session) -> list[User]:
    """Members with the participant role not yet linked to a participant."""
    linked = select(Participant.user_id).where(Participant.user_id.is_not(None))
    return list(session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.PARTICIPANT, User.id.not_in(linked)).order_by(User.name)))


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
