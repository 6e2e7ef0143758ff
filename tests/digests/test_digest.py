"""The daily digest: each kind reaches the right role and nobody else, an item is mentioned
once across days, a kind switched off stays out, nothing to say sends nothing, one cooperative's
digest never names another's items; the job, the settings page and the reminders in one go.
On both databases."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from blueprints.digests import services
from blueprints.digests.jobs import daily_digests, send_daily_digests
from blueprints.digests.models import DigestSentItem
from blueprints.hours.models import EntryStatus
from blueprints.invoicing.models import Reminder
from blueprints.participants.models import Participant
from blueprints.trajectories.models import Evaluation, Trajectory
from tenants.models import Role
from tenants.tenancy import tenant_context
from tests.digests.builders import DAY, NOW, build, world  # noqa: F401  (fixture)
from tests.helpers import login, post
from tests.hours.builders import entry


def _outbox(app):
    return list(getattr(app.extensions["mailman"], "outbox", None) or [])


def _send(app, w, day=DAY, now=NOW) -> dict[str, str]:
    """Run the tenant's digests; the mails of this world's members, by address."""
    before = len(_outbox(app))
    with app.app_context(), tenant_context(w.session, w.tenant.id):
        services.send_digests(w.session, w.tenant, day, now)
        w.session.commit()
    members = {u.email for u in (w.admin, w.supervisor, w.idle, w.participant_user)}
    mails = [m for m in _outbox(app)[before:] if m.to[0] in members]
    by_address = {m.to[0]: m.body for m in mails}
    assert len(by_address) == len(mails), "one mail per person per day"
    return by_address


def _trajectory_of_jan(w):
    person = w.session.scalar(select(Participant).where(Participant.last_name == w.names["jan"]))
    return w.session.scalar(select(Trajectory).where(Trajectory.participant_id == person.id))


def _switch(app, w, user, role, kinds):
    with app.app_context(), tenant_context(w.session, w.tenant.id):
        services.save_choices(w.session, w.actor, user.id, role, set(kinds))
        w.session.commit()


def test_each_kind_reaches_its_role_and_nobody_else(app, world):
    w = world
    mails = _send(app, w)
    supervisor = mails[w.supervisor.email]
    jan = f"Jan {w.names['jan']}"
    assert f"Evaluatie van {jan}" in supervisor
    assert f"De VOG van {jan} verloopt op 10-12-2026." in supervisor
    assert f"{jan}: 2:30 uur op 14-11-2026, ingediend op 16-11-2026." in supervisor
    assert f"Het traject van {jan} eindigt op 06-12-2026." in supervisor
    for admin_only in (w.names["invoice"], w.names["course"], "Concept voor"):
        assert admin_only not in supervisor
    assert "Morgen" not in supervisor and "deze week nog geen uren" not in supervisor

    admin = mails[w.admin.email]
    assert f"{w.names['invoice']} van {w.names['customer']}: €\xa0121,00 open, 26 dagen te laat." \
        in admin
    assert "/dagelijkse-mail/herinneringen" in admin  # the reminders in one go
    assert f"Concept voor {w.names['customer']}, gemaakt op 06-11-2026." in admin
    assert f"{jan}: cursus ‘{w.names['course']}’ (€\xa0450,00)" in admin
    # the admin follows nobody: no supervisor items
    assert "Evaluatie van" not in admin and "VOG" not in admin

    # nothing to say (Els follows nobody) and participants by default: no mail
    assert w.idle.email not in mails
    assert w.participant_user.email not in mails


def test_a_participant_who_opts_in_hears_of_the_week_and_tomorrow(app, world):
    w = world
    _switch(app, w, w.participant_user, Role.PARTICIPANT, {"geen-uren", "klus-morgen"})
    mails = _send(app, w)
    body = mails[w.participant_user.email]
    assert "U heeft deze week nog geen uren geschreven." in body
    assert "Morgen om 10:00: Tuin Lelystad (2026-A001)." in body
    assert "Evaluatie" not in body and w.names["invoice"] not in body
    # hours logged this week: that line goes (and the job was told already)
    with tenant_context(w.session, w.tenant.id):
        trajectory = _trajectory_of_jan(w)
        person = w.session.get(Participant, (w.tenant.id, trajectory.participant_id))
        entry(w.session, person, trajectory, DAY, 60, status=EntryStatus.SUBMITTED)
        w.session.commit()
    assert w.participant_user.email not in _send(app, w, DAY + timedelta(days=1))


def test_no_hours_is_not_said_early_in_the_week(app, world):
    w = world
    _switch(app, w, w.participant_user, Role.PARTICIPANT, {"geen-uren"})
    tuesday = DAY - timedelta(days=2)
    assert w.participant_user.email not in _send(app, w, tuesday, NOW - timedelta(days=2))


def test_the_same_item_is_never_mentioned_twice(app, world):
    w = world
    first = _send(app, w)
    assert w.supervisor.email in first and w.admin.email in first
    second = _send(app, w, DAY + timedelta(days=1), NOW + timedelta(days=1))
    for address, body in second.items():
        for line in first.get(address, "").splitlines():
            if line.startswith("- "):
                assert line not in body, line
    # something new the next day is told, and only that
    with tenant_context(w.session, w.tenant.id):
        trajectory = _trajectory_of_jan(w)
        person = w.session.get(Participant, (w.tenant.id, trajectory.participant_id))
        entry(w.session, person, trajectory, DAY - timedelta(days=9), 45,
              status=EntryStatus.SUBMITTED, submitted_at=NOW - timedelta(days=8))
        w.session.commit()
    third = _send(app, w, DAY + timedelta(days=2), NOW + timedelta(days=2))
    body = third[w.supervisor.email]
    assert "0:45 uur op 17-11-2026" in body and "2:30 uur" not in body
    with tenant_context(w.session, w.tenant.id):
        assert w.session.scalar(select(func.count(DigestSentItem.id)).where(
            DigestSentItem.user_id == w.supervisor.id, DigestSentItem.kind == "uren")) == 2


def test_a_kind_switched_off_stays_out(app, world):
    w = world
    _switch(app, w, w.supervisor, Role.SUPERVISOR, {"evaluaties", "uren", "trajecten"})
    body = _send(app, w)[w.supervisor.email]
    assert "VOG" not in body and "Evaluatie van" in body
    _switch(app, w, w.supervisor, Role.SUPERVISOR, set())
    _switch(app, w, w.admin, Role.ADMIN, set())
    mails = _send(app, w, DAY + timedelta(days=1), NOW + timedelta(days=1))
    assert mails == {}


def test_one_cooperatives_digest_never_names_anothers_items(app, make, session):
    a = build(make, session, "A")
    b = build(make, session, "B", supervisor=a.supervisor)  # Piet works for both
    mails = _send(app, a)
    assert mails
    for body in mails.values():
        for name in b.names.values():
            assert name not in body
    mine = _send(app, b)[a.supervisor.email]
    assert b.names["jan"] in mine and a.names["jan"] not in mine
    session.rollback()


def test_the_daily_job_sends_each_tenant_its_digests(app, world):
    w = world
    before = len(_outbox(app))
    with app.app_context():
        assert send_daily_digests(w.tenant.id, DAY.isoformat()).get() >= 2
        assert send_daily_digests(w.tenant.id, DAY.isoformat()).get() == 0  # told already
    addresses = [m.to[0] for m in _outbox(app)[before:]]
    assert addresses.count(w.supervisor.email) == 1 and addresses.count(w.admin.email) == 1
    with app.app_context():
        assert daily_digests.call_local() >= 1


def test_the_settings_page_saves_a_members_choice(app, client, world):
    w = world
    login(client, w.supervisor)
    path = f"/{w.tenant.slug}/dagelijkse-mail/"
    page = client.get(path).get_data(as_text=True)
    assert "VOG&#39;s die verlopen" in page or "VOG's die verlopen" in page
    assert "Achterstallige facturen" not in page and "Een klus morgen" not in page
    response = post(client, path, {"kinds": ["uren", "nonsense"]}, token_from=path)
    assert response.status_code in (200, 302)
    response = post(client, path, {"kinds": ["uren"]}, token_from=path)
    assert response.status_code == 302
    with tenant_context(w.session, w.tenant.id):
        assert services.choices(w.session, w.supervisor.id, Role.SUPERVISOR) == {
            "evaluaties": False, "vog": False, "uren": True, "trajecten": False}
    assert client.post(path, data={"kinds": ["uren"]}).status_code == 400  # no CSRF token


def test_a_participant_chooses_only_their_own_kinds(app, client, world):
    w = world
    login(client, w.participant_user)
    path = f"/{w.tenant.slug}/dagelijkse-mail/"
    page = client.get(path).get_data(as_text=True)
    assert "Een klus morgen" in page and "VOG" not in page
    assert 'checked' not in page  # off until they switch it on
    assert client.get(f"/{w.tenant.slug}/dagelijkse-mail/herinneringen").status_code == 403


def test_reminders_for_every_overdue_invoice_in_one_go(app, client, world):
    w = world
    login(client, w.admin)
    path = f"/{w.tenant.slug}/dagelijkse-mail/herinneringen"
    overdue = client.get(f"/{w.tenant.slug}/facturen/achterstallig").get_data(as_text=True)
    assert f'href="{path}"' in overdue  # the one click starts on the overdue list too
    page = client.get(path).get_data(as_text=True)
    assert w.names["invoice"] in page and "€\xa0121,00" in page
    before = len(_outbox(app))
    response = post(client, path, {}, token_from=path)
    assert response.status_code == 302
    sent = [m for m in _outbox(app)[before:] if m.to[0] == "peters@example.org"
            and w.names["invoice"] in m.subject]
    assert len(sent) == 1
    with tenant_context(w.session, w.tenant.id):
        assert w.session.scalar(select(func.count(Reminder.id))) == 1


def test_the_account_page_leads_to_each_cooperatives_choice(client, make, world):
    w = world
    other = make.tenant(name="Coöperatie Elders")
    make.member(other, Role.SUPERVISOR, user=w.supervisor)
    login(client, w.supervisor)
    page = client.get("/account").get_data(as_text=True)
    for tenant in (w.tenant, other):
        assert f'href="/{tenant.slug}/dagelijkse-mail/"' in page
        assert f"Dagelijkse e-mail van {tenant.name}" in page


def test_what_does_not_fit_in_one_mail_comes_the_next_day(app, world, monkeypatch):
    w = world
    monkeypatch.setattr(services, "MAX_PER_KIND", 1)
    _switch(app, w, w.supervisor, Role.SUPERVISOR, {"uren"})
    with tenant_context(w.session, w.tenant.id):
        trajectory = _trajectory_of_jan(w)
        person = w.session.get(Participant, (w.tenant.id, trajectory.participant_id))
        entry(w.session, person, trajectory, DAY - timedelta(days=11), 45,
              status=EntryStatus.SUBMITTED, submitted_at=NOW - timedelta(days=9))
        w.session.commit()
    first = _send(app, w)[w.supervisor.email]
    second = _send(app, w, DAY + timedelta(days=1), NOW + timedelta(days=1))[w.supervisor.email]
    assert "2:30 uur" in first and "0:45 uur" not in first
    assert "0:45 uur" in second and "2:30 uur" not in second
    assert w.supervisor.email not in _send(app, w, DAY + timedelta(days=2),
                                           NOW + timedelta(days=2))


def test_a_trajectory_past_its_end_and_an_evaluation_that_turns_late(app, world):
    """A state that is news of its own is told once more: planned, then late; ending, then
    past its end."""
    w = world
    _switch(app, w, w.supervisor, Role.SUPERVISOR, {"evaluaties", "trajecten"})
    with tenant_context(w.session, w.tenant.id):
        trajectory = _trajectory_of_jan(w)
        for evaluation in w.session.scalars(select(Evaluation).where(
                Evaluation.trajectory_id == trajectory.id)):
            evaluation.planned_on = DAY + timedelta(days=3)
        w.session.commit()
    first = _send(app, w)[w.supervisor.email]
    assert "staat gepland op 29-11-2026." in first and "eindigt op 06-12-2026" in first
    later = DAY + timedelta(days=12)
    second = _send(app, w, later, NOW + timedelta(days=12))[w.supervisor.email]
    assert "was gepland op 29-11-2026 en is nog niet gehouden." in second
    assert "had moeten eindigen op 06-12-2026 en loopt nog" in second
    assert "staat gepland" not in second and "eindigt op" not in second
    assert w.supervisor.email not in _send(app, w, later + timedelta(days=1),
                                           NOW + timedelta(days=13))
