"""An admin's start page shows what customers owe, what is overdue and what waits."""
from __future__ import annotations

from datetime import date, timedelta

from blueprints.invoicing import services
from tenants.actor import Actor
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.helpers import login
from tests.invoicing.invoice_world import customer, finance

TODAY = date.today()


def test_the_admin_start_page_shows_open_and_overdue_invoices(app, client, make, session):
    tenant = make.tenant(name="Kluswinkel Lelystad")
    admin = make.member(tenant, Role.ADMIN)
    coach = make.member(tenant, Role.SUPERVISOR)
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        finance(session)
        cust = customer(session)
        late = services.create_draft(session, actor, cust)
        services.add_fixed_line(session, actor, late, "Groenonderhoud", "2", "uur", 5000, "21")
        services.finalise(session, actor, late, issue_date=TODAY - timedelta(days=45))
        recent = services.create_draft(session, actor, cust)
        services.add_fixed_line(session, actor, recent, "Schilderwerk", "1", "stuk", 10000, "21")
        services.finalise(session, actor, recent, issue_date=TODAY)
        services.create_draft(session, actor, cust)  # a draft
        session.commit()
    login(client, admin)
    page = client.get(f"/{tenant.slug}/").get_data(as_text=True)
    assert "Facturen en budgetten" in page
    assert "€\xa0242,00" in page  # open: 2 × (€ 100 + 21% VAT)
    assert "€\xa0121,00" in page  # overdue: the first one, due 15 days ago
    assert "1 factuur is achterstallig" in page
    # A supervisor's start page has no money panel.
    other = app.test_client()
    login(other, coach)
    assert "Facturen en budgetten" not in other.get(f"/{tenant.slug}/").get_data(as_text=True)
