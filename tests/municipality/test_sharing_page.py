"""The cooperative's side: /<tenant>/rapportage/delen — admin only, CSRF, Dutch messages, every
grant and revocation audited, another tenant's share 404."""
from __future__ import annotations

from sqlalchemy import select

from blueprints.reports.models import ReportShare
from tenants.models import AuditEvent, Role
from tenants.tenancy import tenant_context
from tests.helpers import login, post


def _shares(session, tenant):
    with tenant_context(session, tenant.id):
        result = list(session.scalars(select(ReportShare)))
        for share in result:
            session.expunge(share)  # read as they are now, not reloaded outside the tenant
        session.rollback()
        return result


def test_an_admin_shares_and_revokes(world, session, client):
    login(client, world.admin_a)
    page = f"/{world.a.slug}/rapportage/delen"
    html = client.get(page).get_data(as_text=True)
    assert "Gemeente Een" in html and "U deelt nog niets met de gemeente." in html
    response = post(client, page, {"template": "uitstroom", "maand": "2", "jaar": "2026"},
                    token_from=page, follow_redirects=True)
    assert "De gemeente kan dit nu zien." in response.get_data(as_text=True)
    (share,) = _shares(session, world.a)
    assert share.template == "uitstroom" and share.from_month.isoformat() == "2026-02-01"
    assert share.municipality_id == world.m1.id and share.revoked_at is None
    # sharing the same again is refused in Dutch
    again = post(client, page, {"template": "uitstroom", "maand": "5", "jaar": "2026"},
                 token_from=page, follow_redirects=True)
    assert "Dit deelt u al met de gemeente." in again.get_data(as_text=True)
    done = post(client, f"{page}/{share.id}/intrekken", token_from=page, follow_redirects=True)
    assert "de gemeente ziet deze cijfers niet meer" in done.get_data(as_text=True)
    assert _shares(session, world.a)[0].revoked_at is not None
    with tenant_context(session, world.a.id):
        actions = [e.action for e in session.scalars(select(AuditEvent).where(
            AuditEvent.tenant_id == world.a.id, AuditEvent.object_type == "ReportShare")
            .order_by(AuditEvent.id))]
        session.rollback()
    assert actions == ["report_share.granted", "report_share.revoked"]


def test_bad_input_gets_a_dutch_message_and_no_share(world, session, client):
    login(client, world.admin_a)
    page = f"/{world.a.slug}/rapportage/delen"
    for data in ({"template": "alles", "maand": "2", "jaar": "2026"},
                 {"template": "uren", "maand": "13", "jaar": "2026"},
                 {"template": "uren", "maand": "2", "jaar": "twintig"},
                 {"template": "uren", "maand": "2", "jaar": "99999"}):
        response = post(client, page, data, token_from=page)
        assert response.status_code in (200, 302)
    assert _shares(session, world.a) == []
    html = post(client, page, {"template": "uren", "maand": "2", "jaar": "1999"},
                token_from=page).get_data(as_text=True)
    assert "Vul een jaar tussen 2000 en 2100 in." in html


def test_without_csrf_nothing_is_shared(world, session, client):
    login(client, world.admin_a)
    response = client.post(f"/{world.a.slug}/rapportage/delen",
                           data={"template": "uren", "maand": "2", "jaar": "2026"})
    assert response.status_code in (200, 400)
    assert _shares(session, world.a) == []


def test_only_admins_and_only_their_own_shares(world, session, client, make, app):
    from tests.municipality.share_world import share
    share_b = share(session, world.b, world.admin_b, "uren")
    login(client, world.admin_a)
    page = f"/{world.a.slug}/rapportage/delen"
    response = post(client, f"{page}/{share_b}/intrekken", token_from=page)
    assert response.status_code == 404
    assert _shares(session, world.b)[0].revoked_at is None
    assert post(client, f"{page}/abc/intrekken", token_from=page).status_code == 404
    supervisor = make.member(world.a, Role.SUPERVISOR)
    other = app.test_client()
    login(other, supervisor)
    assert other.get(page).status_code in (403, 404)
