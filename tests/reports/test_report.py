"""Every figure of the report against a small data set computed by hand, on both databases;
the drill-downs list the records behind a figure; the exports equal the screen; the number of
statements does not grow with the data; only admins see it."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from blueprints.helprequests.models import JobKind, RequestStatus
from blueprints.hours.models import HourType
from blueprints.participants import services as participants
from blueprints.reports import report_templates, services
from blueprints.reports.periods import Period, compared
from blueprints.trajectories import services as trajectories
from blueprints.trajectories.models import Funding, Outcome, TrajectoryKind
from tenants.models import Role
from tests.helpers import login
from tests.hours.builders import add_person
from tests.invoicing.invoice_world import job
from tests.reports.builders import approve, correct, credit, end, invoice, log, pay, submit

Q1 = Period("kwartaal", date(2026, 1, 1), date(2026, 3, 31))
Q2 = Period("kwartaal", date(2026, 4, 1), date(2026, 6, 30))
Q2_ARGS = "periode=kwartaal&jaar=2026&kwartaal=2"


def hand_data(coop):
    """The data set (the coop fixture: four people with an active trajectory from 5 Jan 2026,
    kinds social job, social job, learning-work, volunteer work).

    Q1 2026: 4 h approved (P0, 2 Feb); invoice of € 50 excl. (15 Mar); 1 help request done.
    Q2 2026:
      hours: P0 2,5 h on 6 Apr corrected to 2 h (-0,5 h), P3 3 h volunteer work on 8 Apr,
             P1 2 h submitted and approved (11 May), P1 5 h submitted only (not counted),
             P2 1,5 h on 29 Jun  ->  total 8,5 h: trajectwerk 5,5 h, vrijwilligerswerk 3 h;
      trajectories: P4 starts a basisbaan on 4 May (active), P5 an intake on 20 Apr
             -> started 2, running 5 (P5 in intake does not run), active participants 5;
      outflow: P3 drops out on 15 Jun, P2 to paid work on 30 Jun -> 2; rate 2/5 = 40,0%,
             to paid work 1/5 = 20,0%;
      help requests: 2 garden jobs done (10 May, 1 Jun), 1 fence job invoiced (15 Apr),
             1 planned (not counted) -> 3;
      money: invoice € 100 excl. on 1 Apr, paid € 121 on 20 Apr; the Q1 invoice credited in
             full on 2 Apr -> invoiced 10000 - 5000 = 5000 cents, received 12100 cents.
    """
    s = coop.session
    log(coop, 0, date(2026, 2, 2), "4")
    first = invoice(coop, 50, date(2026, 3, 15))
    job(s, coop.customer, kind=JobKind.GARDEN, done_on=date(2026, 3, 1))

    early = log(coop, 0, date(2026, 4, 6), "2,5")
    approve(coop, correct(coop, early, "2"))
    log(coop, 3, date(2026, 4, 8), "3", HourType.VOLUNTEER)
    approve(coop, submit(coop, 1, date(2026, 5, 11), "2"))
    submit(coop, 1, date(2026, 5, 12), "5")
    log(coop, 2, date(2026, 6, 29), "1,5")
    newcomer, _t = add_person(s, coop.actor, first="Nieuw", last="Basisbaan",
                              kind=TrajectoryKind.BASIC_JOB, starts_on=date(2026, 5, 4))
    coop.people.append((newcomer, _t))
    intake_person = participants.create_participant(s, coop.actor, participants.ParticipantData(
        first_name="Intake", last_name="Persoon"))
    trajectories.create_trajectory(s, coop.actor, intake_person, trajectories.TrajectoryData(
        kind=TrajectoryKind.SOCIAL_JOB, starts_on=date(2026, 4, 20), hours_per_week="8",
        funding=Funding.SUBSIDY))
    end(coop, 3, Outcome.DROPPED_OUT, date(2026, 6, 15))
    end(coop, 2, Outcome.PAID_WORK, date(2026, 6, 30))
    job(s, coop.customer, kind=JobKind.GARDEN, done_on=date(2026, 5, 10))
    job(s, coop.customer, kind=JobKind.GARDEN, done_on=date(2026, 6, 1))
    job(s, coop.customer, kind=JobKind.FENCE, status=RequestStatus.INVOICED,
        done_on=date(2026, 4, 15))
    job(s, coop.customer, kind=JobKind.GARDEN, status=RequestStatus.PLANNED)
    second = invoice(coop, 100, date(2026, 4, 1))
    credit(coop, first, date(2026, 4, 2))
    pay(coop, second, 12100, date(2026, 4, 20))
    s.commit()


def _rows(sections) -> dict:
    return {row.key: (row.value, row.compare) for section in sections for row in section.rows}


def test_every_figure_matches_the_hand_computed_set(coop):
    hand_data(coop)
    s = coop.session
    rows = _rows(services.sections(*services.figures(s, Q2, Q1)))
    assert rows["active"] == (5, 4)
    assert rows["started"] == (2, 4)
    assert rows["running"] == (5, 4)
    assert rows["running_maatschappelijke_baan"] == (2, 2)
    assert rows["running_leerwerktraject"] == (1, 1)
    assert rows["running_vrijwilligerswerk"] == (1, 1)
    assert rows["running_basisbaan"] == (1, 0)
    assert rows["hours"] == (510, 240)
    assert rows["hours_traject"] == (330, 240)
    assert rows["hours_vrijwilligerswerk"] == (180, 0)
    assert rows["hours_scholing"] == (0, 0)
    assert rows["requests"] == (3, 1)
    assert rows["requests_tuin"] == (2, 1)
    assert rows["requests_schutting"] == (1, 0)
    assert rows["outflow"] == (2, 0)
    assert rows["outflow_betaald_werk"] == (1, 0)
    assert rows["outflow_uitgevallen"] == (1, 0)
    assert str(rows["outflow_rate"][0]) == "40.0" and str(rows["outflow_rate"][1]) == "0.0"
    assert str(rows["to_work_rate"][0]) == "20.0"
    assert rows["invoiced"] == (5000, 5000)
    assert rows["paid"] == (12100, 0)
    # a year earlier there was nothing
    [last_year] = services.figures(s, compared(Q2, "vorig_jaar"))
    assert (last_year.active_participants, last_year.hours, last_year.outflow,
            last_year.paid_cents) == (0, {}, {}, 0)
    weeks = dict(services.hours_per_week(s, Q2))
    assert len(weeks) == 14 and weeks[date(2026, 4, 6)] == 300 and weeks[date(2026, 6, 29)] == 90
    assert sum(weeks.values()) == 510


def test_periods_and_comparisons():
    from blueprints.reports.periods import choose

    today = date(2026, 12, 2)
    assert choose({}, today) == Period("maand", date(2026, 11, 1), date(2026, 11, 30))
    assert choose({"periode": "kwartaal", "jaar": "2026", "kwartaal": "2"}, today) == Q2
    assert compared(Q2, "vorige") == Q1
    assert compared(Q2, "vorig_jaar") == Period("kwartaal", date(2025, 4, 1), date(2025, 6, 30))
    march = choose({"periode": "maand", "jaar": "2026", "maand": "3"}, today)
    assert compared(march, "vorige") == Period("maand", date(2026, 2, 1), date(2026, 2, 28))
    custom = choose({"periode": "eigen", "van": "2026-02-10", "tot": "2026-02-19"}, today)
    assert compared(custom, "vorige") == Period("eigen", date(2026, 1, 31), date(2026, 2, 9))
    leap = Period("eigen", date(2028, 2, 29), date(2028, 3, 1))
    assert compared(leap, "vorig_jaar").start == date(2027, 2, 28)


def test_the_page_shows_the_figures_definitions_and_chart(coop, client):
    hand_data(coop)
    login(client, coop.admin)
    page = client.get(f"/{coop.tenant.slug}/rapportage?{Q2_ARGS}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "volgens registratie van de coöperatie" in html
    assert "Q2 2026" in html and "Q1 2026" in html
    assert "8,5 uur" in html and "40,0%" in html and "121,00</td>" in html
    assert html.count("<details") >= 15
    assert "<svg" in html and 'role="img"' in html and "2026-W15" in html
    last_year = client.get(f"/{coop.tenant.slug}/rapportage?{Q2_ARGS}&vergelijk=vorig_jaar")
    assert "Q2 2025" in last_year.get_data(as_text=True)


def test_drill_downs_list_the_records_behind_the_figure(coop, client):
    hand_data(coop)
    login(client, coop.admin)
    hours = client.get(f"/{coop.tenant.slug}/rapportage/uren?{Q2_ARGS}").get_data(as_text=True)
    assert "5 registraties" in hours and "8,5 uur" in hours and "-0,5" in hours
    assert "Deelnemer3 Rapport" in hours
    volunteer = client.get(f"/{coop.tenant.slug}/rapportage/uren?{Q2_ARGS}&soort=vrijwilligerswerk"
                           ).get_data(as_text=True)
    assert "1 registratie" in volunteer and "Deelnemer0" not in volunteer
    outflow = client.get(f"/{coop.tenant.slug}/rapportage/uitstroom?{Q2_ARGS}"
                         ).get_data(as_text=True)
    assert "2 afgeronde trajecten" in outflow and "Deelnemer2 Rapport" in outflow
    paid = client.get(f"/{coop.tenant.slug}/rapportage/uitstroom?{Q2_ARGS}&uitkomst=betaald_werk"
                      ).get_data(as_text=True)
    assert "1 afgerond traject" in paid and "Deelnemer3" not in paid


def test_exports_equal_the_screen(coop, client):
    hand_data(coop)
    login(client, coop.admin)
    csv = client.get(f"/{coop.tenant.slug}/rapportage/export.csv?{Q2_ARGS}")
    assert csv.status_code == 200 and "attachment" in csv.headers["Content-Disposition"]
    lines = csv.get_data(as_text=True).lstrip("\ufeff").split("\r\n")
    assert lines[0] == "Onderdeel;Cijfer;Q2 2026;Q1 2026;Eenheid"
    assert "Uren;Goedgekeurde uren;8,50;4,00;uren" in lines
    assert "Omzet;Ontvangen betalingen;121,00;0,00;euro" in lines
    assert "Uitstroom;Uitstroompercentage;40,0;0,0;procent" in lines
    xlsx = client.get(f"/{coop.tenant.slug}/rapportage/export.xlsx?{Q2_ARGS}")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    # one sheet per section, each with its header row
    cells = [(sheet.title, *row) for sheet in book.worksheets
             for row in sheet.iter_rows(min_row=2, values_only=True)]
    values = {row[1]: row[2:4] for row in cells}
    assert values["Goedgekeurde uren"] == (8.5, 4)
    assert values["Actieve deelnemers"] == (5, 4)
    assert values["Ontvangen betalingen"] == (121, 0)
    assert values["Uitstroompercentage"] == (40, 0)
    page = report_templates.apply(report_templates.TEMPLATES["standaard"],
                                  services.sections(*services.figures(coop.session, Q2, Q1)))
    assert [(c[0], c[1]) for c in cells] == [(sec.title, r.label) for sec in page
                                              for r in sec.rows]
    assert book.sheetnames == ["Deelnemers en trajecten", "Uren", "Hulpvragen", "Uitstroom",
                               "Omzet"]
    assert len(lines) - 2 == len(cells)  # the header and the final line break


def test_statements_do_not_grow_with_the_data(coop, client, count_queries):
    login(client, coop.admin)
    url = f"/{coop.tenant.slug}/rapportage?{Q2_ARGS}"
    client.get(url)
    with count_queries() as empty:
        assert client.get(url).status_code == 200
    hand_data(coop)
    for day in range(1, 28):
        log(coop, day % 2, date(2026, 5, day), "1")
    coop.session.commit()
    with count_queries() as full:
        assert client.get(url).status_code == 200
    # 5 statements for both periods (trajectories per kind, hours, help requests, outflow, and
    # one row of people, money and durability), one for the weekly chart, and the request's
    # own (session, user, tenant, membership): 10 on SQLite, 13 on PostgreSQL (which also sets
    # the tenant per transaction)
    assert full() == empty() <= 13


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.PARTICIPANT])
def test_only_admins_see_reports(coop, client, make, role):
    user = make.member(coop.tenant, role)
    login(client, user)
    assert client.get(f"/{coop.tenant.slug}/rapportage").status_code == 403
    assert client.get(f"/{coop.tenant.slug}/rapportage/uren").status_code == 403


def test_another_tenants_admin_gets_404(coop, client, make):
    other = make.tenant()
    login(client, make.member(other, Role.ADMIN))
    assert client.get(f"/{coop.tenant.slug}/rapportage").status_code == 404


def test_a_custom_period_and_its_mistakes(coop, client):
    hand_data(coop)
    login(client, coop.admin)
    base = f"/{coop.tenant.slug}/rapportage?periode=eigen"
    html = client.get(f"{base}&van=2026-04-06&tot=2026-04-12").get_data(as_text=True)
    assert "06-04-2026 – 12-04-2026" in html and "5 uur" in html
    assert 'value="2026-04-06"' in html  # the form shows the period it answers
    reversed_dates = client.get(f"{base}&van=2026-04-12&tot=2026-04-06")
    assert reversed_dates.status_code == 200
    assert "De einddatum ligt vóór de begindatum." in reversed_dates.get_data(as_text=True)
    assert client.get(f"/{coop.tenant.slug}/rapportage/export.csv?periode=eigen"
                      ).status_code == 400
    assert client.get(f"/{coop.tenant.slug}/rapportage/uren?soort=onzin").status_code == 404
