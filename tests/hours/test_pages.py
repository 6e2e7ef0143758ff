"""Hours through HTTP: a participant logs their own hours only, staff log for them and fill
the week grid, approve and return (with mail), correct, the statement PDF, the settings, the
start page; constant query counts on the week grid and the lists."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select

from blueprints.hours import week
from blueprints.hours.models import EntryStatus, HourType, TimeEntry
from blueprints.participants.models import Participant, ParticipantStatus
from blueprints.trajectories.models import Funding, Trajectory, TrajectoryKind, TrajectoryStatus
from tenants.db import new_id
from tenants.models import AuditEvent, Role, Tenant, User
from tenants.tenancy import tenant_context
from tenants.weeks import monday_of, week_key
from tests.helpers import ON_POSTGRES, csrf_token, login
from tests.hours.builders import add_person, entry
from tests.pdftext import pdf_text

TODAY = date.today()
MONDAY = monday_of(TODAY)


def form_post(client, path, data, token_from=None):
    data = dict(data)
    data["csrf_token"] = csrf_token(client, token_from or path)
    return client.post(path, data=data)


def entries_of(session, participant_id):
    return list(session.scalars(select(TimeEntry).where(
        TimeEntry.participant_id == participant_id).order_by(TimeEntry.submitted_at)))


def flashes(client, path):
    return client.get(path).get_data(as_text=True)


def outbox(app):
    return getattr(app.extensions["mailman"], "outbox", None) or []


# --- the participant ------------------------------------------------------------------------

def test_a_participant_logs_hours_on_their_own_trajectory(client, world):
    w = world
    login(client, w.user)
    page = client.get(f"/{w.tenant.slug}/uren/mijn")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Uren schrijven" in html
    assert "Uw traject is afgelopen" not in html
    assert re.search(rf'<option selected value="{w.trajectory.id}"', html)  # the only one
    response = form_post(client, f"/{w.tenant.slug}/uren/mijn", {
        "work_date": TODAY.isoformat(), "hours": "2,5", "trajectory": str(w.trajectory.id),
        "hour_type": "", "help_request": "", "note": "Bladeren geruimd"})
    assert response.status_code == 302
    html = flashes(client, response.headers["Location"])
    assert "Uw uren zijn geschreven: 2,5 uur" in html and "Bladeren geruimd" in html
    [e] = entries_of(w.session, w.participant.id)
    assert (e.minutes, e.status, e.submitted_by_id) == (150, EntryStatus.SUBMITTED, w.user.id)


def test_a_refused_entry_says_why_and_keeps_what_was_typed(client, world):
    w = world
    login(client, w.user)
    response = form_post(client, f"/{w.tenant.slug}/uren/mijn", {
        "work_date": (TODAY + timedelta(days=1)).isoformat(), "hours": "3",
        "trajectory": str(w.trajectory.id), "hour_type": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "in de toekomst" in html and 'value="3"' in html
    response = form_post(client, f"/{w.tenant.slug}/uren/mijn", {
        "work_date": TODAY.isoformat(), "hours": "30", "trajectory": str(w.trajectory.id),
        "hour_type": ""})
    assert response.status_code == 400 and "hoogstens 24 uur" in response.get_data(as_text=True)
    assert entries_of(w.session, w.participant.id) == []


def test_a_participant_on_an_ended_trajectory_is_told_so_and_nothing_is_stored(
        client, world):
    w = world
    with tenant_context(w.session, w.tenant.id):
        w.session.execute(Trajectory.__table__.update().where(
            Trajectory.__table__.c.id == w.trajectory.id).values(
            planned_end_on=TODAY - timedelta(days=3)))
        w.session.commit()
    login(client, w.user)
    page = client.get(f"/{w.tenant.slug}/uren/mijn").get_data(as_text=True)
    assert "Uw traject is afgelopen op" in page  # said before anything is typed
    response = form_post(client, f"/{w.tenant.slug}/uren/mijn", {
        "work_date": TODAY.isoformat(), "hours": "2", "trajectory": str(w.trajectory.id),
        "hour_type": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Dit traject is afgelopen op" in html and "Er is niets opgeslagen" in html
    assert entries_of(w.session, w.participant.id) == []


def test_a_participant_cannot_log_for_others(client, world):
    w, s = world, world.session
    with tenant_context(s, w.tenant.id):
        other, trajectory = add_person(s, w.coach_actor, "Kees", "de Graaf")
        theirs = entry(s, other, trajectory, TODAY, 60)
        s.commit()
        other_id, trajectory_id, theirs_id = other.id, trajectory.id, theirs.id
    login(client, w.user)
    slug = w.tenant.slug
    # another person's trajectory under their own name: 404, nothing saved
    response = form_post(client, f"/{slug}/uren/mijn", {
        "work_date": TODAY.isoformat(), "hours": "2", "trajectory": str(trajectory_id),
        "hour_type": ""})
    assert response.status_code == 404
    # the staff page to log for someone: 403
    response = form_post(client, f"/{slug}/uren/deelnemer/{other_id}", {
        "work_date": TODAY.isoformat(), "hours": "2", "trajectory": str(trajectory_id),
        "hour_type": ""}, token_from=f"/{slug}/uren/mijn")
    assert response.status_code == 403
    # someone else's entry: 404 to see, change or withdraw
    assert client.get(f"/{slug}/uren/{theirs_id}/bewerken").status_code == 404
    response = form_post(client, f"/{slug}/uren/{theirs_id}/intrekken", {},
                         token_from=f"/{slug}/uren/mijn")
    assert response.status_code == 404
    with tenant_context(s, w.tenant.id):
        assert len(entries_of(s, other_id)) == 1 and entries_of(s, w.participant.id) == []


def test_a_participant_without_a_linked_record_is_told_so(client, make):
    tenant = make.tenant()
    user = make.member(tenant, Role.PARTICIPANT)
    login(client, user)
    html = client.get(f"/{tenant.slug}/uren/mijn").get_data(as_text=True)
    assert "nog niet gekoppeld" in html


def test_a_participant_fixes_returned_hours(client, world):
    w, s = world, world.session
    with tenant_context(s, w.tenant.id):
        e = entry(s, w.participant, w.trajectory, TODAY, 60, status=EntryStatus.RETURNED,
                  return_reason="Dit was een andere dag")
        s.commit()
        entry_id = e.id
    login(client, w.user)
    html = client.get(f"/{w.tenant.slug}/uren/mijn").get_data(as_text=True)
    assert "Teruggestuurd: pas deze uren aan" in html and "Dit was een andere dag" in html
    page = client.get(f"/{w.tenant.slug}/uren/{entry_id}/bewerken").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = form_post(client, f"/{w.tenant.slug}/uren/{entry_id}/bewerken", {
        "work_date": (TODAY - timedelta(days=1)).isoformat(), "hours": "1,5",
        "trajectory": str(w.trajectory.id), "hour_type": "", "version": version})
    assert response.status_code == 302
    s.expire_all()
    with tenant_context(s, w.tenant.id):
        [e] = entries_of(s, w.participant.id)
        assert (e.status, e.minutes) == (EntryStatus.SUBMITTED, 90)


# --- staff ------------------------------------------------------------------------------------

def test_staff_log_for_a_participant_and_approve_at_once(client, world):
    w = world
    login(client, w.coach)
    path = f"/{w.tenant.slug}/uren/deelnemer/{w.participant.id}"
    assert "Uren schrijven voor Sandra" in client.get(path).get_data(as_text=True)
    response = form_post(client, path, {
        "work_date": TODAY.isoformat(), "hours": "4:15", "trajectory": str(w.trajectory.id),
        "hour_type": "scholing", "approve": "y"})
    assert response.status_code == 302
    html = flashes(client, path)
    assert "geschreven en goedgekeurd: 4,25 uur" in html
    [e] = entries_of(w.session, w.participant.id)
    assert (e.status, e.hour_type, e.reviewed_by_id) == (EntryStatus.APPROVED, HourType.TRAINING,
                                                         w.coach.id)


def test_the_approval_list_approves_in_bulk_and_a_stale_page_gets_a_message(client, world):
    w, s = world, world.session
    with tenant_context(s, w.tenant.id):
        a = entry(s, w.participant, w.trajectory, MONDAY, 120)
        b = entry(s, w.participant, w.trajectory, MONDAY + timedelta(days=1), 60)
        s.commit()
        a_id, b_id = a.id, b.id
    login(client, w.coach)
    path = f"/{w.tenant.slug}/uren/"
    html = client.get(path).get_data(as_text=True)
    assert "2 regels uren gevonden" in html and "Sandra Verhoeven" in html
    response = form_post(client, f"/{w.tenant.slug}/uren/goedkeuren", {
        "entry": [str(a_id)], f"version-{a_id}": "1", "next": path}, token_from=path)
    assert response.status_code == 302
    assert "1 regel uren is goedgekeurd." in flashes(client, path)
    # the same page again (version 1): someone else already did it -> a message, not a 500
    response = form_post(client, f"/{w.tenant.slug}/uren/goedkeuren", {
        "entry": [str(a_id)], f"version-{a_id}": "1", "next": path}, token_from=path)
    assert response.status_code == 302
    assert "Iemand anders heeft deze uren net verwerkt" in flashes(client, path)
    # "all waiting on this page"
    response = form_post(client, f"/{w.tenant.slug}/uren/goedkeuren", {
        "page_entry": [str(b_id)], f"version-{b_id}": "1", "alles": "1"}, token_from=path)
    assert response.status_code == 302
    s.expire_all()
    with tenant_context(s, w.tenant.id):
        assert {e.status for e in entries_of(s, w.participant.id)} == {EntryStatus.APPROVED}


@pytest.mark.parametrize("wants_mail", [True, False])
def test_returned_hours_mail_the_participant_only_when_they_want_it(app, client, world,
                                                                    wants_mail):
    w, s = world, world.session
    user = s.scalar(select(User).where(User.id == w.user.id))
    user.notify_by_email = wants_mail
    with tenant_context(s, w.tenant.id):
        e = entry(s, w.participant, w.trajectory, TODAY, 120)
        s.commit()
        entry_id = e.id
    login(client, w.coach)
    before = len(outbox(app))
    response = form_post(client, f"/{w.tenant.slug}/uren/{entry_id}/terugsturen", {
        "reason": "Graag de juiste dag invullen.", "version": "1"},
        token_from=f"/{w.tenant.slug}/uren/")
    assert response.status_code == 302
    html = flashes(client, f"/{w.tenant.slug}/uren/")
    assert "teruggestuurd naar de deelnemer" in html
    sent = outbox(app)[before:]
    if wants_mail:
        assert [m.to for m in sent] == [[w.user.email]]
        assert "Graag de juiste dag invullen." in sent[0].body
        assert f"/{w.tenant.slug}/uren/mijn" in sent[0].body
    else:
        assert sent == []
    s.expire_all()
    with tenant_context(s, w.tenant.id):
        assert entries_of(s, w.participant.id)[0].status == EntryStatus.RETURNED


def test_staff_correct_approved_hours(client, world):
    w, s = world, world.session
    with tenant_context(s, w.tenant.id):
        e = entry(s, w.participant, w.trajectory, TODAY, 480, status=EntryStatus.APPROVED)
        s.commit()
        entry_id = e.id
    login(client, w.coach)
    path = f"/{w.tenant.slug}/uren/{entry_id}/corrigeren"
    assert 'value="8"' in client.get(path).get_data(as_text=True)
    response = form_post(client, path, {"hours": "6", "reason": "Pauze meegeteld"})
    assert response.status_code == 302
    s.expire_all()
    with tenant_context(s, w.tenant.id):
        original, correction = entries_of(s, w.participant.id)
        assert (original.minutes, original.status) == (480, EntryStatus.APPROVED)
        assert (correction.minutes, correction.corrects_id) == (-120, entry_id)
    # approved hours cannot be edited
    response = client.get(f"/{w.tenant.slug}/uren/{entry_id}/bewerken")
    assert response.status_code == 302
    assert "liggen vast" in flashes(client, response.headers["Location"])


def test_the_week_grid_saves_a_teams_paper_sheets(client, world):
    w, s = world, world.session
    login(client, w.coach)
    path = f"/{w.tenant.slug}/uren/week?week={week_key(MONDAY)}"
    html = client.get(path).get_data(as_text=True)
    assert "Sandra Verhoeven" in html
    snapshot = re.search(rf'name="stand-{w.trajectory.id}" value="(\w+)"', html).group(1)
    t = w.trajectory.id
    bad = form_post(client, path, {f"u-{t}-{MONDAY.isoformat()}": "4",
                                   f"u-{t}-{TODAY.isoformat()}": "veel", f"stand-{t}": snapshot})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Er is niets opgeslagen" in html
    assert "Vul het aantal uren in" in html and 'value="veel"' in html
    good = form_post(client, path, {f"u-{t}-{MONDAY.isoformat()}": "4",
                                    f"u-{t}-{TODAY.isoformat()}": "2,5", f"soort-{t}": "",
                                    f"stand-{t}": snapshot, "approve": "y"})
    assert good.status_code == 302
    assert "2 regels uren zijn opgeslagen." in flashes(client, good.headers["Location"])
    with tenant_context(s, w.tenant.id):
        assert sorted(e.minutes for e in entries_of(s, w.participant.id)) == [150, 240]
    # the same paper sheet again from the old page: refused, nothing counted twice
    again = form_post(client, path, {f"u-{t}-{MONDAY.isoformat()}": "4", f"stand-{t}": snapshot})
    assert again.status_code == 400
    assert "Iemand anders heeft intussen uren" in again.get_data(as_text=True)
    with tenant_context(s, w.tenant.id):
        assert len(entries_of(s, w.participant.id)) == 2


def test_the_hour_statement_pdf(client, world):
    w, s = world, world.session
    with tenant_context(s, w.tenant.id):
        entry(s, w.participant, w.trajectory, date(2026, 3, 2), 480, status=EntryStatus.APPROVED)
        entry(s, w.participant, w.trajectory, date(2026, 3, 3), 150, status=EntryStatus.APPROVED,
              hour_type=HourType.TRAINING)
        entry(s, w.participant, w.trajectory, date(2026, 3, 4), 600)  # not approved: not counted
        s.commit()
    login(client, w.coach)
    response = client.get(f"/{w.tenant.slug}/uren/verklaring/{w.participant.id}.pdf"
                          "?van=2026-01-01&tot=2026-06-30")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert response.data.startswith(b"%PDF") and "Urenverklaring" in text
    assert "Sandra Verhoeven" in text and "Karin Smit" in text and "10,5 uur" in text
    with tenant_context(s, w.tenant.id):
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "hours.statement"))
        assert event.object_id == str(w.participant.id)
        assert event.details == {"start": "2026-01-01", "end": "2026-06-30"}
    bad = client.get(f"/{w.tenant.slug}/uren/verklaring/{w.participant.id}.pdf"
                     "?van=2026-06-30&tot=2026-01-01")
    assert bad.status_code == 302 and "vóór de begindatum" in flashes(client, bad.headers[
        "Location"])


def test_admins_set_approval_and_the_allowance(client, make, session):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    login(client, admin)
    path = f"/{tenant.slug}/uren/instellingen"
    assert client.get(path).status_code == 200
    response = form_post(client, path, {"allowance": "2,50"})  # approval box left unticked
    assert response.status_code == 302
    session.expire_all()
    t = session.scalar(select(Tenant).where(Tenant.id == tenant.id))
    assert (t.hours_need_approval, t.volunteer_allowance_cents_per_hour) == (False, 250)
    response = form_post(client, path, {"allowance": "99", "hours_need_approval": "y"})
    assert response.status_code == 400 and "€ 20" in response.get_data(as_text=True)


def test_the_start_page_shows_hours_waiting_for_approval(client, world):
    w, s = world, world.session
    with tenant_context(s, w.tenant.id):
        entry(s, w.participant, w.trajectory, TODAY, 60)
        entry(s, w.participant, w.trajectory, TODAY, 60, status=EntryStatus.APPROVED)
        s.commit()
    login(client, w.coach)
    html = client.get(f"/{w.tenant.slug}/").get_data(as_text=True)
    assert "1 regel uren wacht op uw goedkeuring." in html


def test_navigation_shows_hours_per_role(client, world):
    w = world
    login(client, w.user)
    assert ">Mijn uren<" in client.get(f"/{w.tenant.slug}/uren/mijn").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    login(client, w.coach)
    html = client.get(f"/{w.tenant.slug}/uren/").get_data(as_text=True)
    assert ">Uren<" in html and ">Mijn uren<" not in html


# --- constant query counts --------------------------------------------------------------------

def _add_team(session, tenant, coach, n):
    """`n` participants of `coach`, each with an active trajectory and two submitted entries
    this week (bulk inserts: arranging data, not testing the rules)."""
    with tenant_context(session, tenant.id):
        people = [{"tenant_id": tenant.id, "id": new_id(), "first_name": f"Deelnemer{i}",
                   "last_name": f"Achternaam{i:04d}", "supervisor_id": coach.id,
                   "status": ParticipantStatus.ACTIVE, "skills": [], "languages": [],
                   "available_days": []} for i in range(n)]
        session.execute(insert(Participant), people)
        routes = [{"tenant_id": tenant.id, "id": new_id(), "participant_id": p["id"],
                   "kind": TrajectoryKind.SOCIAL_JOB, "starts_on": date(2026, 1, 5),
                   "hours_per_week": 12, "funding": Funding.SUBSIDY, "build_up": [],
                   "status": TrajectoryStatus.ACTIVE} for p in people]
        session.execute(insert(Trajectory), routes)
        session.execute(insert(TimeEntry), [
            {"tenant_id": tenant.id, "id": new_id(), "participant_id": t["participant_id"],
             "trajectory_id": t["id"], "work_date": day, "minutes": 90,
             "hour_type": HourType.VOLUNTEER, "status": EntryStatus.SUBMITTED, "version": 1}
            for t in routes for day in (MONDAY, TODAY)])
        session.commit()
        return [t["id"] for t in routes]


@pytest.fixture
def team(make):
    tenant = make.tenant()
    coach = make.member(tenant, Role.SUPERVISOR, name="Karin Smit")
    return tenant, coach


#: The statements of a GET (the session with member and tenant, the page's own; the lists with
#: a volunteer allowance read its rules and totals for the warnings): at most these, on SQLite
#: and on PostgreSQL (one more: the tenant's setting for row-level security)
PAGE_STATEMENTS = {"/uren/week": (5, 6), "/uren/?begeleider=": (8, 9),
                   "/uren/?status=alle": (8, 9)}


@pytest.mark.parametrize("path", ["/uren/week", "/uren/?begeleider=", "/uren/?status=alle"])
def test_lists_and_week_grid_keep_a_constant_query_count(client, session, count_queries, team,
                                                         path):
    """The same statements for 10 rows as for 1,000 (the grid shows a page of 25 of them, the
    lists a page of 50), and no more than PAGE_STATEMENTS."""
    tenant, coach = team
    with tenant_context(session, tenant.id):
        session.get(Tenant, tenant.id).volunteer_allowance_cents_per_hour = 300
        session.commit()
    login(client, coach)

    def measure():
        client.get(f"/{tenant.slug}{path}")  # warm up
        with count_queries() as n:
            response = client.get(f"/{tenant.slug}{path}")
            assert response.status_code == 200
        return n(), response.get_data(as_text=True)

    _add_team(session, tenant, coach, 10)
    few, _ = measure()
    _add_team(session, tenant, coach, 990)
    many, html = measure()
    assert many == few <= PAGE_STATEMENTS[path][ON_POSTGRES]
    if "week" in path:  # 1,000 rows: a page of 25 and a link to the next
        assert html.count('name="stand-') == week.PAGE_SIZE == 25
        assert "1000 lopende trajecten in deze week" in html and "Pagina 1 van 40" in html
        assert re.search(r'href="[^"]*/uren/week\?[^"]*page=2[^"]*" rel="next"', html)
    else:
        assert "2000 regels uren gevonden" in html and "Pagina 1 van 40" in html


def test_saving_the_week_grid_keeps_a_constant_query_count(client, session, count_queries, team):
    tenant, coach = team
    login(client, coach)
    path = f"/{tenant.slug}/uren/week?week={week_key(MONDAY)}"

    def measure(trajectory_ids):
        data = {f"u-{t}-{MONDAY.isoformat()}": "1,25" for t in trajectory_ids}
        data["csrf_token"] = csrf_token(client, path)
        with count_queries() as n:
            response = client.post(path, data=data)
            assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        return n()

    few = measure(_add_team(session, tenant, coach, 3))
    many = measure(_add_team(session, tenant, coach, 30))
    assert many == few
    with tenant_context(session, tenant.id):
        assert session.scalar(select(func.count()).select_from(TimeEntry).where(
            TimeEntry.minutes == 75)) == 33


def test_the_second_page_of_the_week_grid_saves_its_own_rows(client, session, team):
    tenant, coach = team
    login(client, coach)
    _add_team(session, tenant, coach, 30)
    path = f"/{tenant.slug}/uren/week?week={week_key(MONDAY)}&page=2"
    html = client.get(path).get_data(as_text=True)
    assert "Pagina 2 van 2" in html and "Achternaam0029" in html and "Achternaam0000" not in html
    stands = dict(re.findall(r'name="stand-(\d+)" value="(\w+)"', html))
    assert len(stands) == 5
    action = re.search(r'<form method="post" action="([^"]*/uren/week[^"]*)"', html).group(1)
    action = action.replace("&amp;", "&")
    assert "page=2" in action
    data = {f"u-{t}-{MONDAY.isoformat()}": "1,25" for t in stands}
    response = form_post(client, action, {**data, **{f"stand-{t}": v for t, v in stands.items()}},
                         token_from=path)
    assert response.status_code == 302 and "page=2" in response.headers["Location"]
    with tenant_context(session, tenant.id):
        saved = session.scalars(select(TimeEntry.trajectory_id).where(
            TimeEntry.minutes == 75)).all()
    assert sorted(saved) == sorted(int(t) for t in stands)
    # the same page again with the old snapshots: refused, nothing written twice
    again = form_post(client, action, {**data, **{f"stand-{t}": v for t, v in stands.items()}},
                      token_from=path)
    assert again.status_code == 400 and "Iemand anders heeft intussen uren" in again.get_data(
        as_text=True)


def test_the_account_page_turns_mail_about_returned_hours_off_and_on(app, client, world):
    w, s = world, world.session
    login(client, w.user)
    assert "E-mailmeldingen" in client.get("/account").get_data(as_text=True)
    response = form_post(client, "/account/meldingen", {"enabled": "0"}, token_from="/account")
    assert response.status_code == 302
    assert "geen e-mails meer" in flashes(client, "/account")
    s.expire_all()
    assert s.scalar(select(User.notify_by_email).where(User.id == w.user.id)) is False
    with tenant_context(s, w.tenant.id):
        e = entry(s, w.participant, w.trajectory, TODAY, 60)
        s.commit()
        entry_id = e.id
    coach = app.test_client()
    login(coach, w.coach)
    before = len(outbox(app))
    form_post(coach, f"/{w.tenant.slug}/uren/{entry_id}/terugsturen",
              {"reason": "Welke dag?", "version": "1"}, token_from=f"/{w.tenant.slug}/uren/")
    assert len(outbox(app)) == before
    form_post(client, "/account/meldingen", {"enabled": "1"}, token_from="/account")
    s.expire_all()
    assert s.scalar(select(User.notify_by_email).where(User.id == w.user.id)) is True


def test_hours_for_this_job_choose_the_job_only_when_it_is_the_participants(client, world):
    """"Uren schrijven voor deze klus" (?klus=<id>) chooses that job in the form; a job the
    participant is not planned on, or nonsense, chooses nothing."""
    from blueprints.helprequests import services as helprequests
    from tests.helprequests.builders import job

    w = world
    mine, other = job(w.session, w.coach_actor), job(w.session, w.coach_actor, name="Dhr. Bos")
    helprequests.plan_request(w.session, w.coach_actor, mine, TODAY, [w.participant.id])
    w.session.commit()
    login(client, w.user)
    chosen = re.compile(r'<option selected value="(\d+)">\d{4}-\d{4} ·')
    html = client.get(f"/{w.tenant.slug}/uren/mijn?klus={mine.id}").get_data(as_text=True)
    assert chosen.findall(html) == [str(mine.id)]
    for value in (str(other.id), "abc", ""):
        html = client.get(f"/{w.tenant.slug}/uren/mijn?klus={value}").get_data(as_text=True)
        assert chosen.findall(html) == [] and f'value="{other.id}"' not in html


def test_a_participants_hours_keep_a_constant_query_count_and_link_each_row(
        client, session, count_queries, team):
    """The page builds its row links once (row_url) and loads the rows without the participant:
    the same statements for 2 and 40 entries, and each row still links to its own entry."""
    tenant, coach = team
    with tenant_context(session, tenant.id):
        session.get(Tenant, tenant.id).volunteer_allowance_cents_per_hour = 300
        session.commit()
    [trajectory_id] = _add_team(session, tenant, coach, 1)
    with tenant_context(session, tenant.id):
        pid = session.scalar(select(Trajectory.participant_id)
                             .where(Trajectory.id == trajectory_id))
    login(client, coach)
    path = f"/{tenant.slug}/uren/deelnemer/{pid}?van={date(TODAY.year - 1, 1, 1).isoformat()}"

    def measure():
        client.get(path)  # warm up
        with count_queries() as n:
            response = client.get(path)
            assert response.status_code == 200
        return n(), response.get_data(as_text=True)

    few, _ = measure()
    with tenant_context(session, tenant.id):
        session.execute(insert(TimeEntry), [
            {"tenant_id": tenant.id, "id": new_id(), "participant_id": pid,
             "trajectory_id": trajectory_id, "work_date": TODAY - timedelta(days=d),
             "minutes": 60, "hour_type": HourType.TRAJECTORY,
             "status": EntryStatus.APPROVED if d % 2 else EntryStatus.SUBMITTED, "version": 1}
            for d in range(2, 40)])
        session.commit()
        ids = {status: session.scalars(select(TimeEntry.id).where(
            TimeEntry.participant_id == pid, TimeEntry.status == status)).all()
            for status in (EntryStatus.APPROVED, EntryStatus.SUBMITTED)}
    many, html = measure()
    # the session, the person, the view's audit row, trajectories, help requests, count, rows,
    # totals, the warnings' week totals, allowance rules and volunteer totals (+1 on PostgreSQL)
    assert many == few <= (11, 12)[ON_POSTGRES]
    assert "40 regels uren in deze periode" in html
    for entry_id in ids[EntryStatus.APPROVED]:
        assert f'href="/{tenant.slug}/uren/{entry_id}/corrigeren"' in html
    for entry_id in ids[EntryStatus.SUBMITTED]:
        assert f'href="/{tenant.slug}/uren/{entry_id}/bewerken"' in html
        assert f'action="/{tenant.slug}/uren/{entry_id}/intrekken"' in html
    assert "Trajectwerk" in html and "Wacht op goedkeuring" in html and "Goedgekeurd" in html
