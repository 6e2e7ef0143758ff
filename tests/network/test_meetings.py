"""Meetings: registration, the first-come waiting list, offers that lapse and pass on once,
raising capacity, cancellation by link, the calendar file, exports and check-in."""
from __future__ import annotations

import re
from datetime import timedelta

from blueprints.network import services
from icalendar import Calendar

from blueprints.network.ics import event_file
from blueprints.network.models import Meeting, Registration
from tenants.db import utcnow
from tenants.errors import DomainError
from tenants.extensions import db
from tenants.models import NetworkRole
from tests.helpers import csrf_token, login, post
from tests.network.builders import (
    admin_of,
    mails_to,
    meeting,
    network_member,
    person,
    register,
    states,
)


def _registration(app, registration_id):
    with app.app_context():
        r = db.session.get(Registration, registration_id)
        db.session.expunge(r)
        return r


def parse_ics(body: bytes | str) -> dict[str, str]:
    """A strict reading of the calendar file: CRLF lines, unfolded, one VEVENT."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    lines = text.replace("\r\n ", "").split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    fields = {}
    for line in lines:
        key, _, value = line.partition(":")
        fields[key] = value
    for key in ("VERSION", "PRODID", "UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
        assert key in fields, key
    return fields


def test_the_first_come_get_a_place_the_rest_wait_in_arrival_order(app, make):
    user = network_member(app, make)
    m = meeting(app, capacity=2)
    register(app, user, m, person(1), person(2), person(3))
    register(app, user, m, person(4))
    assert states(app, m) == [("Deelnemer 1", "confirmed"), ("Deelnemer 2", "confirmed"),
                              ("Deelnemer 3", "waiting"), ("Deelnemer 4", "waiting")]


def test_nobody_jumps_the_queue_while_an_offer_is_open(app, make):
    user = network_member(app, make)
    m = meeting(app, capacity=1)
    first, second = register(app, user, m, person(1), person(2))
    with app.app_context():
        services.cancel(db.session, first)
        db.session.commit()
    register(app, user, m, person(3))  # a place is offered to 2: 3 waits behind
    assert states(app, m)[1:] == [("Deelnemer 2", "offered"), ("Deelnemer 3", "waiting")]


def test_a_cancelled_place_is_offered_to_the_next_with_a_calendar_file(app, make):
    user = network_member(app, make)
    m = meeting(app, capacity=1)
    p1, p2 = person(1), person(2)
    first, _second = register(app, user, m, p1, p2)
    confirmation = mails_to(app, p1.email)[-1]
    assert confirmation.subject.startswith("Aanmelding bevestigd")
    name, content, mimetype = confirmation.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    fields = parse_ics(content)
    assert fields["LOCATION"] == "De Flint\\, Amersfoort"
    assert re.fullmatch(r"\d{8}T\d{6}Z", fields["DTSTART"])
    assert "wachtlijst" in mails_to(app, p2.email)[-1].subject.lower()
    with app.app_context():
        services.cancel(db.session, first)
        db.session.commit()
    offer = mails_to(app, p2.email)[-1]
    assert offer.subject.startswith("Er is een plaats vrij")
    parse_ics(offer.attachments[0][1])
    assert "/netwerk/aanmelding/" in offer.body and "/aannemen" in offer.body
    assert states(app, m)[1] == ("Deelnemer 2", "offered")


def test_a_lapsed_offer_passes_on_exactly_once(app, make):
    user = network_member(app, make)
    m = meeting(app, capacity=1, offer_hours=48)
    first, *_rest = register(app, user, m, person(1), person(2), person(3), person(4))
    with app.app_context():
        services.cancel(db.session, first)
        db.session.commit()
    assert [s for _n, s in states(app, m)] == ["cancelled", "offered", "waiting", "waiting"]
    # (the count lapse_offers returns covers every meeting: the suite shares one database)
    with app.app_context():  # not yet: 47 hours later nothing moves
        services.lapse_offers(db.session, now=utcnow() + timedelta(hours=47))
        db.session.commit()
    assert [s for _n, s in states(app, m)] == ["cancelled", "offered", "waiting", "waiting"]
    later = utcnow() + timedelta(hours=49)
    with app.app_context():
        services.lapse_offers(db.session, now=later)
        db.session.commit()
    assert [s for _n, s in states(app, m)] == ["cancelled", "lapsed", "offered", "waiting"]
    with app.app_context():
        services.lapse_offers(db.session, now=later)  # the same moment again: nothing moves
        db.session.commit()
    assert [s for _n, s in states(app, m)] == ["cancelled", "lapsed", "offered", "waiting"]


def test_the_lapse_job_runs_the_same_rule(app, make):
    from blueprints.network.jobs import lapse_offers

    user = network_member(app, make)
    m = meeting(app, capacity=1, offer_hours=1)
    first, second, _third = register(app, user, m, person(1), person(2), person(3))
    with app.app_context():
        services.cancel(db.session, first)
        db.session.get(Registration, second).offer_expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    with app.app_context():
        lapse_offers()
    assert [s for _n, s in states(app, m)] == ["cancelled", "lapsed", "offered"]


def test_an_offer_taken_in_time_confirms_and_a_late_one_is_refused(app, make, client):
    user = network_member(app, make)
    m = meeting(app, capacity=1)
    first, second, third = register(app, user, m, person(1), person(2), person(3))
    with app.app_context():
        services.cancel(db.session, first)
        db.session.commit()
    login(client, user)
    response = post(client, f"/netwerk/aanmelding/{second}/aannemen", token_from="/netwerk/")
    assert response.status_code == 302
    assert states(app, m)[1] == ("Deelnemer 2", "confirmed")
    with app.app_context():
        services.set_capacity(db.session, admin_of(app), m, 2)
        db.session.get(Registration, third).offer_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = post(client, f"/netwerk/aanmelding/{third}/aannemen", token_from="/netwerk/",
                    follow_redirects=True)
    assert "Dit aanbod is verlopen" in response.get_data(as_text=True)
    assert states(app, m)[2] == ("Deelnemer 3", "offered")  # until the job lapses it


def test_raising_capacity_offers_the_new_places_at_once(app, make, client):
    admin = network_member(app, make, NetworkRole.ADMIN, name="Henk Postma")
    user = network_member(app, make)
    m = meeting(app, capacity=1)
    register(app, user, m, person(1), person(2), person(3), person(4))
    login(client, admin)
    page = client.get(f"/netwerk/bijeenkomsten/{m}/deelnemers").get_data(as_text=True)
    assert "1/1 + 3 wachtend" in page
    token = csrf_token(client, f"/netwerk/bijeenkomsten/{m}/deelnemers")
    client.post(f"/netwerk/bijeenkomsten/{m}/plaatsen", data={"csrf_token": token,
                                                              "capacity": "3"})
    assert [s for _n, s in states(app, m)] == ["confirmed", "offered", "offered", "waiting"]
    page = client.get(f"/netwerk/bijeenkomsten/{m}/deelnemers").get_data(as_text=True)
    assert "3/3 + 1 wachtend" in page
    response = client.post(f"/netwerk/bijeenkomsten/{m}/plaatsen",
                           data={"csrf_token": token, "capacity": "2"}, follow_redirects=True)
    assert "Er zijn al 3 plaatsen vergeven" in response.get_data(as_text=True)


def test_the_organiser_reorders_the_waiting_list(app, make, client):
    admin = network_member(app, make, NetworkRole.ADMIN, name="Henk Postma")
    user = network_member(app, make)
    m = meeting(app, capacity=1)
    _first, _second, third = register(app, user, m, person(1), person(2), person(3))
    login(client, admin)
    token = csrf_token(client, f"/netwerk/bijeenkomsten/{m}/deelnemers")
    assert client.post(f"/netwerk/aanmelding/{third}/omhoog",
                       data={"csrf_token": token}).status_code == 302
    assert [n for n, _s in states(app, m)] == ["Deelnemer 1", "Deelnemer 3", "Deelnemer 2"]


def test_cancellation_by_link_needs_no_login_and_frees_the_place(app, make, client):
    user = network_member(app, make)
    m = meeting(app, capacity=1)
    p1, p2 = person(1), person(2)
    register(app, user, m, p1, p2)
    link = re.search(r"https?://\S+/afmelden", mails_to(app, p1.email)[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200 and "Afmelden" in page.get_data(as_text=True)
    token = csrf_token(client, "/" + path)
    page = client.post("/" + path, data={"csrf_token": token}, follow_redirects=True)
    assert "U bent afgemeld" in page.get_data(as_text=True)
    assert [s for _n, s in states(app, m)] == ["cancelled", "offered"]
    again = client.post("/" + path, data={"csrf_token": token}, follow_redirects=True)
    assert again.status_code == 200 and [s for _n, s in states(app, m)] == ["cancelled",
                                                                            "offered"]
    assert client.get("/netwerk/aanmelding/bogus.token/afmelden").status_code == 404
    assert client.get("/" + path[:-12] + "x" + path[-11:]).status_code == 404


def test_registering_on_the_page_prefills_the_member_and_adds_colleagues(app, make, client):
    user = network_member(app, make, name="Anouk Verbeek")
    m = meeting(app, capacity=2)
    login(client, user)
    page = client.get(f"/netwerk/bijeenkomsten/{m}/aanmelden").get_data(as_text=True)
    assert 'value="Anouk Verbeek"' in page
    token = csrf_token(client, f"/netwerk/bijeenkomsten/{m}/aanmelden")
    response = client.post(f"/netwerk/bijeenkomsten/{m}/aanmelden", data={
        "csrf_token": token, "name": "Anouk Verbeek", "email": user.email,
        "dietary": "vegetarisch", "accessibility": "rolstoelplek",
        "colleague_1_name": "Sem de Boer", "colleague_1_email": "sem@example.org",
        "colleague_2_name": "Lotte Jansen", "colleague_2_email": "lotte@example.org",
    }, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "De bijeenkomst is vol: 1 op de wachtlijst" in text
    assert states(app, m) == [("Anouk Verbeek", "confirmed"), ("Sem de Boer", "confirmed"),
                              ("Lotte Jansen", "waiting")]
    with app.app_context():
        mine = db.session.scalar(db.select(Registration).where(
            Registration.meeting_id == m, Registration.email == user.email))
        assert (mine.dietary, mine.accessibility) == ("vegetarisch", "rolstoelplek")
    again = client.post(f"/netwerk/bijeenkomsten/{m}/aanmelden", data={
        "csrf_token": token, "name": "Anouk Verbeek", "email": user.email},
        follow_redirects=True)
    assert "is al aangemeld" in again.get_data(as_text=True)
    bad = client.post(f"/netwerk/bijeenkomsten/{m}/aanmelden", data={
        "csrf_token": token, "name": "X", "email": "x@example.org",
        "colleague_1_name": "Zonder Adres"}, follow_redirects=True)
    assert bad.status_code == 200 and "geen geldig e-mailadres" in bad.get_data(as_text=True)


def test_registration_closes_after_the_deadline(app, make):
    user = network_member(app, make)
    m = meeting(app, capacity=5, deadline_days=1)
    from datetime import date

    with app.app_context():
        member = services.membership_of(db.session, user.id)
        try:
            services.register(db.session, member, member, m, [person(1)],
                              today=date.today() + timedelta(days=2))
        except DomainError as exc:
            assert "gesloten" in str(exc.message)
        else:
            raise AssertionError("registered after the deadline")
        db.session.rollback()


def test_reminders_carry_the_calendar_file_and_leave_once(app, make):
    user = network_member(app, make)
    m = meeting(app, capacity=5)
    p1 = person(1)
    register(app, user, m, p1)
    from datetime import date

    with app.app_context():
        day = db.session.get(Meeting, m).day
        assert services.send_reminders(db.session, today=day - timedelta(days=1)) >= 1
        db.session.commit()
        assert services.send_reminders(db.session, today=day - timedelta(days=1)) == 0
        db.session.commit()
    reminders = [x for x in mails_to(app, p1.email) if x.subject.startswith("Herinnering")]
    assert len(reminders) == 1
    parse_ics(reminders[0].attachments[0][1])
    assert date.today() < day


def test_attendee_export_badges_and_check_in(app, make, client):
    admin = network_member(app, make, NetworkRole.ADMIN, name="Henk Postma")
    user = network_member(app, make)
    m = meeting(app, capacity=2)
    first, _second, _third = register(
        app, user, m, services.Person("Şükrü Yılmaz", "sukru@example.org", "ONS", "halal"),
        person(2), services.Person("=cmd|' /C calc'!A0", "formula@example.org"))
    login(client, admin)
    csv = client.get(f"/netwerk/bijeenkomsten/{m}/deelnemers.csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["Content-Disposition"]
    body = csv.get_data().decode("utf-8-sig")
    assert "Şükrü Yılmaz" in body and "halal" in body and "Wachtlijst" in body
    assert "\n=cmd" not in body and ";=cmd" not in body  # formula-safe
    xlsx = client.get(f"/netwerk/bijeenkomsten/{m}/deelnemers.xlsx")
    assert xlsx.status_code == 200 and xlsx.get_data()[:2] == b"PK"
    badges = client.get(f"/netwerk/bijeenkomsten/{m}/naambadges.pdf")
    assert badges.status_code == 200 and badges.get_data()[:5] == b"%PDF-"
    page = client.get(f"/netwerk/bijeenkomsten/{m}/aanwezig").get_data(as_text=True)
    assert "0 van 2 aanwezig" in page
    token = csrf_token(client, f"/netwerk/bijeenkomsten/{m}/aanwezig")
    client.post(f"/netwerk/aanmelding/{first}/aanwezig", data={"csrf_token": token,
                                                               "aanwezig": "1"})
    page = client.get(f"/netwerk/bijeenkomsten/{m}/aanwezig").get_data(as_text=True)
    assert "1 van 2 aanwezig" in page
    assert _registration(app, first).checked_in_at is not None


def test_the_calendar_file_folds_long_lines_without_splitting_characters():
    title = "Werk in de wijk — één dag, vol vragen; over ‘ontheffing’ " * 4
    body = event_file(uid="x@wijkwerk", title=title, day=utcnow().date(),
                      starts_at=utcnow().time().replace(microsecond=0),
                      ends_at=utcnow().time().replace(microsecond=0, second=0),
                      place="Amersfoort", description="regel 1\nregel 2", url=None,
                      now=utcnow())
    fields = parse_ics(body)  # CRLF, every line at most 75 octets, one VEVENT
    assert fields["DESCRIPTION"] == "regel 1\\nregel 2"
    assert "\\;" in fields["SUMMARY"] and "\\," in fields["SUMMARY"]
    body.decode("utf-8")  # no character split across a fold
    [event] = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == title and str(event["DESCRIPTION"]) == "regel 1\nregel 2"