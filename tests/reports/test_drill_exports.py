"""The downloads of the drill-down lists (issue #13: "an export of a list is exactly the list on
screen"): the CSV and the XLSX of /uren and /uitstroom hold the columns and every row of the
list for the same filter, read here from the HTML of all its pages; numbers are numbers in
XLSX; a board member, who sees no drill-down, gets no download; bad filters answer in Dutch;
the statements of a download do not grow with its rows."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import openpyxl
import pytest
from sqlalchemy import select

from blueprints.reports import services, value
from tenants.models import AuditEvent, Role
from tenants.tenancy import tenant_context
from tests.helpers import login
from tests.reports.builders import log
from tests.reports.test_figures import places_data
from tests.reports.test_paging import YEAR_2025, _outflows
from tests.reports.test_value import worked  # noqa: F401  (the fixture)
from tests.reports.test_report import Q2_ARGS, hand_data

NAMES = ("Deelnemer0 Rapport", "Deelnemer1 Rapport", "Deelnemer2 Rapport", "Deelnemer3 Rapport")


class _Table(HTMLParser):
    """The header cells and the body rows (cell texts) of the page's table."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._part = None

    def handle_starttag(self, tag, attrs):
        if tag in ("thead", "tbody"):
            self._part = tag
        elif tag in ("th", "td") and self._part:
            self._cell = []
            if tag == "td" and dict(attrs).get("colspan"):
                self._cell = None  # the "nothing in this period" line
        elif tag == "tr" and self._part == "tbody":
            self.rows.append([])

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            (self.headers if self._part == "thead" else self.rows[-1]).append(text)
            self._cell = None
        elif tag in ("thead", "tbody"):
            self._part = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _table(html: str) -> tuple[list[str], list[list[str]]]:
    parser = _Table()
    parser.feed(html)
    return parser.headers, [row for row in parser.rows if row]


def _screen(client, url: str, cut=lambda html: html) -> tuple[list[str], list[list[str]]]:
    """The list's headers and its rows from every page, in order (`cut`: the part of the page
    that holds the list)."""
    first = client.get(url)
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    found = re.search(r"Pagina 1 van (\d+)", html)
    headers, rows = _table(cut(html))
    for page in range(2, int(found.group(1)) + 1 if found else 2):
        more = client.get(f"{url}&page={page}").get_data(as_text=True)
        assert f"Pagina {page} van" in more
        rows += _table(cut(more))[1]
    return headers, rows


def _number(text: str) -> Decimal:
    """A number as the screen and the CSV write it (Dutch decimal comma)."""
    return Decimal(text.replace(",", "."))


def _csv(response) -> tuple[list[str], list[list[str]]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";"))
    return lines[0], lines[1:]


def _xlsx(response) -> tuple[list, list[list]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def _xlsx_as_text(row: list, numeric: set[int]) -> list:
    """An XLSX row written the way the screen writes it, numbers kept as numbers."""
    out = []
    for i, v in enumerate(row):
        if isinstance(v, datetime):
            out.append(v.strftime("%d-%m-%Y"))
        elif i in numeric:
            assert isinstance(v, (int, float)) and not isinstance(v, bool), (i, v)
            out.append(Decimal(str(v)))
        else:
            out.append("" if v is None else v)
    return out


def _same_list(client, screen_url: str, export_url: str, numeric: set[int]) -> list[list]:
    """Assert the CSV and the XLSX of `export_url` hold exactly the list of `screen_url`, all
    pages; the rows, numbers as Decimals."""
    headers, rows = _screen(client, screen_url)
    expected = [[_number(c) if i in numeric else c for i, c in enumerate(r)] for r in rows]
    csv_headers, csv_rows = _csv(client.get(export_url.replace("export.x", "export.csv")))
    assert csv_headers == headers
    assert [[_number(c) if i in numeric else c for i, c in enumerate(r)]
            for r in csv_rows] == expected
    xlsx_headers, xlsx_rows = _xlsx(client.get(export_url.replace("export.x", "export.xlsx")))
    assert xlsx_headers == headers
    assert [_xlsx_as_text(r, numeric) for r in xlsx_rows] == expected
    return expected


def test_the_hours_download_is_the_list_of_every_page(coop, client, monkeypatch):
    ids = places_data(coop)
    monkeypatch.setattr(services, "PAGE_SIZE", 2)  # the list on three pages
    login(client, coop.admin)
    base = f"/{coop.tenant.slug}/rapportage/uren"
    rows = _same_list(client, f"{base}?{Q2_ARGS}", f"{base}/export.x?{Q2_ARGS}", {3})
    # the six Q2 rows of the hand data (places_data adds P3's hour on 20 May), in date order
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
        ("06-04-2026", NAMES[0], Decimal("2.5"), ""),
        ("06-04-2026", NAMES[0], Decimal("-0.5"), "ja"),
        ("08-04-2026", NAMES[3], Decimal(3), ""),
        ("11-05-2026", NAMES[1], Decimal(2), ""),
        ("20-05-2026", NAMES[3], Decimal(1), ""),
        ("29-06-2026", NAMES[2], Decimal("1.5"), "")]
    assert rows[2][2] == "Vrijwilligerswerk" and rows[0][2] == "Trajectwerk"
    # each filter of the list: the same rows on screen and in the files
    for extra, count in (("soort=vrijwilligerswerk", 1), (f"wijk={ids['centrum']}", 3),
                         ("wijk=geen", 1), ("inzet=geen", 4), (f"inzet={ids['brug']}", 1)):
        filtered = _same_list(client, f"{base}?{Q2_ARGS}&{extra}",
                              f"{base}/export.x?{Q2_ARGS}&{extra}", {3})
        assert len(filtered) == count, extra
    # the page links to both files with its filter
    page = client.get(f"{base}?{Q2_ARGS}&wijk={ids['centrum']}").get_data(as_text=True)
    for fmt in ("csv", "xlsx"):
        link = re.search(rf'href="([^"]*/uren/export\.{fmt}[^"]*)"', page).group(1)
        assert f"wijk={ids['centrum']}" in link and "kwartaal=2" in link
    name = client.get(f"{base}/export.csv?{Q2_ARGS}&soort=vrijwilligerswerk"
                      ).headers["Content-Disposition"]
    assert name == 'attachment; filename="uren-vrijwilligerswerk-2026-04-01-2026-06-30.csv"'


def test_the_outflow_download_is_the_list_of_every_page(coop, client, monkeypatch):
    hand_data(coop)
    monkeypatch.setattr(services, "OUTFLOW_PAGE_SIZE", 1)  # two pages
    login(client, coop.admin)
    base = f"/{coop.tenant.slug}/rapportage/uitstroom"
    rows = _same_list(client, f"{base}?{Q2_ARGS}", f"{base}/export.x?{Q2_ARGS}", {5})
    assert rows == [
        ["15-06-2026", NAMES[3], "Vrijwilligerswerk", "Uitgevallen", "05-01-2026", Decimal(161)],
        ["30-06-2026", NAMES[2], "Leerwerktraject", "Betaald werk", "05-01-2026", Decimal(176)]]
    paid = _same_list(client, f"{base}?{Q2_ARGS}&uitkomst=betaald_werk",
                      f"{base}/export.x?{Q2_ARGS}&uitkomst=betaald_werk", {5})
    assert paid == rows[1:]
    # a period without outflow: the header only
    empty = _same_list(client, f"{base}?periode=jaar&jaar=2024",
                       f"{base}/export.x?periode=jaar&jaar=2024", {5})
    assert empty == []
    page = client.get(f"{base}?{Q2_ARGS}&uitkomst=betaald_werk").get_data(as_text=True)
    assert re.search(r'href="[^"]*/uitstroom/export\.xlsx\?[^"]*uitkomst=betaald_werk', page)


def test_a_download_is_in_the_audit_log(coop, client):
    hand_data(coop)
    login(client, coop.admin)
    client.get(f"/{coop.tenant.slug}/rapportage/uitstroom/export.csv?{Q2_ARGS}")
    with tenant_context(coop.session, coop.tenant.id):
        event = coop.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "report_list.exported"))
    assert event.details["list"] == "uitstroom" and event.details["count"] == 2
    log_page = client.get(f"/{coop.tenant.slug}/team/auditlog").get_data(as_text=True)
    assert "downloadde een lijst achter de rapportage" in log_page


def test_a_board_member_gets_no_download_as_no_drill_down(coop, client, make):
    hand_data(coop)
    login(client, make.member(coop.tenant, Role.BOARD))
    base = f"/{coop.tenant.slug}/rapportage"
    assert client.get(f"{base}/uren?{Q2_ARGS}").status_code == 404  # the screen, today
    for url in (f"{base}/uren/export.csv?{Q2_ARGS}", f"{base}/uren/export.xlsx?{Q2_ARGS}",
                f"{base}/uitstroom/export.csv?{Q2_ARGS}",
                f"{base}/uitstroom/export.xlsx?{Q2_ARGS}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert not any(name in response.get_data(as_text=True) for name in NAMES)
    # the report page a board member sees links to no list and no list's file
    report = client.get(f"{base}?{Q2_ARGS}").get_data(as_text=True)
    assert "/export.csv" in report and "/uren/export" not in report


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.PARTICIPANT])
def test_other_roles_get_no_download(coop, client, make, role):
    login(client, make.member(coop.tenant, role))
    assert client.get(f"/{coop.tenant.slug}/rapportage/uren/export.csv").status_code == 403


def test_another_tenant_and_bad_filters(app, coop, client, make):
    ids = places_data(coop)
    other = make.tenant()
    outsider = app.test_client()
    login(outsider, make.member(other, Role.ADMIN))
    assert outsider.get(f"/{coop.tenant.slug}/rapportage/uren/export.csv").status_code == 404
    # the other cooperative's admin asking for this cooperative's wijk: nothing found
    assert outsider.get(f"/{other.slug}/rapportage/uren/export.csv?wijk={ids['centrum']}"
                        ).status_code == 404
    login(client, coop.admin)
    base = f"/{coop.tenant.slug}/rapportage"
    assert client.get(f"{base}/uren/export.pdf?{Q2_ARGS}").status_code == 404
    assert client.get(f"{base}/uren/export.csv?wijk=999999").status_code == 404
    for url, message in (
            (f"{base}/uren/export.csv?soort=onzin", "Deze soort uren"),
            (f"{base}/uren/export.xlsx?wijk=abc", "Deze soort uren"),
            (f"{base}/uren/export.csv?inzet=%00", "Deze soort uren"),
            (f"{base}/uitstroom/export.csv?uitkomst=onzin", "Deze bestemming bestaat niet"),
            (f"{base}/uitstroom/export.xlsx?periode=eigen&van=2026-06-01&tot=2026-01-01",
             "De einddatum ligt vóór de begindatum."),
            (f"{base}/uren/export.csv?periode=eigen&van=2020-01-01&tot=2026-01-01",
             "Kies een periode van hoogstens drie jaar.")):
        response = client.get(url)
        assert response.status_code == 400, url
        body = response.get_data(as_text=True)
        assert "Dat lukte niet" in body and message in body, url
    with tenant_context(coop.session, coop.tenant.id):
        assert coop.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "report_list.exported")) is None
    # odd period values the list itself reads as its default period: the same in the file
    odd = "periode=maand&jaar=abcd&maand=13"
    assert _csv(client.get(f"{base}/uren/export.csv?{odd}"))[1] == _screen(
        client, f"{base}/uren?{odd}")[1]


def test_the_statements_of_a_download_do_not_grow_with_its_rows(coop, client, count_queries):
    hand_data(coop)
    _outflows(coop, 1)  # the value estimate reads its follow-ups once there is an outflow
    login(client, coop.admin)
    base = f"/{coop.tenant.slug}/rapportage"
    urls = [f"{base}/{what}/export.{fmt}?{Q2_ARGS}" for what in ("uren", "uitstroom")
            for fmt in ("csv", "xlsx")] + [f"{base}/uren/export.csv?{Q2_ARGS}&wijk=geen",
                                           f"{base}/waarde/export.csv?periode=jaar&jaar=2025"]

    def counts():
        result = []
        for url in urls:
            with count_queries() as n:
                response = client.get(url)
                assert response.status_code == 200
            result.append((n(), len(_csv(response)[1]) if url.find(".csv") > 0 else None))
        return result

    for url in urls:
        client.get(url)
    few = counts()
    for day in range(1, 29):
        log(coop, day % 3, date(2026, 5, day), "1")
    _outflows(coop, 4, first=1)  # lines of the value estimate in 2025
    many = counts()
    assert [n for n, _rows in many] == [n for n, _rows in few]
    assert many[0][1] == few[0][1] + 28  # the hours list did grow
    assert many[-1][1] == few[-1][1] + 4  # and the value list


def _value_list(html: str) -> str:
    return html.split('id="per-uitstroom"')[1].split("</table>")[0]


def _amount(text: str) -> Decimal:
    """€ 1.234,56 (screen) or 1234,56 (CSV) as a Decimal."""
    return _number("".join(text.replace("€", "").split()).replace(".", ""))


def test_the_value_list_download_is_the_list_of_every_page(coop, worked, client, make,
                                                           monkeypatch):
    """The list "per uitstroom" of the value page (no names; a board member sees it): its
    "months · amount" cells are two columns in the files, every line of the estimate."""
    _outflows(coop, 5)
    original = value.lines_page
    monkeypatch.setattr(value, "lines_page", lambda est, page: original(est, page, 2))
    query = "periode=jaar&jaar=2025"
    login(client, make.member(coop.tenant, Role.BOARD))  # the board's view: no names
    base = f"/{coop.tenant.slug}/rapportage/waarde"
    headers, rows = _screen(client, f"{base}?{query}", _value_list)
    assert headers == ["Uitstroom op", "Soort werk", "Norm", "Bevestigd", "Onbevestigd",
                       "Opmerking"]
    expected = []
    for day, kind, norm, confirmed, unconfirmed, remark in rows:
        months, amount = confirmed.split(" · ")
        months_2, amount_2 = unconfirmed.split(" · ")
        expected.append([day, kind, norm, Decimal(months), _amount(amount), Decimal(months_2),
                         _amount(amount_2), remark])
    assert len(expected) == len(value.estimate(coop.session, YEAR_2025).lines) == 7
    file_headers = ["Uitstroom op", "Soort werk", "Norm", "Bevestigd (maanden)",
                    "Bevestigd (bedrag)", "Onbevestigd (maanden)", "Onbevestigd (bedrag)",
                    "Opmerking"]
    csv_headers, csv_rows = _csv(client.get(f"{base}/export.csv?{query}"))
    assert csv_headers == file_headers
    assert [[r[0], r[1], r[2], Decimal(r[3]), _amount(r[4]), Decimal(r[5]), _amount(r[6]),
             " ".join(r[7].split())] for r in csv_rows] == expected
    xlsx_headers, xlsx_rows = _xlsx(client.get(f"{base}/export.xlsx?{query}"))
    assert xlsx_headers == file_headers
    assert [_xlsx_as_text(r, {3, 4, 5, 6}) for r in xlsx_rows] == expected
    for body in (client.get(f"{base}/export.csv?{query}").get_data(as_text=True),
                 str(xlsx_rows)):
        assert "Waarde" not in body and "Anna" not in body  # no names, as on the page
    page = client.get(f"{base}?{query}").get_data(as_text=True)
    assert re.search(r'href="[^"]*/waarde/export\.csv\?[^"]*jaar=2025', page)
    # a follow-up that ended the months off benefit: its remark in the file too
    remarks = client.get(f"{base}/export.csv?periode=jaar&jaar=2024").get_data(as_text=True)
    assert "Weer in de uitkering volgens nazorg van 20-07-2024." in remarks
    assert client.get(f"{base}/export.csv?periode=eigen&van=2025-02-01&tot=2025-01-01"
                      ).status_code == 400
    assert client.get(f"{base}/export.pdf?{query}").status_code == 404
