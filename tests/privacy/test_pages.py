"""The privacy pages over HTTP: admins only, another tenant's participant is 404."""
from __future__ import annotations

import io
import re
import json
import zipfile
from datetime import date

from sqlalchemy import insert, select

from blueprints.participants.models import Participant, ParticipantStatus
from blueprints.participants.services import (
    ParticipantData,
    create_participant,
    record_view,
    update_participant,
)
from tenants.actor import Actor
from tenants.db import new_id, utcnow
from tenants.models import AuditEvent, Role, Tenant
from tenants.tenancy import tenant_context
from tests.helpers import csrf_token, login, post
from tests.privacy.builders import SCAN, build_file, full_data, load


def _trail(tenant, participant_id):
    return f"/{tenant.slug}/privacy/deelnemer/{participant_id}/auditlog"


def _export(tenant, participant_id):
    return f"/{tenant.slug}/privacy/deelnemer/{participant_id}/export"


def _erase(tenant, participant_id):
    return f"/{tenant.slug}/privacy/deelnemer/{participant_id}/anonimiseren"


def test_admin_downloads_the_export_as_a_zip(app, client, session, world, tmp_path, monkeypatch):
    tenant, admin, *_ = world
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    file = build_file(session, tenant, admin, tmp_path / "uploads")
    login(client, admin)
    response = post(client, _export(tenant, file.participant_id),
                    token_from=_trail(tenant, file.participant_id))
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == \
        f"attachment; filename=deelnemer-{file.participant_id}.zip"
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("gegevens.json"))
    assert data["deelnemer"]["last_name"] == "Yılmaz"
    assert archive.read(f"overeenkomsten/traject-{file.trajectory_id}.pdf") == SCAN
    with tenant_context(session, tenant.id):
        event = session.scalar(select(AuditEvent).where(
            AuditEvent.action == "participant.exported"))
    assert event.actor_email == admin.email and event.object_id == str(file.participant_id)


def test_supervisors_and_participants_get_403(client, session, make, world):
    tenant, admin, *_ = world
    file = build_file(session, tenant, admin)
    for role in (Role.SUPERVISOR, Role.PARTICIPANT):
        visitor = make.member(tenant, role)
        browser = client.application.test_client()
        login(browser, visitor)
        token = csrf_token(browser, "/account")
        assert browser.get(_trail(tenant, file.participant_id)).status_code == 403
        assert browser.post(_export(tenant, file.participant_id),
                            data={"csrf_token": token}).status_code == 403
        assert browser.get(_erase(tenant, file.participant_id)).status_code == 403
        assert browser.post(_erase(tenant, file.participant_id),
                            data={"csrf_token": token, "confirm": "y"}).status_code == 403
        assert browser.get(f"/{tenant.slug}/privacy/bewaartermijn").status_code == 403
    assert load(session, tenant, Participant, file.participant_id).first_name == "Fatma"


def test_another_tenants_participant_is_404(client, session, world):
    tenant, admin, other, other_admin = world
    theirs = build_file(session, other, other_admin)
    login(client, admin)
    assert client.get(_trail(tenant, theirs.participant_id)).status_code == 404
    assert client.get(_erase(tenant, theirs.participant_id)).status_code == 404
    token = csrf_token(client, "/account")
    response = client.post(_export(tenant, theirs.participant_id), data={"csrf_token": token})
    assert response.status_code == 404 and "Yılmaz" not in response.get_data(as_text=True)
    response = client.post(_erase(tenant, theirs.participant_id),
                           data={"csrf_token": token, "confirm": "y"})
    assert response.status_code == 404
    assert load(session, other, Participant, theirs.participant_id).first_name == "Fatma"


def test_erase_needs_the_checkbox_then_anonymises(app, client, session, world, tmp_path,
                                                  monkeypatch):
    tenant, admin, *_ = world
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    file = build_file(session, tenant, admin, tmp_path / "uploads")
    login(client, admin)
    page = client.get(_erase(tenant, file.participant_id))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Wat wordt gewist" in text and "Wat blijft bewaard" in text
    assert "Ik begrijp dat dit niet ongedaan kan worden" in text

    refused = post(client, _erase(tenant, file.participant_id), {},
                   token_from=_erase(tenant, file.participant_id))
    assert refused.status_code == 400
    assert "Vink aan dat u begrijpt" in refused.get_data(as_text=True)
    person = load(session, tenant, Participant, file.participant_id)
    assert person.first_name == "Fatma" and person.status != ParticipantStatus.ANONYMISED
    assert (tmp_path / "uploads" / file.scan_key).exists()

    done = post(client, _erase(tenant, file.participant_id), {"confirm": "y"},
                token_from=_erase(tenant, file.participant_id), follow_redirects=True)
    assert done.status_code == 200
    person = load(session, tenant, Participant, file.participant_id)
    assert person.status == ParticipantStatus.ANONYMISED and person.email is None
    assert person.last_name in done.get_data(as_text=True)
    assert "Fatma" not in done.get_data(as_text=True)
    assert not (tmp_path / "uploads" / file.scan_key).exists()


def test_erase_with_a_running_trajectory_shows_why_and_changes_nothing(client, session, world):
    tenant, admin, *_ = world
    file = build_file(session, tenant, admin, ended=False)
    login(client, admin)
    page = client.get(_erase(tenant, file.participant_id)).get_data(as_text=True)
    assert "Rond eerst de lopende trajecten af" in page
    response = post(client, _erase(tenant, file.participant_id), {"confirm": "y"},
                    token_from="/account")
    assert response.status_code == 400
    assert "Rond eerst de lopende trajecten af" in response.get_data(as_text=True)
    assert load(session, tenant, Participant, file.participant_id).first_name == "Fatma"


def test_audit_trail_page_lists_views_and_changes(client, session, world):
    tenant, admin, *_ = world
    file = build_file(session, tenant, admin)
    with tenant_context(session, tenant.id):
        person = session.scalar(select(Participant).where(Participant.id == file.participant_id))
        record_view(session, file.actor, person)
        update_participant(session, file.actor, person, full_data(admin.id, city="Breda-Noord"),
                           today=date(2026, 11, 22))
    session.commit()
    login(client, admin)
    response = client.get(_trail(tenant, file.participant_id))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "participant.viewed" in text and "participant.updated" in text
    assert "Dossier bekeken" in text and "Gegevens gewijzigd" in text
    assert "Fatma Yılmaz" in text and admin.email in text
    with tenant_context(session, tenant.id):  # looking at the trail is itself logged
        parts = [e.details for e in session.scalars(select(AuditEvent).where(
            AuditEvent.action == "participant.viewed"))]
    assert {"part": "auditlog"} in parts


def test_retention_setting_and_proposals(client, session, world):
    tenant, admin, *_ = world
    file = build_file(session, tenant, admin)  # last trajectory ended 2025-01-31
    login(client, admin)
    path = f"/{tenant.slug}/privacy/bewaartermijn"
    page = client.get(path).get_data(as_text=True)
    assert "Er is geen bewaartermijn ingesteld" in page

    wrong = post(client, path, {"years": "31"}, token_from=path)
    assert wrong.status_code == 400 and "1 tot en met 30 jaar" in wrong.get_data(as_text=True)

    saved = post(client, path, {"years": "1"}, token_from=path, follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "De bewaartermijn is opgeslagen." in text
    assert "Fatma Yılmaz" in text and _erase(tenant, file.participant_id) in text
    assert load(session, tenant, Tenant, tenant.id).retention_years == 1

    off = post(client, path, {"years": ""}, token_from=path, follow_redirects=True)
    assert "Er worden geen voorstellen" in off.get_data(as_text=True)
    assert load(session, tenant, Tenant, tenant.id).retention_years is None


def test_audit_trail_takes_the_same_statements_for_3_and_30_events(client, session, world,
                                                                    count_queries):
    tenant, admin, *_ = world
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        person = create_participant(session, actor, ParticipantData(
            first_name="Joost", last_name="Maas"), today=date(2026, 11, 1))  # one event
        pid = person.id
    session.commit()
    login(client, admin)

    def add(n):
        with tenant_context(session, tenant.id):
            session.execute(insert(AuditEvent), [dict(
                tenant_id=tenant.id, id=new_id(), at=utcnow(), actor_user_id=admin.id,
                actor_email=admin.email, action="participant.updated",
                object_type="Participant", object_id=str(pid), details={"n": i})
                for i in range(n)])
        session.commit()

    def measure():
        with count_queries() as n:
            response = client.get(_trail(tenant, pid))
        assert response.status_code == 200
        return n(), response.get_data(as_text=True)

    add(1)
    few, html = measure()  # created + 1 added + this view's own event, logged after reading
    assert html.count("participant.updated") == 1
    add(28)
    many, html = measure()
    assert html.count("participant.updated") == 29 and html.count("participant.viewed") == 1
    assert many == few


def test_audit_trail_takes_the_same_statements_for_10_and_1000_events(client, session, world,
                                                                       count_queries):
    """A page of 50 events whatever the number of events, the older pages too."""
    tenant, admin, *_ = world
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        person = create_participant(session, actor, ParticipantData(
            first_name="Nel", last_name="Smits"), today=date(2026, 11, 1))
        pid = person.id
    session.commit()
    login(client, admin)

    def add(start, n):
        with tenant_context(session, tenant.id):
            session.execute(insert(AuditEvent), [dict(
                tenant_id=tenant.id, id=new_id(), at=utcnow(), actor_user_id=admin.id,
                actor_email=admin.email, action="participant.updated",
                object_type="Participant", object_id=str(pid), details={"n": i})
                for i in range(start, start + n)])
        session.commit()

    def measure(path):
        with count_queries() as n:
            response = client.get(path)
        assert response.status_code == 200
        return n(), response.get_data(as_text=True)

    add(0, 9)  # with the event of the registration: 10
    few, html = measure(_trail(tenant, pid))
    assert html.count("participant.updated") == 9 and "Oudere gebeurtenissen" not in html
    add(9, 990)
    many, html = measure(_trail(tenant, pid))
    # the login's statements, then the related ids, the page, the view logged; PostgreSQL
    # also sets the tenant for row-level security
    assert many == few == 5 + (session.bind.dialect.name == "postgresql"), \
        f"{few} statements with 10 events, {many} with 1,000"
    # the newest 50 of the 999 (the views are logged after reading: older than the 990)
    assert html.count("participant.updated") == 50 and "n=998 " in html and "n=949 " in html
    assert "n=948 " not in html
    older = re.search(r'href="([^"]+voor=\d+)"', html)[1]
    again, html = measure(older.replace("&amp;", "&"))
    assert again == few and html.count("participant.updated") == 50 and "n=948 " in html
    assert "n=949 " not in html and "n=899 " in html
