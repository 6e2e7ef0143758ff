"""Municipality accounts and client progress (issue 14): roles, the recorded ground for
sharing, the consulent's progress page (never notes, never health data), the audit of each
view on the participant's page, withdrawing, two-factor, the operator and invitations."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from blueprints.municipality import sharing
from blueprints.municipality.models import ProgressShare
from tenants.membership import municipality_by_code
from tenants.models import (
    AuditEvent,
    MunicipalityInvitation,
    MunicipalityMembership,
    MunicipalRole,
    SecurityEvent,
)
from tenants.tenancy import tenant_context
from tests.helpers import csrf_token, login, post, unique
from tests.municipality.world import (  # noqa: F401  (world is a fixture)
    EXEMPTION_BY,
    GOAL,
    GOAL_NOTE,
    NOTE,
    SUMMARY,
    TODAY,
    World,
    officer,
    world,
)

def _progress(w: World, participant_id: int, code: str = "0758") -> str:
    return f"/gemeente/{code}/clienten/{w.tenant.slug}/{participant_id}"


def _views(session, w: World) -> int:
    with tenant_context(session, w.tenant.id):
        return session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.tenant_id == w.tenant.id, AuditEvent.participant_id == w.shared,
            AuditEvent.action == sharing.VIEWED))


def test_a_consulent_sees_only_own_clients_with_an_active_ground(client, world):
    w = world
    login(client, w.consulent)
    page = client.get("/gemeente/0758/clienten")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _progress(w, w.shared) in html
    # (links, not first names: the suite's other worlds and the demo have Breda clients too)
    assert _progress(w, w.unshared) not in html
    assert _progress(w, w.lelystad) not in html  # paid by Lelystad
    assert client.get(_progress(w, w.shared)).status_code == 200
    assert client.get(_progress(w, w.unshared)).status_code == 404
    assert client.get(_progress(w, w.lelystad)).status_code == 404
    assert client.get(f"/gemeente/0758/clienten/geen-organisatie/{w.shared}").status_code == 404


def test_the_progress_page_shows_progress_and_never_notes_or_health_data(client, world):
    w = world
    login(client, w.consulent)
    html = client.get(_progress(w, w.shared)).get_data(as_text=True)
    assert "Fatma" in html and "Maatschappelijke baan" in html
    assert GOAL in html and "niveau 3 van 5" in html
    assert "4 – onbetaald werk" in html  # the ladder rung of the held evaluation
    assert "4,5" in html  # approved hours this week, against the agreed 12
    for secret in (NOTE, GOAL_NOTE, SUMMARY, EXEMPTION_BY, "Beschrijving die privé blijft",
                   "Uren-notitie privé", "9-2", "ontheffing"):
        assert secret not in html


def test_a_beleid_officer_sees_no_client_at_all(client, world):
    w = world
    login(client, w.beleid)
    assert client.get("/gemeente/0758/").status_code == 200
    assert "clienten" not in client.get("/gemeente/0758/").get_data(as_text=True)
    assert client.get("/gemeente/0758/clienten").status_code == 404
    assert client.get(_progress(w, w.shared)).status_code == 404


def test_another_municipality_gets_404_on_bredas_client(client, world, session):
    w = world
    login(client, w.lelystad_consulent)
    assert client.get(_progress(w, w.shared, "0995")).status_code == 404
    assert client.get(_progress(w, w.shared, "0758")).status_code == 404
    assert client.get(_progress(w, w.lelystad, "0995")).status_code == 200
    assert _views(session, w) == 0


def test_every_view_is_audited_and_shown_on_the_participants_page(app, client, world,
                                                                    session):
    w = world
    login(client, w.consulent)
    client.get("/gemeente/0758/clienten")  # the list is no view of a client's progress
    assert _views(session, w) == 0
    client.get(_progress(w, w.shared))
    client.get(_progress(w, w.shared))
    assert _views(session, w) == 2

    own = app.test_client()
    login(own, w.participant_user)
    html = own.get(f"/{w.tenant.slug}/mijn").get_data(as_text=True)
    assert "Gedeeld met de gemeente" in html and "Gemeente Breda" in html
    assert "Schriftelijke toestemming van de deelnemer" in html
    assert html.count("gemeente Breda · consulent") == 2
    assert w.consulent.email not in html

    staff = app.test_client()
    login(staff, w.supervisor)
    html = staff.get(f"/{w.tenant.slug}/deelnemers/{w.shared}/").get_data(as_text=True)
    assert "Voortgang delen met de gemeente" in html and "Bekeken door de gemeente" in html


def test_withdrawn_consent_stops_access_at_once(app, client, world):
    w = world
    login(client, w.consulent)
    assert client.get(_progress(w, w.shared)).status_code == 200
    own = app.test_client()
    login(own, w.participant_user)
    page = own.get(f"/{w.tenant.slug}/mijn")
    share_id = re.search(r"/mijn/gemeente-delen/(\d+)/intrekken",
                         page.get_data(as_text=True)).group(1)
    done = post(own, f"/{w.tenant.slug}/mijn/gemeente-delen/{share_id}/intrekken",
                token_from=f"/{w.tenant.slug}/mijn", follow_redirects=True)
    assert "Uw toestemming is ingetrokken" in done.get_data(as_text=True)
    assert client.get(_progress(w, w.shared)).status_code == 404
    assert f"/{w.shared}" not in client.get("/gemeente/0758/clienten").get_data(as_text=True)


def test_a_participant_cannot_withdraw_another_participants_ground(app, world, session):
    w = world
    with tenant_context(session, w.tenant.id):
        other = session.scalar(select(ProgressShare.id).where(
            ProgressShare.participant_id == w.lelystad))
    own = app.test_client()
    login(own, w.participant_user)
    response = post(own, f"/{w.tenant.slug}/mijn/gemeente-delen/{other}/intrekken",
                    token_from=f"/{w.tenant.slug}/mijn")
    assert response.status_code == 404


def test_an_ended_or_expired_ground_answers_404_at_once(app, client, world, session):
    w = world
    login(client, w.lelystad_consulent)
    assert client.get(_progress(w, w.lelystad, "0995")).status_code == 200
    with tenant_context(session, w.tenant.id):
        session.execute(update(ProgressShare).where(ProgressShare.participant_id == w.lelystad)
                        .values(ends_on=TODAY - timedelta(days=1)))
        session.commit()
    assert client.get(_progress(w, w.lelystad, "0995")).status_code == 404

    breda = app.test_client()
    login(breda, w.consulent)
    assert breda.get(_progress(w, w.shared)).status_code == 200
    staff = app.test_client()
    login(staff, w.supervisor)
    page = staff.get(f"/{w.tenant.slug}/deelnemers/{w.shared}/").get_data(as_text=True)
    end = re.search(r'action="([^"]+/gemeente-delen/\d+/beeindigen)"', page).group(1)
    done = post(staff, end, token_from=f"/{w.tenant.slug}/deelnemers/{w.shared}/",
                follow_redirects=True)
    assert "de gemeente ziet de voortgang niet meer" in done.get_data(as_text=True)
    assert breda.get(_progress(w, w.shared)).status_code == 404


def test_the_cooperative_records_a_ground_with_dutch_messages_for_bad_input(app, world,
                                                                             session):
    w = world
    staff = app.test_client()
    login(staff, w.supervisor)
    page = f"/{w.tenant.slug}/deelnemers/{w.unshared}/"
    assert "Grondslag vastleggen voor gemeente Breda" in staff.get(page).get_data(as_text=True)
    path = f"/{w.tenant.slug}/deelnemers/{w.unshared}/gemeente-delen"
    bad = post(staff, path, {"ground": "opdracht", "scope": ["uren"],
                             "starts_on": TODAY.isoformat(),
                             "ends_on": (TODAY - timedelta(days=3)).isoformat()},
               token_from=page, follow_redirects=True)
    assert "De einddatum ligt vóór de ingangsdatum." in bad.get_data(as_text=True)
    none = post(staff, path, {"ground": "opdracht", "starts_on": TODAY.isoformat(),
                              "ends_on": (TODAY + timedelta(days=3)).isoformat()},
                token_from=page, follow_redirects=True)
    assert "minstens één onderdeel" in none.get_data(as_text=True)
    nonsense = post(staff, path, {"ground": "x", "starts_on": "morgen", "ends_on": "9999-99-99",
                                  "scope": ["<script>"]}, token_from=page)
    assert nonsense.status_code == 302
    good = post(staff, path, {"ground": "opdracht", "reference": "WIJ-2026-77",
                              "scope": ["traject", "uren"], "starts_on": TODAY.isoformat(),
                              "ends_on": (TODAY + timedelta(days=90)).isoformat()},
                token_from=page, follow_redirects=True)
    assert "de voortgang wordt gedeeld met de gemeente" in good.get_data(as_text=True)

    consulent = app.test_client()
    login(consulent, w.consulent)
    html = consulent.get(_progress(w, w.unshared)).get_data(as_text=True)
    assert "Opdracht tot re-integratie" in html and "WIJ-2026-77" in html
    assert "Leerdoelen" not in html  # outside the recorded scope
    # a participant cannot withdraw an assignment: only the cooperative ends it
    with tenant_context(session, w.tenant.id):
        assert session.scalar(select(ProgressShare.ground).where(
            ProgressShare.participant_id == w.unshared)).value == "opdracht"


def test_a_participant_may_not_record_a_ground(app, world):
    w = world
    own = app.test_client()
    login(own, w.participant_user)
    response = post(own, f"/{w.tenant.slug}/deelnemers/{w.shared}/gemeente-delen",
                    {"ground": "toestemming"}, token_from=f"/{w.tenant.slug}/mijn")
    assert response.status_code == 403


def test_municipal_accounts_must_use_two_factor(app, make, session, world):
    without = officer(make, session, "0758", MunicipalRole.CONSULENT, totp=False)
    c = app.test_client()
    login(c, without)
    response = c.get("/gemeente/0758/clienten")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/tweestaps")


def _mail_path(app, email):
    outbox = getattr(app.extensions["mailman"], "outbox", None) or []
    body = [m for m in outbox if email in m.to][-1].body
    return re.search(r"https?://[^/]+(/uitnodiging/gemeente/\S+)", body).group(1)


def _free_cbs_code(session) -> str:
    from tenants.models import Municipality

    taken = set(session.scalars(select(Municipality.cbs_code)))
    return next(f"{n:04d}" for n in range(9999, 0, -1) if f"{n:04d}" not in taken)


def test_the_operator_creates_a_municipality_and_its_firstofficer(app, make, session):
    operator = make.user(operator=True, totp=True)
    ops = app.test_client()
    login(ops, operator)
    code = _free_cbs_code(session)
    address = f"{unique('eerste')}@gemeente.example.org"
    bad = post(ops, "/beheer/gemeenten", {"cbs_code": "12a4", "name": "Nergens",
                                          "officer_email": address, "role": "consulent"},
               token_from="/beheer/gemeenten")
    assert bad.status_code == 400 and "vier cijfers" in bad.get_data(as_text=True)
    done = post(ops, "/beheer/gemeenten", {"cbs_code": code, "name": f"Testgemeente {code}",
                                           "officer_email": address, "role": "consulent"},
                token_from="/beheer/gemeenten", follow_redirects=True)
    assert f"Gemeente Testgemeente {code} heeft haar eerste medewerker" in \
        done.get_data(as_text=True)
    path = _mail_path(app, address)

    newcomer = app.test_client()
    assert f"Testgemeente {code}" in newcomer.get(path).get_data(as_text=True)
    joined = newcomer.post(path, data={"csrf_token": csrf_token(newcomer, path),
                                       "name": "Eva Eerste", "password": "een sterk wachtwoord",
                                       "confirm": "een sterk wachtwoord"})
    assert joined.status_code == 302 and "next=" in joined.headers["Location"]  # two-factor first
    role = session.scalar(select(MunicipalityMembership.role).join(
        MunicipalityMembership.municipality).where(
        MunicipalityMembership.municipality.has(cbs_code=code)))
    assert role == MunicipalRole.CONSULENT
    again = post(ops, "/beheer/gemeenten", {"cbs_code": code, "name": f"Testgemeente {code}",
                                            "officer_email": f"{unique('x')}@example.org",
                                            "role": "beleid"}, token_from="/beheer/gemeenten")
    assert again.status_code == 400 and "nodigen hun collega" in again.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(SecurityEvent).where(
        SecurityEvent.action == "municipality.created", SecurityEvent.user_id == operator.id)) == 1


def test_an_officer_invites_a_colleague_with_a_role(app, client, make, session, world):
    w = world
    login(client, w.consulent)
    colleague = make.user(totp=True)
    page = post(client, "/gemeente/0758/collegas", {"email": colleague.email, "role": "beleid"},
                token_from="/gemeente/0758/collegas", follow_redirects=True)
    assert f"Uitnodiging verstuurd naar {colleague.email}" in page.get_data(as_text=True)
    path = _mail_path(app, colleague.email)
    other = app.test_client()
    login(other, colleague)
    accepted = post(other, path, token_from=path)
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith("/gemeente/0758/")
    assert session.scalar(select(MunicipalityMembership.role).where(
        MunicipalityMembership.user_id == colleague.id)) == MunicipalRole.BELEID
    assert other.get("/gemeente/0758/clienten").status_code == 404
    assert post(other, path, token_from="/account").status_code == 400  # used once

    # a beleid officer cannot make a consulent
    beleid = app.test_client()
    login(beleid, w.beleid)
    refused = post(beleid, "/gemeente/0758/collegas",
                   {"email": f"{unique('c')}@example.org", "role": "consulent"},
                   token_from="/gemeente/0758/collegas")
    assert refused.status_code == 400
    assert "met uw eigen rol of een beperktere" in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(MunicipalityInvitation).where(
        MunicipalityInvitation.invited_by_id == w.beleid.id)) == 0


def test_the_client_list_and_progress_page_keep_a_constant_query_count(client, world, session,
                                                                       count_queries):
    from blueprints.participants import services as participants
    from blueprints.trajectories import services as trajectories
    from tenants.actor import Actor

    w = world
    login(client, w.consulent)
    actor = Actor(user_id=w.admin.id, email=w.admin.email)

    def add(n):
        with tenant_context(session, w.tenant.id):
            person = participants.get_participant(session, w.shared)
            t = trajectories.trajectories_of(session, person)[0]
            for i in range(n):
                trajectories.add_goal(session, actor, t, f"Doel {i}", None, 2)
                other = participants.create_participant(session, actor, participants.ParticipantData(
                    first_name=f"Extra{i}", last_name=unique("X"), paying_municipality_code="0758"))
                sharing.record_share(session, actor, other, sharing.NewShare(
                    "opdracht", None, ["traject"], TODAY, TODAY + timedelta(days=30)), TODAY)
            session.commit()

    def measure():
        client.get("/gemeente/0758/clienten")
        with count_queries() as list_queries:
            assert client.get("/gemeente/0758/clienten").status_code == 200
        with count_queries() as page_queries:
            assert client.get(_progress(w, w.shared)).status_code == 200
        return list_queries(), page_queries()

    add(1)
    few = measure()
    add(15)
    assert measure() == few


def test_another_paying_municipality_ends_access_and_a_ground_needs_one(app, client, world,
                                                                        session):
    from blueprints.participants.models import Participant

    w = world
    login(client, w.consulent)
    assert client.get(_progress(w, w.shared)).status_code == 200
    lelystad = municipality_by_code(session, "0995").id
    with tenant_context(session, w.tenant.id):
        session.execute(update(Participant).where(Participant.id == w.shared)
                        .values(paying_municipality_id=lelystad))
        session.execute(update(Participant).where(Participant.id == w.unshared)
                        .values(paying_municipality_id=None))
        session.commit()
    assert client.get(_progress(w, w.shared)).status_code == 404  # the ground was for Breda

    staff = app.test_client()
    login(staff, w.supervisor)
    page = f"/{w.tenant.slug}/deelnemers/{w.unshared}/"
    assert "Leg eerst vast welke gemeente de uitkering betaalt" in \
        staff.get(page).get_data(as_text=True)
    refused = post(staff, f"/{w.tenant.slug}/deelnemers/{w.unshared}/gemeente-delen",
                   {"ground": "opdracht", "scope": ["uren"], "starts_on": TODAY.isoformat(),
                    "ends_on": (TODAY + timedelta(days=9)).isoformat()},
                   token_from=page, follow_redirects=True)
    assert "Leg eerst vast welke gemeente de uitkering van deze deelnemer betaalt." in \
        refused.get_data(as_text=True)
