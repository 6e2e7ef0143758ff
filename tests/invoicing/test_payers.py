"""Hours belong to a payer (blueprints.hours.services.payer): a help request's customer, else
the trajectory's funder, else its host organisation's. A draft offers only the hours its
customer pays (ticked) and the hours nobody pays (their own section, nothing ticked, a button
per job and per participant); another customer's hours are never offered, and a forged form
with one of them is refused in Dutch and changes nothing. A property test: whatever hours
exist, a draft for a customer never holds an hour another customer pays."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from blueprints.customers.models import CustomerKind
from blueprints.hours.services import payers_of
from blueprints.invoicing import services
from blueprints.invoicing.models import Invoice, InvoiceHour, InvoiceLine
from blueprints.participants import services as participants
from blueprints.participants.models import HostOrganisation
from blueprints.trajectories.models import Trajectory
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helpers import login, post
from tests.hours.builders import add_person
from tests.invoicing.invoice_world import (  # noqa: F401  (fixture)
    PERIOD,
    coop,
    customer,
    finance,
    hours,
    job,
)

DAY = date(2026, 11, 10)


def _host(session, name="Speeltuin De Geeren", payer=None) -> HostOrganisation:
    host = HostOrganisation(name=name, kind="speeltuin",
                            payer_customer_id=payer.id if payer else None)
    session.add(host)
    session.flush()
    return host


def _billed(session, invoice) -> set[int]:
    return set(session.scalars(select(InvoiceHour.time_entry_id)
                               .where(InvoiceHour.invoice_id == invoice.id)))


def _offered(offer, part="payer") -> set[int]:
    return {e.id for job_ in getattr(offer, part) for p in job_.people for e in p.entries}


# --- the payer of an hour --------------------------------------------------------------------

def test_the_payer_is_the_jobs_customer_then_the_trajectorys_funder_then_the_hosts(coop):
    c = coop
    s = c.session
    corporation = customer(s, "Woonstichting Geeren", CustomerKind.HOUSING)
    school = customer(s, "Basisschool De Fontein", CustomerKind.SCHOOL)
    host = _host(s, payer=school)
    c.trajectory.host_organisation_id = host.id
    on_job = hours(s, c.participant, c.trajectory, DAY, 60, job(s, c.customer))
    on_loose_job = hours(s, c.participant, c.trajectory, DAY, 60, job(s, None))
    plain = hours(s, c.participant, c.trajectory, DAY, 60)
    assert payers_of(s, [on_job.id, on_loose_job.id, plain.id]) == {
        on_job.id: c.customer.id, on_loose_job.id: school.id, plain.id: school.id}

    c.trajectory.payer_customer_id = corporation.id  # the trajectory's funder comes first
    s.flush()
    assert payers_of(s, [on_job.id, on_loose_job.id, plain.id]) == {
        on_job.id: c.customer.id, on_loose_job.id: corporation.id, plain.id: corporation.id}

    c.trajectory.payer_customer_id = None
    host.payer_customer_id = None
    s.flush()
    assert payers_of(s, [plain.id]) == {plain.id: None}


# --- what a draft offers ---------------------------------------------------------------------

def test_a_draft_offers_its_customers_hours_and_the_unpaid_never_another_customers(coop):
    c = coop
    s = c.session
    corporation = customer(s, "Woonstichting Geeren", CustomerKind.HOUSING)
    second, funded = add_person(s, c.actor, "Jan", "Amrani")
    third, unfunded = add_person(s, c.actor, "Fatma", "Yilmaz")
    funded.payer_customer_id = corporation.id
    s.flush()
    mine = hours(s, second, funded, DAY, 120)
    jobs_of_peters = hours(s, second, funded, DAY, 60, job(s, c.customer))  # Peters pays
    nobody = hours(s, third, unfunded, DAY, 90)

    offer = services.uninvoiced_hours(s, corporation, *PERIOD)
    assert _offered(offer) == {mine.id}
    assert _offered(offer, "unpaid") == {nobody.id}
    peters = services.uninvoiced_hours(s, c.customer, *PERIOD)
    assert _offered(peters) == {jobs_of_peters.id}
    assert mine.id not in _offered(peters) | _offered(peters, "unpaid")


def test_another_customers_hour_is_refused_and_changes_nothing(coop):
    c = coop
    s = c.session
    corporation = customer(s, "Woonstichting Geeren", CustomerKind.HOUSING)
    c.trajectory.payer_customer_id = corporation.id
    theirs = hours(s, c.participant, c.trajectory, DAY, 120)
    second, unfunded = add_person(s, c.actor, "Fatma", "Yilmaz")
    free = hours(s, second, unfunded, DAY, 60)
    draft = services.create_draft(s, c.actor, c.customer, *PERIOD)
    with pytest.raises(DomainError, match="door een andere klant betaald "
                                          r"\(Woonstichting Geeren\)"):
        services.add_hours(s, c.actor, draft, [free.id, theirs.id])
    assert _billed(s, draft) == set() and draft.total_incl_cents == 0
    services.add_hours(s, c.actor, draft, [free.id])  # an unpaid hour, chosen by hand
    assert _billed(s, draft) == {free.id}


def test_a_group_of_unpaid_hours_is_added_whole_per_participant_or_per_job(coop):
    c = coop
    s = c.session
    second, trajectory2 = add_person(s, c.actor, "Fatma", "Yilmaz")
    a = hours(s, c.participant, c.trajectory, DAY, 60)
    b = hours(s, c.participant, c.trajectory, DAY + timedelta(days=1), 30)
    d = hours(s, second, trajectory2, DAY, 45)
    loose_job = job(s, None)
    e = hours(s, second, trajectory2, DAY, 15, loose_job)
    offer = services.uninvoiced_hours(s, c.customer, *PERIOD)
    assert [j.key for j in offer.unpaid] == [f"klus-{loose_job.id}", "klus-0"]
    assert sorted(offer.group(f"klus-0-{c.participant.id}")) == [a.id, b.id]
    assert sorted(offer.group("klus-0")) == sorted([a.id, b.id, d.id])
    assert offer.group(f"klus-{loose_job.id}") == [e.id]
    assert offer.group("klus-x") == offer.group("iets") == offer.group("") == []

    draft = services.create_draft(s, c.actor, c.customer, *PERIOD)
    services.add_hour_group(s, c.actor, draft, f"klus-0-{c.participant.id}")
    assert _billed(s, draft) == {a.id, b.id}
    line = s.scalar(select(InvoiceLine).where(InvoiceLine.invoice_id == draft.id))
    assert (line.period_start, line.supply_date) == (DAY, DAY + timedelta(days=1))
    with pytest.raises(DomainError, match="niet \\(meer\\) open"):
        services.add_hour_group(s, c.actor, draft, f"klus-0-{c.participant.id}")


# --- the property ----------------------------------------------------------------------------

#: one hour: (participant 0-2, job: None or customer 0-2 or -1 for a job without customer,
#: minutes); the funders: per trajectory and per host, None or a customer 0-2
HOUR = st.tuples(st.integers(0, 2), st.one_of(st.none(), st.integers(-1, 2)),
                 st.integers(15, 240))
FUNDERS = st.lists(st.one_of(st.none(), st.integers(0, 2)), min_size=6, max_size=6)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(funders=FUNDERS, entries=st.lists(HOUR, min_size=1, max_size=12),
       target=st.integers(0, 2), take_unpaid=st.booleans())
def test_a_draft_never_holds_an_hour_another_customer_pays(coop, funders, entries, target,
                                                           take_unpaid):
    s = coop.session
    try:
        buyers = [coop.customer] + [customer(s, f"Klant {k}") for k in (1, 2)]
        people = [(coop.participant, coop.trajectory)] + [
            add_person(s, coop.actor, f"Deelnemer{k}", "Eigenschap") for k in (1, 2)]
        for k, (_person, trajectory) in enumerate(people):
            funder, host_funder = funders[2 * k], funders[2 * k + 1]
            host = _host(s, f"Inzetorganisatie {k}",
                         buyers[host_funder] if host_funder is not None else None)
            trajectory.host_organisation_id = host.id
            trajectory.payer_customer_id = buyers[funder].id if funder is not None else None
        made = []
        for who, job_of, minutes in entries:
            help_request = None if job_of is None else job(
                s, None if job_of == -1 else buyers[job_of])
            made.append(hours(s, *people[who], DAY, minutes, help_request))
        payer = payers_of(s, [e.id for e in made])
        buyer = buyers[target]
        draft = services.create_draft(s, coop.actor, buyer, *PERIOD)
        offer = services.uninvoiced_hours(s, buyer, *PERIOD)
        ids = _offered(offer) | (_offered(offer, "unpaid") if take_unpaid else set())
        assert all(payer[i] == buyer.id for i in _offered(offer))
        assert all(payer[i] is None for i in _offered(offer, "unpaid"))
        if ids:
            services.add_hours(s, coop.actor, draft, sorted(ids))
        # a forged form with every hour there is: refused whenever one is another customer's
        everything = [e.id for e in made]
        try:
            with s.begin_nested():
                services.add_hours(s, coop.actor, draft, everything)
        except DomainError:
            pass
        assert all(payer[i] in (None, buyer.id) for i in _billed(s, draft))
        assert {i for i in everything if payer[i] == buyer.id} <= _billed(s, draft)
    finally:
        s.rollback()


# --- the pages -------------------------------------------------------------------------------

@pytest.fixture
def corporation_world(make, session):
    """A corporation funding Jan's trajectory, a resident with a job Jan worked on, and
    Fatma's hours that nobody pays; an admin."""
    tenant = make.tenant(name="Kluswinkel Lelystad")
    admin = make.member(tenant, Role.ADMIN, name="Karin Smit")
    actor = Actor(user_id=admin.id, email=admin.email)
    today = date.today()
    day = today - timedelta(days=3)
    with tenant_context(session, tenant.id):
        finance(session)
        corporation = customer(session, "Woonstichting Geeren", CustomerKind.HOUSING)
        resident = customer(session, "Mevrouw Peters")
        jan, funded = add_person(session, actor, "Jan", "Amrani")
        fatma, unfunded = add_person(session, actor, "Fatma", "Yilmaz")
        funded.payer_customer_id = corporation.id
        ids = {
            "corporation": corporation.id, "resident": resident.id,
            "mine": [hours(session, jan, funded, day - timedelta(days=k), 120).id
                     for k in range(2)],
            "peters": hours(session, jan, funded, day, 60,
                            job(session, resident, price=2000, done_on=day)).id,
            "nobody": hours(session, fatma, unfunded, day, 90).id,
            "fatma": fatma.id, "trajectory": funded.id,
        }
        session.commit()
    yield tenant, admin, ids
    session.rollback()


def _draft_page(client, tenant, customer_id):
    today = date.today()
    response = post(client, f"/{tenant.slug}/facturen/nieuw", {
        "customer": str(customer_id), "period_start": (today - timedelta(days=30)).isoformat(),
        "period_end": today.isoformat()})
    assert response.status_code == 302
    invoice_id = int(re.search(r"/facturen/(\d+)$", response.headers["Location"]).group(1))
    return invoice_id, client.get(f"/{tenant.slug}/facturen/{invoice_id}").get_data(as_text=True)


def _box(page, entry_id):
    found = re.search(rf'<input[^>]*value="{entry_id}"[^>]*>', page)
    return found.group(0) if found else None


def test_the_draft_page_ticks_the_customers_hours_and_not_the_unpaid(client, session,
                                                                     corporation_world):
    tenant, admin, ids = corporation_world
    login(client, admin)
    invoice_id, page = _draft_page(client, tenant, ids["corporation"])
    for entry_id in ids["mine"]:
        assert "checked" in _box(page, entry_id)
    assert "checked" not in _box(page, ids["nobody"])
    assert _box(page, ids["peters"]) is None  # the resident's job: never offered here
    assert "Uren zonder betaler" in page
    assert "Alle uren van Fatma Yilmaz toevoegen" in page
    assert "Alle uren zonder klus toevoegen" in page
    assert "Ook uren zonder klus tonen" not in page

    # the button per participant adds exactly Fatma's unpaid hours
    response = post(client, f"/{tenant.slug}/facturen/{invoice_id}/uren",
                    {"groep": f"klus-0-{ids['fatma']}"}, follow_redirects=True)
    assert "De uren staan op de factuur." in response.get_data(as_text=True)
    with tenant_context(session, tenant.id):
        assert _billed(session, session.scalar(select(Invoice).where(
            Invoice.id == invoice_id))) == {ids["nobody"]}
    session.rollback()

    # the corporation's hours: one line showing its period, first to last day
    response = post(client, f"/{tenant.slug}/facturen/{invoice_id}/uren",
                    {"entries": [str(i) for i in ids["mine"]]}, follow_redirects=True)
    first, last = date.today() - timedelta(days=4), date.today() - timedelta(days=3)
    assert f"{first:%d-%m-%Y} t/m {last:%d-%m-%Y}" in response.get_data(as_text=True)


def test_a_forged_post_with_another_customers_hour_is_refused(client, session,
                                                              corporation_world):
    tenant, admin, ids = corporation_world
    login(client, admin)
    invoice_id, page = _draft_page(client, tenant, ids["resident"])
    assert _box(page, ids["peters"]) is not None and _box(page, ids["mine"][0]) is None
    response = post(client, f"/{tenant.slug}/facturen/{invoice_id}/uren",
                    {"entries": [str(ids["peters"]), str(ids["mine"][0])]},
                    follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code in (200, 400)
    assert "wordt door een andere klant betaald (Woonstichting Geeren)" in text
    with tenant_context(session, tenant.id):
        assert session.scalar(select(func.count()).select_from(InvoiceHour)
                              .where(InvoiceHour.invoice_id == invoice_id)) == 0
    session.rollback()
    for key in ("klus-0-999999", "klus-<script>", "klus-" + "9" * 40):
        response = post(client, f"/{tenant.slug}/facturen/{invoice_id}/uren", {"groep": key},
                        follow_redirects=True)
        assert response.status_code in (200, 400)
        flashed = re.findall(r'utrecht-alert__content"><p class="utrecht-paragraph">([^<]*)',
                             response.get_data(as_text=True))
        assert any("staan niet (meer) open" in m for m in flashed), (key, flashed)


def test_the_draft_page_makes_the_same_number_of_queries_for_few_and_many_hours(
        client, session, count_queries, corporation_world):
    tenant, admin, ids = corporation_world
    login(client, admin)
    invoice_id, _page = _draft_page(client, tenant, ids["corporation"])
    url = f"/{tenant.slug}/facturen/{invoice_id}"

    def measure():
        with count_queries() as n:
            assert client.get(url).status_code == 200
        return n()

    few = measure()
    with tenant_context(session, tenant.id):
        day = date.today() - timedelta(days=2)
        for k in range(6):
            person, trajectory = add_person(session, Actor.system("test"), f"Persoon{k}",
                                            "Meer")
            if k % 2:
                trajectory.payer_customer_id = ids["corporation"]
            for d in range(4):
                hours(session, person, trajectory, day - timedelta(days=d), 60)
        session.commit()
    many = measure()
    assert many == few, f"{few} queries with few hours, {many} with many"


def test_the_funder_is_set_on_the_trajectory_and_on_the_host(client, session,
                                                             corporation_world):
    tenant, admin, ids = corporation_world
    login(client, admin)
    url = f"/{tenant.slug}/trajecten/{ids['trajectory']}/bewerken"
    page = client.get(url).get_data(as_text=True)
    assert "Uren betaald door" in page and "Woonstichting Geeren" in page
    form = {"kind": "maatschappelijke_baan", "host": "", "job_coach": "",
            "starts_on": "2026-01-05", "hours_per_week": "12", "funding": "subsidie",
            "payer": str(ids["resident"])}
    response = post(client, url, form, follow_redirects=True)
    assert "Het traject is bijgewerkt." in response.get_data(as_text=True)
    shown = client.get(f"/{tenant.slug}/trajecten/{ids['trajectory']}/").get_data(as_text=True)
    assert "Uren betaald door" in shown and "Mevrouw Peters" in shown
    with tenant_context(session, tenant.id):
        assert session.scalar(select(Trajectory.payer_customer_id).where(
            Trajectory.id == ids["trajectory"])) == ids["resident"]
    session.rollback()
    bad = post(client, url, {**form, "payer": "999999"})
    assert bad.status_code == 400

    response = post(client, f"/{tenant.slug}/inzetorganisaties/nieuw", {
        "name": "Speeltuin De Geeren", "kind": "speeltuin",
        "payer": str(ids["corporation"])}, follow_redirects=True)
    assert "Speeltuin De Geeren is opgeslagen." in response.get_data(as_text=True)
    with tenant_context(session, tenant.id):
        host = session.scalar(select(HostOrganisation).where(
            HostOrganisation.name == "Speeltuin De Geeren"))
        assert host.payer_customer_id == ids["corporation"]
    session.rollback()
    listed = client.get(f"/{tenant.slug}/inzetorganisaties/").get_data(as_text=True)
    assert "Uren betaald door: Woonstichting Geeren" in listed


def test_a_funder_must_be_a_customer_of_this_cooperative(coop, make):
    c = coop
    s = c.session
    with pytest.raises(DomainError, match="Deze klant bestaat niet"):
        participants.create_host(s, c.actor, participants.HostData(
            name="Buurthuis", kind="buurthuis", payer_customer_id=987654321))


# --- the document ----------------------------------------------------------------------------

def test_the_pdf_specifies_the_hours_and_a_line_shows_its_period(app, coop):
    from blueprints.invoicing.pdf import render_invoice_pdf
    from tests.invoicing.doc_builders import pdf_text

    c = coop
    s = c.session
    second, trajectory2 = add_person(s, c.actor, "Jan", "Amrani")
    garden = job(s, c.customer, price=2000)
    a = hours(s, c.participant, c.trajectory, DAY, 90, garden)
    b = hours(s, c.participant, c.trajectory, DAY + timedelta(days=3), 30, garden)
    d = hours(s, second, trajectory2, DAY + timedelta(days=1), 50)
    draft = services.create_draft(s, c.actor, c.customer, *PERIOD)
    services.add_hours(s, c.actor, draft, [a.id, b.id, d.id])
    with app.test_request_context():
        text = pdf_text(render_invoice_pdf(s, draft, compress=False))
    assert "10-11-2026 t/m 13-11-2026" in text  # the line's period, not only its last day
    assert "Urenspecificatie" in text
    for needle in ("Jan A.", "Sandra V.", f"hulpvraag {garden.reference}", "traject",
                   "1,5", "0,83", "Totaal Sandra V.", "Totaal Jan A."):
        assert needle in text, needle
    assert text.index("Jan A.") < text.index("Sandra V.")  # per participant, by surname
    assert text.index("10-11-2026", text.index("Urenspecificatie")) < \
        text.index("13-11-2026", text.index("Urenspecificatie"))
