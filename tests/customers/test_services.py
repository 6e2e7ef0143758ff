"""Customer rules without HTTP: validation (with nothing saved on bad input), rates and the
price of a job, punch cards spanning cards, refusals, and settling a punch-card job."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from blueprints.customers import services
from blueprints.customers.models import Customer, CustomerKind, CustomerRate
from blueprints.helprequests.models import HelpRequest, JobKind, RequestStatus
from blueprints.hours.models import EntryStatus
from blueprints.invoicing.models import FinanceSettings, Invoice
from blueprints.invoicing.services import prices
from blueprints.punchcards import services as punchcards
from blueprints.punchcards.models import PunchCard, PunchCardUse
from tenants.actor import Actor
from tenants.errors import DomainError, NotFound
from tenants.models import AuditEvent, Role
from tenants.tenancy import tenant_context
from tests.customers.builders import card, customer, municipality, punch_job


@pytest.fixture
def world(make, session):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        yield session, actor
    session.rollback()


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _audit(session, action) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- customers -------------------------------------------------------------------------------

def test_a_customer_is_saved_with_clean_identifiers(world):
    session, actor = world
    c = customer(session, actor, name="  Woonstichting Centrada ", kind="woningcorporatie",
                 email="Facturen@Centrada.NL", postcode="8232ab", city="Lelystad",
                 kvk_number="3903 0440", vat_id="nl 0044.95.445.B01", hourly_rate="32,50",
                 default_vat_rate="21", payment_term_days=14)
    assert (c.name, c.kind, c.email, c.postcode, c.kvk_number, c.vat_id) == (
        "Woonstichting Centrada", CustomerKind.HOUSING, "facturen@centrada.nl", "8232 AB",
        "39030440", "NL004495445B01")
    assert (c.hourly_rate_cents, c.default_vat_rate, c.payment_term_days, c.wants_ubl) == (
        3250, "21", 14, False)
    assert _audit(session, "customer.created")[0].object_id == str(c.id)


@pytest.mark.parametrize("fields,message", [
    ({"name": "  "}, "Vul de naam van de klant in"),
    ({"kind": None}, "Kies wat voor klant het is"),
    ({"kind": "vereniging"}, "Kies wat voor klant het is"),
    ({"email": "geen-adres"}, "geldig e-mailadres"),
    ({"postcode": "12345"}, "postcode ziet eruit als 1234 AB"),
    ({"kvk_number": "1234567"}, "KvK-nummer heeft precies 8 cijfers"),
    ({"oin": "123"}, "OIN heeft precies 20 cijfers"),
    ({"vat_id": "NL123456789B02"}, "btw-nummer klopt niet"),
    ({"hourly_rate": "twintig"}, "bedrag in euro"),
    ({"default_vat_rate": "19"}, "Dit btw-tarief bestaat niet"),
    ({"payment_term_days": 121}, "0 tot en met 120 dagen"),
    ({"payment_term_days": -1}, "0 tot en met 120 dagen"),
    ({"country_code": "Nederland"}, "code van twee letters"),
    ({"kind": "gemeente"}, "OIN of het KvK-nummer"),
    ({"wants_ubl": True, "kvk_number": "39030440"}, "straat, postcode en plaats"),
    ({"name": "x" * 151}, "hoogstens 150 tekens"),
])
def test_bad_customer_input_is_refused_and_saves_nothing(world, fields, message):
    session, actor = world
    values = {"name": "Mevrouw Peters", "kind": CustomerKind.RESIDENT}
    values.update(fields)
    with pytest.raises(DomainError) as refused:
        services.create_customer(session, actor, services.CustomerData(**values))
    assert message in refused.value.message
    assert _count(session, Customer) == 0
    assert _audit(session, "customer.created") == []


def test_a_municipality_needs_an_oin_or_kvk_and_gets_ubl_by_default(world):
    session, actor = world
    gemeente = municipality(session, actor)
    assert gemeente.wants_ubl is True and gemeente.oin == "00000001002220647000"
    by_kvk = municipality(session, actor, name="Gemeente Almere", oin=None,
                          kvk_number="27370267")
    assert by_kvk.wants_ubl is True
    no_ubl = municipality(session, actor, name="Gemeente Urk", wants_ubl=False)
    assert no_ubl.wants_ubl is False


def test_updating_refuses_bad_input_and_keeps_the_old_values(world):
    session, actor = world
    c = customer(session, actor, kvk_number="39030440")
    with pytest.raises(DomainError):
        services.update_customer(session, actor, c, services.CustomerData(
            kind=CustomerKind.RESIDENT, name="Nieuwe naam", kvk_number="1"))
    assert (c.name, c.kvk_number) == ("Mevrouw Peters", "39030440")
    services.update_customer(session, actor, c, services.CustomerData(
        kind=CustomerKind.SHOP, name="Bakkerij Peters", city="Lelystad"))
    assert (c.name, c.kind, c.kvk_number, c.city) == (
        "Bakkerij Peters", CustomerKind.SHOP, None, "Lelystad")
    assert _audit(session, "customer.updated")[0].details["fields"] == [
        "city", "kind", "kvk_number", "name"]


def test_archiving_hides_and_is_refused_with_hours_left(world):
    session, actor = world
    c = customer(session, actor)
    other = customer(session, actor, name="Bakkerij Aydin", kind=CustomerKind.SHOP)
    card(session, actor, other, hours=2)
    services.archive_customer(session, actor, c)
    assert c.archived_at is not None
    assert [x.name for x in services.active_customers(session)] == ["Bakkerij Aydin"]
    rows, total = services.list_customers(session)
    assert total == 1
    rows, total = services.list_customers(session, include_archived=True)
    assert total == 2
    with pytest.raises(DomainError, match="al gearchiveerd"):
        services.archive_customer(session, actor, c)
    with pytest.raises(DomainError, match="nog 2 uur op de strippenkaart"):
        services.archive_customer(session, actor, other)
    assert other.archived_at is None
    services.unarchive_customer(session, actor, c)
    assert c.archived_at is None


@pytest.fixture
def elsewhere(make):
    return make.tenant()


def test_get_customer_only_finds_this_tenants_customers(elsewhere, world):
    session, actor = world
    mine = customer(session, actor)
    assert services.get_customer(session, mine.id) is mine
    with tenant_context(session, elsewhere.id):
        with pytest.raises(NotFound):
            services.get_customer(session, mine.id)
    with pytest.raises(NotFound):
        services.get_customer(session, "abc")


def test_list_search_kind_and_balance(world):
    session, actor = world
    peters = customer(session, actor, city="Lelystad")
    customer(session, actor, name="Gemeente Lelystad", kind=CustomerKind.MUNICIPALITY,
             oin="00000001002220647000", wants_ubl=False)
    customer(session, actor, name="Basisschool De Zuidwester", kind=CustomerKind.SCHOOL)
    card(session, actor, peters, hours=3)
    card(session, actor, peters, hours=2)
    punchcards.use_punch_card(session, actor, peters, 90, date(2026, 2, 1))
    rows, total = services.list_customers(session, search="lelystad")
    assert total == 2 and [r.customer.name for r in rows] == ["Gemeente Lelystad",
                                                                "Mevrouw Peters"]
    assert [r.punch_minutes for r in rows] == [None, 5 * 60 - 90]
    rows, total = services.list_customers(session, kind="school")
    assert [r.customer.name for r in rows] == ["Basisschool De Zuidwester"]
    rows, total = services.list_customers(session, kind="bestaat-niet")
    assert total == 3


# --- rates -----------------------------------------------------------------------------------

def test_rates_are_unique_per_description_and_not_negative(world):
    session, actor = world
    c = customer(session, actor)
    services.add_rate(session, actor, c, "tuin", 2750, "uur", "9")
    with pytest.raises(DomainError, match="al een tarief voor ‘Tuin’"):
        services.add_rate(session, actor, c, "Tuin", 3000)
    with pytest.raises(DomainError, match="niet negatief"):
        services.add_rate(session, actor, c, "schoonmaak", -1)
    with pytest.raises(DomainError, match="btw-tarief bestaat niet"):
        services.add_rate(session, actor, c, "schoonmaak", 1000, "uur", "19")
    with pytest.raises(DomainError, match="Vul in waarvoor"):
        services.add_rate(session, actor, c, " ", 1000)
    with pytest.raises(DomainError, match="eenheid"):
        services.add_rate(session, actor, c, "schoonmaak", 1000, "dag")
    assert [(r.description, r.price_cents, r.vat_rate) for r in services.rates_of(session, c)] \
        == [("tuin", 2750, "9")]
    free = services.add_rate(session, actor, c, "Koffie bij de buren", 0, "stuk")
    services.remove_rate(session, actor, c, free.id)
    assert _count(session, CustomerRate) == 1
    with pytest.raises(NotFound):
        services.remove_rate(session, actor, c, free.id)
    assert len(_audit(session, "customer.rate_added")) == 2
    assert len(_audit(session, "customer.rate_removed")) == 1


def test_rate_for_picks_job_rate_then_customer_then_tenant(world):
    session, actor = world
    c = customer(session, actor)
    assert prices.rate_for(session, c, "tuin") == (2500, "21")  # nothing saved yet
    session.add(FinanceSettings(legal_name="Coöperatie", hourly_rate_cents=2200,
                                default_vat_rate="vrijgesteld"))
    session.flush()
    assert prices.rate_for(session, c, None) == (2200, "vrijgesteld")
    c.hourly_rate_cents, c.default_vat_rate = 3000, "21"
    assert prices.rate_for(session, c, JobKind.GARDEN) == (3000, "21")
    services.add_rate(session, actor, c, "tuin", 2750, "uur", "9")
    services.add_rate(session, actor, c, "schoonmaak", 2600)
    assert prices.rate_for(session, c, JobKind.GARDEN) == (2750, "9")
    assert prices.rate_for(session, c, "schoonmaak") == (2600, "21")
    assert prices.rate_for(session, c, "boodschappen") == (3000, "21")


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
    assert _count(session, PunchCard) == 1
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
    assert _count(session, PunchCard) == 1


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
    assert _audit(session, "punch_card.used")[-1].details["cards"] == [
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
    assert _count(session, PunchCardUse) == 0
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
    assert _count(session, PunchCardUse) == 0
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
