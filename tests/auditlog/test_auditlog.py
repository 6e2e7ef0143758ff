"""The audit log for people: sentences with names and euros (English too), a generic sentence
for anything else, filters by person, kind and period, the CSV is the filtered list, repeated
views collapse on the page while every view stays recorded, and the page's statements do not
grow with its rows; on both databases."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, update

from blueprints.auditlog import services
from blueprints.auditlog.sentences import Names, sentence
from blueprints.budgets.models import Course, CourseEnrolment
from tenants import audit
from tenants.actor import Actor
from tenants.models import AuditEvent, Role, Tenant
from tenants.tenancy import tenant_context
from tests.hours.builders import add_person
from tests.helpers import login

START = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


@dataclass
class Log:
    session: object
    tenant: Tenant
    anna: object
    bram: object
    anna_actor: Actor
    bram_actor: Actor
    jan: object
    trajectory: object
    enrolment: CourseEnrolment


@pytest.fixture
def log(make, session):
    tenant = make.tenant()
    anna = make.member(tenant, Role.ADMIN, name="Anna de Vries")
    bram = make.member(tenant, Role.ADMIN, name="Bram Jansen")
    anna_actor = Actor(user_id=anna.id, email=anna.email, ip="192.0.2.1")
    bram_actor = Actor(user_id=bram.id, email=bram.email, ip="192.0.2.2")
    with tenant_context(session, tenant.id):
        jan, trajectory = add_person(session, anna_actor, "Jan", "Amrani")
        course = Course(provider="ROC", title="Heftruck", cost_cents=45000)
        session.add(course)
        session.flush()
        enrolment = CourseEnrolment(participant_id=jan.id, course_id=course.id,
                                    cost_cents=45000)
        session.add(enrolment)
        session.flush()
        # only the events of the test itself
        session.commit()
        yield Log(session, session.get(Tenant, tenant.id), anna, bram, anna_actor, bram_actor,
                  jan, trajectory, enrolment)
    session.rollback()


def _record(log, actor, action, obj=None, at=None, **details):
    event = audit.record(log.session, actor, action, obj, **details)
    event.at = at or START
    log.session.flush()
    return event


def _only_mine(log):
    """Clear the events the fixture's builders wrote (participant and trajectory created)."""
    return log.session.scalar(select(func.max(AuditEvent.id)))


def _page(log, f=services.AuditFilter(), after=None):
    lines = services.audit_page(log.session, f, per_page=200).lines
    return [line for line in lines if after is None or line.event.id > after]


def test_sentences_name_people_and_amounts(log):
    after = _only_mine(log)
    _record(log, log.anna_actor, "course.approved", log.enrolment,
            participant_id=log.jan.id, cost_cents=45000, from_pool=False, transaction_id=1)
    _record(log, log.anna_actor, "trajectory.extended", log.trajectory, old=None,
            new="2027-03-31")
    _record(log, log.bram_actor, "something.new", None, object_type="Thing", object_id="7")
    _record(log, Actor.system("job"), "course.approved", None, object_type="CourseEnrolment",
            object_id="424242", participant_id="99", cost_cents=100)
    texts = [line.text for line in _page(log, after=after)]
    assert texts == [
        "job: course.approved",  # an erased or unknown object: the generic sentence
        "Bram Jansen: something.new",
        "Anna de Vries verlengde het traject van Jan Amrani tot 31-03-2027",
        "Anna de Vries keurde de cursus ‘Heftruck’ goed voor Jan Amrani (€\xa0450,00)",
    ]


def test_sentences_in_english(app, log):
    event = _record(log, log.anna_actor, "course.approved", log.enrolment,
                    participant_id=log.jan.id, cost_cents=45000)
    with app.test_request_context(), force_locale("en"):
        text = sentence(event, Names.load(log.session, [event]))
    assert text == "Anna de Vries approved the course ‘Heftruck’ for Jan Amrani (€450.00)"


def test_filters_by_person_kind_and_period(log):
    after = _only_mine(log)
    _record(log, log.anna_actor, "course.approved", log.enrolment, participant_id=log.jan.id,
            cost_cents=45000, at=START - timedelta(days=3))
    _record(log, log.bram_actor, "participant.updated", log.jan, fields=["phone"])
    _record(log, log.bram_actor, "course.declined", log.enrolment, participant_id=log.jan.id)

    def actions(f):
        return [line.event.action for line in _page(log, f, after)]

    assert actions(services.AuditFilter(actor_id=log.bram.id)) == ["course.declined",
                                                                    "participant.updated"]
    assert actions(services.AuditFilter(family="course")) == ["course.declined",
                                                              "course.approved"]
    day = (START - timedelta(days=3)).date()
    assert actions(services.AuditFilter(start=day, end=day)) == ["course.approved"]
    assert actions(services.AuditFilter(actor_id=log.anna.id, family="participant")) == []


def test_repeated_views_collapse_on_the_page_and_stay_recorded(log):
    after = _only_mine(log)
    _record(log, log.anna_actor, "participant.viewed", log.jan, part="file",
            at=START - timedelta(minutes=30))  # long before: a line of its own
    for minutes in (9, 5, 0):
        _record(log, log.anna_actor, "participant.viewed", log.jan, part="file",
                at=START - timedelta(minutes=minutes))
    _record(log, log.bram_actor, "participant.viewed", log.jan, part="file")  # someone else
    lines = _page(log, after=after)
    assert [(line.actor, line.count) for line in lines] == [
        ("Bram Jansen", 1), ("Anna de Vries", 3), ("Anna de Vries", 1)]
    assert lines[1].text == "Anna de Vries bekeek het dossier van Jan Amrani"
    assert log.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.id > after, AuditEvent.action == "participant.viewed")) == 5


def _csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_the_page_and_its_csv_show_the_same_filtered_list(app, client, log):
    _record(log, log.anna_actor, "course.approved", log.enrolment, participant_id=log.jan.id,
            cost_cents=45000)
    for minutes in (2, 1, 0):
        _record(log, log.bram_actor, "participant.viewed", log.jan, part="file",
                at=START + timedelta(minutes=minutes))
    _record(log, log.anna_actor, "participant.updated", log.jan, fields=["phone"])
    log.session.commit()
    login(client, log.anna)
    base = f"/{log.tenant.slug}/team/auditlog"
    query = "?soort=participant&van=2026-11-20&tot=2026-11-20"
    page = client.get(base + query).get_data(as_text=True)
    response = client.get(base + "/export.csv" + query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _csv_rows(response.data)
    assert [(r["Wat"], r["Aantal"]) for r in rows] == [
        ("Anna de Vries wijzigde de gegevens van Jan Amrani", "1"),
        ("Bram Jansen bekeek het dossier van Jan Amrani", "3")]
    for r in rows:
        assert r["Wat"] in page
    assert "3 keer" in page and "Heftruck" not in page
    # the export is itself in the log
    with tenant_context(log.session, log.tenant.id):
        assert log.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "auditlog.exported")) == 1


def test_bad_filters_answer_in_dutch(client, log):
    login(client, log.anna)
    base = f"/{log.tenant.slug}/team/auditlog"
    response = client.get(base + "?van=2026-12-01&tot=2026-11-01&wie=x&soort=%00&voor=-1")
    assert response.status_code == 200
    assert "De begindatum ligt na de einddatum." in response.get_data(as_text=True)
    assert client.get(base + "/export.csv?van=nonsense").status_code == 200


def test_the_page_keeps_its_statement_count(app, client, log, count_queries):
    path = f"/{log.tenant.slug}/team/auditlog"

    def add(n):
        for i in range(n):
            person, trajectory = add_person(log.session, log.anna_actor, "Piet", f"Nr{i}")
            _record(log, log.anna_actor, "course.proposed", log.enrolment,
                    participant_id=person.id, course_id=log.enrolment.course_id,
                    cost_cents=100 * i)
            _record(log, log.bram_actor, "trajectory.extended", trajectory, new="2027-01-01")
        log.session.commit()

    def measure():
        client.get(path)
        with count_queries() as n:
            assert client.get(path).status_code == 200
        return n()

    # 55 participants: more than the default plan holds (tenants/plans.py)
    log.session.execute(update(Tenant).where(Tenant.id == log.tenant.id).values(plan="groot"))
    log.session.commit()
    login(client, log.anna)
    add(5)  # with what the builders wrote: a page of 10 and more events
    few = measure()
    # the login's statements, the page of events, the names of every kind of object it names
    # (one statement), the people to filter by; PostgreSQL also sets the tenant for RLS
    assert few == 4 + (log.session.bind.dialect.name == "postgresql")
    add(50)
    assert measure() == few


def test_other_roles_and_tenants(client, make, log):
    supervisor = make.member(log.tenant, Role.SUPERVISOR)
    login(client, supervisor)
    assert client.get(f"/{log.tenant.slug}/team/auditlog").status_code == 403
    assert client.get(f"/{log.tenant.slug}/team/auditlog/export.csv").status_code == 403
