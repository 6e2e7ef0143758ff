"""Staff and participant pages for help requests through HTTP: intake, planning with the
suggestions, status actions, the week planning, "Mijn klussen", and constant query counts."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

from blueprints.helprequests import services
from blueprints.helprequests.models import (
    Assignment,
    HelpRequest,
    JobKind,
    Payer,
    PriceAgreement,
    RequestStatus,
    Source,
)
from blueprints.participants.models import Participant, ParticipantStatus
from tenants.actor import Actor
from tenants.db import new_id, utcnow
from tenants.models import Role, User
from tenants.tenancy import tenant_context
from tests.helpers import login, post
from tests.helprequests.builders import job, person

TOMORROW = date.today() + timedelta(days=1)


def _outbox(app):
    return getattr(app.extensions["mailman"], "outbox", None) or []


@pytest.fixture
def coop(make):
    tenant = make.tenant(name="Kluswinkel Lelystad")
    coach = make.member(tenant, Role.SUPERVISOR, name="Ahmed El Khatib")
    return tenant, coach, Actor(user_id=coach.id, email=coach.email)


def _commit(session):
    session.commit()


def _request(session, tenant, actor, **kw):
    with tenant_context(session, tenant.id):
        r = job(session, actor, **kw)
        session.commit()
        return r.id, r.reference


def _status(session, tenant, request_id):
    with tenant_context(session, tenant.id):
        value = session.scalar(select(HelpRequest.status).where(HelpRequest.id == request_id))
    session.rollback()
    return value


# --- intake ------------------------------------------------------------------------------

def test_staff_enter_a_phone_request_with_an_hourly_rate(client, coop, session):
    tenant, coach, _ = coop
    login(client, coach)
    path = f"/{tenant.slug}/hulpvragen/nieuw"
    response = post(client, path, {
        "source": "partner", "partner_name": "Woonstichting Centrada",
        "name": "Meneer De Wit", "street": "Kempenaar 12-03", "postcode": "8232ab",
        "city": "Lelystad", "neighbourhood": "Zuiderzeewijk", "phone": "0320 123456",
        "email": "", "kind": "schutting", "description": "Schutting staat scheef.",
        "preferred_dates": "", "needs_vog": "", "payer": "woningcorporatie",
        "price_agreement": "uurtarief", "price": "12,50"}, token_from=path)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Meneer De Wit" in page and "Zuiderzeewijk" in page
    assert "€\xa012,50" in page and "per uur" in page and "Woonstichting Centrada" in page
    with tenant_context(session, tenant.id):
        r = session.scalar(select(HelpRequest).where(HelpRequest.requester_name == "Meneer De Wit"))
        assert (r.source, r.payer, r.price_agreement, r.price_cents, r.needs_vog) == (
            Source.PARTNER, Payer.HOUSING, PriceAgreement.HOURLY, 1250, False)
    session.rollback()


@pytest.mark.parametrize("fields,message", [
    ({"price": "twaalf"}, "bedrag in euro"),
    ({"price_agreement": "vaste_prijs", "price": ""}, "Vul de prijs"),
    ({"source": "partner"}, "naam van de partner"),
    ({"name": "x" * 121}, "Hoogstens 120 tekens"),
    ({"source": "website"}, "Binnengekomen via"),  # staff cannot pretend it came online
])
def test_bad_staff_input_is_refused_and_changes_nothing(client, coop, session, fields, message):
    tenant, coach, _ = coop
    login(client, coach)
    data = {"source": "telefoon", "partner_name": "", "name": "Meneer De Wit",
            "street": "Kempenaar 1", "kind": "tuin", "description": "Heg", "needs_vog": "",
            "payer": "bewoner", "price_agreement": "uurtarief", "price": "12,50"}
    data.update(fields)
    path = f"/{tenant.slug}/hulpvragen/nieuw"
    response = post(client, path, data, token_from=path)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with tenant_context(session, tenant.id):
        assert session.scalar(select(func.count()).select_from(HelpRequest)) == 0
    session.rollback()


def test_editing_keeps_the_reference_and_sets_the_wijk(client, coop, session):
    tenant, coach, actor = coop
    request_id, reference = _request(session, tenant, actor)
    login(client, coach)
    path = f"/{tenant.slug}/hulpvragen/{request_id}/bewerken"
    form = client.get(path).get_data(as_text=True)
    assert 'value="Mevrouw Peters"' in form
    response = post(client, path, {
        "source": "telefoon", "name": "Mevrouw Peters", "street": "Lindenlaan 4",
        "neighbourhood": "Bolder", "kind": "tuin", "description": "Heg en gras",
        "needs_vog": "ja", "payer": "niemand", "price_agreement": "gratis", "price": ""},
        token_from=path)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert reference in page and "Bolder" in page and "Heg en gras" in page


# --- planning ----------------------------------------------------------------------------

def test_the_planner_sees_ranked_suggestions_and_plans_one(app, client, make, coop, session):
    tenant, coach, actor = coop
    account = make.member(tenant, Role.PARTICIPANT, name="Fatma Yilmaz")
    weekday = services.WEEKDAYS[TOMORROW.weekday()]
    with tenant_context(session, tenant.id):
        best = person(session, actor, "Fatma", "Yilmaz", skills=["tuin"], wijk="Bolder",
                      days=[weekday])
        best.user_id = account.id
        person(session, actor, "Kees", "de Graaf")
        r = job(session, actor, wijk="Bolder")
        session.commit()
        ids = best.id, r.id
    login(client, coach)
    path = f"/{tenant.slug}/hulpvragen/{ids[1]}/"
    page = client.get(path).get_data(as_text=True)
    assert page.index("Fatma Yilmaz") < page.index("Kees de Graaf")
    assert "Kan tuinieren" in page and "Woont in Bolder" in page
    before = len(_outbox(app))
    response = post(client, f"{path}plannen", {"planned_on": TOMORROW.isoformat(),
                                               "participants": [str(ids[0])], "other": ""},
                    token_from=path)
    assert response.status_code == 302
    assert _status(session, tenant, ids[1]) == RequestStatus.PLANNED
    page = client.get(path).get_data(as_text=True)
    assert "De klus is ingepland" in page
    mails = _outbox(app)[before:]
    assert [m.to for m in mails] == [[account.email]]
    assert "Mijn klussen" in mails[0].body or "/mijn/klussen" in mails[0].body
    assert "Lindenlaan" not in mails[0].body  # the address stays behind the login


def test_no_mail_to_a_participant_who_turned_it_off(app, client, make, coop, session):
    tenant, coach, actor = coop
    account = make.member(tenant, Role.PARTICIPANT)
    with tenant_context(session, tenant.id):
        p = person(session, actor, "Fatma", "Yilmaz")
        p.user_id = account.id
        r = job(session, actor)
        session.commit()
        ids = p.id, r.id
    own = app.test_client()
    login(own, account)
    response = post(own, f"/{tenant.slug}/mijn/klussen/meldingen", {"enabled": "0"},
                    token_from=f"/{tenant.slug}/mijn/klussen")
    assert response.status_code == 302
    assert session.get(User, account.id).notify_by_email is False
    session.rollback()
    login(client, coach)
    before = len(_outbox(app))
    post(client, f"/{tenant.slug}/hulpvragen/{ids[1]}/plannen",
         {"planned_on": TOMORROW.isoformat(), "participants": [str(ids[0])], "other": ""})
    assert _status(session, tenant, ids[1]) == RequestStatus.PLANNED
    assert len(_outbox(app)) == before


def test_planning_someone_of_another_tenant_is_refused(client, make, coop, session):
    tenant, coach, actor = coop
    elsewhere = make.tenant()
    other_coach = make.member(elsewhere, Role.SUPERVISOR)
    with tenant_context(session, elsewhere.id):
        stranger = person(session, Actor(user_id=other_coach.id), "Vreemde", "Elders").id
        session.commit()
    request_id, _ = _request(session, tenant, actor)
    login(client, coach)
    post(client, f"/{tenant.slug}/hulpvragen/{request_id}/plannen",
         {"planned_on": TOMORROW.isoformat(), "participants": [str(stranger)], "other": ""})
    assert _status(session, tenant, request_id) == RequestStatus.NEW
    with tenant_context(session, tenant.id):
        assert session.scalar(select(func.count()).select_from(Assignment)) == 0
    session.rollback()


def test_done_and_decline_through_the_pages(app, client, coop, session):
    tenant, coach, actor = coop
    with tenant_context(session, tenant.id):
        worker = person(session, actor, "Peter", "Russcher")
        planned = job(session, actor)
        services.plan_request(session, actor, planned, date.today(), [worker.id])
        declined = job(session, actor, email="bewoner@example.org", name="Mevrouw Bos")
        session.commit()
        ids = planned.id, declined.id, declined.reference
    login(client, coach)
    base = f"/{tenant.slug}/hulpvragen"
    post(client, f"{base}/{ids[0]}/uitgevoerd", {"done_on": date.today().isoformat()})
    assert _status(session, tenant, ids[0]) == RequestStatus.DONE
    before = len(_outbox(app))
    post(client, f"{base}/{ids[1]}/afwijzen", {"reason": "Dit is werk voor een vakman."})
    assert _status(session, tenant, ids[1]) == RequestStatus.DECLINED
    mails = _outbox(app)[before:]
    assert [m.to for m in mails] == [["bewoner@example.org"]]
    assert "Dit is werk voor een vakman." in mails[0].body and ids[2] in mails[0].body
    # refused transitions: a flash, no change
    response = post(client, f"{base}/{ids[1]}/uitgevoerd", {"done_on": date.today().isoformat()},
                    follow_redirects=True)
    assert "Alleen een ingeplande klus" in response.get_data(as_text=True)
    assert _status(session, tenant, ids[1]) == RequestStatus.DECLINED


# --- lists, week, my jobs ----------------------------------------------------------------

def test_the_list_filters(client, coop, session):
    tenant, coach, actor = coop
    with tenant_context(session, tenant.id):
        worker = person(session, actor, "Peter", "Russcher")
        garden = job(session, actor, wijk="Bolder", name="Mevrouw Tuin")
        job(session, actor, JobKind.GROCERIES, name="Meneer Boodschap")
        services.plan_request(session, actor, garden, TOMORROW, [worker.id])
        session.commit()
        wijk = garden.neighbourhood_id
    login(client, coach)
    base = f"/{tenant.slug}/hulpvragen/"

    def shown(query):
        html = client.get(base + query).get_data(as_text=True)
        return {n for n in ("Mevrouw Tuin", "Meneer Boodschap") if n in html}

    assert shown("") == {"Mevrouw Tuin", "Meneer Boodschap"}
    assert shown("?status=ingepland") == {"Mevrouw Tuin"}
    assert shown("?soort=boodschappen") == {"Meneer Boodschap"}
    assert shown(f"?wijk={wijk}") == {"Mevrouw Tuin"}
    assert shown(f"?van={TOMORROW.isoformat()}&tot={TOMORROW.isoformat()}") == {"Mevrouw Tuin"}
    assert shown("?q=boodschap") == {"Meneer Boodschap"}
    assert shown("?status=onzin&soort=onzin&wijk=x&van=gisteren") == {"Mevrouw Tuin",
                                                                      "Meneer Boodschap"}
    assert "Peter Russcher" in client.get(base).get_data(as_text=True)


def test_the_week_planning_per_supervisor_and_per_wijk(client, make, coop, session):
    tenant, coach, actor = coop
    other_coach = make.member(tenant, Role.SUPERVISOR, name="Els Brouwer")
    monday = date.today() - timedelta(days=date.today().weekday()) + timedelta(days=7)
    with tenant_context(session, tenant.id):
        mine = person(session, actor, "Peter", "Russcher")
        mine.supervisor_id = coach.id
        theirs = person(session, actor, "Fatma", "Yilmaz")
        theirs.supervisor_id = other_coach.id
        a = job(session, actor, wijk="Bolder", name="Mevrouw Aan")
        b = job(session, actor, wijk="Zuiderzeewijk", name="Meneer Bee")
        services.plan_request(session, actor, a, monday + timedelta(days=1), [mine.id])
        services.plan_request(session, actor, b, monday + timedelta(days=3), [theirs.id])
        session.commit()
        refs, wijk = (a.reference, b.reference), a.neighbourhood_id
    login(client, coach)
    year, week, _ = monday.isocalendar()
    base = f"/{tenant.slug}/hulpvragen/week?week={year}-W{week:02d}"
    html = client.get(base).get_data(as_text=True)
    assert refs[0] in html and refs[1] in html and "Peter Russcher" in html
    assert html.index("dinsdag") < html.index(refs[0]) < html.index(refs[1])
    mine_only = client.get(f"{base}&begeleider={coach.id}").get_data(as_text=True)
    assert refs[0] in mine_only and refs[1] not in mine_only
    wijk_only = client.get(f"{base}&wijk={wijk}").get_data(as_text=True)
    assert refs[0] in wijk_only and refs[1] not in wijk_only
    assert client.get(f"/{tenant.slug}/hulpvragen/week?week=2026-W99").status_code == 200


def test_a_participant_sees_only_their_own_jobs(client, make, coop, session):
    tenant, _, actor = coop
    account = make.member(tenant, Role.PARTICIPANT)
    with tenant_context(session, tenant.id):
        me = person(session, actor, "Fatma", "Yilmaz")
        me.user_id = account.id
        colleague = person(session, actor, "Kees", "de Graaf")
        mine = job(session, actor, name="Mevrouw Mijn", street="Mijnstraat 1",
                   phone="06 11112222", description="Boodschappen halen bij de Jumbo")
        theirs = job(session, actor, name="Meneer Ander", street="Anderweg 2")
        services.plan_request(session, actor, mine, TOMORROW, [me.id])
        services.plan_request(session, actor, theirs, TOMORROW, [colleague.id])
        session.commit()
        ids = mine.id, theirs.id
    login(client, account)
    html = client.get(f"/{tenant.slug}/mijn/klussen").get_data(as_text=True)
    assert "Mevrouw Mijn" in html and "Mijnstraat 1" in html and 'href="tel:0611112222"' in html
    assert "Boodschappen halen bij de Jumbo" in html
    assert "Meneer Ander" not in html and "Anderweg" not in html and "Kees" not in html
    for path in ("", f"{ids[0]}/", f"{ids[1]}/", "week"):
        assert client.get(f"/{tenant.slug}/hulpvragen/{path}").status_code == 403


def test_a_supervisor_without_participant_record_sees_an_explanation(client, coop):
    tenant, coach, _ = coop
    login(client, coach)
    html = client.get(f"/{tenant.slug}/mijn/klussen").get_data(as_text=True)
    assert "nog niet gekoppeld" in html


def test_the_start_page_shows_jobs_without_a_date(client, coop, session):
    tenant, coach, actor = coop
    _request_id, reference = _request(session, tenant, actor)
    login(client, coach)
    html = client.get(f"/{tenant.slug}/").get_data(as_text=True)
    assert "Klussen zonder datum (1)" in html and reference in html


# --- query counts ------------------------------------------------------------------------

def _bulk(session, tenant, n, start, *, status=RequestStatus.PLANNED, on=TOMORROW, also=None):
    """n requests (planned on `on` unless new), each with a participant who has a running
    trajectory, and `also` on every one of them: a handful of statements."""
    from blueprints.trajectories.models import Funding, Trajectory, TrajectoryKind, TrajectoryStatus

    with tenant_context(session, tenant.id):
        wijk = services.neighbourhood_id(session, "Bolder")
        people = [{"tenant_id": tenant.id, "id": new_id(), "first_name": "Deelnemer",
                   "last_name": f"Nummer{start + i:04d}", "skills": ["tuin"], "languages": [],
                   "available_days": ["ma"], "status": ParticipantStatus.ACTIVE,
                   "neighbourhood_id": wijk} for i in range(n)]
        session.execute(insert(Participant), people)
        session.execute(insert(Trajectory), [
            {"tenant_id": tenant.id, "id": new_id(), "participant_id": p["id"],
             "kind": TrajectoryKind.SOCIAL_JOB, "starts_on": date(2026, 1, 5),
             "hours_per_week": 12, "funding": Funding.OWN, "status": TrajectoryStatus.ACTIVE,
             "build_up": []} for p in people])
        planned = status != RequestStatus.NEW
        requests = [{"tenant_id": tenant.id, "id": new_id(), "reference": f"2026-{start + i:04d}",
                     "requester_name": f"Bewoner {i}", "street": "Lindenlaan 1",
                     "neighbourhood_id": wijk, "kind": JobKind.GARDEN, "description": "Heg",
                     "source": Source.PHONE, "payer": Payer.NOBODY,
                     "price_agreement": PriceAgreement.FREE, "needs_vog": False,
                     "status": status, "planned_on": on if planned else None,
                     "created_at": utcnow()} for i in range(n)]
        session.execute(insert(HelpRequest), requests)
        pairs = [(r["id"], p["id"]) for r, p in zip(requests, people)] if planned else []
        if also is not None and planned:
            pairs += [(r["id"], also) for r in requests]
        if pairs:
            session.execute(insert(Assignment), [
                {"tenant_id": tenant.id, "id": new_id(), "help_request_id": r,
                 "participant_id": p} for r, p in pairs])
        session.commit()


@pytest.mark.parametrize("page", ["list", "week", "mine", "show", "start"])
def test_pages_keep_a_constant_query_count(client, make, coop, session, count_queries, page):
    """5 or 50 requests (and participants) cost the same number of queries on every page."""
    tenant, coach, actor = coop
    account = make.member(tenant, Role.PARTICIPANT)
    with tenant_context(session, tenant.id):
        me = person(session, actor, "Fatma", "Yilmaz", wijk="Bolder")
        me.user_id = account.id
        target = job(session, actor, wijk="Bolder")
        session.commit()
        me_id, target_id = me.id, target.id
    monday = TOMORROW - timedelta(days=TOMORROW.weekday())
    year, week, _ = monday.isocalendar()
    urls = {"list": "/hulpvragen/", "week": f"/hulpvragen/week?week={year}-W{week:02d}",
            "mine": "/mijn/klussen", "show": f"/hulpvragen/{target_id}/", "start": "/"}
    login(client, account if page == "mine" else coach)
    status = RequestStatus.NEW if page == "start" else RequestStatus.PLANNED

    def measure():
        client.get(f"/{tenant.slug}{urls[page]}")
        with count_queries() as n:
            response = client.get(f"/{tenant.slug}{urls[page]}")
            assert response.status_code == 200
        return n(), response.get_data(as_text=True)

    _bulk(session, tenant, 5, 1000, status=status, also=me_id)
    few, _ = measure()
    _bulk(session, tenant, 45, 2000, status=status, also=me_id)
    many, html = measure()
    assert many == few, f"{page}: {few} queries with 5 rows, {many} with 50"
    expected = {"list": "51 hulpvragen gevonden", "week": "2026-2044", "mine": "2026-2044",
                "show": "Nummer1000", "start": "Klussen zonder datum (51)"}[page]
    assert expected in html
