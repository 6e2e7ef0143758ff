"""Rules for help requests (hulpvragen / klussen): intake, the status flow, planning, suggestions.

- A request comes in through the public page (`receive_request`, no account) or is entered by
  staff (`create_request`: by phone, at the counter, from a partner). Each gets a reference
  `<year>-<n>` from a per-tenant counter, consecutive without gaps. Nothing is ever looked up by
  the resident's address: the public page answers the same whoever asks.
- Status flow: nieuw -> ingepland -> uitgevoerd -> gefactureerd; nieuw or ingepland ->
  afgewezen, with a reason the resident is told. A planned job may be planned again (another
  date, other participants). `mark_invoiced` is the only way to "gefactureerd": the invoicing
  feature calls it.
- Planning needs participants with a running trajectory, and a valid VOG when the job asks for
  one. `suggest` ranks who could do a job on a date and says why (see its docstring).
- The audit log gets every step, never the resident's personal data.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from blueprints.customers.models import Customer
from blueprints.helprequests.models import (
    Assignment,
    HelpRequest,
    JobKind,
    Payer,
    PriceAgreement,
    RequestStatus,
    Source,
)
from blueprints.hours.models import EntryStatus, TimeEntry
from blueprints.participants.models import Neighbourhood, Participant, ParticipantStatus
from blueprints.participants.services import (
    BSN_MESSAGE,
    DAYS,
    contains_bsn,
    neighbourhood_id,
    normalise_postcode,
)
from blueprints.trajectories.models import Trajectory, TrajectoryStatus
from blueprints.trajectories.services import agreed_hours_on
from tenants import audit
from tenants.actor import Actor
from tenants.counters import current_number, next_number
from tenants.errors import DomainError, NotFound
from tenants.formatting import format_number
from tenants.models import Membership, Role, User

PAGE_SIZE = 25
COUNTER = "help_request"
MAX_PARTICIPANTS = 10

KIND_LABELS = {
    JobKind.GROCERIES: _l("Boodschappen"), JobKind.GARDEN: _l("Tuin"),
    JobKind.FENCE: _l("Schutting"), JobKind.SMALL_REPAIR: _l("Klein technisch"),
    JobKind.CLEANING: _l("Schoonmaak"), JobKind.COMPANY: _l("Gezelschap"),
    JobKind.OTHER: _l("Anders"),
}
STATUS_LABELS = {
    RequestStatus.NEW: _l("Nieuw"), RequestStatus.PLANNED: _l("Ingepland"),
    RequestStatus.DONE: _l("Uitgevoerd"), RequestStatus.INVOICED: _l("Gefactureerd"),
    RequestStatus.DECLINED: _l("Afgewezen"),
}
SOURCE_LABELS = {
    Source.WEBSITE: _l("Website"), Source.PHONE: _l("Telefoon"), Source.COUNTER: _l("Balie"),
    Source.PARTNER: _l("Partner (woningcorporatie, gemeente)"),
}
PAYER_LABELS = {
    Payer.RESIDENT: _l("De bewoner"), Payer.HOUSING: _l("De woningcorporatie"),
    Payer.MUNICIPALITY: _l("De gemeente"), Payer.NOBODY: _l("Niemand"),
}
PRICE_LABELS = {
    PriceAgreement.FREE: _l("Gratis"), PriceAgreement.FIXED: _l("Vaste prijs"),
    PriceAgreement.HOURLY: _l("Uurtarief"),
    PriceAgreement.PUNCH_CARD: _l("Strippenkaart (vooraf betaald)"),
}
TRANSITIONS = {
    RequestStatus.NEW: {RequestStatus.PLANNED, RequestStatus.DECLINED},
    RequestStatus.PLANNED: {RequestStatus.PLANNED, RequestStatus.DONE, RequestStatus.DECLINED},
    RequestStatus.DONE: {RequestStatus.INVOICED},
    RequestStatus.INVOICED: set(),
    RequestStatus.DECLINED: set(),
}

#: Gezelschap means time alone with someone who may be vulnerable: a VOG is asked by default
#: (DOMAIN.md). Staff can change it per request.
VOG_BY_DEFAULT = frozenset({JobKind.COMPANY})

#: Words in a participant's skills that fit a kind of job (matched case-insensitively, also
#: inside a longer skill such as "groen onderhoud").
SKILL_WORDS = {
    JobKind.GROCERIES: ("boodschappen", "fietsen"),
    JobKind.GARDEN: ("tuin", "groen"),
    JobKind.FENCE: ("klussen", "timmeren", "schutting"),
    JobKind.SMALL_REPAIR: ("klussen", "techniek"),
    JobKind.CLEANING: ("schoonmaak",),
    JobKind.COMPANY: ("gezelschap", "koken"),
    JobKind.OTHER: (),
}
SKILL_REASONS = {
    JobKind.GROCERIES: _l("Doet boodschappen"), JobKind.GARDEN: _l("Kan tuinieren"),
    JobKind.FENCE: _l("Kan klussen en timmeren"),
    JobKind.SMALL_REPAIR: _l("Handig met klussen en techniek"),
    JobKind.CLEANING: _l("Kan schoonmaken"), JobKind.COMPANY: _l("Houdt graag iemand gezelschap"),
    JobKind.OTHER: _l("Vaardigheid past"),
}
WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")

# Suggestion points. Skill first: the job must be done well and safely. Then the
# neighbourhood: the programme's premise is neighbours helping neighbours (buurtconciërges
# "afkomstig uit en woonachtig in de wijk zelf"), and it saves travel. Then whether the person
# works that weekday, then room left in this week's agreed hours (one point per hour, capped, so
# work is spread). Penalties push down someone who cannot well do it that day (not their day,
# no hours left, already on another job) while keeping them visible, with a warning: the
# planner decides, and may know better.
SCORE_SKILL = 40
SCORE_LIVES_HERE = 25
SCORE_WORKED_HERE = 15
SCORE_AVAILABLE_DAY = 20
SCORE_HOURS_LEFT_MAX = 15
PENALTY_UNAVAILABLE_DAY = -20
PENALTY_NO_HOURS_LEFT = -15
PENALTY_BUSY_THAT_DAY = -30

_PHONE = re.compile(r"^\+?[0-9(][0-9 ()\-./]{5,28}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MONEY = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
MAX_PRICE_CENTS = 10_000_000  # € 100.000: anything above is a typing error


# --- small parsers ---------------------------------------------------------------------------

def parse_money(text: str | None) -> int | None:
    """Euros as typed in Dutch ("25", "12,50", "€ 1.234,5") to integer cents; None when empty.

    A dot is a thousands separator, a comma the decimal one (at most two decimals). Without a
    comma, a dot followed by exactly two digits at the end ("25.00") is read as the decimal
    point, as an English speaker types it; "12.500" stays twelve thousand five hundred."""
    value = (text or "").replace("€", "").replace("\u00a0", "").strip().replace(" ", "")
    if not value:
        return None
    if "," not in value and re.fullmatch(r"\d+\.\d{2}", value):
        value = value.replace(".", ",")
    match = _MONEY.match(value)
    if match is None:
        raise DomainError(_l("Vul een bedrag in euro's in, bijvoorbeeld 25 of 12,50."))
    euros = int(match.group(1).replace(".", ""))
    cents = int((match.group(2) or "0").ljust(2, "0"))
    total = euros * 100 + cents
    if total > MAX_PRICE_CENTS:
        raise DomainError(_l("Dit bedrag is te hoog. Controleer de prijs."))
    return total


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week(text: str | None, today: date) -> date:
    """The Monday of an ISO week written as 2026-W48; this week when missing or invalid."""
    match = _WEEK.match((text or "").strip())
    if match:
        try:
            return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            pass
    return monday_of(today)


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def vog_valid_on(participant: Participant, day: date) -> bool:
    """A VOG is present and not due for renewal on `day` (renewal about every 3 years)."""
    return bool(participant.vog_present) and (
        participant.vog_renewal_due is None or participant.vog_renewal_due > day)


def _hours_text(hours: Decimal) -> str:
    return format_number(hours, 0 if hours == hours.to_integral_value() else 1)


# --- intake ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicRequestData:
    """What a resident fills in on the public page."""

    name: str
    kind: JobKind
    description: str
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    phone: str | None = None
    email: str | None = None
    preferred_dates: str | None = None


@dataclass(frozen=True)
class RequestData:
    """A request as staff enter it (by phone, at the counter, from a partner)."""

    name: str
    kind: JobKind
    description: str
    source: Source = Source.PHONE
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    neighbourhood: str | None = None
    phone: str | None = None
    email: str | None = None
    preferred_dates: str | None = None
    partner_name: str | None = None
    payer: Payer = Payer.NOBODY
    price_agreement: PriceAgreement = PriceAgreement.FREE
    price_cents: int | None = None
    needs_vog: bool | None = None  # None: the default for the kind of job
    customer_id: int | None = None  # who gets the invoice (blueprints.customers)


def _text(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(_l("Een van de velden is te lang: hoogstens %(n)s tekens.", n=limit))
    return value or None


def _contact_values(data) -> dict:
    """The resident's name, address and contact, checked (shared by both ways in)."""
    name = _text(data.name, 120)
    if not name:
        raise DomainError(_l("Vul de naam in."))
    street = _text(data.street, 150)
    description = _text(data.description, 2000)
    if not description:
        raise DomainError(_l("Beschrijf waarbij hulp nodig is."))
    preferred = _text(data.preferred_dates, 300)
    city = _text(data.city, 80)
    for text in (name, street, description, preferred, city):
        if contains_bsn(text):
            raise DomainError(BSN_MESSAGE)
    phone = _text(data.phone, 30)
    if phone and not _PHONE.match(phone):
        raise DomainError(_l("Vul een geldig telefoonnummer in, bijvoorbeeld 06 12345678."))
    email = _text(data.email, 254)
    if email and not _EMAIL.match(email):
        raise DomainError(_l("Vul een geldig e-mailadres in, zoals naam@example.org."))
    return {
        "requester_name": name, "street": street, "postcode": normalise_postcode(data.postcode),
        "city": city, "phone": phone, "email": email.lower() if email else None,
        "kind": data.kind, "description": description, "preferred_dates": preferred,
    }


def _customer_id(session: Session, customer_id: int | None, current: int | None) -> int | None:
    """The customer to link: looked up through the tenant-scoped query (another tenant's id
    is simply not found); an archived customer only when it is already the linked one."""
    if customer_id is None:
        return None
    customer = session.scalar(select(Customer).where(Customer.id == customer_id))
    if customer is None:
        raise DomainError(_l("Deze klant bestaat niet. Kies een klant uit de lijst."))
    if customer.archived_at is not None and customer.id != current:
        raise DomainError(_l("Klant %(name)s is gearchiveerd. Kies een andere klant, of haal "
                             "deze eerst uit het archief.", name=customer.name))
    return customer.id


def _staff_values(session: Session, data: RequestData,
                  current_customer_id: int | None = None) -> dict:
    values = _contact_values(data)
    if not values["street"]:
        raise DomainError(_l("Vul het adres in: straat en huisnummer."))
    partner = _text(data.partner_name, 150)
    if data.source == Source.PARTNER and not partner:
        raise DomainError(_l("Vul de naam van de partner in, bijvoorbeeld de woningcorporatie."))
    if contains_bsn(partner):
        raise DomainError(BSN_MESSAGE)
    price = data.price_cents
    if data.price_agreement == PriceAgreement.FREE:
        if data.payer != Payer.NOBODY:
            raise DomainError(_l("Bij een gratis klus betaalt niemand. Kies een andere "
                                 "prijsafspraak, of ‘niemand’ als betaler."))
        price = None
    elif data.payer == Payer.NOBODY:
        raise DomainError(_l("Kies wie betaalt: bij een betaalde klus is dat niet ‘niemand’."))
    if data.price_agreement in (PriceAgreement.FIXED, PriceAgreement.HOURLY) and not price:
        raise DomainError(_l("Vul de prijs in euro's in, bijvoorbeeld 25,00."))
    if price is not None and not 0 <= price <= MAX_PRICE_CENTS:
        raise DomainError(_l("Dit bedrag is te hoog. Controleer de prijs."))
    needs_vog = data.needs_vog if data.needs_vog is not None else data.kind in VOG_BY_DEFAULT
    customer_id = _customer_id(session, data.customer_id, current_customer_id)
    values.update({
        "source": data.source, "partner_name": partner if data.source == Source.PARTNER else None,
        "payer": data.payer, "price_agreement": data.price_agreement, "price_cents": price,
        "needs_vog": needs_vog,
        "neighbourhood_id": neighbourhood_id(session, _text(data.neighbourhood, 80)),
        "customer_id": customer_id,
    })
    return values


def next_reference(session: Session, today: date) -> str:
    """The next reference of the current tenant: 2026-0001, 2026-0002, … (no gaps)."""
    return f"{today.year}-{next_number(session, COUNTER):04d}"


def plausible_reference(session: Session, today: date) -> str:
    """What the next reference would be, without taking it (the honeypot's answer)."""
    return f"{today.year}-{current_number(session, COUNTER) + 1:04d}"


def receive_request(session: Session, actor: Actor, data: PublicRequestData,
                    today: date | None = None) -> HelpRequest:
    """A resident's request from the public page. Needs a phone number or e-mail address.

    Looks nothing up (not the address, not the person): the answer is the same for everyone.
    Raises DomainError with the first problem."""
    today = today or date.today()
    values = _contact_values(data)
    if not values["street"]:
        raise DomainError(_l("Vul uw adres in: straat en huisnummer."))
    if not values["phone"] and not values["email"]:
        raise DomainError(_l("Vul een telefoonnummer of e-mailadres in, zodat we u kunnen "
                             "bereiken."))
    help_request = HelpRequest(
        reference=next_reference(session, today), source=Source.WEBSITE, payer=Payer.NOBODY,
        price_agreement=PriceAgreement.FREE, needs_vog=data.kind in VOG_BY_DEFAULT,
        status=RequestStatus.NEW, **values)
    session.add(help_request)
    session.flush()
    audit.record(session, actor, "help_request.received", help_request, kind=data.kind.value,
                 source=Source.WEBSITE.value)
    return help_request


def create_request(session: Session, actor: Actor, data: RequestData,
                   today: date | None = None) -> HelpRequest:
    """A request entered by staff, with who pays and the price agreement."""
    today = today or date.today()
    values = _staff_values(session, data)
    help_request = HelpRequest(reference=next_reference(session, today),
                               status=RequestStatus.NEW, **values)
    session.add(help_request)
    session.flush()
    audit.record(session, actor, "help_request.created", help_request, kind=data.kind.value,
                 source=data.source.value)
    return help_request


def update_request(session: Session, actor: Actor, help_request: HelpRequest,
                   data: RequestData) -> HelpRequest:
    """Correct a request; refused once it is invoiced or declined."""
    if help_request.status in (RequestStatus.INVOICED, RequestStatus.DECLINED):
        raise DomainError(_l("Een gefactureerde of afgewezen hulpvraag kan niet meer worden "
                             "gewijzigd."))
    values = _staff_values(session, data, help_request.customer_id)
    changed = sorted(k for k, v in values.items() if getattr(help_request, k) != v)
    for key, value in values.items():
        setattr(help_request, key, value)
    audit.record(session, actor, "help_request.updated", help_request, fields=changed)
    return help_request


def get_request(session: Session, help_request_id: int) -> HelpRequest:
    found = session.scalar(select(HelpRequest).where(HelpRequest.id == help_request_id))
    if found is None:
        raise NotFound(_l("Deze hulpvraag bestaat niet."))
    return found


# --- the status flow -------------------------------------------------------------------------

def _can(help_request: HelpRequest, to: RequestStatus) -> bool:
    return to in TRANSITIONS[help_request.status]


def plan_request(session: Session, actor: Actor, help_request: HelpRequest, on: date,
                 participant_ids: Iterable[int], today: date | None = None) -> list[Participant]:
    """Plan (or plan again) a job on a date with one or more participants.

    Each participant needs a running trajectory, and a valid VOG on that date when the job asks
    for one. The suggestion reasons are kept with each assignment. Returns who should hear
    about it: the newly assigned, or everyone assigned when the date changed."""
    today = today or date.today()
    if not _can(help_request, RequestStatus.PLANNED):
        raise DomainError(_l("Een hulpvraag met status ‘%(status)s’ kan niet worden ingepland.",
                             status=STATUS_LABELS[help_request.status]))
    if on < today:
        raise DomainError(_l("Kies een datum vandaag of later."))
    ids = list(dict.fromkeys(int(i) for i in participant_ids))
    if not ids:
        raise DomainError(_l("Kies minstens één deelnemer."))
    if len(ids) > MAX_PARTICIPANTS:
        raise DomainError(_l("Plan hoogstens %(n)s deelnemers op één klus.", n=MAX_PARTICIPANTS))
    people = list(session.scalars(select(Participant).where(Participant.id.in_(ids))))
    if len(people) != len(ids):
        raise DomainError(_l("Deze deelnemer bestaat niet."))
    for person in people:
        if person.status != ParticipantStatus.ACTIVE:
            raise DomainError(_l("%(name)s heeft geen lopend traject en kan niet worden "
                                 "ingepland.", name=person.full_name))
        if help_request.needs_vog and not vog_valid_on(person, on):
            raise DomainError(_l("%(name)s heeft geen geldige VOG, en deze klus vraagt er een.",
                                 name=person.full_name))
    reasons = {s.participant.id: "; ".join(s.reasons)[:300]
               for s in rank(session, help_request, on, only=set(ids))}
    existing = {a.participant_id: a for a in session.scalars(
        select(Assignment).where(Assignment.help_request_id == help_request.id))}
    for participant_id, assignment in existing.items():
        if participant_id not in ids:
            session.delete(assignment)
    new = [p for p in people if p.id not in existing]
    for person in new:
        session.add(Assignment(help_request_id=help_request.id, participant_id=person.id,
                               reason=reasons.get(person.id) or None))
    date_changed = help_request.planned_on != on
    help_request.planned_on = on
    help_request.planned_by_id = actor.user_id
    help_request.status = RequestStatus.PLANNED
    session.flush()
    audit.record(session, actor, "help_request.planned", help_request, planned_on=on.isoformat(),
                 participants=[str(i) for i in ids])
    notify = people if date_changed else new
    return sorted(notify, key=lambda p: (p.last_name.lower(), p.first_name.lower(), p.id))


def mark_done(session: Session, actor: Actor, help_request: HelpRequest, done_on: date,
              today: date | None = None) -> HelpRequest:
    """A planned job was done on `done_on` (not in the future)."""
    today = today or date.today()
    if not _can(help_request, RequestStatus.DONE):
        raise DomainError(_l("Alleen een ingeplande klus kan als uitgevoerd worden gemeld; "
                             "deze is ‘%(status)s’.", status=STATUS_LABELS[help_request.status]))
    if done_on > today:
        raise DomainError(_l("De datum van uitvoering kan niet in de toekomst liggen."))
    help_request.status = RequestStatus.DONE
    help_request.done_on = done_on
    audit.record(session, actor, "help_request.done", help_request, done_on=done_on.isoformat())
    return help_request


def decline_request(session: Session, actor: Actor, help_request: HelpRequest,
                    reason: str | None) -> HelpRequest:
    """Decline a new or planned request, with the reason the resident is told.

    The reason stays out of the audit log (it may describe the resident)."""
    if not _can(help_request, RequestStatus.DECLINED):
        raise DomainError(_l("Een hulpvraag met status ‘%(status)s’ kan niet meer worden "
                             "afgewezen.", status=STATUS_LABELS[help_request.status]))
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise DomainError(_l("Vul de reden in: die krijgt de bewoner te horen."))
    if len(reason) > 1000:
        raise DomainError(_l("Een van de velden is te lang: hoogstens %(n)s tekens.", n=1000))
    if contains_bsn(reason):
        raise DomainError(BSN_MESSAGE)
    help_request.status = RequestStatus.DECLINED
    help_request.decline_reason = reason
    audit.record(session, actor, "help_request.declined", help_request)
    return help_request


def mark_invoiced(session: Session, actor: Actor, help_request: HelpRequest) -> HelpRequest:
    """Called by invoicing when the job is on an invoice. A free job is never invoiced."""
    if not _can(help_request, RequestStatus.INVOICED):
        raise DomainError(_l("Alleen een uitgevoerde klus kan worden gefactureerd; deze is "
                             "‘%(status)s’.", status=STATUS_LABELS[help_request.status]))
    if help_request.price_agreement == PriceAgreement.FREE:
        raise DomainError(_l("Een gratis klus wordt niet gefactureerd."))
    help_request.status = RequestStatus.INVOICED
    audit.record(session, actor, "help_request.invoiced", help_request)
    return help_request


# --- suggestions -----------------------------------------------------------------------------

@dataclass
class Suggestion:
    """A participant who could do the job, the points, and why (and what speaks against)."""

    participant: Participant
    score: int
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    hours_left: Decimal | None = None
    on_this_job: bool = False  # already assigned to the request being planned


def _skill_fits(skills: list | None, kind: JobKind) -> bool:
    words = SKILL_WORDS[kind]
    return any(word in str(skill).lower() for skill in (skills or []) for word in words)


def rank(session: Session, help_request: HelpRequest, on: date,
         only: set[int] | None = None) -> list[Suggestion]:
    """Everyone who could be planned on `help_request` on `on`, best first (three queries).

    Who: participants with an active trajectory; when the job needs a VOG, only those whose VOG
    is valid that day (nobody else is ever suggested). How they rank (points, see SCORE_*):
    skill fits the kind of job (+40), lives in the job's neighbourhood (+25) or did a job there
    before (+15), works that weekday (+20; -20 when their days are known and this is not one),
    hours left this ISO week below the agreed hours of their trajectories (+1 per hour, at most
    +15; -15 when none are left), already on another job that day (-30). Ties go by name."""
    week_start = monday_of(on)
    wanted_wijk = (select(Neighbourhood.name)
                   .where(Neighbourhood.id == help_request.neighbourhood_id)
                   .scalar_subquery())
    stmt = (
        select(Participant, Trajectory, wanted_wijk)
        .join(Trajectory, and_(Trajectory.tenant_id == Participant.tenant_id,
                               Trajectory.participant_id == Participant.id))
        .where(Trajectory.status == TrajectoryStatus.ACTIVE,
               Participant.status != ParticipantStatus.ANONYMISED)
    )
    if help_request.needs_vog:
        stmt = stmt.where(Participant.vog_present.is_(True),
                          or_(Participant.vog_renewal_due.is_(None),
                              Participant.vog_renewal_due > on))
    if only is not None:
        stmt = stmt.where(Participant.id.in_(only))
    people: dict[int, Participant] = {}
    agreed: dict[int, Decimal] = {}
    wijk_name = None
    for person, trajectory, wijk in session.execute(stmt):
        people[person.id] = person
        agreed[person.id] = agreed.get(person.id, Decimal(0)) + agreed_hours_on(trajectory, on)
        wijk_name = wijk
    if not people:
        return []

    minutes = dict(session.execute(
        select(TimeEntry.participant_id, func.sum(TimeEntry.minutes))
        .where(TimeEntry.participant_id.in_(list(people)), TimeEntry.work_date >= week_start,
               TimeEntry.work_date <= week_start + timedelta(days=6),
               TimeEntry.status != EntryStatus.RETURNED)
        .group_by(TimeEntry.participant_id)).all())

    busy: set[int] = set()
    worked_here: set[int] = set()
    on_this_job: set[int] = set()
    wanted = [HelpRequest.id == help_request.id,
              and_(HelpRequest.planned_on == on, HelpRequest.status == RequestStatus.PLANNED)]
    if help_request.neighbourhood_id:
        wanted.append(and_(HelpRequest.neighbourhood_id == help_request.neighbourhood_id,
                           HelpRequest.status.in_([RequestStatus.DONE, RequestStatus.INVOICED])))
    rows = session.execute(
        select(Assignment.participant_id, HelpRequest.id, HelpRequest.planned_on,
               HelpRequest.status)
        .join(HelpRequest, and_(HelpRequest.tenant_id == Assignment.tenant_id,
                                HelpRequest.id == Assignment.help_request_id))
        .where(Assignment.participant_id.in_(list(people)), or_(*wanted)))
    for participant_id, request_id, planned_on, status in rows:
        if request_id == help_request.id:
            on_this_job.add(participant_id)
        elif status == RequestStatus.PLANNED and planned_on == on:
            busy.add(participant_id)
        else:
            worked_here.add(participant_id)

    weekday = WEEKDAYS[on.weekday()]
    day_name = DAYS[weekday]
    suggestions = []
    for pid, person in people.items():
        s = Suggestion(person, 0, on_this_job=pid in on_this_job)
        if _skill_fits(person.skills, help_request.kind):
            s.score += SCORE_SKILL
            s.reasons.append(str(SKILL_REASONS[help_request.kind]))
        if help_request.neighbourhood_id and person.neighbourhood_id == help_request.neighbourhood_id:
            s.score += SCORE_LIVES_HERE
            s.reasons.append(str(_l("Woont in %(wijk)s", wijk=wijk_name)))
        elif pid in worked_here:
            s.score += SCORE_WORKED_HERE
            s.reasons.append(str(_l("Werkte eerder in %(wijk)s", wijk=wijk_name)))
        if weekday in (person.available_days or []):
            s.score += SCORE_AVAILABLE_DAY
            s.reasons.append(str(_l("Beschikbaar op %(day)s", day=day_name)))
        elif person.available_days:
            s.score += PENALTY_UNAVAILABLE_DAY
            s.warnings.append(str(_l("Niet beschikbaar op %(day)s", day=day_name)))
        left = (agreed[pid] - Decimal(minutes.get(pid) or 0) / 60).quantize(Decimal("0.1"))
        s.hours_left = left
        if left > 0:
            s.score += min(SCORE_HOURS_LEFT_MAX, math.ceil(left))
            s.reasons.append(str(_l("Nog %(hours)s uur over deze week", hours=_hours_text(left))))
        else:
            s.score += PENALTY_NO_HOURS_LEFT
            s.warnings.append(str(_l("Heeft de afgesproken uren deze week al gewerkt")))
        if pid in busy:
            s.score += PENALTY_BUSY_THAT_DAY
            s.warnings.append(str(_l("Heeft op deze dag al een andere klus")))
        if help_request.needs_vog:
            s.reasons.append(str(_l("Heeft een geldige VOG")))
        suggestions.append(s)
    suggestions.sort(key=lambda s: (-s.score, s.participant.last_name.lower(),
                                    s.participant.first_name.lower(), s.participant.id))
    return suggestions


def suggest(session: Session, help_request: HelpRequest, on: date,
            limit: int = 10) -> list[Suggestion]:
    """The best `limit` participants for the job on `on`, not counting those already on it."""
    return [s for s in rank(session, help_request, on) if not s.on_this_job][:limit]


# --- reading ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class RequestFilter:
    status: RequestStatus | None = None
    kind: JobKind | None = None
    neighbourhood_id: int | None = None
    planned_from: date | None = None
    planned_to: date | None = None
    q: str | None = None


@dataclass(frozen=True)
class RequestRow:
    request: HelpRequest
    neighbourhood: str | None
    participants: list[str]


def _with_wijk(stmt):
    return stmt.add_columns(Neighbourhood.name).outerjoin(
        Neighbourhood, and_(Neighbourhood.tenant_id == HelpRequest.tenant_id,
                            Neighbourhood.id == HelpRequest.neighbourhood_id))


def _names_by_request(session: Session, request_ids: list[int]) -> dict[int, list[str]]:
    """Assigned participants' names per request (one query for a whole page)."""
    names: dict[int, list[str]] = {i: [] for i in request_ids}
    if not request_ids:
        return names
    rows = session.execute(
        select(Assignment.help_request_id, Participant.first_name, Participant.last_name)
        .join(Participant, and_(Participant.tenant_id == Assignment.tenant_id,
                                Participant.id == Assignment.participant_id))
        .where(Assignment.help_request_id.in_(request_ids))
        .order_by(Participant.last_name, Participant.first_name))
    for request_id, first, last in rows:
        names[request_id].append(f"{first} {last}".strip())
    return names


def _filtered(f: RequestFilter):
    stmt = select(HelpRequest)
    if f.status:
        stmt = stmt.where(HelpRequest.status == f.status)
    if f.kind:
        stmt = stmt.where(HelpRequest.kind == f.kind)
    if f.neighbourhood_id:
        stmt = stmt.where(HelpRequest.neighbourhood_id == f.neighbourhood_id)
    if f.planned_from:
        stmt = stmt.where(HelpRequest.planned_on >= f.planned_from)
    if f.planned_to:
        stmt = stmt.where(HelpRequest.planned_on <= f.planned_to)
    if f.q:
        like = f"%{f.q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(HelpRequest.reference).like(like),
                              func.lower(HelpRequest.requester_name).like(like)))
    return stmt


def list_requests(session: Session, f: RequestFilter, page: int = 1,
                  per_page: int = PAGE_SIZE) -> tuple[list[RequestRow], int]:
    """One page of requests, newest first, with wijk and participants: three queries."""
    base = _filtered(f)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = max(1, page)
    rows = session.execute(
        _with_wijk(base).order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    names = _names_by_request(session, [r.id for r, _ in rows])
    return [RequestRow(r, wijk, names[r.id]) for r, wijk in rows], total


def request_detail(session: Session, help_request: HelpRequest):
    """The request's wijk name and its assignments with participants (two queries)."""
    wijk = session.scalar(select(Neighbourhood.name).where(
        Neighbourhood.id == help_request.neighbourhood_id)) if help_request.neighbourhood_id \
        else None
    assigned = session.execute(
        select(Assignment, Participant)
        .join(Participant, and_(Participant.tenant_id == Assignment.tenant_id,
                                Participant.id == Assignment.participant_id))
        .where(Assignment.help_request_id == help_request.id)
        .order_by(Participant.last_name, Participant.first_name)).all()
    return wijk, [(a, p) for a, p in assigned]


def plannable_participants(session: Session) -> list[Participant]:
    """Participants who can be planned at all (running trajectory), by name."""
    return list(session.scalars(select(Participant).where(
        Participant.status == ParticipantStatus.ACTIVE)
        .order_by(Participant.last_name, Participant.first_name)))


def week_planning(session: Session, monday: date, supervisor_id: int | None = None,
                  neighbourhood_id: int | None = None) -> dict[date, list[RequestRow]]:
    """Planned (and done) jobs of the week Monday-Sunday, per day: two queries.

    `supervisor_id`: only jobs with a participant this supervisor follows (begeleider)."""
    days = {monday + timedelta(days=i): [] for i in range(7)}
    stmt = _with_wijk(select(HelpRequest)).where(
        HelpRequest.planned_on >= monday, HelpRequest.planned_on <= monday + timedelta(days=6),
        HelpRequest.status.in_([RequestStatus.PLANNED, RequestStatus.DONE,
                                RequestStatus.INVOICED]))
    if neighbourhood_id:
        stmt = stmt.where(HelpRequest.neighbourhood_id == neighbourhood_id)
    if supervisor_id:
        followed = (select(Assignment.help_request_id)
                    .join(Participant, and_(Participant.tenant_id == Assignment.tenant_id,
                                            Participant.id == Assignment.participant_id))
                    .where(Participant.supervisor_id == supervisor_id))
        stmt = stmt.where(HelpRequest.id.in_(followed))
    rows = session.execute(stmt.order_by(HelpRequest.planned_on, HelpRequest.reference)).all()
    names = _names_by_request(session, [r.id for r, _ in rows])
    for r, wijk in rows:
        days[r.planned_on].append(RequestRow(r, wijk, names[r.id]))
    return days


def jobs_of(session: Session, participant: Participant) -> list[HelpRequest]:
    """A participant's own planned jobs, soonest first (one query); nobody else's."""
    return list(session.scalars(
        select(HelpRequest)
        .join(Assignment, and_(Assignment.tenant_id == HelpRequest.tenant_id,
                               Assignment.help_request_id == HelpRequest.id))
        .where(Assignment.participant_id == participant.id,
               HelpRequest.status == RequestStatus.PLANNED)
        .order_by(HelpRequest.planned_on, HelpRequest.reference)))


@dataclass(frozen=True)
class Undated:
    requests: list[HelpRequest]
    total: int


def undated_requests(session: Session, limit: int = 10) -> Undated:
    """New requests that have no date yet, oldest first, and how many there are: one query."""
    rows = session.execute(
        select(HelpRequest, func.count().over())
        .where(HelpRequest.status == RequestStatus.NEW)
        .order_by(HelpRequest.created_at, HelpRequest.id).limit(limit)).all()
    return Undated([r for r, _ in rows], rows[0][1] if rows else 0)


# --- notifications ---------------------------------------------------------------------------

def inbox_users(session: Session) -> list[User]:
    """The tenant's admins who want e-mail notifications: the cooperative's inbox by mail."""
    return list(session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.ADMIN, User.notify_by_email.is_(True),
               User.deactivated_at.is_(None)).order_by(User.email)))


def accounts_to_notify(session: Session, participants: list[Participant]) -> list[User]:
    """The linked accounts of these participants that have e-mail notifications on."""
    user_ids = [p.user_id for p in participants if p.user_id]
    if not user_ids:
        return []
    return list(session.scalars(select(User).where(
        User.id.in_(user_ids), User.notify_by_email.is_(True), User.deactivated_at.is_(None))))


def set_email_notifications(session: Session, actor: Actor, user: User, enabled: bool) -> None:
    """A user turns e-mail notifications (planned jobs and the like) on or off."""
    user.notify_by_email = bool(enabled)
    audit.record(session, actor, "user.notifications_changed", object_type="User",
                 object_id=user.id, enabled=bool(enabled))
