"""The daily digest: what each person is told, which kinds they chose, and what was told already.

Each kind gathers its items through the features below (their services where they have one, the
action list of trajectories, the overdue list of invoicing) in a fixed number of statements per
person. An item has a key; `digest_sent_items` remembers (person, kind, key), so an item is
mentioned once, ever: the next day's digest leaves it out. A key says the item's state when the
state is news of its own: an evaluation planned (`12:gepland`) and the same one late
(`12:te-laat`), a VOG per renewal date, a trajectory ending and past its end.

Who gets which kinds: supervisors (and admins, for the participants they follow themselves)
the supervisor kinds; admins the admin kinds; participants their own two, only when they switch
them on. Nothing to say: no mail.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from blueprints.budgets.models import Course, CourseEnrolment, EnrolmentStatus
from blueprints.customers.models import Customer
from blueprints.digests.models import DigestChoice, DigestSentItem
from blueprints.helprequests import services as helprequest_services
from blueprints.hours.models import EntryStatus, TimeEntry
from blueprints.invoicing import services as invoicing_services
from blueprints.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from blueprints.participants import services as participant_services
from blueprints.participants.models import Participant, ParticipantStatus
from blueprints.trajectories import attention
from blueprints.trajectories import services as trajectory_services
from blueprints.trajectories.models import Trajectory, TrajectoryStatus
from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.formatting import format_date, format_money
from tenants.mail import send_mail
from tenants.models import Membership, Role, Tenant, User
from tenants.urls import absolute_url
from tenants.weeks import monday_of, week_key

#: hours waiting for approval longer than this are mentioned
HOURS_WAITING = timedelta(days=7)
#: a VOG whose renewal is due within this is mentioned (or already past it)
VOG_NOTICE = timedelta(days=30)
#: drafts older than this are mentioned
DRAFT_AGE = timedelta(days=14)
#: "no hours this week" is said from this weekday on (Thursday: 0 is Monday)
NO_HOURS_FROM_WEEKDAY = 3
#: at most this many new items of one kind in one mail (the rest come the next day)
MAX_PER_KIND = 50
#: at most this many candidates of one kind are read (told ones included, left out after)
GATHER_LIMIT = 500


@dataclass(frozen=True)
class Kind:
    key: str
    role: Role  #: the lowest role that gets it (participant kinds: participants only)
    label: object
    default: bool


KINDS: tuple[Kind, ...] = (
    Kind("evaluaties", Role.SUPERVISOR, _l("Evaluaties die eraan komen of te laat zijn"), True),
    Kind("vog", Role.SUPERVISOR, _l("VOG's die verlopen"), True),
    Kind("uren", Role.SUPERVISOR, _l("Uren die langer dan 7 dagen wachten op goedkeuring"),
         True),
    Kind("trajecten", Role.SUPERVISOR, _l("Trajecten die eindigen of over hun einddatum zijn"),
         True),
    Kind("facturen", Role.ADMIN, _l("Achterstallige facturen"), True),
    Kind("concepten", Role.ADMIN, _l("Conceptfacturen ouder dan 14 dagen"), True),
    Kind("cursussen", Role.ADMIN, _l("Cursusaanvragen die wachten"), True),
    Kind("geen-uren", Role.PARTICIPANT, _l("Nog geen uren geschreven deze week"), False),
    Kind("klus-morgen", Role.PARTICIPANT, _l("Een klus morgen"), False),
)
KIND_BY_KEY = {k.key: k for k in KINDS}

#: the heading of each kind's part of the mail
HEADINGS = {
    "evaluaties": _l("Evaluaties"),
    "vog": _l("VOG's"),
    "uren": _l("Uren die wachten"),
    "trajecten": _l("Trajecten"),
    "facturen": _l("Achterstallige facturen"),
    "concepten": _l("Oude conceptfacturen"),
    "cursussen": _l("Cursusaanvragen"),
    "geen-uren": _l("Uw uren"),
    "klus-morgen": _l("Morgen"),
}


def kinds_for(role: Role) -> list[Kind]:
    """The kinds a member with `role` can receive."""
    if role == Role.PARTICIPANT:
        return [k for k in KINDS if k.role == Role.PARTICIPANT]
    return [k for k in KINDS if k.role != Role.PARTICIPANT and role.rank >= k.role.rank]


def choices(session: Session, user_id: int, role: Role) -> dict[str, bool]:
    """Per kind the member can receive: on or off (their choice, else the default)."""
    chosen = dict(session.execute(select(DigestChoice.kind, DigestChoice.enabled)
                                  .where(DigestChoice.user_id == user_id)).all())
    return {k.key: bool(chosen.get(k.key, k.default)) for k in kinds_for(role)}


def save_choices(session: Session, actor: Actor, user_id: int, role: Role,
                 enabled: set[str]) -> dict[str, bool]:
    """Store the member's choice for every kind they can receive (others are ignored)."""
    rows = {c.kind: c for c in session.scalars(select(DigestChoice)
                                               .where(DigestChoice.user_id == user_id))}
    result = {}
    for kind in kinds_for(role):
        on = kind.key in enabled
        row = rows.get(kind.key)
        if row is None:
            session.add(DigestChoice(user_id=user_id, kind=kind.key, enabled=on))
        else:
            row.enabled = on
        result[kind.key] = on
    session.flush()
    audit.record(session, actor, "digest.choices_saved", object_type="User", object_id=user_id,
                 on=",".join(k for k, v in result.items() if v) or "-")
    return result


# --- the items -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    key: str
    text: str
    link: str | None = None


@dataclass
class Digest:
    user: User
    role: Role
    #: kind -> items not mentioned before, in the order of KINDS
    parts: dict[str, list[Item]] = field(default_factory=dict)
    #: admins with overdue invoices: the page that sends reminders for them in one go
    reminders_link: str | None = None

    @property
    def empty(self) -> bool:
        return not any(self.parts.values())


def _link(slug: str, endpoint: str, **values) -> str:
    return absolute_url(endpoint, tenant_slug=slug, **values)


def _followed_by(user: User):
    return or_(Participant.supervisor_id == user.id, Trajectory.job_coach_id == user.id)


def _evaluations(session: Session, user: User, today: date, slug: str) -> list[Item]:
    items = []
    for due in trajectory_services.due_evaluations(session, supervisor=user, today=today,
                                                   limit=GATHER_LIMIT):
        e, p = due.evaluation, due.participant
        if due.late:
            text = _l("Evaluatie van %(name)s was gepland op %(date)s en is nog niet gehouden.",
                      name=p.full_name, date=format_date(e.planned_on))
        else:
            text = _l("Evaluatie van %(name)s staat gepland op %(date)s.", name=p.full_name,
                      date=format_date(e.planned_on))
        items.append(Item(f"{e.id}:{'te-laat' if due.late else 'gepland'}", str(text),
                          _link(slug, "trajectories.show", trajectory_id=due.trajectory.id)))
    return items


def _vogs(session: Session, user: User, today: date, slug: str) -> list[Item]:
    rows = session.scalars(
        select(Participant)
        .where(Participant.supervisor_id == user.id, Participant.vog_present.is_(True),
               Participant.vog_renewal_due.is_not(None),
               Participant.vog_renewal_due <= today + VOG_NOTICE,
               Participant.status.not_in([ParticipantStatus.ENDED,
                                          ParticipantStatus.ANONYMISED]))
        .order_by(Participant.vog_renewal_due, Participant.id).limit(GATHER_LIMIT))
    items = []
    for p in rows:
        due = p.vog_renewal_due
        text = (_l("De VOG van %(name)s is verlopen op %(date)s.", name=p.full_name,
                   date=format_date(due)) if due < today else
                _l("De VOG van %(name)s verloopt op %(date)s.", name=p.full_name,
                   date=format_date(due)))
        items.append(Item(f"{p.id}:{due.isoformat()}", str(text),
                          _link(slug, "participants.show", participant_id=p.id)))
    return items


def _waiting_hours(session: Session, user: User, now: datetime, slug: str) -> list[Item]:
    stmt = (select(TimeEntry, Participant)
            .join(Participant, and_(Participant.tenant_id == TimeEntry.tenant_id,
                                    Participant.id == TimeEntry.participant_id))
            .outerjoin(Trajectory, and_(Trajectory.tenant_id == TimeEntry.tenant_id,
                                        Trajectory.id == TimeEntry.trajectory_id))
            .where(TimeEntry.status == EntryStatus.SUBMITTED,
                   TimeEntry.submitted_at <= now - HOURS_WAITING, _followed_by(user))
            .order_by(TimeEntry.submitted_at, TimeEntry.id).limit(GATHER_LIMIT))
    items = []
    for entry, p in session.execute(stmt):
        minutes = entry.minutes
        text = _l("%(name)s: %(hours)s uur op %(date)s, ingediend op %(since)s.",
                  name=p.full_name, hours=f"{minutes // 60}:{minutes % 60:02d}",
                  date=format_date(entry.work_date), since=format_date(entry.submitted_at))
        items.append(Item(str(entry.id), str(text), _link(slug, "hours.review")))
    return items


def _trajectories(session: Session, user: User, today: date, slug: str) -> list[Item]:
    items = []
    for reason, state in ((attention.Attention.EXPIRED, "verlopen"),
                          (attention.Attention.ENDING, "eindigt")):
        rows, _total = attention.trajectory_list(session, reason, today, user=user,
                                                 per_page=GATHER_LIMIT)
        for row in rows:
            t, p = row.trajectory, row.participant
            if state == "verlopen":
                text = _l("Het traject van %(name)s had moeten eindigen op %(date)s en loopt "
                          "nog: verleng of rond af.", name=p.full_name,
                          date=format_date(t.planned_end_on))
            else:
                text = _l("Het traject van %(name)s eindigt op %(date)s.", name=p.full_name,
                          date=format_date(t.planned_end_on))
            items.append(Item(f"{t.id}:{state}:{t.planned_end_on.isoformat()}", str(text),
                              _link(slug, "trajectories.show", trajectory_id=t.id)))
    return items


def _overdue(session: Session, today: date, slug: str) -> list[Item]:
    items = []
    for row in invoicing_services.overdue(session, today)[:GATHER_LIMIT]:
        i = row.invoice
        text = ngettext("%(number)s van %(customer)s: %(amount)s open, %(num)s dag te laat.",
                        "%(number)s van %(customer)s: %(amount)s open, %(num)s dagen te laat.",
                        row.days, number=i.number_text or "", customer=row.customer_name,
                        amount=format_money(row.open_cents))
        items.append(Item(str(i.id), text, _link(slug, "invoicing.show", invoice_id=i.id)))
    return items


def _old_drafts(session: Session, now: datetime, slug: str) -> list[Item]:
    stmt = (select(Invoice, Customer.name)
            .join(Customer, and_(Customer.tenant_id == Invoice.tenant_id,
                                 Customer.id == Invoice.customer_id))
            .where(Invoice.status == InvoiceStatus.DRAFT, Invoice.kind == InvoiceKind.INVOICE,
                   Invoice.created_at <= now - DRAFT_AGE)
            .order_by(Invoice.created_at, Invoice.id).limit(GATHER_LIMIT))
    return [Item(str(i.id), str(_l("Concept voor %(customer)s, gemaakt op %(date)s.",
                                   customer=name, date=format_date(i.created_at))),
                 _link(slug, "invoicing.show", invoice_id=i.id))
            for i, name in session.execute(stmt)]


def _course_requests(session: Session, slug: str) -> list[Item]:
    stmt = (select(CourseEnrolment, Participant, Course.title)
            .join(Participant, and_(Participant.tenant_id == CourseEnrolment.tenant_id,
                                    Participant.id == CourseEnrolment.participant_id))
            .join(Course, and_(Course.tenant_id == CourseEnrolment.tenant_id,
                               Course.id == CourseEnrolment.course_id))
            .where(CourseEnrolment.status == EnrolmentStatus.PROPOSED)
            .order_by(CourseEnrolment.proposed_at, CourseEnrolment.id).limit(GATHER_LIMIT))
    return [Item(str(e.id), str(_l("%(name)s: cursus ‘%(course)s’ (%(amount)s), aangevraagd op "
                                   "%(date)s.", name=p.full_name, course=title,
                                   amount=format_money(e.cost_cents),
                                   date=format_date(e.proposed_at))),
                 _link(slug, "budgets.proposals"))
            for e, p, title in session.execute(stmt)]


def _no_hours(session: Session, participant: Participant | None, today: date,
              slug: str) -> list[Item]:
    if participant is None or today.weekday() < NO_HOURS_FROM_WEEKDAY:
        return []
    monday = monday_of(today)
    logged = session.scalar(select(func.count(TimeEntry.id)).where(
        TimeEntry.participant_id == participant.id, TimeEntry.work_date >= monday,
        TimeEntry.work_date <= today))
    running = session.scalar(select(func.count(Trajectory.id)).where(
        Trajectory.participant_id == participant.id,
        Trajectory.status != TrajectoryStatus.ENDED))
    if logged or not running:
        return []
    return [Item(week_key(monday), str(_l("U heeft deze week nog geen uren geschreven.")),
                 _link(slug, "hours.mine"))]


def _job_tomorrow(session: Session, participant: Participant | None, today: date,
                  slug: str) -> list[Item]:
    if participant is None:
        return []
    tomorrow = today + timedelta(days=1)
    items = []
    for job in helprequest_services.jobs_of(session, participant):
        if job.planned_on != tomorrow:
            continue
        kind = helprequest_services.KIND_LABELS[job.kind]
        where = job.city or job.postcode or ""
        if job.planned_at is not None:
            text = _l("Morgen om %(time)s: %(kind)s %(where)s (%(ref)s).",
                      time=job.planned_at.strftime("%H:%M"), kind=kind, where=where,
                      ref=job.reference)
        else:
            text = _l("Morgen: %(kind)s %(where)s (%(ref)s).", kind=kind, where=where,
                      ref=job.reference)
        items.append(Item(f"{job.id}:{tomorrow.isoformat()}", " ".join(str(text).split()),
                          _link(slug, "helprequests.my_jobs")))
    return items


def _gather(session: Session, kind: str, user: User, today: date, now: datetime, slug: str,
            participant: Participant | None) -> list[Item]:
    if kind == "evaluaties":
        return _evaluations(session, user, today, slug)
    if kind == "vog":
        return _vogs(session, user, today, slug)
    if kind == "uren":
        return _waiting_hours(session, user, now, slug)
    if kind == "trajecten":
        return _trajectories(session, user, today, slug)
    if kind == "facturen":
        return _overdue(session, today, slug)
    if kind == "concepten":
        return _old_drafts(session, now, slug)
    if kind == "cursussen":
        return _course_requests(session, slug)
    if kind == "geen-uren":
        return _no_hours(session, participant, today, slug)
    if kind == "klus-morgen":
        return _job_tomorrow(session, participant, today, slug)
    raise ValueError(kind)


def compose(session: Session, user: User, role: Role, slug: str, today: date,
            now: datetime | None = None) -> Digest:
    """The member's digest for `today`: the kinds they switched on, only items not mentioned
    to them before. Texts in the member's language."""
    now = now or datetime.now(timezone.utc)
    digest = Digest(user, role)
    on = [k for k, v in choices(session, user.id, role).items() if v]
    if not on:
        return digest
    participant = participant_services.participant_for_user(session, user) \
        if role == Role.PARTICIPANT else None
    with force_locale(user.locale or "nl"):
        found = {kind: _gather(session, kind, user, today, now, slug, participant)
                 for kind in on}
        keys = {item.key for items in found.values() for item in items}
        # what was told before, of these items only (one statement, bounded by this digest)
        sent = set(session.execute(select(DigestSentItem.kind, DigestSentItem.item).where(
            DigestSentItem.user_id == user.id, DigestSentItem.kind.in_(on),
            DigestSentItem.item.in_(keys))).all()) if keys else set()
        for kind, items in found.items():
            new = [i for i in items if (kind, i.key) not in sent][:MAX_PER_KIND]
            if new:
                digest.parts[kind] = new
        if digest.parts.get("facturen"):
            digest.reminders_link = _link(slug, "digests.reminders")
    return digest


def _recipients(session: Session) -> list[tuple[User, Role]]:
    return [(user, role) for user, role in session.execute(
        select(User, Membership.role).join(Membership, Membership.user_id == User.id)
        .where(User.deactivated_at.is_(None)).order_by(User.id))]


def send_digests(session: Session, tenant: Tenant, today: date,
                 now: datetime | None = None) -> int:
    """Mail today's digest to every member of the current tenant who has something to read,
    and remember its items; the mails leave when the caller commits. Returns how many."""
    sent = 0
    for user, role in _recipients(session):
        digest = compose(session, user, role, tenant.slug, today, now)
        if digest.empty:
            continue
        with force_locale(user.locale or "nl"):
            subject = _l("Wat er vandaag speelt bij %(name)s", name=tenant.name)
            sections = [(str(HEADINGS[kind]), items) for kind, items in digest.parts.items()]
            send_mail(user.email, str(subject), "daily_digest", from_name=tenant.name,
                      after_commit=session, name=user.name, tenant_name=tenant.name,
                      sections=sections, reminders_link=digest.reminders_link,
                      settings_link=_link(tenant.slug, "digests.settings"))
        for kind, items in digest.parts.items():
            for item in items:
                session.add(DigestSentItem(user_id=user.id, kind=kind, item=item.key,
                                           sent_on=today))
        session.flush()
        sent += 1
    return sent


# --- overdue invoices: reminders in one go ---------------------------------------------------

@dataclass(frozen=True)
class ReminderBatch:
    sent: list[str]
    skipped: list[str]


def remindable(session: Session, today: date) -> list:
    """Overdue invoices whose customer has an e-mail address (the others need a letter)."""
    return [row for row in invoicing_services.overdue(session, today) if row.customer_email]


def send_reminders(session: Session, actor: Actor, today: date) -> ReminderBatch:
    """A reminder by e-mail for every overdue invoice with an address, through invoicing's own
    `send_reminder` (each in a savepoint: one refusal does not stop the others)."""
    sent, skipped = [], []
    for row in remindable(session, today):
        number = row.invoice.number_text or ""
        try:
            with session.begin_nested():
                invoicing_services.send_reminder(session, actor, row.invoice, today)
        except DomainError:
            skipped.append(number)
        else:
            sent.append(number)
    return ReminderBatch(sent, skipped)
