"""Privacy rules (AVG / UAVG / Pw art. 65): audit trail, export, erasure and retention per person.

Audit trail. Every view and change of a participant's file is in the tenant's append-only audit
log. `participant_audit_trail` finds the events about one person: the participant itself, their
trajectories, learning goals and evaluations, and any event whose details name the participant.

Export (right of access, AVG art. 15; answered within one month). `export_participant` returns a
ZIP with `gegevens.json` (every column of the person's records, generated from the models so a
new column is never forgotten), each trajectory's agreement as a PDF generated from its data,
the stored signed agreement scans, and `LEESMIJ.txt`. What the person's progress is shared with
their municipality on (the grounds, and each view) comes from the municipality feature through
the hook `participant_sharing_export` (privacy stands below it).

Erasure (AVG art. 17). `erase_participant` anonymises instead of deleting, because records that
law requires us to keep (invoices and the training-budget ledger, 7 years) and the outcome counts
the cooperative reports to its municipality point at the participant row. After erasure no
personal data is left; what stays only feeds aggregate reports.

Cleared (personal data):
  - participant: first name (becomes "Deelnemer"), last name (becomes a pseudonym "#XXXXXXXX"
    derived from the id), e-mail, phone, street, postcode, city, date of birth, integration
    route, skills, languages, available hours and days, VOG (present, date, renewal), emergency
    contact (name, phone, relation), notes, supervisor and the link to a login account;
  - exemptions: who decided (free text);
  - consents: the recipient (free text);
  - trajectories: the host's contact person (name, contact), the stored agreement scan (deleted
    from disk when the erasure is committed; `agreement_file` cleared);
  - trajectory history: the notes;
  - learning goals: title (becomes "Leerdoel") and description; progress notes: their text;
  - evaluations: the summary;
  - course proposals: the motivation and the reason a proposal was declined.
Kept (no person can be traced from it; reports count it):
  - participant: id, neighbourhood, household type, statushouder and work-limitation flags,
    benefit kind, paying municipality, created date; status "geanonimiseerd" with its date;
  - exemptions: article, obligations, dates (how many people had an exemption);
  - consents: kind and dates (proof that consent was given and when it was withdrawn);
  - trajectories: kind, host organisation, job coach, dates, hours, funding, status, the date the
    agreement was signed, outcome with its date, hours and contract kind (outflow figures);
  - goal levels and achievement dates, evaluation dates and participation-ladder steps;
  - staff references (who recorded what): those are staff, not the participant;
  - the audit log (append-only by law and by trigger): it holds ids and staff e-mail addresses,
    never the participant's name, so there is nothing to erase there;
  - invoices and ledger entries of other features keep pointing at the pseudonymised row (the
    training-budget ledger is append-only and kept 7 years; its descriptions name invoices
    and courses, never the person), and course proposals keep course, cost, status and dates.

Retention. A tenant may set `retention_years` (1-30, or none). `retention_proposals` lists the
people whose trajectories have all ended more than that many years ago (or who never had one and
were registered that long ago), to propose anonymisation; an admin decides per person.

Services flush, never commit; they take the session, the actor and plain values.
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from enum import Enum
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    and_,
    bindparam,
    case,
    func,
    inspect,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from blueprints.budgets import lists as budget_lists
from blueprints.hours.models import TimeEntry
from blueprints.participants.models import (
    Consent,
    Exemption,
    HostOrganisation,
    Neighbourhood,
    Participant,
    ParticipantStatus,
)
from blueprints.trajectories.agreements import agreement_for
from blueprints.trajectories.models import (
    Evaluation,
    GoalNote,
    LearningGoal,
    Trajectory,
    TrajectoryEvent,
    TrajectoryStatus,
)
from tenants import audit, events, hooks, storage
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.errors import DomainError, NotFound
from tenants.models import AuditEvent, Municipality, Tenant, User
from tenants.tenancy import current_tenant_id

RUNNING = (TrajectoryStatus.INTAKE, TrajectoryStatus.ACTIVE, TrajectoryStatus.PAUSED)
RETENTION_MIN_YEARS, RETENTION_MAX_YEARS = 1, 30
ERASED_FIRST_NAME = "Deelnemer"
ERASED_GOAL_TITLE = "Leerdoel"
TRAIL_PAGE_SIZE = 50


class RunningTrajectories(DomainError):
    default_message = _l("Rond eerst de lopende trajecten af. Een deelnemer met een traject in "
                         "intake, actief of gepauzeerd kan niet worden geanonimiseerd.")


class AlreadyAnonymised(DomainError):
    default_message = _l("Deze deelnemer is al geanonimiseerd.")


# --- audit trail ----------------------------------------------------------------------------

@cache
def _related_statement():
    """The ids of a participant's trajectories, learning goals and evaluations, by kind (built
    once: the participant is a parameter)."""
    trajectories = select(Trajectory.id).where(
        Trajectory.participant_id == bindparam("participant_id"))
    return union_all(
        select(literal("Trajectory"), Trajectory.id)
        .where(Trajectory.participant_id == bindparam("participant_id")),
        select(literal("LearningGoal"), LearningGoal.id)
        .where(LearningGoal.trajectory_id.in_(trajectories)),
        select(literal("Evaluation"), Evaluation.id)
        .where(Evaluation.trajectory_id.in_(trajectories)))


def _event_ids():
    """The ids of the audit events about the participant `participant_id` (also as text,
    `object_id`), the objects of `Trajectory`, `LearningGoal` and `Evaluation` (lists of ids as
    text; an empty list matches nothing), and the events other features tagged with the person
    (`AuditEvent.participant_id`, e.g. hours), as a subquery.

    Each kind of event is one lookup in an index that leads with tenant_id, and the page reads
    its rows by primary key. (An OR with subqueries made PostgreSQL scan the tenant's whole
    log; a plain OR lets SQLite without statistics walk the log backwards by id.)"""
    return union_all(
        select(AuditEvent.id).where(AuditEvent.participant_id == bindparam("participant_id")),
        select(AuditEvent.id).where(AuditEvent.object_type == "Participant",
                                    AuditEvent.object_id == bindparam("object_id")),
        *(select(AuditEvent.id).where(AuditEvent.object_type == kind,
                                      AuditEvent.object_id.in_(bindparam(kind, expanding=True)))
          for kind in _RELATED_KINDS),
    )


_RELATED_KINDS = ("Trajectory", "LearningGoal", "Evaluation")


@cache
def _trail_statement(limit: int, paged: bool):
    """The trail's page of events, newest first (built once per limit; the participant, its
    related ids and `before_id` are parameters)."""
    stmt = (select(AuditEvent).where(AuditEvent.id.in_(_event_ids()))
            .order_by(AuditEvent.id.desc()).limit(limit))
    if paged:
        stmt = stmt.where(AuditEvent.id < bindparam("before_id"))
    return stmt


def participant_audit_trail(session: Session, participant: Participant, *,
                            before_id: int | None = None,
                            limit: int = TRAIL_PAGE_SIZE) -> list[AuditEvent]:
    """The audit events about one participant, newest first, keyset-paginated by id (two
    queries: the ids of the person's trajectories, goals and evaluations, then the events).

    Like `tenants.audit.tenant_events`: pass the last id of a page as `before_id` for the next.
    The statements are built once and take the participant as parameters (building them per
    request was a third of the page's CPU beside the rows).
    """
    related: dict[str, list[str]] = {kind: [] for kind in _RELATED_KINDS}
    for kind, object_id in session.execute(_related_statement(),
                                           {"participant_id": participant.id}):
        related[kind].append(str(object_id))
    params = {"participant_id": participant.id, "object_id": str(participant.id), **related}
    if before_id is not None:
        params["before_id"] = before_id
    return list(session.scalars(_trail_statement(limit, before_id is not None), params))


# --- agreement scans on disk ----------------------------------------------------------------

def _read_scan(root: Path | str, tenant_id: int, key: str) -> bytes | None:
    """The bytes of a stored scan, or None when it is not on disk (or not this tenant's key)."""
    try:
        return storage.open_file(Path(root), tenant_id, key)
    except NotFound:
        return None


# --- export ---------------------------------------------------------------------------------

def _jsonable(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _columns(obj, exclude: tuple[str, ...] = ("tenant_id",)) -> dict:
    """Every mapped column of a row, as JSON values (so a new column is exported too)."""
    return {attr.key: _jsonable(getattr(obj, attr.key))
            for attr in inspect(type(obj)).column_attrs if attr.key not in exclude}


def _by(rows, key: str) -> dict:
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


README = """\
Uw gegevens bij {organisation}
{line}

Dit bestand is gemaakt op {made} op uw verzoek om inzage (AVG artikel 15), of omdat de
organisatie uw gegevens aan u meegeeft. Het bevat alles wat {organisation} in Wijkwerk over u
heeft vastgelegd.

Wat zit erin
- gegevens.json: al uw gegevens, in een open formaat (JSON, UTF-8) dat u met elke teksteditor
  kunt openen of in een ander programma kunt inlezen. Datums staan als jaar-maand-dag.
  - "deelnemer": uw persoonsgegevens: naam (first_name, last_name), contact (email, phone),
    adres (street, postcode, city), geboortedatum (date_of_birth), huishouden (household_type),
    uitkering (benefit), vaardigheden (skills), talen (languages), beschikbaarheid
    (available_hours, available_days), VOG (vog_present, vog_date, vog_renewal_due), contact
    in noodgevallen (emergency_name, emergency_phone, emergency_relation), aantekeningen (notes)
    en status;
  - "wijk" en "betalende_gemeente": uw wijk en de gemeente die uw traject betaalt;
  - "ontheffingen": ontheffingen van de arbeidsplicht zoals de gemeente ze besloot;
  - "toestemmingen": waarvoor u toestemming gaf, aan wie, en wanneer u die introk;
  - "trajecten": uw trajecten met de inzetorganisatie, uren, overeenkomst en uitstroom, en
    per traject de geschiedenis ("geschiedenis"), leerdoelen met voortgang ("leerdoelen") en
    evaluaties ("evaluaties");
  - "uren": de uren die u schreef of die voor u geschreven zijn, met hun status;
  - "opleidingsbudget": uw opleidingsbudget: het saldo, elke boeking met wat het opleverde
    (factuur en klus) of waarvoor het betaald is (cursus), en de cursussen die voor u zijn
    voorgesteld;
  - "logboek": wanneer uw dossier is bekeken of gewijzigd (AVG: wie keek naar uw gegevens);
  - "gedeeld_met_gemeente": of uw voortgang met uw gemeente wordt gedeeld: per grondslag
    ("grondslagen") met welke gemeente, op welke grond (een opdracht tot re-integratie van de
    gemeente, of uw schriftelijke toestemming), vanaf en tot wanneer, welke onderdelen, en
    wanneer en door wie het is beëindigd; en elke keer dat een consulent van de gemeente uw
    voortgang bekeek ("bekeken": wanneer en welke gemeente). Leeg als er niets gedeeld is.
- overeenkomsten/: per traject de overeenkomst als PDF, opgesteld uit de gegevens van nu
  (traject-<nummer>-overeenkomst.pdf), en de ondertekende overeenkomsten die als scan zijn
  bewaard, als die er zijn.
{missing}
Vragen, iets onjuist, of wilt u dat uw gegevens worden gewist? Neem contact op met
{organisation}. Een verzoek wordt binnen een maand beantwoord. Facturen en de administratie van
het opleidingsbudget moeten 7 jaar bewaard blijven; bij wissen worden ze losgekoppeld van uw naam.
Wijkwerk bewaart nooit uw burgerservicenummer (BSN).
"""


def export_participant(session: Session, actor: Actor, participant: Participant,
                       storage_root: Path | str) -> bytes:
    """A ZIP of everything recorded about `participant` (gegevens.json, scans, LEESMIJ.txt).

    Audited as "participant.exported". A scan that is missing on disk is named in LEESMIJ.txt.
    """
    tenant_id = participant.tenant_id
    tenant = session.scalar(select(Tenant).where(Tenant.id == tenant_id))
    trajectories = list(session.scalars(select(Trajectory).where(
        Trajectory.participant_id == participant.id).order_by(Trajectory.starts_on,
                                                              Trajectory.id)))
    ids = [t.id for t in trajectories]
    events = _by(session.scalars(select(TrajectoryEvent).where(
        TrajectoryEvent.trajectory_id.in_(ids)).order_by(TrajectoryEvent.at,
                                                         TrajectoryEvent.id)), "trajectory_id")
    goals = list(session.scalars(select(LearningGoal).where(
        LearningGoal.trajectory_id.in_(ids)).order_by(LearningGoal.created_at, LearningGoal.id)))
    notes = _by(session.scalars(select(GoalNote).where(
        GoalNote.goal_id.in_([g.id for g in goals])).order_by(GoalNote.at, GoalNote.id)),
        "goal_id")
    evaluations = _by(session.scalars(select(Evaluation).where(
        Evaluation.trajectory_id.in_(ids)).order_by(Evaluation.planned_on, Evaluation.id)),
        "trajectory_id")
    host_ids = {t.host_organisation_id for t in trajectories if t.host_organisation_id}
    hosts = {h.id: h.name for h in session.scalars(select(HostOrganisation).where(
        HostOrganisation.id.in_(host_ids)))} if host_ids else {}
    wijk = session.scalar(select(Neighbourhood.name).where(
        Neighbourhood.id == participant.neighbourhood_id)) if participant.neighbourhood_id else None
    municipality = session.scalar(select(Municipality).where(
        Municipality.id == participant.paying_municipality_id)) \
        if participant.paying_municipality_id else None
    staff_ids = {participant.supervisor_id} | {t.job_coach_id for t in trajectories}
    staff_ids.discard(None)
    staff = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(staff_ids)))} \
        if staff_ids else {}

    files: list[tuple[str, bytes]] = []
    missing: list[str] = []
    exported_trajectories = []
    goals_by_trajectory = _by(goals, "trajectory_id")
    for t in trajectories:
        row = _columns(t)
        row["inzetorganisatie"] = hosts.get(t.host_organisation_id)
        row["jobcoach"] = staff.get(t.job_coach_id)
        generated = f"overeenkomsten/traject-{t.id}-overeenkomst.pdf"
        files.append((generated, agreement_for(session, t)))
        row["overeenkomst_pdf_in_zip"] = generated
        if t.agreement_file:
            content = _read_scan(storage_root, tenant_id, t.agreement_file)
            name = f"overeenkomsten/traject-{t.id}{Path(t.agreement_file).suffix.lower()}"
            if content is None:
                missing.append(name)
                row["overeenkomst_in_zip"] = None
            else:
                files.append((name, content))
                row["overeenkomst_in_zip"] = name
        row["geschiedenis"] = [_columns(e) for e in events.get(t.id, [])]
        row["leerdoelen"] = [dict(_columns(g), notities=[_columns(n) for n in notes.get(g.id, [])])
                             for g in goals_by_trajectory.get(t.id, [])]
        row["evaluaties"] = [_columns(e) for e in evaluations.get(t.id, [])]
        exported_trajectories.append(row)

    made = utcnow()
    trail = participant_audit_trail(session, participant, limit=100_000)
    data = {
        "gemaakt_op": made.isoformat(),
        "organisatie": tenant.name if tenant is not None else None,
        "deelnemer": dict(_columns(participant), begeleider=staff.get(participant.supervisor_id)),
        "wijk": wijk,
        "betalende_gemeente": {"cbs_code": municipality.cbs_code, "naam": municipality.name}
        if municipality else None,
        "ontheffingen": [_columns(e) for e in session.scalars(select(Exemption).where(
            Exemption.participant_id == participant.id).order_by(Exemption.starts_on))],
        "toestemmingen": [_columns(c) for c in session.scalars(select(Consent).where(
            Consent.participant_id == participant.id).order_by(Consent.given_on))],
        "trajecten": exported_trajectories,
        "uren": [_columns(e) for e in session.scalars(select(TimeEntry).where(
            TimeEntry.participant_id == participant.id).order_by(TimeEntry.work_date))],
        "opleidingsbudget": budget_lists.participant_export(session, participant.id),
        "logboek": [{"tijdstip": e.at.isoformat(), "actie": e.action,
                     "object": e.object_type, "object_id": e.object_id}
                    for e in reversed(trail)],
    }
    sharing = hooks.participant_sharing_export.ask(session, participant)
    if sharing is not None:  # None: no feature shares progress with a municipality
        data["gedeeld_met_gemeente"] = sharing
    organisation = tenant.name if tenant is not None else "de organisatie"
    readme = README.format(
        organisation=organisation, line="=" * len(f"Uw gegevens bij {organisation}"),
        made=made.strftime("%d-%m-%Y %H:%M UTC"),
        missing=("\nLet op: deze bewaarde bestanden zijn niet (meer) gevonden: "
                 + ", ".join(missing) + ".\n") if missing else "")

    buffer = io.BytesIO()
    stamp = made.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def add(name: str, content: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)

        add("LEESMIJ.txt", readme.replace("\n", "\r\n").encode("utf-8"))
        add("gegevens.json", json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
        for name, content in files:
            add(name, content)
    audit.record(session, actor, "participant.exported", participant, files=len(files))
    session.flush()
    return buffer.getvalue()


# --- erasure --------------------------------------------------------------------------------

def pseudonym(participant: Participant) -> str:
    """A short code, the same every time for this participant, that reveals nothing but the id."""
    digest = hashlib.sha256(f"{participant.tenant_id}:{participant.id}".encode()).hexdigest()
    return f"#{digest[:8].upper()}"


def running_trajectories(session: Session, participant: Participant) -> list[Trajectory]:
    return list(session.scalars(select(Trajectory).where(
        Trajectory.participant_id == participant.id, Trajectory.status.in_(RUNNING))))


@dataclass(frozen=True)
class ErasureResult:
    pseudonym: str
    trajectories: int
    files: int  # agreement scans deleted from disk once the transaction commits


def erase_participant(session: Session, actor: Actor, participant: Participant,
                      storage_root: Path | str, today: date | None = None) -> ErasureResult:
    """Anonymise a participant (see the module docstring for exactly what is cleared and kept).

    Raises `AlreadyAnonymised`, or `RunningTrajectories` while a trajectory is in intake, active
    or paused. The agreement scans are deleted from disk when the caller commits
    (`tenants.storage.replace_on_commit`); a rollback leaves them, and the rows, as they were.
    """
    if participant.status == ParticipantStatus.ANONYMISED:
        raise AlreadyAnonymised()
    if running_trajectories(session, participant):
        raise RunningTrajectories()

    code = pseudonym(participant)
    participant.first_name = ERASED_FIRST_NAME
    participant.last_name = code
    for column in ("email", "phone", "street", "postcode", "city", "date_of_birth",
                   "integration_route", "available_hours", "vog_date", "vog_renewal_due",
                   "emergency_name", "emergency_phone", "emergency_relation", "notes",
                   "supervisor_id", "user_id"):
        setattr(participant, column, None)
    participant.skills, participant.languages, participant.available_days = [], [], []
    participant.vog_present = False
    participant.status = ParticipantStatus.ANONYMISED
    participant.anonymised_at = utcnow()

    for exemption in session.scalars(select(Exemption).where(
            Exemption.participant_id == participant.id)):
        exemption.decided_by = None
    for consent in session.scalars(select(Consent).where(
            Consent.participant_id == participant.id)):
        consent.recipient = None

    trajectories = list(session.scalars(select(Trajectory).where(
        Trajectory.participant_id == participant.id)))
    ids = [t.id for t in trajectories]
    scans = [t.agreement_file for t in trajectories if t.agreement_file]
    for t in trajectories:
        t.host_supervisor_name = None
        t.host_supervisor_contact = None
        t.agreement_file = None
    for event in session.scalars(select(TrajectoryEvent).where(
            TrajectoryEvent.trajectory_id.in_(ids))):
        event.note = None
    goal_ids = []
    for goal in session.scalars(select(LearningGoal).where(LearningGoal.trajectory_id.in_(ids))):
        goal.title = ERASED_GOAL_TITLE
        goal.description = None
        goal_ids.append(goal.id)
    for note in session.scalars(select(GoalNote).where(GoalNote.goal_id.in_(goal_ids))):
        note.text = ""
    for evaluation in session.scalars(select(Evaluation).where(
            Evaluation.trajectory_id.in_(ids))):
        evaluation.summary = None
    session.flush()
    # Hours and course proposals stay (counted, invoiced, in the ledger); the features that
    # hold them clear their free text about the person (blueprints/*/subscribers.py).
    events.participant_erased.send(participant, session=session, actor=actor)

    for key in scans:  # removed from disk when this transaction commits, kept if it rolls back
        storage.replace_on_commit(session, Path(storage_root), participant.tenant_id, None, key)
    audit.record(session, actor, "participant.erased", participant,
                 trajectories=len(trajectories), files=len(scans))
    session.flush()
    return ErasureResult(pseudonym=code, trajectories=len(trajectories), files=len(scans))


# --- retention ------------------------------------------------------------------------------

def set_retention(session: Session, actor: Actor, tenant: Tenant, years: int | None) -> Tenant:
    """Set after how many years since the last trajectory ended anonymisation is proposed.

    `None` switches proposals off. Raises DomainError outside 1-30 years.
    """
    if years is not None:
        if isinstance(years, bool) or not isinstance(years, int) \
                or not RETENTION_MIN_YEARS <= years <= RETENTION_MAX_YEARS:
            raise DomainError(_l("Kies een bewaartermijn van 1 tot en met 30 jaar, of geen."))
    old = tenant.retention_years
    tenant.retention_years = years
    audit.record(session, actor, "tenant.retention_set", tenant, old=old, new=years)
    return tenant


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class RetentionProposal:
    participant: Participant
    last_ended_on: date | None  # None: never had a trajectory (registered on created_at)


def retention_proposals(session: Session, tenant: Tenant, today: date | None = None,
                        limit: int = 500) -> list[RetentionProposal]:
    """People to propose for anonymisation under the tenant's retention setting (one query).

    A participant not yet anonymised qualifies when none of their trajectories is running and
    the last one ended (outcome date, else planned end, else start) more than `retention_years`
    years before `today`; or, with no trajectory at all, when they were registered more than that
    long ago. Exactly N years ago is not yet "more than". Empty when the setting is off.
    """
    if tenant.retention_years is None:
        return []
    if current_tenant_id(session) != tenant.id:
        raise DomainError(_l("Deze organisatie is hier niet actief."))
    today = today or date.today()
    cutoff = years_before(today, tenant.retention_years)
    cutoff_at = datetime.combine(cutoff, time.min, tzinfo=timezone.utc)
    ended_on = func.coalesce(Trajectory.outcome_on, Trajectory.planned_end_on,
                             Trajectory.starts_on)
    last_ended = func.max(ended_on)
    stmt = (
        select(Participant, last_ended.label("last_ended"))
        .outerjoin(Trajectory, and_(Trajectory.tenant_id == Participant.tenant_id,
                                    Trajectory.participant_id == Participant.id))
        .where(Participant.status != ParticipantStatus.ANONYMISED)
        .group_by(Participant.tenant_id, Participant.id)
        .having(func.sum(case((Trajectory.status != TrajectoryStatus.ENDED, 1), else_=0)) == 0)
        .having(or_(last_ended < cutoff,
                    and_(func.count(Trajectory.id) == 0, Participant.created_at < cutoff_at)))
        .order_by(last_ended, Participant.created_at, Participant.id)
        .limit(limit)
    )
    return [RetentionProposal(p, last) for p, last in session.execute(stmt)]
