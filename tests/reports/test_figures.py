"""The figures added with the report templates, each against a small data set computed by hand
(the data set of test_report.hand_data plus wijken, host organisations, evaluations and an hour
for a help request): hours per wijk and per host organisation with their drill-downs, hours per
participant per week, time to outflow, ladder movement, the funnel and outflow per quarter;
every template's export equals its screen; a board member sees no name; the number of
statements of every template does not grow with the data."""
from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from blueprints.helprequests.models import RequestStatus
from blueprints.hours import services as hours
from blueprints.participants.models import HostOrganisation, Neighbourhood
from blueprints.reports import chart, report_templates, services
from blueprints.reports.exports import cell
from blueprints.reports.periods import Period, quarters
from blueprints.trajectories import services as trajectories
from tenants.models import Role
from tests.helpers import login
from tests.invoicing.invoice_world import job
from tests.reports.builders import TODAY, log
from tests.pdftext import pdf_text
from tests.reports.test_report import Q1, Q2, Q2_ARGS, hand_data

YEAR_2026 = Period("jaar", date(2026, 1, 1), date(2026, 12, 31))
YEAR_2025 = Period("jaar", date(2025, 1, 1), date(2025, 12, 31))


def places_data(coop):
    """hand_data, and:
    wijken: P0 and P1 live in Centrum, P2 in Noord, P3 in none;
    host organisations: P1's trajectory at Buurthuis De Brug, P2's at Kringloop Oost;
    P3 works 1 h on 20 May for a help request in Noord (approved at once).

    Q2 hours (hand_data: P0 2,5 h corrected to 2 h on 6 Apr, P3 3 h on 8 Apr, P1 2 h on
    11 May, P2 1,5 h on 29 Jun) plus P3's hour: total 9,5 h = 570 min;
      per wijk: Centrum 120 + 120 = 240, Noord 90 + 60 (the help request's wijk) = 150,
                no wijk 180 (P3's volunteer hours);
      per host: De Brug 120, Kringloop Oost 90, the cooperative itself 120 + 180 + 60 = 360;
      per participant per week: 570 × 7 / (5 active × 91 days) = 8,77 -> 9 minutes;
    Q1: P0 4 h on 2 Feb -> Centrum 240, the cooperative 240; 240 × 7 / (4 × 90) -> 5 min.
    Evaluations (ladder step): P0 1 Mar 2 (first), 10 Apr 3 (up), 20 Jun 3 (same);
      P1 15 Feb 4 (first), 1 Mar 3 (down, Q1), 5 May 2 (down); P2 1 Apr 1 (first);
      a planned evaluation that was not held -> Q2 up 1, same 1, down 1; Q1 down 1.
    Time to outflow (hand_data: all started 5 Jan 2026): P3 dropped out 15 Jun = 161 days,
      P2 to paid work 30 Jun = 176 days -> median 168,5 days in Q2; none in Q1.
    """
    hand_data(coop)
    s = coop.session
    centrum, noord = Neighbourhood(name="Centrum"), Neighbourhood(name="Noord")
    brug = HostOrganisation(name="Buurthuis De Brug", kind="buurthuis")
    kringloop = HostOrganisation(name="Kringloop Oost", kind="kringloop")
    s.add_all([centrum, noord, brug, kringloop])
    s.flush()
    (p0, t0), (p1, t1), (p2, t2), (p3, t3) = coop.people[:4]
    p0.neighbourhood_id = p1.neighbourhood_id = centrum.id
    p2.neighbourhood_id = noord.id
    t1.host_organisation_id = brug.id
    t2.host_organisation_id = kringloop.id
    request = job(s, coop.customer, status=RequestStatus.PLANNED, people=(p3,),
                  neighbourhood_id=noord.id)
    hours.log_hours(s, coop.actor, coop.tenant, Role.ADMIN, hours.EntryData(
        participant_id=p3.id, trajectory_id=t3.id, work_date=date(2026, 5, 20), hours="1",
        help_request_id=request.id), approve=True, today=TODAY)
    for trajectory, held, step in ((t0, date(2026, 3, 1), 2), (t0, date(2026, 4, 10), 3),
                                   (t0, date(2026, 6, 20), 3), (t1, date(2026, 2, 15), 4),
                                   (t1, date(2026, 3, 1), 3), (t1, date(2026, 5, 5), 2),
                                   (t2, date(2026, 4, 1), 1)):
        trajectories.record_evaluation(s, coop.actor, trajectory, None, held, step, None,
                                       today=TODAY)
    trajectories.plan_evaluation(s, coop.actor, t0, date(2026, 6, 25))
    s.commit()
    return {"centrum": centrum.id, "noord": noord.id, "brug": brug.id,
            "kringloop": kringloop.id}


def _rows(sections) -> dict:
    return {row.key: (row.value, row.compare) for section in sections for row in section.rows}


def test_every_new_figure_matches_the_hand_computed_set(coop):
    ids = places_data(coop)
    now, then = services.figures(coop.session, Q2, Q1)
    rows = _rows(services.sections(now, then))
    assert rows["hours"] == (570, 240)
    assert rows[f"wijk_{ids['centrum']}"] == (240, 240)
    assert rows[f"wijk_{ids['noord']}"] == (150, 0)
    assert rows["wijk_geen"] == (180, 0)
    assert rows[f"inzet_{ids['brug']}"] == (120, 0)
    assert rows[f"inzet_{ids['kringloop']}"] == (90, 0)
    assert rows["inzet_geen"] == (360, 240)
    assert rows["per_participant_week"] == (9, 5)
    assert str(rows["time_to_outflow"][0]) == "168.5" and rows["time_to_outflow"][1] is None
    assert rows["ladder_up"] == (1, 0)
    assert rows["ladder_same"] == (1, 0)
    assert rows["ladder_down"] == (1, 1)
    assert rows["quarter_1"] == (2, 0)  # Q2 beside Q1
    # the wijk rows are in name order, the unknown last
    labels = [r.label for s in services.sections(now, then) if s.key == "wijk" for r in s.rows]
    assert labels == ["Centrum", "Noord", "Geen wijk bekend"]
    # the funnel: started 2, running 5, outflow 2, of which to work 1
    [funnel] = chart.report_charts(("funnel",), now)
    assert [n for _label, n in funnel.rows] == [2, 5, 2, 1]
    [ladder] = chart.report_charts(("ladder",), now)
    assert [n for _label, n in ladder.rows] == [1, 1, 1]


def test_outflow_per_quarter_over_a_year_and_a_cut_period(coop):
    places_data(coop)
    year, last_year = services.figures(coop.session, YEAR_2026, YEAR_2025)
    rows = _rows(services.sections(year, last_year))
    assert [rows[f"quarter_{i}"] for i in range(1, 5)] == [(0, 0), (2, 0), (0, 0), (0, 0)]
    [bars] = chart.report_charts(("quarters",), year)
    assert bars.rows == [("Q1 2026", 0), ("Q2 2026", 2), ("Q3 2026", 0), ("Q4 2026", 0)]
    assert [b.label for b in bars.chart.bars] == ["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"]
    assert bars.chart.bars[1].height > 0 == bars.chart.bars[0].height
    cut = Period("eigen", date(2026, 2, 15), date(2026, 6, 20))
    assert quarters(cut) == [Period("eigen", date(2026, 2, 15), date(2026, 3, 31)),
                             Period("eigen", date(2026, 4, 1), date(2026, 6, 20))]
    [part] = services.figures(coop.session, cut)
    assert [(q.start, sum(c.values())) for q, c in part.quarters] == [
        (date(2026, 2, 15), 0), (date(2026, 4, 1), 1)]  # P3 on 15 Jun; P2 on 30 Jun is after


def test_the_drill_downs_behind_wijk_host_and_time_to_outflow(coop, client):
    ids = places_data(coop)
    login(client, coop.admin)
    base = f"/{coop.tenant.slug}/rapportage"
    centrum = client.get(f"{base}/uren?{Q2_ARGS}&wijk={ids['centrum']}").get_data(as_text=True)
    assert "Centrum" in centrum and "3 registraties" in centrum and "4 uur" in centrum
    assert "Deelnemer2" not in centrum and "Deelnemer3" not in centrum
    noord = client.get(f"{base}/uren?{Q2_ARGS}&wijk={ids['noord']}").get_data(as_text=True)
    assert "2 registraties" in noord and "2,5 uur" in noord and "Deelnemer3 Rapport" in noord
    none = client.get(f"{base}/uren?{Q2_ARGS}&wijk=geen").get_data(as_text=True)
    assert "Geen wijk bekend" in none and "1 registratie" in none and "3 uur" in none
    own = client.get(f"{base}/uren?{Q2_ARGS}&inzet=geen").get_data(as_text=True)
    assert "4 registraties" in own and "6 uur" in own  # 2,5 - 0,5 + 3 + 1
    brug = client.get(f"{base}/uren?{Q2_ARGS}&inzet={ids['brug']}").get_data(as_text=True)
    assert "Buurthuis De Brug" in brug and "1 registratie" in brug and "Deelnemer1" in brug
    # the rows behind each breakdown add up to its figure: minutes of all pages equal the row
    now, then = services.figures(coop.session, Q2, Q1)
    for section in services.sections(now, then):
        for row in section.rows:
            if row.key.startswith(("wijk_", "inzet_")):
                arg = row.key.split("_", 1)[1]
                place = (services.Place(wijk=arg) if row.key.startswith("wijk_")
                         else services.Place(host=arg))
                _rows_, total, _count = services.approved_hours(coop.session, Q2, None, 1,
                                                                place)
                assert total == row.value, row.key
    outflow = client.get(f"{base}/uitstroom?{Q2_ARGS}").get_data(as_text=True)
    assert "mediaan 168,5 dagen" in outflow and ">161<" in outflow and ">176<" in outflow
    # a wijk of nothing, or not a number: 404, never a 500
    assert client.get(f"{base}/uren?{Q2_ARGS}&wijk=999999").status_code == 404
    assert client.get(f"{base}/uren?{Q2_ARGS}&inzet=abc").status_code == 404


def test_another_tenants_wijk_is_not_found(coop, client, make):
    ids = places_data(coop)
    other = make.tenant()
    login(client, make.member(other, Role.ADMIN))
    assert client.get(f"/{other.slug}/rapportage/uren?wijk={ids['centrum']}").status_code == 404


def _screen(html: str) -> list[str]:
    """The row keys of the report table on the page, in order."""
    import re

    return re.findall(r'id="cijfer-([^"]+)"', html)


@pytest.mark.parametrize("key", list(report_templates.TEMPLATES))
def test_each_templates_exports_equal_its_screen(coop, client, key):
    places_data(coop)
    login(client, coop.admin)
    query = f"{Q2_ARGS}&sjabloon={key}"
    base = f"/{coop.tenant.slug}/rapportage"
    template = report_templates.TEMPLATES[key]
    page = client.get(f"{base}?{query}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and str(template.label) in html
    expected = report_templates.apply(template, services.sections(
        *services.figures(coop.session, Q2, Q1)))
    keys = [r.key for s in expected for r in s.rows]
    assert _screen(html) == keys
    # CSV: the same rows, the same values
    text = client.get(f"{base}/export.csv?{query}").get_data(as_text=True).lstrip("\ufeff")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    assert [(line[0], line[1]) for line in lines] == [(s.title, r.label) for s in expected
                                                      for r in s.rows]
    # XLSX: one sheet per section, the same rows, values as numbers
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}/export.xlsx?{query}").data))
    assert book.sheetnames == [s.title[:31] for s in expected]
    for sheet, section in zip(book.worksheets, expected):
        cells = list(sheet.iter_rows(min_row=2, values_only=True))
        assert [c[0] for c in cells] == [r.label for r in section.rows]
        for c, row in zip(cells, section.rows):
            want = cell(row.unit, row.value)
            want = getattr(want, "euros", want)
            assert (c[1] is None and want is None) or float(c[1]) == float(want), row.key
    # PDF: every section and row label of the template, and no other section
    pdf = client.get(f"{base}/export.pdf?{query}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    flat = " ".join(pdf_text(pdf.data).split())
    for section in expected:
        assert section.title in flat, (key, section.title)
        for row in section.rows:
            assert " ".join(row.label.split()) in flat, (key, row.label)
    shown = {s.title for s in expected}
    for title in ("Omzet", "Uren per wijk"):  # no chart has these titles
        assert (title in flat) == (title in shown), (key, title)
    # the charts of the template, each with its table
    for name, anchor in (("quarters", "uitstroom-per-kwartaal"), ("funnel", "trechter"),
                         ("ladder", "participatieladder"), ("weeks", "uren-per-week")):
        assert (f'id="{anchor}"' in html) == (name in template.charts), (key, name)
    assert html.count("<svg") == len(template.charts)


def test_the_templates_rows(coop):
    places_data(coop)
    sections = services.sections(*services.figures(coop.session, Q2, Q1))
    pick = {k: [r.key for s in report_templates.apply(t, sections) for r in s.rows]
            for k, t in report_templates.TEMPLATES.items()}
    # the default is the set the report always had
    assert pick["standaard"][:3] == ["active", "started", "running"]
    assert not any(k.startswith(("wijk_", "inzet_", "ladder_", "quarter_"))
                   or k in ("time_to_outflow", "per_participant_week")
                   for k in pick["standaard"])
    assert "outflow_rate" in pick["standaard"] and "outflow_rate" not in pick["maandoverzicht"]
    assert "invoiced" not in pick["financiers"] and "ladder_up" in pick["financiers"]
    assert set(pick["jaarverslag"]) == {r.key for s in sections for r in s.rows}


def test_an_unknown_template(coop, client):
    login(client, coop.admin)
    base = f"/{coop.tenant.slug}/rapportage"
    page = client.get(f"{base}?{Q2_ARGS}&sjabloon=onzin")
    assert page.status_code == 200
    assert "Dit sjabloon bestaat niet" in page.get_data(as_text=True)
    assert client.get(f"{base}/export.csv?{Q2_ARGS}&sjabloon=onzin").status_code == 400


def test_a_board_member_sees_the_annual_report_without_names(coop, client, make):
    places_data(coop)
    login(client, make.member(coop.tenant, Role.BOARD))
    base = f"/{coop.tenant.slug}/rapportage"
    bodies = [client.get(f"{base}?{Q2_ARGS}&sjabloon=jaarverslag").get_data(as_text=True)]
    bodies += [client.get(f"{base}/export.{fmt}?{Q2_ARGS}&sjabloon=jaarverslag")
               .get_data(as_text=True) for fmt in ("csv",)]
    assert "Centrum" in bodies[0] and "Buurthuis De Brug" in bodies[0]
    assert "/rapportage/uren" not in bodies[0] and "/rapportage/uitstroom" not in bodies[0]
    for body in bodies:
        for person, _t in coop.people:
            assert person.full_name not in body, person.full_name
    assert client.get(f"{base}/uren?{Q2_ARGS}&wijk=geen").status_code in (403, 404)


@pytest.mark.parametrize("key", list(report_templates.TEMPLATES))
def test_statements_of_each_template_do_not_grow_with_the_data(coop, client, count_queries,
                                                              key):
    login(client, coop.admin)
    url = f"/{coop.tenant.slug}/rapportage?{Q2_ARGS}&sjabloon={key}"
    client.get(url)
    with count_queries() as empty:
        assert client.get(url).status_code == 200
    places_data(coop)
    for day in range(1, 28):
        log(coop, day % 2, date(2026, 5, day), "1")
    coop.session.commit()
    with count_queries() as full:
        assert client.get(url).status_code == 200
    # the default as before (test_report); places and days one statement more each, the ladder
    # rides in the one-row statement: at most 5 + 1 (weekly chart) + 2 + the request's own 4
    # (+3 on PostgreSQL)
    assert full() == empty() <= 15
