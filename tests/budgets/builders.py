"""Builders for the budget tests: a cooperative with an admin, a coach and a participant with a
login and a running trajectory; paid invoices and credit notes written straight to the tables
(the invoicing services are not needed to arrange them)."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from blueprints.budgets import ledger, services
from blueprints.budgets.models import AllocationMode, LedgerAccount, UnspentOnEnd
from blueprints.customers.models import Customer, CustomerKind
from blueprints.invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineSource,
    LineUnit,
)
from blueprints.participants import services as participants
from blueprints.participants.models import Participant
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, TrajectoryKind, TrajectoryStatus
from tenants.actor import Actor
from tenants.db import utcnow
from tenants.models import Tenant

_numbers = itertools.count(1)


@dataclass
class World:
    session: object
    tenant: Tenant
    admin: object
    admin_actor: Actor
    coach: object
    coach_actor: Actor
    user: object  # the participant's login
    participant: Participant
    trajectory: object
    customer: Customer


def add_person(session, actor, first="Fatma", last="Yilmaz", *, user=None, active=True):
    """A participant with a trajectory (active unless told otherwise), inside a tenant context."""
    person = participants.create_participant(session, actor, participants.ParticipantData(
        first_name=first, last_name=last))
    if user is not None:
        person.user_id = user.id
    trajectory = trajectories.create_trajectory(session, actor, person, trajectories.TrajectoryData(
        kind=TrajectoryKind.LEARNING_WORK, starts_on=date(2026, 1, 5), hours_per_week="16",
        funding=Funding.SUBSIDY))
    if active:
        trajectories.change_status(session, actor, trajectory, TrajectoryStatus.ACTIVE)
    session.flush()
    return person, trajectory


def customer(session, name="Woonstichting 't Heem"):
    row = Customer(kind=CustomerKind.HOUSING, name=name)
    session.add(row)
    session.flush()
    return row


def paid_invoice(session, customer_id, lines, *, credited=0, status=InvoiceStatus.PAID,
                 vat_percent=21, kind=InvoiceKind.INVOICE):
    """An invoice with `lines`: dicts with net (cents) and optionally participant (id), minutes,
    description. Totals: excl = Σ net, incl = excl + VAT at `vat_percent`."""
    number = next(_numbers)
    excl = sum(line["net"] for line in lines)
    vat = (excl * vat_percent * 2 + 100) // 200
    prefix = "F" if kind == InvoiceKind.INVOICE else "C"
    invoice = Invoice(kind=kind, status=status, customer_id=customer_id, series=prefix,
                      year=2026, number=number, number_text=f"{prefix}2026-{number:05d}",
                      issue_date=date(2026, 3, 1), total_excl_cents=excl, total_vat_cents=vat,
                      total_incl_cents=excl + vat, credited_cents=credited,
                      paid_cents=excl + vat - credited if status == InvoiceStatus.PAID else 0,
                      paid_at=utcnow() if status == InvoiceStatus.PAID else None)
    session.add(invoice)
    session.flush()
    for position, line in enumerate(lines):
        session.add(InvoiceLine(
            invoice_id=invoice.id, position=position,
            source=line.get("source", LineSource.HOURS),
            description=line.get("description", "Tuinonderhoud Lindenlaan"),
            quantity=Decimal(line.get("minutes") or 60) / 60, unit=LineUnit.HOUR,
            unit_price_cents=line["net"], vat_rate=str(vat_percent), net_cents=line["net"],
            participant_id=line.get("participant"), minutes=line.get("minutes"),
            credits_line_id=line.get("credits_line")))
    session.flush()
    return invoice


def own_invoice(world, net, **line):
    """A paid invoice with one line of the world's participant's work."""
    return paid_invoice(world.session, world.customer.id,
                        [{"net": net, "participant": world.participant.id, **line}])


def lines_of(session, invoice):
    return list(session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                                .order_by(InvoiceLine.position)))


def credit_note(session, original, credits, *, without_line_refs=False, vat_percent=21):
    """A finalised credit note on `original`: `credits` is [(line, net cents credited)].
    Also raises the original's credited amount, as invoicing does."""
    note = paid_invoice(session, original.customer_id, [
        {"net": net, "participant": line.participant_id,
         "credits_line": None if without_line_refs else line.id,
         "description": f"Credit: {line.description}"} for line, net in credits],
        status=InvoiceStatus.SENT, kind=InvoiceKind.CREDIT_NOTE, vat_percent=vat_percent)
    note.credits_invoice_id = original.id
    original.credited_cents += note.total_incl_cents
    session.flush()
    return note


def fund(session, actor, customer_id, person, cents):
    """Give `person` a budget of `cents` through a paid invoice (policy: invoiced value)."""
    invoice = paid_invoice(session, customer_id, [{"net": cents, "participant": person.id}])
    return services.allocate_invoice(session, actor, invoice)


def set_policy(session, actor, mode=AllocationMode.INVOICED_VALUE, *, percentage=None,
               per_hour=None, pool=0, unspent=UnspentOnEnd.STAYS):
    return services.save_policy(session, actor, mode=mode, percentage=percentage,
                                per_hour=per_hour, pool_share_percent=pool,
                                unspent_on_end=unspent)


def course(session, actor, cost="250", title="VCA Basis", provider="ROC West-Brabant"):
    return services.create_course(session, actor, services.CourseData(
        provider=provider, title=title, cost=cost, hours="16", leads_to_certificate=True))


def budget(session, person) -> int:
    return ledger.balance(session, ledger.find_account(session, ledger.participant_key(person.id)))


def account_balance(session, key) -> int:
    return ledger.balance(session, ledger.find_account(session, key))


def accounts(session) -> list[LedgerAccount]:
    return list(session.scalars(select(LedgerAccount)))
