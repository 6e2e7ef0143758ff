"""The public help-request page through HTTP: no account, abuse protection, no data leaks."""
from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from blueprints.helprequests.models import HelpRequest, RequestStatus, Source
from tenants.actor import Actor
from tenants.models import Role, Tenant, TenantStatus
from tenants.tenancy import tenant_context
from tests.helpers import csrf_token, login
from tests.helprequests.builders import job, person

SECRET = "Geheimnaam"
_ips = itertools.count(1)


def _outbox(app):
    return getattr(app.extensions["mailman"], "outbox", None) or []


@pytest.fixture
def coop(make, session):
    """A cooperative with data of its own that the public page must never show."""
    tenant = make.tenant(name="Kluswinkel Zuiderzeewijk")
    admin = make.member(tenant, Role.ADMIN, name=f"{SECRET} Coördinator")
    coach = make.member(tenant, Role.SUPERVISOR, name=f"{SECRET} Coach")
    actor = Actor(user_id=coach.id, email=coach.email)
    with tenant_context(session, tenant.id):
        person(session, actor, SECRET, "Deelnemer", wijk=f"{SECRET}wijk",
               skills=["tuin"])
        job(session, actor, name=f"{SECRET} Bewoner", street="Lindenlaan 4",
            wijk=f"{SECRET}wijk")
        session.commit()
    return tenant, admin


def form_data(client, slug, **fields):
    data = {"csrf_token": csrf_token(client, f"/{slug}/hulp-vragen"),
            "name": "Mevrouw Jansen", "street": "Kempenaar 12-03", "postcode": "8232 AB",
            "city": "Lelystad", "phone": "06 12345678", "email": "", "kind": "tuin",
            "description": "De heg in de voortuin moet geknipt worden.",
            "preferred_dates": "dinsdagochtend", "website": ""}
    data.update(fields)
    return data


def count(session, tenant) -> int:
    with tenant_context(session, tenant.id):
        n = session.scalar(select(func.count()).select_from(HelpRequest))
    session.rollback()
    return n


def test_the_page_shows_the_form_and_only_the_cooperatives_name(client, coop):
    tenant, _ = coop
    response = client.get(f"/{tenant.slug}/hulp-vragen")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hulp vragen bij Kluswinkel Zuiderzeewijk" in html
    assert 'name="csrf_token"' in html and "Laat dit veld leeg" in html
    assert SECRET not in html


def test_a_resident_submits_a_request_and_gets_a_reference(app, client, coop, session):
    tenant, admin = coop
    before = len(_outbox(app))
    response = client.post(f"/{tenant.slug}/hulp-vragen", data=form_data(client, tenant.slug))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{tenant.slug}/hulp-vragen/bedankt"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    reference = f"{date.today().year}-0002"  # the coop already had one request
    assert f'<strong class="reference">{reference}</strong>' in page
    assert "Kluswinkel Zuiderzeewijk" in page and SECRET not in page
    with tenant_context(session, tenant.id):
        stored = session.scalar(select(HelpRequest).where(HelpRequest.reference == reference))
        assert stored.requester_name == "Mevrouw Jansen" and stored.source == Source.WEBSITE
        assert stored.status == RequestStatus.NEW and stored.postcode == "8232 AB"
    session.rollback()
    mails = _outbox(app)[before:]
    assert [m.to for m in mails] == [[admin.email]]  # the inbox: the cooperative's admins
    assert reference in mails[0].subject and f"/{tenant.slug}/hulpvragen/" in mails[0].body
    assert "Jansen" not in mails[0].body and "Kempenaar" not in mails[0].body


def test_the_honeypot_answers_like_success_and_stores_nothing(app, client, coop, session):
    tenant, _ = coop
    before, mails = count(session, tenant), len(_outbox(app))
    response = client.post(f"/{tenant.slug}/hulp-vragen", data=form_data(
        client, tenant.slug, website="http://spam.example.com"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{tenant.slug}/hulp-vragen/bedankt"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<strong class="reference">\d{4}-\d{4}</strong>', page)
    assert count(session, tenant) == before and len(_outbox(app)) == mails


def test_the_answer_is_the_same_whatever_the_address(client, coop, session):
    """Known resident, known participant address or unknown address: one answer."""
    tenant, _ = coop
    answers = []
    for street in ("Lindenlaan 4", "Bestaat Niet 999", "Kempenaar 12-03"):
        response = client.post(f"/{tenant.slug}/hulp-vragen",
                               data=form_data(client, tenant.slug, street=street))
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        page = re.sub(r"\d{4}-\d{4}", "REF", page)
        page = re.sub(r'name="csrf_token" value="[^"]+"', "TOKEN", page)  # timestamped
        answers.append((response.status_code, response.headers["Location"], page))
    assert answers[0] == answers[1] == answers[2]
    assert SECRET not in answers[0][2]


@pytest.mark.parametrize("fields,message", [
    ({"description": "x" * 2001}, "Hoogstens 2000 tekens"),
    ({"name": "x" * 121}, "Hoogstens 120 tekens"),
    ({"preferred_dates": "x" * 301}, "Hoogstens 300 tekens"),
    ({"phone": "", "email": ""}, "telefoonnummer of e-mailadres"),
    ({"kind": "kernfusie"}, "Waar gaat het om?"),
    ({"email": "geen-adres"}, "geldig e-mailadres"),
    ({"description": "BSN 111222333"}, "burgerservicenummer"),
])
def test_bad_or_oversized_input_is_refused_and_nothing_stored(client, coop, session, fields,
                                                               message):
    tenant, _ = coop
    before = count(session, tenant)
    response = client.post(f"/{tenant.slug}/hulp-vragen",
                           data=form_data(client, tenant.slug, **fields))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and SECRET not in html
    assert count(session, tenant) == before


def test_a_huge_form_is_refused_before_it_is_read(client, coop, session):
    tenant, _ = coop
    before = count(session, tenant)
    response = client.post(f"/{tenant.slug}/hulp-vragen", data=form_data(
        client, tenant.slug, description="x" * 600_000))
    assert response.status_code == 413
    assert count(session, tenant) == before


def test_a_post_without_the_csrf_token_is_refused(client, coop, session):
    tenant, _ = coop
    data = form_data(client, tenant.slug)
    del data["csrf_token"]
    assert client.post(f"/{tenant.slug}/hulp-vragen", data=data).status_code == 400


def test_the_rate_limit_per_ip_bites(app, coop, session):
    """Limits are evaluated per request (Flask-Limiter calls the config lambda each time), so a
    low limit set for this test applies at once; a fresh client address keeps it separate."""
    tenant, _ = coop
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"198.51.100.{next(_ips)}"
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = f"198.51.100.{100 + next(_ips)}"
    old = app.config["LIMIT_FORMS_PER_IP"]
    app.config["LIMIT_FORMS_PER_IP"] = "3 per minute"
    try:
        statuses = [client.post(f"/{tenant.slug}/hulp-vragen",
                                data=form_data(client, tenant.slug)).status_code
                    for _ in range(4)]
        blocked = client.post(f"/{tenant.slug}/hulp-vragen", data=form_data(client, tenant.slug))
        still_open = other.post(f"/{tenant.slug}/hulp-vragen", data=form_data(other, tenant.slug))
        reading = client.get(f"/{tenant.slug}/hulp-vragen")
    finally:
        app.config["LIMIT_FORMS_PER_IP"] = old
    assert statuses == [302, 302, 302, 429]
    assert blocked.status_code == 429 and "Te veel pogingen" in blocked.get_data(as_text=True)
    assert still_open.status_code == 302  # another address is not affected
    assert reading.status_code == 200      # only sending is limited


def test_members_of_other_tenants_and_visitors_see_only_the_name(client, make, coop):
    tenant, _ = coop
    elsewhere = make.tenant(name="Coöperatie Elders")
    login(client, make.member(elsewhere, Role.ADMIN))
    html = client.get(f"/{tenant.slug}/hulp-vragen").get_data(as_text=True)
    assert "Kluswinkel Zuiderzeewijk" in html and SECRET not in html
    assert client.get("/bestaat-niet-xyz/hulp-vragen").status_code == 404


def test_the_thanks_page_needs_a_request_of_this_cooperative(client, make, coop):
    tenant, _ = coop
    other = make.tenant()
    client.post(f"/{tenant.slug}/hulp-vragen", data=form_data(client, tenant.slug))
    response = client.get(f"/{other.slug}/hulp-vragen/bedankt")
    assert response.status_code == 302  # another cooperative's reference is not shown
    assert response.headers["Location"] == f"/{other.slug}/hulp-vragen"


def test_a_read_only_cooperative_takes_no_requests(client, coop, session):
    tenant, _ = coop
    session.get(Tenant, tenant.id).status = TenantStatus.READ_ONLY
    session.commit()
    html = client.get(f"/{tenant.slug}/hulp-vragen").get_data(as_text=True)
    assert "geen hulpvraag sturen" in html and 'name="description"' not in html
    before = count(session, tenant)
    client.post(f"/{tenant.slug}/hulp-vragen", data={
        "csrf_token": csrf_token(client, "/login"), "name": "X", "street": "Y 1",
        "phone": "0612345678", "kind": "tuin", "description": "Z"})
    assert count(session, tenant) == before
