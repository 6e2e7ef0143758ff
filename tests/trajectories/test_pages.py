"""Agreement uploads through HTTP, and a lapsed (read-only) tenant."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import select, update

from blueprints.participants import services as participants
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, Outcome, Trajectory, TrajectoryKind
from tenants.actor import Actor
from tenants.models import Role, Tenant, TenantStatus
from tenants.tenancy import tenant_context
from tests.helpers import csrf_token, login, post


@pytest.fixture
def trajectory(make, session):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    actor = Actor(user_id=admin.id, email=admin.email)
    with tenant_context(session, tenant.id):
        person = participants.create_participant(session, actor, participants.ParticipantData(
            first_name="Yusuf", last_name="Demir"))
        t = trajectories.create_trajectory(session, actor, person, trajectories.TrajectoryData(
            kind=TrajectoryKind.SOCIAL_JOB, starts_on=date(2026, 3, 2), hours_per_week="9,8",
            funding=Funding.MUNICIPAL_CONTRACT))
        session.commit()
        return tenant, admin, t.id, person.id


def _upload(client, tenant, tid, payload: bytes, name="scan.pdf"):
    page = f"/{tenant.slug}/trajecten/{tid}/"
    return client.post(f"/{tenant.slug}/trajecten/{tid}/overeenkomst", data={
        "csrf_token": csrf_token(client, page), "signed_on": "2026-03-01",
        "scan": (io.BytesIO(payload), name)}, content_type="multipart/form-data",
        follow_redirects=True)


def _signed(session, tenant, tid):
    with tenant_context(session, tenant.id):
        return session.execute(select(Trajectory.agreement_signed_on, Trajectory.agreement_file)
                               .where(Trajectory.id == tid)).one()


def test_a_20_mb_upload_is_refused_in_dutch_and_changes_nothing(client, trajectory, session):
    tenant, admin, tid, _ = trajectory
    login(client, admin)
    response = _upload(client, tenant, tid, b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024))
    assert response.status_code == 200
    assert "Het bestand is te groot: hoogstens 8 MB." in response.get_data(as_text=True)
    assert tuple(_signed(session, tenant, tid)) == (None, None)


def test_a_png_disguised_as_pdf_is_refused(client, trajectory, session):
    tenant, admin, tid, _ = trajectory
    login(client, admin)
    response = _upload(client, tenant, tid, b"\x89PNG\r\n\x1a\n" + b"x" * 500)
    assert "Dit bestand is geen PDF" in response.get_data(as_text=True)
    assert tuple(_signed(session, tenant, tid)) == (None, None)


def test_a_real_scan_is_stored_and_downloaded_as_attachment(client, trajectory, session):
    from reportlab.pdfgen import canvas

    tenant, admin, tid, _ = trajectory
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "getekend")
    c.save()
    login(client, admin)
    response = _upload(client, tenant, tid, buf.getvalue())
    assert "De ondertekening is vastgelegd." in response.get_data(as_text=True)
    signed_on, key = _signed(session, tenant, tid)
    assert signed_on == date(2026, 3, 1) and key.startswith(f"{tenant.id}/")
    scan = client.get(f"/{tenant.slug}/trajecten/{tid}/overeenkomst-getekend.pdf")
    assert scan.status_code == 200 and scan.data == buf.getvalue()
    assert scan.headers["Content-Disposition"].startswith("attachment")


def test_a_lapsed_tenant_reads_and_exports_but_changes_nothing(client, trajectory, session):
    tenant, admin, tid, pid = trajectory
    session.execute(update(Tenant).where(Tenant.id == tenant.id)
                    .values(status=TenantStatus.READ_ONLY))
    session.commit()
    login(client, admin)
    page = client.get(f"/{tenant.slug}/trajecten/{tid}/")
    assert page.status_code == 200
    refused = post(client, f"/{tenant.slug}/trajecten/{tid}/doelen", {"title": "Nieuw doel"},
                   token_from=f"/{tenant.slug}/trajecten/{tid}/", follow_redirects=True)
    assert "Het abonnement van deze organisatie is verlopen" in refused.get_data(as_text=True)
    with tenant_context(session, tenant.id):
        assert trajectories.goals_of(session, session.scalar(
            select(Trajectory).where(Trajectory.id == tid))) == []
    export = post(client, f"/{tenant.slug}/privacy/deelnemer/{pid}/export",
                  token_from=f"/{tenant.slug}/trajecten/{tid}/")
    assert export.status_code == 200 and export.mimetype == "application/zip"


def _actions(html: str) -> list[str]:
    found = re.findall(r'<form method="post" action="[^"]*/trajecten/\d+/([a-z/\d-]*)"', html)
    return sorted({re.sub(r"\d+", "N", a) for a in found})


def test_the_page_shows_only_the_forms_of_its_status_and_they_post(client, trajectory, session):
    tenant, admin, tid, _pid = trajectory
    with tenant_context(session, tenant.id):
        t = session.scalar(select(Trajectory).where(Trajectory.id == tid))
        trajectories.add_goal(session, Actor(user_id=admin.id), t, "Op tijd komen", None, 2)
        session.commit()
    login(client, admin)
    page = f"/{tenant.slug}/trajecten/{tid}/"
    html = client.get(page).get_data(as_text=True)
    assert _actions(html) == ["afronden", "doelen", "doelen/N/voortgang", "evaluaties",
                              "evaluaties/plannen", "overeenkomst", "status", "verlengen"]
    # the status button carries the page's token (csrf_token(), not a form built for it)
    response = post(client, f"/{tenant.slug}/trajecten/{tid}/status", {"status": "actief"},
                    token_from=page, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "De status is nu: Actief." in html

    with tenant_context(session, tenant.id):
        trajectories.end_trajectory(session, Actor(user_id=admin.id),
                                    session.scalar(select(Trajectory).where(Trajectory.id == tid)), Outcome.VOLUNTEERING, date.today())
        session.commit()
    html = client.get(page).get_data(as_text=True)
    assert _actions(html) == ["overeenkomst"]
    assert "Evaluatie vastleggen" not in html and "Op tijd komen" in html
