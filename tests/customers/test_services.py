"""Customer rules without HTTP: validation (with nothing saved on bad input), rates and the
price of a job. Punch cards: tests/punchcards."""
from __future__ import annotations

from datetime import date

import pytest

from blueprints.customers import services
from blueprints.customers.models import Customer, CustomerKind, CustomerRate
from blueprints.helprequests.models import JobKind
from blueprints.invoicing.models import FinanceSettings
from blueprints.invoicing.services import prices
from blueprints.punchcards import services as punchcards
from tenants.errors import DomainError, NotFound
from tenants.tenancy import tenant_context
from tests.customers.builders import (  # noqa: F401  (world: the fixture)
    audited,
    card,
    count,
    customer,
    municipality,
    world,
)

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
    assert audited(session, "customer.created")[0].object_id == str(c.id)


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
    assert count(session, Customer) == 0
    assert audited(session, "customer.created") == []


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
    assert audited(session, "customer.updated")[0].details["fields"] == [
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
    assert count(session, CustomerRate) == 1
    with pytest.raises(NotFound):
        services.remove_rate(session, actor, c, free.id)
    assert len(audited(session, "customer.rate_added")) == 2
    assert len(audited(session, "customer.rate_removed")) == 1


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
