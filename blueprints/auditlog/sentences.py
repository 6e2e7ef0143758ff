"""The audit log in words: one Dutch sentence per kind of action (English in translations/en),
with the names of the people and things it is about and amounts in euros.

"course.approved participant_id=9158… cost_cents=45000" reads "Anna de Vries keurde de cursus
‘Heftruck’ goed voor Jan Amrani (€ 450,00)". The names of a page come from one statement per
kind of object (users, participants, trajectories, enrolments, courses, customers, invoices,
help requests), whatever the number of events (`Names.load`). A sentence whose values are
missing, or an action without a sentence, falls back to a generic sentence that names the
action: never an error, never a raw template.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, String, bindparam, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from blueprints.budgets.models import Course, CourseEnrolment
from blueprints.customers.models import Customer
from blueprints.helprequests.models import HelpRequest
from blueprints.invoicing.models import Invoice
from blueprints.participants.models import HostOrganisation, Participant
from blueprints.trajectories.models import Trajectory
from tenants.formatting import format_date, format_money
from tenants.models import AuditEvent, User

#: The sentence of each action. Placeholders: actor, participant, course, customer, invoice,
#: request (a help request's reference), amount (euros), hours (h:mm), email, name, date,
#: old, new (dates), level, count.
SENTENCES: dict[str, object] = {
    # participants
    "participant.created": _l("%(actor)s schreef %(participant)s in als deelnemer"),
    "participant.updated": _l("%(actor)s wijzigde de gegevens van %(participant)s"),
    "participant.viewed": _l("%(actor)s bekeek het dossier van %(participant)s"),
    "participant.exported": _l("%(actor)s exporteerde de gegevens van %(participant)s"),
    "participant.erased": _l("%(actor)s wiste de persoonsgegevens van %(participant)s"),
    "participant.account_linked": _l("%(actor)s koppelde een account aan %(participant)s"),
    "participants.exported": _l("%(actor)s exporteerde de deelnemerslijst"),
    "exemption.recorded": _l("%(actor)s legde een ontheffing vast voor %(participant)s"),
    "consent.given": _l("%(actor)s legde een toestemming vast van %(participant)s"),
    "consent.withdrawn": _l("%(actor)s trok een toestemming in van %(participant)s"),
    "host.created": _l("%(actor)s voegde inzetorganisatie ‘%(name)s’ toe"),
    "host.updated": _l("%(actor)s wijzigde inzetorganisatie ‘%(name)s’"),
    "hosts.exported": _l("%(actor)s exporteerde de inzetorganisaties"),
    # trajectories
    "trajectory.created": _l("%(actor)s startte een traject voor %(participant)s"),
    "trajectory.updated": _l("%(actor)s wijzigde het traject van %(participant)s"),
    "trajectory.status_changed": _l("%(actor)s zette het traject van %(participant)s op "
                                    "‘%(new)s’"),
    "trajectory.extended": _l("%(actor)s verlengde het traject van %(participant)s tot "
                              "%(new)s"),
    "trajectory.ended": _l("%(actor)s rondde het traject van %(participant)s af"),
    "agreement.signed": _l("%(actor)s legde de getekende overeenkomst van %(participant)s vast"),
    "goal.created": _l("%(actor)s voegde een leerdoel toe voor %(participant)s"),
    "goal.progress": _l("%(actor)s schreef de voortgang bij een leerdoel"),
    "evaluation.planned": _l("%(actor)s plande een evaluatie met %(participant)s"),
    "evaluation.recorded": _l("%(actor)s legde een gehouden evaluatie vast"),
    # hours
    "hours.logged": _l("%(actor)s schreef %(hours)s uur voor %(participant)s"),
    "hours.approved": _l("%(actor)s keurde %(hours)s uur van %(participant)s goed"),
    "hours.returned": _l("%(actor)s stuurde uren van %(participant)s terug"),
    "hours.corrected": _l("%(actor)s corrigeerde uren van %(participant)s (%(hours)s uur)"),
    "hours.updated": _l("%(actor)s wijzigde uren van %(participant)s"),
    "hours.withdrawn": _l("%(actor)s trok %(hours)s uur van %(participant)s in"),
    "hours.statement": _l("%(actor)s maakte een urenverklaring voor %(participant)s"),
    "hours.settings_changed": _l("%(actor)s wijzigde de instellingen voor uren"),
    # help requests
    "help_request.received": _l("Hulpvraag %(request)s kwam binnen via de website"),
    "help_request.created": _l("%(actor)s legde hulpvraag %(request)s vast"),
    "help_request.updated": _l("%(actor)s wijzigde hulpvraag %(request)s"),
    "help_request.planned": _l("%(actor)s plande hulpvraag %(request)s op %(date)s"),
    "help_request.done": _l("%(actor)s meldde hulpvraag %(request)s als uitgevoerd"),
    "help_request.declined": _l("%(actor)s wees hulpvraag %(request)s af"),
    "help_request.invoiced": _l("%(actor)s factureerde hulpvraag %(request)s"),
    "help_request.customer_linked": _l("%(actor)s koppelde hulpvraag %(request)s aan "
                                       "%(customer)s"),
    # customers
    "customer.created": _l("%(actor)s voegde klant %(customer)s toe"),
    "customer.updated": _l("%(actor)s wijzigde klant %(customer)s"),
    "customer.archived": _l("%(actor)s archiveerde klant %(customer)s"),
    "customer.unarchived": _l("%(actor)s haalde klant %(customer)s uit het archief"),
    "customer.rate_added": _l("%(actor)s voegde een tarief toe voor %(customer)s (%(amount)s)"),
    "customer.rate_removed": _l("%(actor)s verwijderde een tarief van %(customer)s "
                                "(%(amount)s)"),
    # invoices
    "invoice.draft_created": _l("%(actor)s maakte een conceptfactuur voor %(customer)s"),
    "invoice.draft_updated": _l("%(actor)s wijzigde een conceptfactuur voor %(customer)s"),
    "invoice.draft_deleted": _l("%(actor)s verwijderde een conceptfactuur voor %(customer)s"),
    "invoice.line_added": _l("%(actor)s voegde een regel toe aan factuur %(invoice)s"),
    "invoice.line_updated": _l("%(actor)s wijzigde een regel van factuur %(invoice)s"),
    "invoice.line_removed": _l("%(actor)s verwijderde een regel van factuur %(invoice)s"),
    "invoice.hours_added": _l("%(actor)s zette %(hours)s uur op factuur %(invoice)s"),
    "invoice.help_request_added": _l("%(actor)s zette een hulpvraag op factuur %(invoice)s"),
    "invoice.trajectory_fees_added": _l("%(actor)s zette trajectvergoedingen op factuur "
                                        "%(invoice)s"),
    "invoice.sent": _l("%(actor)s maakte factuur %(invoice)s voor %(customer)s definitief "
                       "(%(amount)s)"),
    "invoice.mail_queued": _l("%(actor)s verstuurde factuur %(invoice)s naar %(email)s"),
    "invoice.credited": _l("%(actor)s crediteerde factuur %(invoice)s (%(amount)s)"),
    "invoice.payment_registered": _l("%(actor)s boekte een betaling van %(amount)s op factuur "
                                     "%(invoice)s"),
    "invoice.reminder_sent": _l("%(actor)s stuurde herinnering %(level)s voor factuur "
                                "%(invoice)s per e-mail"),
    "invoice.reminder_posted": _l("%(actor)s stuurde herinnering %(level)s voor factuur "
                                  "%(invoice)s per post"),
    "invoice.bank_statement_imported": _l("%(actor)s las een bankafschrift in"),
    "invoice.online_payment_failed": _l("Een online betaling van factuur %(invoice)s mislukte"),
    "invoice.online_payment_unmatched": _l("Een online betaling (%(amount)s) kon niet worden "
                                           "verwerkt"),
    "invoices.exported": _l("%(actor)s exporteerde de facturen"),
    "finance_settings.updated": _l("%(actor)s wijzigde de financiële instellingen"),
    "finance_settings.logo_saved": _l("%(actor)s plaatste een logo voor de facturen"),
    "finance_settings.logo_removed": _l("%(actor)s verwijderde het logo van de facturen"),
    # courses and budgets
    "course.created": _l("%(actor)s voegde de cursus ‘%(course)s’ toe (%(amount)s)"),
    "course.updated": _l("%(actor)s wijzigde de cursus ‘%(course)s’"),
    "course.proposed": _l("%(actor)s vroeg de cursus ‘%(course)s’ aan voor %(participant)s "
                          "(%(amount)s)"),
    "course.approved": _l("%(actor)s keurde de cursus ‘%(course)s’ goed voor %(participant)s "
                          "(%(amount)s)"),
    "course.declined": _l("%(actor)s wees de cursus ‘%(course)s’ af voor %(participant)s"),
    "course.withdrawn": _l("%(actor)s trok de aanvraag voor ‘%(course)s’ van %(participant)s in"),
    "course.cancelled": _l("%(actor)s annuleerde de cursus ‘%(course)s’ van %(participant)s "
                           "(%(amount)s terug)"),
    "budget.policy_saved": _l("%(actor)s wijzigde de regels voor opleidingsbudgetten"),
    "budget.allocated": _l("%(actor)s verdeelde de opbrengst van factuur %(invoice)s over "
                           "budgetten"),
    "budget.reversed": _l("%(actor)s draaide de budgetten van creditfactuur %(invoice)s terug"),
    "budget.to_pool": _l("Het ongebruikte budget van %(participant)s ging naar de pot "
                         "(%(amount)s)"),
    "budgets.exported": _l("%(actor)s exporteerde de opleidingsbudgetten"),
    "budgets.read": _l("%(actor)s las de opleidingsbudgetten via de API"),
    "ledger.posted": _l("%(actor)s boekte in de budgetadministratie"),
    "punch_card.sold": _l("%(actor)s verkocht een strippenkaart aan %(customer)s (%(amount)s)"),
    "punch_card.used": _l("%(actor)s schreef %(hours)s uur af van de strippenkaart van "
                          "%(customer)s"),
    "punch_card.corrected": _l("%(actor)s corrigeerde de strippenkaart van %(customer)s"),
    # the team and the cooperative
    "invitation.created": _l("%(actor)s nodigde %(email)s uit"),
    "invitation.revoked": _l("%(actor)s trok de uitnodiging van %(email)s in"),
    "membership.created": _l("%(email)s werd lid"),
    "membership.role_changed": _l("%(actor)s wijzigde de rol van %(email)s"),
    "membership.removed": _l("%(actor)s verwijderde %(email)s uit het team"),
    "tenant.created": _l("%(actor)s maakte de organisatie aan"),
    "tenant.retention_set": _l("%(actor)s stelde de bewaartermijn in op %(new)s jaar"),
    "user.notifications_changed": _l("%(actor)s wijzigde de e-mailmeldingen"),
    "auditlog.exported": _l("%(actor)s exporteerde het auditlog"),
    "digest.choices_saved": _l("%(actor)s koos wat de dagelijkse e-mail meldt"),
    "report_schedule.saved": _l("%(actor)s plande de rapportage per e-mail"),
    "report_schedule.removed": _l("%(actor)s stopte de geplande rapportage"),
    "report_list.exported": _l("%(actor)s downloadde een lijst achter de rapportage"),
    "api_token.created": _l("%(actor)s maakte een API-sleutel ‘%(name)s’"),
    "api_token.revoked": _l("%(actor)s trok API-sleutel ‘%(name)s’ in"),
    "onlinepay.account_connected": _l("%(actor)s koppelde online betalen"),
    "onlinepay.charges_enabled": _l("Online betalen staat aan"),
    "onlinepay.charges_disabled": _l("Online betalen staat uit"),
    "import.completed": _l("%(actor)s voltooide een import"),
    "import.chunk": _l("%(actor)s importeerde een deel van een bestand"),
    "demo.work_seeded": _l("Demogegevens aangemaakt"),
    "demo.money_seeded": _l("Demogegevens aangemaakt"),
}

GENERIC = _l("%(actor)s: %(action)s")

#: the families of actions, for the filter "Soort"
FAMILIES = {
    "participant": _l("Deelnemers"),
    "trajectory": _l("Trajecten"),
    "evaluation": _l("Evaluaties"),
    "hours": _l("Uren"),
    "help_request": _l("Hulpvragen"),
    "customer": _l("Klanten"),
    "invoice": _l("Facturen"),
    "course": _l("Cursussen"),
    "budget": _l("Budgetten"),
    "punch_card": _l("Strippenkaarten"),
    "membership": _l("Teamleden"),
    "invitation": _l("Uitnodigingen"),
}

#: the details that hold an amount in cents, in the order they are looked for
AMOUNT_KEYS = ("cost_cents", "amount_cents", "total_cents", "price_cents", "refunded_cents",
               "cents")
#: actions whose repeats by one person on one object within ten minutes collapse on the page
VIEW_ACTIONS = {"participant.viewed"}


def _id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _object_id(event: AuditEvent, object_type: str) -> int | None:
    return _id(event.object_id) if event.object_type == object_type else None


def _details(event: AuditEvent) -> dict:
    return event.details if isinstance(event.details, dict) else {}


def _trajectory_id(event: AuditEvent) -> int | None:
    """The trajectory an event is about: its object, or `trajectory_id` in its details."""
    found = _object_id(event, "Trajectory")
    if found is None and isinstance(event.details, dict):
        found = _id(event.details.get("trajectory_id"))
    return found


@cache
def _names_statement():
    """The names a page of events needs, in one statement built once: per kind of object
    (users, participants, trajectories with their participant, enrolments with their course,
    courses, invoices with their customer, customers, help requests, host organisations) the
    rows whose ids are in that kind's parameter (an expanding IN: an empty list matches
    nothing), as (kind, id, text, text, id). One statement whatever the events name (up to nine
    were read one after another)."""
    no_text, no_id = cast(null(), String), cast(null(), BigInteger)

    def ids(kind: str):
        return bindparam(kind, expanding=True)

    def kind(name: str):
        return literal(name, String)

    return union_all(
        select(kind("users"), User.id, User.name, no_text, no_id)
        .where(User.id.in_(ids("users"))),
        select(kind("participants"), Participant.id, Participant.first_name,
               Participant.last_name, no_id)
        .where(Participant.id.in_(ids("participants"))),
        select(kind("trajectories"), Trajectory.id, Participant.first_name,
               Participant.last_name, Trajectory.participant_id)
        .join(Participant, Participant.id == Trajectory.participant_id)
        .where(Trajectory.id.in_(ids("trajectories"))),
        select(kind("enrolments"), CourseEnrolment.id, Course.title, no_text,
               CourseEnrolment.course_id)
        .join(Course, Course.id == CourseEnrolment.course_id)
        .where(CourseEnrolment.id.in_(ids("enrolments"))),
        select(kind("courses"), Course.id, Course.title, no_text, no_id)
        .where(Course.id.in_(ids("courses"))),
        select(kind("invoices"), Invoice.id, Invoice.number_text, Customer.name,
               Invoice.customer_id)
        .outerjoin(Customer, Customer.id == Invoice.customer_id)
        .where(Invoice.id.in_(ids("invoices"))),
        select(kind("customers"), Customer.id, Customer.name, no_text, no_id)
        .where(Customer.id.in_(ids("customers"))),
        select(kind("requests"), HelpRequest.id, HelpRequest.reference, no_text, no_id)
        .where(HelpRequest.id.in_(ids("requests"))),
        select(kind("hosts"), HostOrganisation.id, HostOrganisation.name, no_text, no_id)
        .where(HostOrganisation.id.in_(ids("hosts"))),
    )


@dataclass
class Names:
    """The names the events of one page need, each kind of object read once."""

    users: dict[int, str] = field(default_factory=dict)
    participants: dict[int, str] = field(default_factory=dict)
    trajectory_participant: dict[int, int] = field(default_factory=dict)
    enrolment_course: dict[int, int] = field(default_factory=dict)
    courses: dict[int, str] = field(default_factory=dict)
    customers: dict[int, str] = field(default_factory=dict)
    invoices: dict[int, tuple[str | None, int]] = field(default_factory=dict)
    requests: dict[int, str] = field(default_factory=dict)
    hosts: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, events: list[AuditEvent]) -> "Names":
        names = cls()
        if not events:
            return names

        def ids(pick) -> set[int]:
            return {i for e in events for i in [pick(e)] if i is not None}

        def details(key):
            return lambda e: _id(e.details.get(key)) if isinstance(e.details, dict) else None

        participant_ids = ids(lambda e: e.participant_id)
        params = {
            "users": ids(lambda e: e.actor_user_id),
            "participants": participant_ids,
            "trajectories": ids(_trajectory_id),
            "enrolments": ids(lambda e: _object_id(e, "CourseEnrolment")),
            "courses": ids(lambda e: _object_id(e, "Course")) | ids(details("course_id")),
            "invoices": ids(lambda e: _object_id(e, "Invoice")),
            "customers": ids(lambda e: _object_id(e, "Customer")) | ids(details("customer_id")),
            "requests": ids(lambda e: _object_id(e, "HelpRequest")),
            "hosts": ids(lambda e: _object_id(e, "HostOrganisation")),
        }
        found = {kind: [] for kind in params}
        for kind, row_id, text, more, ref in session.execute(
                _names_statement(), {k: sorted(v) for k, v in params.items()}):
            found[kind].append((row_id, text, more, ref))
        names.users = {i: name for i, name, _more, _ref in found["users"]}
        for i, first, last, ref in found["trajectories"]:
            names.trajectory_participant[i] = ref
            names.participants[ref] = f"{first} {last}".strip()
        for i, first, last, _ref in found["participants"]:
            names.participants[i] = f"{first} {last}".strip()
        for i, title, _more, course_id in found["enrolments"]:
            names.enrolment_course[i] = course_id
            names.courses[course_id] = title
        names.courses.update((i, title) for i, title, _more, _ref in found["courses"])
        for i, number, customer_name, customer_id in found["invoices"]:
            names.invoices[i] = (number, customer_id)
            if customer_id is not None and customer_name is not None:
                names.customers[customer_id] = customer_name
        names.customers.update((i, name) for i, name, _more, _ref in found["customers"])
        names.requests = {i: ref for i, ref, _more, _ref in found["requests"]}
        names.hosts = {i: name for i, name, _more, _ref in found["hosts"]}
        return names

    def actor(self, event: AuditEvent) -> str:
        if event.actor_user_id is not None and event.actor_user_id in self.users:
            return self.users[event.actor_user_id]
        return event.actor_email or str(_l("Het systeem"))

    def participant_of(self, event: AuditEvent) -> int | None:
        if event.participant_id is not None:
            return event.participant_id
        trajectory = _trajectory_id(event)
        return self.trajectory_participant.get(trajectory) if trajectory is not None else None

    def participant(self, event: AuditEvent) -> str | None:
        pid = self.participant_of(event)
        return self.participants.get(pid) if pid is not None else None

    def course(self, event: AuditEvent) -> str | None:
        course_id = _object_id(event, "Course")
        if course_id is None:
            enrolment = _object_id(event, "CourseEnrolment")
            course_id = self.enrolment_course.get(enrolment) if enrolment is not None \
                else _id(_details(event).get("course_id"))
        return self.courses.get(course_id) if course_id is not None else None

    def invoice(self, event: AuditEvent) -> tuple[str | None, int | None]:
        invoice_id = _object_id(event, "Invoice")
        if invoice_id is None or invoice_id not in self.invoices:
            return None, None
        return self.invoices[invoice_id]

    def customer(self, event: AuditEvent) -> str | None:
        customer_id = _object_id(event, "Customer") \
            or _id(_details(event).get("customer_id")) or self.invoice(event)[1]
        return self.customers.get(customer_id) if customer_id is not None else None


def _hours(minutes) -> str | None:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        return None
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


def _day(value) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return format_date(value)
    except ValueError:
        return None


def values(event: AuditEvent, names: Names) -> dict[str, str | None]:
    """What the sentence of `event` may name; None where it is not known."""
    details = _details(event)
    amount = next((details[k] for k in AMOUNT_KEYS
                   if isinstance(details.get(k), int) and not isinstance(details.get(k), bool)),
                  None)
    number, _customer = names.invoice(event)
    number = number or (details.get("number") if isinstance(details.get("number"), str) else None)
    if number is None and _object_id(event, "Invoice") is not None:
        number = str(_l("(concept)"))
    new = details.get("new")
    return {
        "actor": names.actor(event),
        "participant": names.participant(event),
        "course": names.course(event),
        "customer": names.customer(event),
        "invoice": number,
        "request": names.requests.get(_object_id(event, "HelpRequest") or 0),
        "amount": format_money(amount) if amount is not None else None,
        "hours": _hours(details.get("minutes")),
        "email": details.get("email") if isinstance(details.get("email"), str)
        else (details.get("to") if isinstance(details.get("to"), str) else None),
        "name": (details.get("name") if isinstance(details.get("name"), str) else None)
        or names.hosts.get(_object_id(event, "HostOrganisation") or 0),
        "date": _day(details.get("planned_on")),
        "new": _day(new) or (str(new) if isinstance(new, (str, int)) and new != "" else None),
        "level": str(details["level"]) if isinstance(details.get("level"), int) else None,
        "action": event.action,
    }


def sentence(event: AuditEvent, names: Names) -> str:
    """The event in words, in the current language; the generic sentence when the action has
    none or a value it names is not known (an erased object, an old event)."""
    found = values(event, names)
    template = SENTENCES.get(event.action)
    if template is not None:
        try:
            return str(template) % _Strict(found)
        except (KeyError, ValueError, TypeError):
            pass
    return str(GENERIC) % {"actor": found["actor"], "action": event.action}


class _Strict(dict):
    """Values for `%` formatting that refuse a placeholder whose value is not known."""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        if value is None:
            raise KeyError(key)
        return value
