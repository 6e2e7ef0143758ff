"""A cooperative with something for every kind of the digest: a supervisor following Jan Amrani
(an evaluation, a VOG, waiting hours, a trajectory ending), an admin with an overdue invoice, an
old draft and a course request, and Jan's own login (a job tomorrow, no hours this week).
Rows are written straight to the tables (arranging data, not exercising the rules)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import pytest

from blueprints.budgets.models import Course, CourseEnrolment
from blueprints.helprequests.models import Assignment, HelpRequest, JobKind, Payer, Source
from blueprints.helprequests.models import RequestStatus
from blueprints.hours.models import EntryStatus
from blueprints.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from tenants.actor import Actor
from tenants.models import Role, Tenant
from tenants.tenancy import tenant_context
from tests.hours.builders import add_person, entry
from tests.invoicing.invoice_world import customer, finance

#: a Thursday: "no hours this week" is said from Thursday on
DAY = date(2026, 11, 26)
NOW = datetime.combine(DAY, time(5, 45), tzinfo=timezone.utc)


@dataclass
class World:
    session: object
    tenant: Tenant
    admin: object
    supervisor: object
    idle: object  #: a supervisor who follows nobody
    participant_user: object
    actor: Actor
    names: dict


def build(make, session, label: str = "A", *, supervisor=None, phone: str | None = None):
    """A world in a new tenant; names carry `label` so that another world's never match."""
    tenant = make.tenant(name=f"Coöperatie {label}")
    admin = make.member(tenant, Role.ADMIN, name=f"Karin Smit {label}")
    supervisor = make.member(tenant, Role.SUPERVISOR, user=supervisor) if supervisor \
        else make.member(tenant, Role.SUPERVISOR, name=f"Piet Bakker {label}")
    idle = make.member(tenant, Role.SUPERVISOR, name=f"Els Idle {label}")
    jan_user = make.member(tenant, Role.PARTICIPANT, name=f"Jan Amrani {label}")
    actor = Actor(user_id=admin.id, email=admin.email)
    names = {"jan": f"Amrani{label}", "customer": f"Klant {label}",
             "course": f"Heftruck {label}", "invoice": f"F2026-9{ord(label):04d}"}
    with tenant_context(session, tenant.id):
        finance(session, phone=phone)
        person, trajectory = add_person(session, actor, "Jan", names["jan"],
                                        user=jan_user, supervisor_id=supervisor.id,
                                        planned_end_on=DAY + timedelta(days=10))
        person.vog_present, person.vog_date = True, date(2023, 12, 10)
        person.vog_renewal_due = DAY + timedelta(days=14)
        entry(session, person, trajectory, DAY - timedelta(days=12), 150,
              status=EntryStatus.SUBMITTED, submitted_at=NOW - timedelta(days=10))
        c = customer(session, names["customer"])
        session.add(Invoice(kind=InvoiceKind.INVOICE, status=InvoiceStatus.SENT,
                            customer_id=c.id, number_text=names["invoice"],
                            issue_date=DAY - timedelta(days=40),
                            due_date=DAY - timedelta(days=26), total_incl_cents=12100))
        session.add(Invoice(kind=InvoiceKind.INVOICE, status=InvoiceStatus.DRAFT,
                            customer_id=c.id, created_at=NOW - timedelta(days=20)))
        course = Course(provider="ROC", title=names["course"], cost_cents=45000)
        session.add(course)
        session.flush()
        session.add(CourseEnrolment(participant_id=person.id, course_id=course.id,
                                    cost_cents=45000))
        job = HelpRequest(reference=f"2026-{label}001", requester_name="Mevrouw Jansen",
                          kind=JobKind.GARDEN, description="Heg knippen", city="Lelystad",
                          source=Source.PHONE, payer=Payer.NOBODY, status=RequestStatus.PLANNED,
                          planned_on=DAY + timedelta(days=1), planned_at=time(10, 0))
        session.add(job)
        session.flush()
        session.add(Assignment(help_request_id=job.id, participant_id=person.id))
        session.flush()
        t = session.get(Tenant, tenant.id)
        session.commit()
    return World(session, t, admin, supervisor, idle, jan_user, actor, names)


@pytest.fixture
def world(make, session):
    yield build(make, session)
    session.rollback()
