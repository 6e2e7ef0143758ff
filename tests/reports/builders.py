"""Builders for the report tests: a cooperative whose data is made through the real services
(hours logged and approved, trajectories ended, invoices sent, paid and credited), so that the
events keep the summaries as they do in production."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from blueprints.hours import services as hours
from blueprints.hours.models import HourType
from blueprints.invoicing import services as invoicing
from blueprints.invoicing.models import LineUnit, PaymentMethod
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Outcome, TrajectoryKind
from tenants.actor import Actor
from tenants.models import Role, Tenant
from tenants.tenancy import tenant_context
from tests.hours.builders import add_person
from tests.invoicing.invoice_world import customer, finance

TODAY = date(2026, 11, 25)
_keys = itertools.count(1)


@dataclass
class Coop:
    session: object
    tenant: Tenant
    admin: object
    actor: Actor
    customer: object
    people: list  # [(participant, trajectory)]


def log(coop, who: int, day: date, hours_text: str, hour_type=HourType.TRAJECTORY):
    """Hours logged and approved at once by the admin (the form's "approve" box)."""
    person, trajectory = coop.people[who]
    return hours.log_hours(coop.session, coop.actor, coop.tenant, Role.ADMIN, hours.EntryData(
        participant_id=person.id, trajectory_id=trajectory.id, work_date=day, hours=hours_text,
        hour_type=hour_type), approve=True, today=TODAY).entry


def submit(coop, who: int, day: date, hours_text: str, hour_type=HourType.TRAJECTORY):
    person, trajectory = coop.people[who]
    return hours.log_hours(coop.session, coop.actor, coop.tenant, Role.ADMIN, hours.EntryData(
        participant_id=person.id, trajectory_id=trajectory.id, work_date=day, hours=hours_text,
        hour_type=hour_type), today=TODAY).entry


def approve(coop, *entries):
    return hours.approve_entries(coop.session, coop.actor, {e.id: None for e in entries})


def correct(coop, entry, hours_text: str):
    return hours.correct_entry(coop.session, coop.actor, Role.ADMIN, entry.id, hours_text,
                               "Verkeerd overgenomen")


def end(coop, who: int, outcome: Outcome, day: date):
    _person, trajectory = coop.people[who]
    paid = outcome == Outcome.PAID_WORK
    return trajectories.end_trajectory(coop.session, coop.actor, trajectory, outcome, day,
                                       hours="24" if paid else None,
                                       contract="bepaalde tijd" if paid else None)


def invoice(coop, euros: int, day: date):
    """A sent invoice of one line: `euros` excl. VAT at 21%."""
    draft = invoicing.create_draft(coop.session, coop.actor, coop.customer)
    invoicing.add_fixed_line(coop.session, coop.actor, draft, "Tuinonderhoud", "1",
                             LineUnit.PIECE,
                             euros * 100, "21")
    return invoicing.finalise(coop.session, coop.actor, draft, issue_date=day, today=TODAY)


def pay(coop, inv, cents: int, day: date):
    return invoicing.register_payment(coop.session, coop.actor, inv, cents, day,
                                      PaymentMethod.BANK_TRANSFER,
                                      idempotency_key=f"test-{next(_keys)}", today=TODAY)


def credit(coop, inv, day: date):
    return invoicing.create_credit_note(coop.session, coop.actor, inv, full=True,
                                        reason="Dubbel gefactureerd", issue_date=day,
                                        today=TODAY)


KINDS = [TrajectoryKind.SOCIAL_JOB, TrajectoryKind.SOCIAL_JOB, TrajectoryKind.LEARNING_WORK,
         TrajectoryKind.VOLUNTEER]


@pytest.fixture
def coop(make, session):
    """Four participants with an active trajectory (started 5 Jan 2026; kinds: two social
    jobs, a learning-work trajectory, volunteer work), complete finance settings, a customer."""
    tenant = make.tenant(name="Bewonerscoöperatie De Vaart")
    admin = make.member(tenant, Role.ADMIN, name="Karin Smit")
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        finance(session)
        people = [add_person(session, actor, first=f"Deelnemer{i}", last="Rapport", kind=kind)
                  for i, kind in enumerate(KINDS)]
        c = customer(session)
        t = session.scalar(select(Tenant).where(Tenant.id == tenant.id))
        session.commit()
        yield Coop(session, t, admin, actor, c, people)
    session.rollback()
