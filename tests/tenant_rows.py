"""One way to make a row of every tenant-owned model, for the isolation tests.

Every `TenantScoped` model must appear here: tests/kernel/test_tenancy.py fails for a model
that is missing, so a new feature's models are covered by the isolation tests automatically.
Each factory runs inside the tenant's context and may add the parents it needs.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from blueprints.api.models import ApiToken
from blueprints.budgets.models import (
    AccountKind,
    BudgetPolicy,
    Course,
    CourseEnrolment,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)
from blueprints.customers.models import Customer, CustomerKind, CustomerRate
from blueprints.municipality.models import Ground, ProgressShare
from blueprints.punchcards.models import PunchCard, PunchCardUse
from blueprints.invoicing.models import (
    FinanceSettings,
    Invoice,
    InvoiceHour,
    InvoiceLine,
    Payment,
    PaymentMethod,
    Reminder,
)
from blueprints.participants.models import (
    Consent,
    Exemption,
    HostOrganisation,
    Neighbourhood,
    Participant,
)
from blueprints.trajectories.models import (
    Evaluation,
    Funding,
    GoalNote,
    LearningGoal,
    Trajectory,
    TrajectoryEvent,
    TrajectoryKind,
)
from blueprints.helprequests.models import Assignment, HelpRequest, JobKind, Source
from blueprints.hours.models import HourType, TimeEntry
from blueprints.onlinepay.models import StripeEvent
from blueprints.digests.models import DigestChoice, DigestSentItem
from blueprints.reports.models import (
    HoursDaily,
    HoursMonthly,
    HoursPlaceDaily,
    MoneyDaily,
    OutflowDaily,
    OutflowFollowUp,
    ReportSchedule,
    ReportShare,
    ValueAssumption,
)
from tenants.db import utcnow
from tenants.models import AuditEvent, Counter, Invitation, Membership, Municipality, Role


def _flushed(session, row):
    session.add(row)
    session.flush()
    return row


def _membership(session, tenant, user):
    return Membership(user_id=user.id, role=Role.PARTICIPANT)


def _invitation(session, tenant, user):
    return Invitation(email=user.email, role=Role.SUPERVISOR, token_hash="x" * 64,
                      expires_at=utcnow() + timedelta(days=1))


def _audit(session, tenant, user):
    return AuditEvent(action="test.row", actor_user_id=user.id)


def _api_token(session, tenant, user):
    return ApiToken(user_id=user.id, name="Rapportage", token_hash="t" * 64,
                    expires_at=utcnow() + timedelta(days=365))


def _progress_share(session, tenant, user):
    from sqlalchemy import select

    breda = session.scalar(select(Municipality.id).where(Municipality.cbs_code == "0758"))
    person = _flushed(session, _participant(session, tenant, user))
    return ProgressShare(participant_id=person.id, municipality_id=breda,
                         ground=Ground.CONSENT, scope=["traject"], starts_on=date(2026, 1, 1),
                         ends_on=date(2027, 1, 1))


def _participant(session, tenant, user):
    return Participant(first_name="Fatma", last_name="Yilmaz")


def _trajectory(session, tenant, user):
    person = _flushed(session, _participant(session, tenant, user))
    return Trajectory(participant_id=person.id, kind=TrajectoryKind.SOCIAL_JOB,
                      starts_on=date(2026, 1, 5), hours_per_week=Decimal("12"),
                      funding=Funding.MUNICIPAL_CONTRACT)


def _child_of_participant(cls, **kw):
    def make(session, tenant, user):
        person = _flushed(session, _participant(session, tenant, user))
        return cls(participant_id=person.id, **kw)
    return make


def _report_share(session, tenant, user):
    from tests.municipalities import municipality_row
    place = _flushed(session, municipality_row())
    return ReportShare(municipality_id=place.id, template="uren", from_month=date(2026, 1, 1),
                       granted_by=user.id)


def _child_of_trajectory(cls, **kw):
    def make(session, tenant, user):
        trajectory = _flushed(session, _trajectory(session, tenant, user))
        return cls(trajectory_id=trajectory.id, **kw)
    return make


def _goal_note(session, tenant, user):
    goal = _flushed(session, _child_of_trajectory(LearningGoal, title="Op tijd komen")(
        session, tenant, user))
    return GoalNote(goal_id=goal.id, text="Ging goed deze week")


def _help_request(session, tenant, user):
    return HelpRequest(reference="2026-0001", requester_name="Mevrouw Peters",
                       kind=JobKind.GARDEN, description="Heg knippen", source=Source.PHONE)


def _assignment(session, tenant, user):
    request = _flushed(session, _help_request(session, tenant, user))
    person = _flushed(session, _participant(session, tenant, user))
    return Assignment(help_request_id=request.id, participant_id=person.id)


def _time_entry(session, tenant, user):
    person = _flushed(session, _participant(session, tenant, user))
    return TimeEntry(participant_id=person.id, work_date=date(2026, 3, 2), minutes=240,
                     hour_type=HourType.TRAJECTORY)


def _customer(session, tenant, user):
    return Customer(kind=CustomerKind.RESIDENT, name="Mevrouw Peters")


def _child_of_customer(cls, **kw):
    def make(session, tenant, user):
        customer = _flushed(session, _customer(session, tenant, user))
        return cls(customer_id=customer.id, **kw)
    return make


def _punch_card_use(session, tenant, user):
    card = _flushed(session, _child_of_customer(
        PunchCard, minutes_bought=600, price_cents=20000, bought_on=date(2026, 1, 5))(
        session, tenant, user))
    return PunchCardUse(punch_card_id=card.id, minutes=60, used_on=date(2026, 1, 6))


def _invoice(session, tenant, user):
    return _child_of_customer(Invoice)(session, tenant, user)


def _child_of_invoice(cls, **kw):
    def make(session, tenant, user):
        invoice = _flushed(session, _invoice(session, tenant, user))
        return cls(invoice_id=invoice.id, **kw)
    return make


def _line(session, tenant, user):
    return _child_of_invoice(InvoiceLine, description="Tuinonderhoud", quantity=Decimal("2"),
                             unit_price_cents=2500, vat_rate="21", net_cents=5000)(
        session, tenant, user)


def _invoice_hour(session, tenant, user):
    line = _flushed(session, _line(session, tenant, user))
    entry = _flushed(session, _time_entry(session, tenant, user))
    return InvoiceHour(invoice_id=line.invoice_id, line_id=line.id, time_entry_id=entry.id,
                       minutes=entry.minutes)


def _account(session, tenant, user):
    return LedgerAccount(key="pool", kind=AccountKind.POOL)


def _transaction(session, tenant, user):
    return LedgerTransaction(idempotency_key="test:1", kind=TransactionKind.CORRECTION,
                             description="Test", booked_on=date(2026, 1, 5))


def _entry(session, tenant, user):
    account = _flushed(session, _account(session, tenant, user))
    transaction = _flushed(session, _transaction(session, tenant, user))
    # A zero entry keeps the transaction balanced (checked at commit on PostgreSQL).
    return LedgerEntry(transaction_id=transaction.id, account_id=account.id, amount_cents=0)


def _course(session, tenant, user):
    return Course(provider="ROC West-Brabant", title="VCA Basis", cost_cents=25000)


def _enrolment(session, tenant, user):
    course = _flushed(session, _course(session, tenant, user))
    person = _flushed(session, _participant(session, tenant, user))
    return CourseEnrolment(participant_id=person.id, course_id=course.id, cost_cents=25000)


ROW_FACTORIES = {
    Customer: _customer,
    CustomerRate: _child_of_customer(CustomerRate, description="tuin", price_cents=2000),
    PunchCard: _child_of_customer(PunchCard, minutes_bought=600, price_cents=20000,
                                  bought_on=date(2026, 1, 5)),
    PunchCardUse: _punch_card_use,
    FinanceSettings: lambda s, t, u: FinanceSettings(legal_name="Coöperatie Test"),
    Invoice: _invoice,
    InvoiceLine: _line,
    InvoiceHour: _invoice_hour,
    Payment: _child_of_invoice(Payment, paid_on=date(2026, 2, 1), amount_cents=5000,
                               method=PaymentMethod.BANK_TRANSFER, idempotency_key="pay:1"),
    Reminder: _child_of_invoice(Reminder),
    StripeEvent: lambda s, t, u: StripeEvent(event_id="evt_test_1", type="account.updated"),
    BudgetPolicy: lambda s, t, u: BudgetPolicy(),
    LedgerAccount: _account,
    LedgerTransaction: _transaction,
    LedgerEntry: _entry,
    Course: _course,
    CourseEnrolment: _enrolment,
    Counter: lambda s, t, u: Counter(name="test", value=1),
    HelpRequest: _help_request,
    Assignment: _assignment,
    TimeEntry: _time_entry,
    Membership: _membership,
    Invitation: _invitation,
    AuditEvent: _audit,
    ApiToken: _api_token,
    Neighbourhood: lambda s, t, u: Neighbourhood(name="Geeren-Zuid"),
    HostOrganisation: lambda s, t, u: HostOrganisation(name="Speeltuin De Wielewaal",
                                                      kind="speeltuin"),
    Participant: _participant,
    Exemption: _child_of_participant(Exemption, article="9-2", obligations=["a", "c"],
                                     starts_on=date(2026, 1, 1)),
    Consent: _child_of_participant(Consent, kind="photo", given_on=date(2026, 1, 1)),
    ProgressShare: _progress_share,
    Trajectory: _trajectory,
    TrajectoryEvent: _child_of_trajectory(TrajectoryEvent, to_status="intake"),
    LearningGoal: _child_of_trajectory(LearningGoal, title="Op tijd komen"),
    GoalNote: _goal_note,
    Evaluation: _child_of_trajectory(Evaluation, planned_on=date(2026, 4, 1)),
    HoursDaily: lambda s, t, u: HoursDaily(day=date(2026, 3, 2), hour_type="traject",
                                           minutes=240),
    OutflowDaily: lambda s, t, u: OutflowDaily(day=date(2026, 6, 30), kind="basisbaan",
                                               outcome="betaald_werk", trajectories=1),
    MoneyDaily: lambda s, t, u: MoneyDaily(day=date(2026, 4, 1), invoiced_cents=10000),
    HoursMonthly: _child_of_participant(HoursMonthly, month=date(2026, 3, 1),
                                        hour_type="traject", minutes=240),
    HoursPlaceDaily: lambda s, t, u: HoursPlaceDaily(day=date(2026, 3, 2), hour_type="traject",
                                                     minutes=240, entries=1),
    ReportShare: _report_share,
    ReportSchedule: lambda s, t, u: ReportSchedule(frequency="maand",
                                                   recipients="bestuur@example.org"),
    DigestChoice: lambda s, t, u: DigestChoice(user_id=u.id, kind="vog", enabled=False),
    DigestSentItem: lambda s, t, u: DigestSentItem(user_id=u.id, kind="vog", item="1:2026-12-31",
                                                   sent_on=date(2026, 12, 3)),
    OutflowFollowUp: _child_of_trajectory(OutflowFollowUp, months=6,
                                          checked_on=date(2026, 9, 1), still_off_benefit=True,
                                          source="contract"),
    ValueAssumption: lambda s, t, u: ValueAssumption(key="dode_last", value=40,
                                                     source="Eigen inschatting bestuur"),
}

#: models whose rows can never be changed after insert (the database refuses)
APPEND_ONLY = {AuditEvent, LedgerTransaction, LedgerEntry}
