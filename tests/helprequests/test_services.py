"""Help-request rules, tested without HTTP: intake, references, money, the status flow."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from blueprints.helprequests import services
from blueprints.helprequests.models import (
    Assignment,
    JobKind,
    Payer,
    PriceAgreement,
    RequestStatus,
    Source,
)
from blueprints.participants.models import Neighbourhood
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.models import AuditEvent, Role
from tenants.money import parse_money
from tenants.tenancy import tenant_context
from tests.helprequests.builders import TODAY, TUESDAY, job, person


@pytest.fixture
def world(make, session):
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR)
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        yield session, actor
    session.rollback()


def public(**kw) -> services.PublicRequestData:
    base = {"name": "Mevrouw Peters", "kind": JobKind.GARDEN, "description": "Heg knippen",
            "street": "Lindenlaan 4", "phone": "06 12345678"}
    base.update(kw)
    return services.PublicRequestData(**base)


# --- intake and references ---------------------------------------------------------------

def test_references_are_consecutive_per_tenant(make, session):
    a, b = make.tenant(), make.tenant()
    anonymous = Actor(user_id=None, ip="203.0.113.9")
    with tenant_context(session, a.id):
        first = services.receive_request(session, anonymous, public(), today=TODAY)
        second = services.receive_request(session, anonymous, public(), today=TODAY)
        assert services.plausible_reference(session, TODAY) == "2026-0003"
    with tenant_context(session, b.id):
        other = services.receive_request(session, anonymous, public(), today=TODAY)
    with tenant_context(session, a.id):
        third = services.receive_request(session, anonymous, public(), today=TODAY)
    assert [first.reference, second.reference, third.reference] == \
        ["2026-0001", "2026-0002", "2026-0003"]
    assert other.reference == "2026-0001"
    session.rollback()


def test_a_public_request_is_new_free_and_audited_without_personal_data(world):
    session, _ = world
    r = services.receive_request(session, Actor(user_id=None, ip="203.0.113.9"), public(
        email=" Peters@Example.org ", postcode="8224ab", kind=JobKind.COMPANY), today=TODAY)
    assert (r.status, r.source, r.payer, r.price_agreement) == (
        RequestStatus.NEW, Source.WEBSITE, Payer.NOBODY, PriceAgreement.FREE)
    assert r.email == "peters@example.org" and r.postcode == "8224 AB"
    assert r.needs_vog is True  # gezelschap asks for a VOG by default
    event = session.scalar(select(AuditEvent).where(AuditEvent.object_id == str(r.id)))
    assert event.action == "help_request.received"
    assert event.details == {"kind": "gezelschap", "source": "website"}
    assert "Peters" not in str(event.details) and "Lindenlaan" not in str(event.details)


@pytest.mark.parametrize("fields,message", [
    ({"phone": None}, "telefoonnummer of e-mailadres"),
    ({"name": "  "}, "Vul de naam in"),
    ({"street": ""}, "straat en huisnummer"),
    ({"description": ""}, "Beschrijf"),
    ({"description": "Mijn BSN is 111222333"}, "burgerservicenummer"),
    ({"description": "x" * 2001}, "hoogstens 2000 tekens"),
    ({"phone": "bel me"}, "telefoonnummer"),
    ({"email": "geen-adres"}, "e-mailadres"),
    ({"postcode": "12"}, "postcode"),
])
def test_a_public_request_is_checked(world, fields, message):
    session, _ = world
    with pytest.raises(DomainError, match=message):
        services.receive_request(session, Actor(user_id=None), public(**fields), today=TODAY)


@pytest.mark.parametrize("text,cents", [
    ("25", 2500), ("12,50", 1250), ("12,5", 1250), ("€ 1.234,56", 123456), ("0,99", 99),
    ("12.50", 1250), ("12.500", 1250000),  # a dot with two decimals is the English decimal
    ("", None), (None, None), ("  ", None),
])
def test_money_is_parsed_in_dutch_into_cents(text, cents):
    assert parse_money(text) == cents


@pytest.mark.parametrize("text", ["12.5.0", "-5", "1,234", "twintig", "12,505", "2000000"])
def test_bad_money_is_refused(text):
    with pytest.raises(DomainError):
        parse_money(text)


def test_staff_enter_a_partner_request_with_a_price(world):
    session, actor = world
    r = job(session, actor, JobKind.FENCE, wijk="Zuiderzeewijk", source=Source.PARTNER,
            partner_name="Woonstichting Centrada", payer=Payer.HOUSING,
            price_agreement=PriceAgreement.FIXED, price_cents=4500)
    assert r.reference == "2026-0001" and r.status == RequestStatus.NEW
    assert r.price_cents == 4500 and r.partner_name == "Woonstichting Centrada"
    assert session.scalar(select(Neighbourhood.name).where(
        Neighbourhood.id == r.neighbourhood_id)) == "Zuiderzeewijk"


@pytest.mark.parametrize("fields,message", [
    ({"payer": Payer.HOUSING}, "gratis klus betaalt niemand"),
    ({"price_agreement": PriceAgreement.FIXED, "payer": Payer.NOBODY}, "Kies wie betaalt"),
    ({"price_agreement": PriceAgreement.HOURLY, "payer": Payer.RESIDENT}, "prijs"),
    ({"source": Source.PARTNER}, "naam van de partner"),
    ({"street": ""}, "adres"),
])
def test_payment_and_partner_rules(world, fields, message):
    session, actor = world
    with pytest.raises(DomainError, match=message):
        job(session, actor, **fields)


def test_a_free_job_keeps_no_price(world):
    session, actor = world
    r = job(session, actor, price_cents=1500)
    assert r.price_agreement == PriceAgreement.FREE and r.price_cents is None


# --- the status flow ---------------------------------------------------------------------

def test_the_whole_flow_new_planned_done_invoiced(world):
    session, actor = world
    worker = person(session, actor, "Peter", "Russcher", skills=["tuin"])
    r = job(session, actor, payer=Payer.RESIDENT, price_agreement=PriceAgreement.HOURLY,
            price_cents=1250)
    notify = services.plan_request(session, actor, r, TUESDAY, [worker.id], today=TODAY)
    assert notify == [worker] and r.status == RequestStatus.PLANNED
    assert r.planned_on == TUESDAY and r.planned_by_id == actor.user_id
    assignment = session.scalar(select(Assignment).where(Assignment.help_request_id == r.id))
    assert "Kan tuinieren" in assignment.reason  # the suggestion's reasons are kept
    services.mark_done(session, actor, r, TUESDAY, today=TUESDAY)
    assert r.status == RequestStatus.DONE and r.done_on == TUESDAY
    services.mark_invoiced(session, actor, r)
    assert r.status == RequestStatus.INVOICED
    actions = session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_id == str(r.id)).order_by(AuditEvent.id)).all()
    assert actions == ["help_request.created", "help_request.planned", "help_request.done",
                       "help_request.invoiced"]


def test_refused_transitions_say_why(world):
    session, actor = world
    worker = person(session, actor, "Peter", "Russcher")
    r = job(session, actor)
    with pytest.raises(DomainError, match="Alleen een ingeplande klus.*‘Nieuw’"):
        services.mark_done(session, actor, r, TODAY, today=TODAY)
    with pytest.raises(DomainError, match="Alleen een uitgevoerde klus"):
        services.mark_invoiced(session, actor, r)
    services.plan_request(session, actor, r, TUESDAY, [worker.id], today=TODAY)
    with pytest.raises(DomainError, match="niet in de toekomst"):
        services.mark_done(session, actor, r, TUESDAY, today=TODAY)
    services.mark_done(session, actor, r, TODAY, today=TODAY)
    with pytest.raises(DomainError, match="status ‘Uitgevoerd’ kan niet worden ingepland"):
        services.plan_request(session, actor, r, TUESDAY, [worker.id], today=TODAY)
    with pytest.raises(DomainError, match="status ‘Uitgevoerd’ kan niet meer worden afgewezen"):
        services.decline_request(session, actor, r, "Toch niet nodig")
    with pytest.raises(DomainError, match="gratis klus wordt niet gefactureerd"):
        services.mark_invoiced(session, actor, r)
    assert r.status == RequestStatus.DONE


def test_declining_needs_a_reason_and_ends_the_request(world):
    session, actor = world
    worker = person(session, actor, "Peter", "Russcher")
    r = job(session, actor, email="peters@example.org")
    with pytest.raises(DomainError, match="reden"):
        services.decline_request(session, actor, r, "  ")
    with pytest.raises(DomainError, match="burgerservicenummer"):
        services.decline_request(session, actor, r, "Uw BSN 111222333 klopt niet")
    services.decline_request(session, actor, r, "Dit is werk voor een vakman.")
    assert r.status == RequestStatus.DECLINED and r.decline_reason == "Dit is werk voor een vakman."
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "help_request.declined",
                                                    AuditEvent.object_id == str(r.id)))
    assert event.details is None  # the reason stays out of the append-only log
    with pytest.raises(DomainError, match="status ‘Afgewezen’ kan niet worden ingepland"):
        services.plan_request(session, actor, r, TUESDAY, [worker.id], today=TODAY)
    with pytest.raises(DomainError, match="niet meer worden gewijzigd"):
        services.update_request(session, actor, r, services.RequestData(
            name="X", kind=JobKind.GARDEN, description="Y", street="Z 1"))


def test_a_planned_job_can_be_declined(world):
    session, actor = world
    worker = person(session, actor, "Peter", "Russcher")
    r = job(session, actor)
    services.plan_request(session, actor, r, TUESDAY, [worker.id], today=TODAY)
    services.decline_request(session, actor, r, "De bewoner heeft het zelf opgelost.")
    assert r.status == RequestStatus.DECLINED


@pytest.mark.parametrize("case,message", [
    ("past", "vandaag of later"),
    ("nobody", "minstens één deelnemer"),
    ("unknown", "bestaat niet"),
    ("no_trajectory", "geen lopend traject"),
    ("no_vog", "geen geldige VOG"),
    ("expired_vog", "geen geldige VOG"),
])
def test_planning_is_refused(world, case, message):
    session, actor = world
    r = job(session, actor, JobKind.COMPANY)  # needs a VOG by default
    people = {
        "past": person(session, actor, "Peter", "Russcher", vog=date(2025, 1, 1)),
        "nobody": None,
        "unknown": None,
        "no_trajectory": person(session, actor, "Ilse", "Intake", vog=date(2025, 1, 1),
                                active=False),
        "no_vog": person(session, actor, "Gerrit", "Zonder"),
        "expired_vog": person(session, actor, "Vera", "Verlopen", vog=date(2023, 1, 1),
                              renewal=TUESDAY),
    }
    who = people[case]
    ids = [who.id] if who else ([123456789] if case == "unknown" else [])
    on = TODAY - timedelta(days=1) if case == "past" else TUESDAY
    with pytest.raises(DomainError, match=message):
        services.plan_request(session, actor, r, on, ids, today=TODAY)
    assert r.status == RequestStatus.NEW
    assert session.scalar(select(Assignment).where(Assignment.help_request_id == r.id)) is None


def test_planning_again_replaces_participants_and_says_whom_to_tell(world):
    session, actor = world
    a = person(session, actor, "Anna", "Aalders")
    b = person(session, actor, "Bram", "Bakker")
    c = person(session, actor, "Cor", "Claassen")
    r = job(session, actor)
    assert services.plan_request(session, actor, r, TUESDAY, [a.id, b.id], today=TODAY) == [a, b]
    # same date, one swapped: only the newcomer hears about it
    assert services.plan_request(session, actor, r, TUESDAY, [b.id, c.id], today=TODAY) == [c]
    assigned = set(session.scalars(select(Assignment.participant_id).where(
        Assignment.help_request_id == r.id)))
    assert assigned == {b.id, c.id}
    # another date: everyone on the job hears about it
    later = TUESDAY + timedelta(days=2)
    assert services.plan_request(session, actor, r, later, [b.id, c.id], today=TODAY) == [b, c]
    assert r.planned_on == later


def test_undated_requests_are_the_new_ones_in_one_query(world, count_queries):
    session, actor = world
    worker = person(session, actor, "Peter", "Russcher")
    waiting = [job(session, actor) for _ in range(3)]
    services.plan_request(session, actor, waiting[0], TUESDAY, [worker.id], today=TODAY)
    session.flush()
    with count_queries() as n:
        undated = services.undated_requests(session, limit=1)
    assert n() == 1
    assert undated.total == 2 and undated.requests == [waiting[1]]


def test_notifications_follow_the_users_setting(world, make):
    from tenants.models import User

    session, actor = world
    account = make.user()  # before this session writes: SQLite has one writer at a time
    p = person(session, actor, "Peter", "Russcher")
    assert services.accounts_to_notify(session, [p]) == []  # no account: nobody to mail
    user = session.get(User, account.id)
    p.user_id = user.id
    session.flush()
    assert services.accounts_to_notify(session, [p]) == [user]
    services.set_email_notifications(session, actor, user, False)
    assert services.accounts_to_notify(session, [p]) == []


@pytest.mark.parametrize("phone", ["06 12345678", "(0320) 123456", "+31 6 1234 5678",
                                   "0320-123456"])
def test_ordinary_phone_numbers_are_accepted(world, phone):
    session, _ = world
    r = services.receive_request(session, Actor(user_id=None), public(phone=phone), today=TODAY)
    assert r.phone == phone
