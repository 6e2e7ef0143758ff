"""What a read-only tenant still does (participants log hours, exports and privacy actions),
and the plan's limits when a participant or a staff user is added (a downgrade keeps data)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from blueprints.hours.models import TimeEntry
from blueprints.participants.services import participants as participant_services
from tenants.actor import Actor
from tenants.errors import DomainError
from tenants.models import Role, Tenant, TenantStatus
from tenants.tenancy import tenant_context
from tests.billing.conftest import deliver, event, invoice, outcome, subscription
from tests.helpers import csrf_token, login, post
from tests.hours.conftest import world  # noqa: F401  (fixture)


def test_a_read_only_tenants_participant_still_logs_hours_and_staff_read_everything(
        app, client, world, make, session, billing):  # noqa: F811
    w = world
    customer = f"cus_ro_{w.tenant.id}"
    row = session.get(Tenant, w.tenant.id)
    row.stripe_customer_id = customer
    session.commit()

    class C:  # the shape conftest's event builders need
        pass
    coop = C()
    coop.customer, coop.tenant_id = customer, w.tenant.id
    assert outcome(deliver(client, event("customer.subscription.updated",
                                         subscription(coop, "unpaid")))) == "applied"
    session.expire_all()
    assert session.get(Tenant, w.tenant.id).status == TenantStatus.READ_ONLY

    login(client, w.user)
    path = f"/{w.tenant.slug}/uren/mijn"
    page = client.get(path).get_data(as_text=True)
    assert "uren blijven schrijven" in page
    response = client.post(path, data={
        "csrf_token": csrf_token(client, path), "work_date": date.today().isoformat(),
        "hours": "2", "trajectory": str(w.trajectory.id), "hour_type": "", "help_request": "",
        "note": "Tuin bijgehouden"})
    assert response.status_code == 302
    assert "Uw uren zijn geschreven" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    with tenant_context(session, w.tenant.id):
        notes = list(session.scalars(select(TimeEntry.note).where(
            TimeEntry.participant_id == w.participant.id)))
    assert notes == ["Tuin bijgehouden"]

    # the coach reads pages, and a write elsewhere says why it cannot
    coach = app.test_client()
    login(coach, w.coach)
    assert coach.get(f"/{w.tenant.slug}/deelnemers/").status_code == 200
    response = post(coach, f"/{w.tenant.slug}/deelnemers/nieuw",
                    {"first_name": "Nieuw", "last_name": "Mens", "benefit": "bijstand"},
                    token_from=f"/{w.tenant.slug}/deelnemers/")
    assert response.status_code == 302
    assert "niets wijzigen" in coach.get(response.headers["Location"]).get_data(as_text=True)

    # pays: writable again
    deliver(client, event("customer.subscription.updated", subscription(coop, "active"),
                          created=None))
    session.expire_all()
    assert session.get(Tenant, w.tenant.id).status == TenantStatus.ACTIVE


def _fill(session, tenant_id, n):
    actor = Actor.system("test")
    with tenant_context(session, tenant_id):
        for i in range(n):
            participant_services.create_participant(session, actor, participant_services
                                                    .ParticipantData(f"Deelnemer{i}", "Jansen"))
        session.commit()


def test_the_free_plan_holds_ten_participants_and_says_the_way_up(make, session):
    tenant = make.tenant()
    row = session.get(Tenant, tenant.id)
    row.plan = "gratis"
    session.commit()
    _fill(session, tenant.id, 10)
    with tenant_context(session, tenant.id):
        with pytest.raises(DomainError) as refused:
            participant_services.create_participant(
                session, Actor.system("test"),
                participant_services.ParticipantData("Elf", "de Vries"))
        session.rollback()
    assert "ruimte voor 10 deelnemers" in refused.value.message
    assert "Abonnement" in refused.value.message
    # a pilot from the operator gives room
    row = session.get(Tenant, tenant.id)
    row.pilot_until = date.today() + timedelta(days=30)
    session.commit()
    _fill(session, tenant.id, 1)


def test_a_downgrade_keeps_every_participant_and_blocks_only_new_ones(client, make, session):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    _fill(session, tenant.id, 11)  # on basis
    row = session.get(Tenant, tenant.id)
    row.plan = "gratis"
    session.commit()
    login(client, admin)
    page = client.get(f"/{tenant.slug}/deelnemers/").get_data(as_text=True)
    assert page.count("Jansen") >= 11  # all still there
    response = post(client, f"/{tenant.slug}/deelnemers/nieuw", {
        "first_name": "Twaalf", "last_name": "Bakker", "date_of_birth": "1990-04-02",
        "household_type": "alleenstaande_ouder", "benefit": "bijstand", "postcode": "4824 ab",
        "available_hours": "16", "integration_route": "", "paying_municipality": "",
        "supervisor": ""},
        token_from=f"/{tenant.slug}/deelnemers/nieuw")
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[-3000:]
    assert "ruimte voor 10 deelnemers" in html and "Twaalf" in html  # kept what was typed


def test_staff_invitations_stop_at_the_plans_limit(client, make, session):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    make.member(tenant, Role.SUPERVISOR)
    row = session.get(Tenant, tenant.id)
    row.plan = "gratis"  # 3 staff: admin, supervisor, one invitation
    session.commit()
    login(client, admin)
    ok = post(client, f"/{tenant.slug}/team/uitnodigen",
              {"email": "derde@example.org", "role": "supervisor"},
              token_from=f"/{tenant.slug}/team/")
    assert "Uitnodiging verstuurd" in client.get(ok.headers["Location"]).get_data(as_text=True)
    refused = post(client, f"/{tenant.slug}/team/uitnodigen",
                   {"email": "vierde@example.org", "role": "supervisor"},
                   token_from=f"/{tenant.slug}/team/")
    assert "ruimte voor 3 medewerkers" in client.get(refused.headers["Location"]).get_data(
        as_text=True)
    # participants' own logins are not staff
    also = post(client, f"/{tenant.slug}/team/uitnodigen",
                {"email": "deelnemer@example.org", "role": "participant"},
                token_from=f"/{tenant.slug}/team/")
    assert "Uitnodiging verstuurd" in client.get(also.headers["Location"]).get_data(as_text=True)
