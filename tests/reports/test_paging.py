"""The long lists of the report (issue #13): the value page's list "per uitstroom" and the
outflow drill-down show one page of rows at a time, while the estimate, the count and the
median stay over all rows; bad page numbers give a calm page; the statements do not grow."""
from __future__ import annotations

from datetime import date, timedelta

from blueprints.participants.models import HouseholdType
from blueprints.reports import services, value
from blueprints.reports.periods import Period
from blueprints.trajectories.models import Outcome
from tenants.formatting import format_date, format_money
from tests.helpers import login
from tests.reports.test_value import _outflow

YEAR_2025 = Period("jaar", date(2025, 1, 1), date(2025, 12, 31))
ARGS = "periode=jaar&jaar=2025"
BAD_PAGES = ("0", "-1", "abc", "99999999999999999999", "", "1.5", "%00")


def _outflows(coop, n: int, first: int = 0):
    """`n` outflows to work on distinct days of 2025 (every other day from 2 January), each with
    months off benefit in 2025; names P000 Waarde, P001 Waarde, ..."""
    days = []
    for i in range(first, first + n):
        day = date(2025, 1, 2) + timedelta(days=2 * i)
        _outflow(coop, f"P{i:03d}", HouseholdType.COUPLE if i % 2 else HouseholdType.SINGLE,
                 date(2024, 6, 3), day, Outcome.PAID_WORK if i % 3 else Outcome.SELF_EMPLOYED)
        days.append(day)
    coop.session.commit()
    return days


def _estimate_part(page: str) -> str:
    """The page up to the list per outflow: every figure of the estimate and its working."""
    return page.split("<h1")[1].split('id="per-uitstroom"')[0]


def _dates_listed(page: str, days) -> list[date]:
    listed = page.split('id="per-uitstroom"')[1].split("</table>")[0]
    return [d for d in days if f">{format_date(d)}</th>" in listed]


def test_the_value_page_lists_fifty_outflows_a_page_and_estimates_over_all(coop, client):
    days = _outflows(coop, value.LINES_PAGE_SIZE + 7)
    login(client, coop.admin)
    url = f"/{coop.tenant.slug}/rapportage/waarde?{ARGS}"
    one = client.get(url).get_data(as_text=True)
    two = client.get(url + "&page=2").get_data(as_text=True)
    assert _dates_listed(one, days) == days[:50]
    assert _dates_listed(two, days) == days[50:]
    # the estimate is the same on both pages and counts all 57 outflows
    assert _estimate_part(one) == _estimate_part(two)
    est = value.estimate(coop.session, YEAR_2025)
    assert len(est.lines) == 57
    middle = _estimate_part(one).split('id="waarde-midden"')[1].split("</tr>")[0]
    assert format_money(est.central_cents) in middle
    assert "Regel 51 tot en met 57 van 57" in two.replace("\xa0", " ")
    assert "Pagina 2 van 2" in two and 'rel="prev"' in two and 'rel="next"' not in two
    assert "periode=jaar" in two.split('rel="prev"')[0].rsplit("href=", 1)[1]  # period kept
    for name in ("page", "pagina"):
        for bad in BAD_PAGES:
            response = client.get(f"{url}&{name}={bad}")
            assert response.status_code == 200, (name, bad)
            page = response.get_data(as_text=True)
            assert _estimate_part(page) == _estimate_part(one)
            assert _dates_listed(page, days) == days[:50]
    # a page past the last shows the last
    far = client.get(url + "&page=2147483647").get_data(as_text=True)
    assert _dates_listed(far, days) == days[50:]


def test_the_outflow_drill_down_pages_its_rows_with_count_and_median_over_all(coop, client):
    _outflows(coop, services.OUTFLOW_PAGE_SIZE + 3)
    login(client, coop.admin)
    url = f"/{coop.tenant.slug}/rapportage/uitstroom?{ARGS}"
    one = client.get(url).get_data(as_text=True)
    two = client.get(url + "&page=2").get_data(as_text=True)
    names = [f"P{i:03d} Waarde" for i in range(53)]
    assert [n for n in names if n in one] == names[:50]
    assert [n for n in names if n in two] == names[50:]
    for page in (one, two):
        assert "53 afgeronde trajecten" in page
    header = one.split("</h1>")[1].split("</p>")[0]
    assert header == two.split("</h1>")[1].split("</p>")[0]  # the median too
    assert "Regel 51 tot en met 53 van 53" in two
    paid = client.get(url + "&uitkomst=betaald_werk").get_data(as_text=True)
    assert "35 afgeronde trajecten" in paid  # the filter still counts over all its rows
    for name in ("page", "pagina"):
        for bad in BAD_PAGES:
            response = client.get(f"{url}&{name}={bad}")
            assert response.status_code == 200, (name, bad)
            page = response.get_data(as_text=True)
            assert [n for n in names if n in page] == names[:50], (name, bad)
    far = client.get(url + "&page=2147483647").get_data(as_text=True)
    assert [n for n in names if n in far] == names[50:]


def test_statements_of_the_long_lists_do_not_grow_with_the_data(coop, client, count_queries):
    _outflows(coop, 3)
    login(client, coop.admin)
    slug = coop.tenant.slug
    urls = (f"/{slug}/rapportage/waarde?{ARGS}", f"/{slug}/rapportage/waarde?{ARGS}&page=2",
            f"/{slug}/rapportage/uitstroom?{ARGS}", f"/{slug}/rapportage/uitstroom?{ARGS}&page=2")
    for url in urls:
        client.get(url)

    def counts():
        result = []
        for url in urls:
            with count_queries() as n:
                assert client.get(url).status_code == 200
            result.append(n())
        return result

    few = counts()
    _outflows(coop, 117, first=3)
    many = counts()
    assert len(value.estimate(coop.session, YEAR_2025).lines) == 120
    assert many == few
