"""The scheduled report: the admin's page (monthly or quarterly, checked addresses), the job
that mails the last complete period's PDF once per period, and nothing for a tenant without a
schedule; on both databases."""
from __future__ import annotations

from datetime import date, datetime

import re

import pytest
from sqlalchemy import select

from blueprints.reports import report_templates, schedule, services
from blueprints.reports.jobs import scheduled_reports, send_scheduled_report
from blueprints.reports.models import ReportSchedule
from blueprints.reports.periods import Period
from tenants import jobs
from tenants.errors import DomainError
from tenants.models import AuditEvent, Role
from tenants.tenancy import tenant_context
from tests.helpers import login, post
from tests.pdftext import pdf_text
from tests.reports.test_figures import places_data
from tests.reports.test_report import Q1, Q2, hand_data


def _outbox(app):
    return getattr(app.extensions["mailman"], "outbox", None) or []


def _run(app, job, *args):
    """Run a job in this test's app: in immediate mode a job takes the caller's app, and the
    suite creates other apps (with other databases) that the queue could otherwise pick."""
    with app.app_context():
        return job(*args).get() if args else job.call_local()


def _plan(coop, frequency="kwartaal", recipients="bestuur@devaart.example.org\n"
                                                  "Wethouder@Breda.example.nl"):
    schedule.save_schedule(coop.session, coop.actor, schedule.ScheduleData(frequency,
                                                                           recipients))
    coop.session.commit()


def test_the_last_complete_period():
    assert schedule.last_complete("maand", date(2026, 7, 1)) == \
        Period("maand", date(2026, 6, 1), date(2026, 6, 30))
    assert schedule.last_complete("maand", date(2026, 7, 31)) == \
        Period("maand", date(2026, 6, 1), date(2026, 6, 30))
    assert schedule.last_complete("maand", date(2026, 1, 1)) == \
        Period("maand", date(2025, 12, 1), date(2025, 12, 31))
    assert schedule.last_complete("kwartaal", date(2026, 7, 1)) == \
        Period("kwartaal", date(2026, 4, 1), date(2026, 6, 30))
    assert schedule.last_complete("kwartaal", date(2026, 9, 30)) == \
        Period("kwartaal", date(2026, 4, 1), date(2026, 6, 30))
    assert schedule.last_complete("kwartaal", date(2026, 1, 15)) == \
        Period("kwartaal", date(2025, 10, 1), date(2025, 12, 31))


def test_recipients_are_checked():
    assert schedule.clean_recipients("a@example.org; B@example.org,a@example.org") == \
        ["a@example.org", "b@example.org"]
    for bad in ("", "  \n", "geen-adres", "a@example.org\nb@", "\n".join(
            f"p{i}@example.org" for i in range(11))):
        with pytest.raises(DomainError):
            schedule.clean_recipients(bad)


def test_the_job_mails_the_pdf_once_per_period(app, coop, make):
    hand_data(coop)
    _plan(coop)
    before = len(_outbox(app))
    assert _run(app, send_scheduled_report, coop.tenant.id, "2026-07-02") == "2026-04-01"
    mails = _outbox(app)[before:]
    assert sorted(m.to[0] for m in mails) == ["bestuur@devaart.example.org",
                                              "wethouder@breda.example.nl"]
    mail = mails[0]
    assert mail.subject == "Rapportage Q2 2026 – Bewonerscoöperatie De Vaart"
    assert "Q2 2026" in mail.body and "volgens registratie van de coöperatie" in mail.body
    [(name, pdf, mimetype)] = mail.attachments
    assert name == "rapportage-2026-04-01-2026-06-30.pdf" and mimetype == "application/pdf"
    text = " ".join(pdf_text(pdf).split())
    assert "Goedgekeurde uren 8,5 uur 4 uur" in text and "Uitstroompercentage 40,0% 0,0%" in text
    assert "Ontvangen betalingen € 121,00 € 0,00" in text

    # again the same day, later that quarter, and through the daily round: nothing more
    assert _run(app, send_scheduled_report, coop.tenant.id, "2026-07-02") is None
    assert _run(app, send_scheduled_report, coop.tenant.id, "2026-09-30") is None
    assert len(_outbox(app)) == before + 2
    with tenant_context(coop.session, coop.tenant.id):
        row = coop.session.scalar(select(ReportSchedule))
        assert (row.last_start, row.last_end) == (date(2026, 4, 1), date(2026, 6, 30))
        assert row.last_sent_at is not None
    coop.session.rollback()

    # the next quarter is sent once it is complete
    assert _run(app, send_scheduled_report, coop.tenant.id, "2026-10-01") == "2026-07-01"
    assert len(_outbox(app)) == before + 4


def test_a_tenant_without_a_schedule_gets_nothing(app, coop, make):
    hand_data(coop)
    other = make.tenant()
    before = len(_outbox(app))
    assert _run(app, send_scheduled_report, coop.tenant.id, "2026-07-02") is None
    assert _run(app, send_scheduled_report, other.id, "2026-07-02") is None
    assert len(_outbox(app)) == before


def test_the_daily_round_is_periodic_and_reaches_each_tenant(app, coop, make):
    # other tests' tenants share the database and may have schedules too: count this one's mail
    address = f"bestuur-{coop.tenant.slug}@devaart.example.org"
    _plan(coop, "maand", address)
    make.tenant()  # without a schedule
    morning = [t.name for t in jobs.huey.read_periodic(datetime(2030, 3, 1, 6, 15))]
    assert "reports.scheduled_reports" in morning
    before = len(_outbox(app))
    assert _run(app, scheduled_reports) >= 2
    assert _run(app, scheduled_reports) >= 2
    assert [m.to for m in _outbox(app)[before:] if address in m.to] == [[address]]


def test_the_admin_plans_the_report_on_a_page(coop, client):
    login(client, coop.admin)
    url = f"/{coop.tenant.slug}/rapportage/planning"
    page = client.get(url)
    assert page.status_code == 200 and "Geplande rapportage" in page.get_data(as_text=True)
    wrong = post(client, url, {"frequency": "maand",
                                   "recipients": "bestuur@devaart.example.org\ngeen-adres"})
    assert "‘geen-adres’ is geen geldig e-mailadres." in wrong.get_data(as_text=True)
    saved = post(client, url, {"frequency": "kwartaal",
                                   "recipients": "bestuur@devaart.example.org"},
                        follow_redirects=True)
    html = saved.get_data(as_text=True)
    assert "De geplande rapportage is opgeslagen." in html and "Nog niets verstuurd." in html
    with tenant_context(coop.session, coop.tenant.id):
        row = coop.session.scalar(select(ReportSchedule))
        assert (row.frequency, row.addresses) == ("kwartaal", ["bestuur@devaart.example.org"])
        assert coop.session.scalar(select(AuditEvent.action).where(
            AuditEvent.action == "report_schedule.saved")) is not None
    coop.session.rollback()
    stopped = post(client, f"{url}/stoppen", follow_redirects=True)
    assert "De geplande rapportage is gestopt." in stopped.get_data(as_text=True)
    with tenant_context(coop.session, coop.tenant.id):
        assert coop.session.scalar(select(ReportSchedule)) is None
    coop.session.rollback()


def test_only_admins_plan_the_report(coop, client, make):
    login(client, make.member(coop.tenant, Role.SUPERVISOR))
    url = f"/{coop.tenant.slug}/rapportage/planning"
    assert client.get(url).status_code == 403
    assert post(client, f"{url}/stoppen").status_code == 403


def test_a_scheduled_jaarverslag_mails_the_jaarverslag_rows(app, coop):
    """The schedule's template decides the PDF's rows: the Jaarverslag has the hours per wijk,
    the time to outflow, the outflow per quarter and the ladder, which the standard lacks."""
    places_data(coop)
    template = report_templates.TEMPLATES["jaarverslag"]
    schedule.save_schedule(coop.session, coop.actor, schedule.ScheduleData(
        "kwartaal", "bestuur@devaart.example.org", "jaarverslag"))
    coop.session.commit()
    before = len(_outbox(app))
    assert _run(app, send_scheduled_report, coop.tenant.id, "2026-07-02") == "2026-04-01"
    [mail] = _outbox(app)[before:]
    assert "Sjabloon: Jaarverslag." in mail.body
    text = " ".join(pdf_text(mail.attachments[0][1]).split())
    expected = report_templates.apply(template, services.sections(
        *services.figures(coop.session, Q2, Q1)))
    for section in expected:
        assert section.title in text
        for row in section.rows:
            assert " ".join(row.label.split()) in text, row.label
    assert "Jaarverslag" in text
    assert "Uren per wijk" in text and "Centrum" in text and "Kringloop Oost" in text
    assert "Tijd tot uitstroom (mediaan, dagen) 168,5" in text
    assert "Hogere trede 1 0" in text

    # the same schedule with the standard template, for the next quarter: none of those rows
    schedule.save_schedule(coop.session, coop.actor, schedule.ScheduleData(
        "kwartaal", "bestuur@devaart.example.org", "standaard"))
    coop.session.commit()
    assert _run(app, send_scheduled_report, coop.tenant.id, "2026-10-01") == "2026-07-01"
    [standard] = _outbox(app)[before + 1:]
    text = " ".join(pdf_text(standard.attachments[0][1]).split())
    assert "Uren per wijk" not in text and "Hogere trede" not in text
    assert "Goedgekeurde uren" in text


def test_the_admin_chooses_the_template_and_a_bad_one_changes_nothing(coop, client):
    login(client, coop.admin)
    url = f"/{coop.tenant.slug}/rapportage/planning"
    page = client.get(url).get_data(as_text=True)
    for template in report_templates.TEMPLATES.values():
        assert f'value="{template.key}"' in page and str(template.label) in page
    saved = post(client, url, {"frequency": "maand", "template": "financiers",
                               "recipients": "bestuur@devaart.example.org"},
                 follow_redirects=True)
    html = saved.get_data(as_text=True)
    assert "De geplande rapportage is opgeslagen." in html
    assert "Sjabloon: Financiersoverzicht." in html
    assert re.search(r'<option selected value="financiers">', html)
    for bad in ("onzin", "", "standaard" * 10, "%00"):
        response = post(client, url, {"frequency": "kwartaal", "template": bad,
                                      "recipients": "ander@devaart.example.org"})
        assert response.status_code == 200, bad
        body = response.get_data(as_text=True)
        assert "Kies een van de sjablonen in de lijst." in body, bad
    with tenant_context(coop.session, coop.tenant.id):
        row = coop.session.scalar(select(ReportSchedule))
        assert (row.frequency, row.template, row.addresses) == (
            "maand", "financiers", ["bestuur@devaart.example.org"])
    coop.session.rollback()
    # the service refuses an unknown template too, and changes nothing
    with pytest.raises(DomainError):
        schedule.save_schedule(coop.session, coop.actor, schedule.ScheduleData(
            "maand", "x@devaart.example.org", "onzin"))
    coop.session.rollback()


def test_an_existing_schedule_without_a_choice_sends_the_standard_template(app, coop):
    """Schedules made before the choice (the column's default) and an old key no longer
    known both send the standard template."""
    hand_data(coop)
    _plan(coop)  # no template given
    with tenant_context(coop.session, coop.tenant.id):
        row = coop.session.scalar(select(ReportSchedule))
        assert row.template == "standaard"
        row.template = "verdwenen"
        coop.session.commit()
    before = len(_outbox(app))
    assert _run(app, send_scheduled_report, coop.tenant.id, "2026-07-02") == "2026-04-01"
    assert all("Sjabloon: Standaard." in m.body for m in _outbox(app)[before:])
