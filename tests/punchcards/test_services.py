"""Punch-card rules without HTTP: selling (on an invoice too), uses spanning cards, refusals,
corrections, and settling a punch-card job."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from blueprints.customers import services
from blueprints.customers.models import Customer
from blueprints.helprequests.models import HelpRequest, RequestStatus
from blueprints.hours.models import EntryStatus
from blueprints.invoicing.models import Invoice
from blueprints.punchcards import services as punchcards
from blueprints.punchcards.models import PunchCard, PunchCardUse
from tenants.errors import DomainError, NotFound
from tenants.models import AuditEvent
from tests.customers.builders import (  # noqa: F401  (world: the fixture)
    audited,
    card,
    count,
    customer,
    punch_job,
    world,
)

# --- punch cards -----------------------------------------------------------------------------

def test_selling_a_card_checks_hours_price_and_date(world):
    session, actor = world
    c = customer(session, actor)
    k = card(session, actor, c, hours="12,5", price_cents=30000, note="contant betaald")
    assert (k.minutes_bought, k.price_cents, k.note) == (750, 30000, "contant betaald")
    for hours, message in [(0, "meer dan 0"), ("1001", "hoogstens 1000"), ("tien", "aantal uren"),
                           (-2, "meer dan 0")]:
        with pytest.raises(DomainError, match=message):
            card(session, actor, c, hours=hours)
    with pytest.raises(DomainError, match="niet negatief"):
        card(session, actor, c, price_cents=-100)
    with pytest.raises(DomainError, match="toekomst"):
        card(session, actor, c, bought_on=date.today() + timedelta(days=1))
    services.archive_customer(session, actor, customer(session, actor, name="Oud"))
    old = session.scalar(select(Customer).where(Customer.name == "Oud"))
    with pytest.raises(DomainError, match="gearchiveerd"):
        card(session, actor, old)
    assert count(session, PunchCard) == 1
    assert punchcards.customer_punch_balance(session, c) == 750


def test_a_card_sold_on_an_invoice_refers_to_that_customers_invoice(world):
    session, actor = world
    c, other = customer(session, actor), customer(session, actor, name="Ander")
    invoice = Invoice(customer_id=c.id)
    session.add(invoice)
    session.flush()
    k = punchcards.sell_punch_card(session, actor, c, 10, 25000, date(2026, 1, 5),
                                 invoice_id=invoice.id)
    assert k.invoice_id == invoice.id
    with pytest.raises(DomainError, match="hoort niet bij deze klant"):
        punchcards.sell_punch_card(session, actor, other, 10, 25000, date(2026, 1, 5),
                                 invoice_id=invoice.id)
    assert count(session, PunchCard) == 1


def test_use_takes_the_oldest_card_first_and_spans_cards(world):
    session, actor = world
    c = customer(session, actor)
    newer = card(session, actor, c, hours=5, bought_on=date(2026, 3, 1))
    older = card(session, actor, c, hours=2, bought_on=date(2026, 1, 5))
    uses = punchcards.use_punch_card(session, actor, c, 90, date(2026, 3, 2), note="ramen")
    assert [(u.punch_card_id, u.minutes) for u in uses] == [(older.id, 90)]
    uses = punchcards.use_punch_card(session, actor, c, 60, date(2026, 3, 3))
    assert [(u.punch_card_id, u.minutes) for u in uses] == [(older.id, 30), (newer.id, 30)]
    assert punchcards.card_balance_minutes(session, older) == 0
    assert punchcards.card_balance_minutes(session, newer) == 270
    assert punchcards.customer_punch_balance(session, c) == 270
    views = punchcards.cards_of(session, c)
    assert [(v.card.id, v.balance_minutes, len(v.uses)) for v in views] == [
        (newer.id, 270, 1), (older.id, 0, 2)]
    assert audited(session, "punch_card.used")[-1].details["cards"] == [
        str(older.id), str(newer.id)]


def test_use_is_refused_when_the_balance_is_too_low_and_changes_nothing(world):
    session, actor = world
    c = customer(session, actor)
    with pytest.raises(DomainError, match="geen strippenkaart"):
        punchcards.use_punch_card(session, actor, c, 60, date(2026, 3, 2))
    card(session, actor, c, hours=1)
    card(session, actor, c, hours=1, bought_on=date(2026, 2, 1))
    with pytest.raises(DomainError) as refused:
        punchcards.use_punch_card(session, actor, c, 150, date(2026, 3, 2))
    assert "te weinig op de strippenkaart: nog 2 uur, nodig 2,5 uur" in refused.value.message
    assert count(session, PunchCardUse) == 0
    assert punchcards.customer_punch_balance(session, c) == 120
    for minutes in (0, -30):
        with pytest.raises(DomainError, match="meer dan 0"):
            punchcards.use_punch_card(session, actor, c, minutes, date(2026, 3, 2))
    with pytest.raises(DomainError, match="toekomst"):
        punchcards.use_punch_card(session, actor, c, 30, date.today() + timedelta(days=1))


def test_a_correction_gives_minutes_back_but_never_more_than_used(world):
    session, actor = world
    c = customer(session, actor)
    k = card(session, actor, c, hours=2)
    punchcards.use_punch_card(session, actor, c, 90, date(2026, 3, 2))
    with pytest.raises(DomainError, match="reden"):
        punchcards.correct_punch_card(session, actor, c, k.id, 30, date(2026, 3, 3), "")
    with pytest.raises(DomainError, match="hoogstens 1,5 uur terug"):
        punchcards.correct_punch_card(session, actor, c, k.id, 120, date(2026, 3, 3), "Fout")
    use = punchcards.correct_punch_card(session, actor, c, k.id, 60, date(2026, 3, 3),
                                      "Dubbel afgeschreven")
    assert use.minutes == -60
    assert punchcards.card_balance_minutes(session, k) == 90
    other = customer(session, actor, name="Ander")
    with pytest.raises(NotFound):
        punchcards.correct_punch_card(session, actor, other, k.id, 10, date(2026, 3, 3), "x")


# --- settling a punch-card job ---------------------------------------------------------------

def test_settling_takes_the_approved_minutes_and_marks_the_job_invoiced(world):
    session, actor = world
    c = customer(session, actor)
    first = card(session, actor, c, hours=1, bought_on=date(2026, 1, 5))
    second = card(session, actor, c, hours=5, bought_on=date(2026, 2, 1))
    r = punch_job(session, actor, c, minutes=(90, 30, -15))  # a correction subtracts
    uses = punchcards.settle_help_request_with_card(session, actor, r)
    assert [(u.punch_card_id, u.minutes, u.help_request_id) for u in uses] == [
        (first.id, 60, r.id), (second.id, 45, r.id)]
    assert r.status == RequestStatus.INVOICED
    assert punchcards.customer_punch_balance(session, c) == 6 * 60 - 105
    assert [e.action for e in session.scalars(select(AuditEvent).where(
        AuditEvent.object_type.in_(["HelpRequest", "Customer"])).order_by(AuditEvent.id))][-2:] \
        == ["punch_card.used", "help_request.invoiced"]
    with pytest.raises(DomainError, match="uitgevoerde klus"):
        punchcards.settle_help_request_with_card(session, actor, r)


@pytest.mark.parametrize("case,message", [
    ("no customer", "Kies eerst de klant"),
    ("not done", "Alleen een uitgevoerde klus"),
    ("no hours", "nog geen goedgekeurde uren"),
    ("waiting", "wachten nog uren"),
    ("too little", "te weinig op de strippenkaart"),
    ("not punch card", "niet afgesproken op strippenkaart"),
])
def test_settling_is_refused_and_changes_nothing(world, case, message):
    session, actor = world
    c = customer(session, actor)
    card(session, actor, c, hours=1)
    r = punch_job(session, actor, None if case == "no customer" else c,
                  minutes={"no hours": (), "too little": (90,)}.get(case, (30,)),
                  done=case != "not done")
    if case == "waiting":
        punch_job(session, actor, c, minutes=())  # another job, unaffected
        from blueprints.hours.models import TimeEntry
        entry = session.scalar(select(TimeEntry).where(TimeEntry.help_request_id == r.id))
        session.add(TimeEntry(participant_id=entry.participant_id, help_request_id=r.id,
                              work_date=entry.work_date, minutes=30,
                              hour_type=entry.hour_type, status=EntryStatus.SUBMITTED))
        session.flush()
    if case == "not punch card":
        from blueprints.helprequests.models import PriceAgreement
        r.price_agreement = PriceAgreement.HOURLY
    before = r.status
    with pytest.raises(DomainError, match=message):
        punchcards.settle_help_request_with_card(session, actor, r)
    assert r.status == before
    assert count(session, PunchCardUse) == 0
    assert punchcards.customer_punch_balance(session, c) == 60


def test_a_use_for_another_customers_job_is_refused(world):
    session, actor = world
    c, other = customer(session, actor), customer(session, actor, name="Ander")
    card(session, actor, other, hours=2)
    r = punch_job(session, actor, c)
    with pytest.raises(DomainError, match="hoort niet bij deze klant"):
        punchcards.use_punch_card(session, actor, other, 30, date(2026, 3, 2), help_request=r)
    assert session.scalar(select(HelpRequest.status).where(HelpRequest.id == r.id)) == \
        RequestStatus.DONE
