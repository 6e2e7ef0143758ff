"""The municipality's portal and the cross-tenant primitive: totals across the sharing
cooperatives, nothing of a cooperative that does not share, an audit record per read, 404 on
another municipality's portal, revoking removes the tables at once, exports."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
from sqlalchemy import select

from blueprints.reports import sharing
from tenants import aggregates
from tenants.actor import Actor
from tenants.models import AggregateRead, AuditEvent
from tenants.suppression import SMALL, TOTAL
from tenants.tenancy import tenant_context
from tests.helpers import login
from tests.municipality.share_world import share

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
ROWS_HOURS = ["traject", "vrijwilligerswerk", "tegenprestatie", "scholing"]
ROWS_OUTFLOW = ["betaald_werk", "opleiding"]


def reads(session, municipality) -> list[AggregateRead]:
    return list(session.scalars(select(AggregateRead).where(
        AggregateRead.requester_kind == "gemeente",
        AggregateRead.requester_id == municipality.id)))


def test_the_primitive_totals_the_sharing_cooperatives_and_logs_each_call(world, session):
    shares = {world.a.id: date(2026, 1, 1), world.b.id: date(2026, 1, 1)}
    requester = aggregates.Requester("gemeente", world.m1.id, world.officer1.id)
    (march,) = aggregates.aggregate(session, requester, "uren", shares, [MARCH], ROWS_HOURS, 5)
    session.commit()
    t = march.table
    assert t.columns == [world.a.id, world.b.id]  # C (same municipality, not asked) absent
    assert t.cell("traject", world.a.id).value == 7 * 600
    assert t.cell("traject", world.b.id).value == 9 * 600
    assert t.cell("traject", TOTAL).value == 16 * 600
    assert t.cell("traject", TOTAL).people == 16
    # A's volunteer hours come from 2 people: hidden, and so is a second cell of its row
    assert t.cell("vrijwilligerswerk", world.a.id).hidden == SMALL
    assert t.cell("vrijwilligerswerk", TOTAL).shown is False or \
        t.cell("vrijwilligerswerk", world.b.id).shown is False
    assert [r.table_name for r in reads(session, world.m1)] == ["uren"]
    record = reads(session, world.m1)[0]
    assert record.user_id == world.officer1.id and record.tenant_ids == sorted(shares)
    assert record.first_day == MARCH[0] and record.last_day == MARCH[1]


def test_a_tenant_whose_share_starts_later_is_not_in_earlier_periods(world, session):
    shares = {world.a.id: date(2026, 1, 1), world.b.id: date(2026, 4, 1)}
    (march,) = aggregates.aggregate(session, aggregates.Requester("gemeente", world.m1.id),
                                    "uitstroom", shares, [MARCH], ROWS_OUTFLOW, 5)
    session.commit()
    assert march.table.columns == [world.a.id]
    assert march.table.cell("betaald_werk", TOTAL).value == 6


def test_periods_must_be_whole_months(world, session):
    import pytest
    with pytest.raises(ValueError):
        aggregates.aggregate(session, aggregates.Requester("gemeente", world.m1.id), "uren",
                             {world.a.id: date(2026, 1, 1)},
                             [(date(2026, 3, 2), date(2026, 3, 31))], ROWS_HOURS, 5)
    session.rollback()


def _portal(client, world, **query):
    login(client, world.officer1)
    return client.get(f"/gemeente/{world.m1.cbs_code}/", query_string={
        "periode": "maand", "jaar": "2026", "maand": "3", **query})


def test_the_portal_shows_only_sharing_cooperatives(world, session, client):
    share(session, world.a, world.admin_a, "uren")
    share(session, world.b, world.admin_b, "uitstroom")
    html = _portal(client, world).get_data(as_text=True)
    assert "Coöperatie Alfa" in html and "Coöperatie Bèta" in html
    assert "Coöperatie Gamma Stil" not in html  # in the municipality, with data, not sharing
    assert "Coöperatie Delta" not in html
    assert "Uren per soort" in html and "Uitstroom naar bestemming" in html
    assert "&lt; 5" in html  # A's volunteer hours
    assert "<svg" in html
    assert [r.table_name for r in reads(session, world.m1)] == ["uren", "uitstroom"]


def test_nothing_shared_says_so(world, client):
    html = _portal(client, world).get_data(as_text=True)
    assert "Er zijn nog geen rapportages met u gedeeld." in html
    assert "Coöperatie" not in html


def test_another_municipalitys_portal_is_404(world, client):
    login(client, world.officer1)
    for path in ("/", "/export.csv", "/privacy"):
        assert client.get(f"/gemeente/{world.m2.cbs_code}{path}").status_code == 404
    assert client.get(f"/{world.d.slug}/rapportage").status_code in (403, 404)


def test_revoking_removes_the_tables_at_once(world, session, client):
    share_id = share(session, world.a, world.admin_a, "uren")
    assert 'id="tabel-uren"' in _portal(client, world).get_data(as_text=True)
    with tenant_context(session, world.a.id):
        sharing.revoke(session, Actor(user_id=world.admin_a.id, email=world.admin_a.email),
                       share_id)
        session.commit()
    html = client.get(f"/gemeente/{world.m1.cbs_code}/").get_data(as_text=True)
    assert 'id="tabel-uren"' not in html
    assert "Er zijn nog geen rapportages met u gedeeld." in html
    # the history on both sides
    assert "ingetrokken op" in html
    with tenant_context(session, world.a.id):
        actions = [e.action for e in session.scalars(
            select(AuditEvent).where(AuditEvent.tenant_id == world.a.id,
                                     AuditEvent.action.like("report_share.%"))
            .order_by(AuditEvent.id))]
    assert actions == ["report_share.granted", "report_share.revoked"]


def test_exports_hold_the_protected_cells_only(world, session, client):
    share(session, world.a, world.admin_a, "uren")
    share(session, world.b, world.admin_b, "uren")
    login(client, world.officer1)
    query = {"periode": "maand", "jaar": "2026", "maand": "3"}
    base = f"/gemeente/{world.m1.cbs_code}"
    csv = client.get(f"{base}/export.csv", query_string=query)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data().decode("utf-8-sig")
    assert "< 5" in text and "Coöperatie Gamma Stil" not in text
    # A's 2 volunteers × 2 hours never leave
    assert "Uren per soort;Vrijwilligerswerk;Coöperatie Alfa;< 5;" in text
    xlsx = client.get(f"{base}/export.xlsx", query_string=query)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    traject_total = [r for r in rows if r[1] == "Trajectwerk" and r[2].startswith("Totaal")]
    assert traject_total and traject_total[0][3] == 160  # (7 + 9) × 10 hours
    pdf = client.get(f"{base}/export.pdf", query_string=query)
    assert pdf.status_code == 200 and pdf.get_data()[:4] == b"%PDF"
    assert len(reads(session, world.m1)) == 3


def test_the_privacy_page_explains_the_rules(world, client):
    login(client, world.officer1)
    html = client.get(f"/gemeente/{world.m1.cbs_code}/privacy").get_data(as_text=True)
    assert "minder dan 5 personen" in html and "Terugrekenen via totalen" in html
    # the rule over time: totals across cooperatives only from shown cells
    assert "Totalen over organisaties" in html and "begon of stopte met delen" in html
    assert "„&lt; 5”" in html and "„< " not in html  # escaped, not the start of a tag


def test_a_municipality_that_raised_its_threshold_to_10_hides_groups_under_10(world, session,
                                                                             client):
    from tenants.models import Municipality
    share(session, world.a, world.admin_a, "uren")
    share(session, world.b, world.admin_b, "uren")
    session.get(Municipality, world.m1.id).suppression_threshold = 10
    session.commit()
    html = _portal(client, world).get_data(as_text=True)
    assert "&lt; 10" in html and "&lt; 5" not in html  # A's 7 and B's 9 trajectory people
    assert "minder dan 10 personen" in client.get(
        f"/gemeente/{world.m1.cbs_code}/privacy").get_data(as_text=True)


def test_odd_period_arguments_fall_back_without_an_error(world, session, client):
    share(session, world.a, world.admin_a, "uitstroom")
    login(client, world.officer1)
    base = f"/gemeente/{world.m1.cbs_code}"
    for query in ({"periode": "eigen", "van": "2026-03-02", "tot": "2026-03-05"},
                  {"periode": "jaar", "jaar": "abc"}, {"periode": "maand", "maand": "13"},
                  {"periode": "kwartaal", "kwartaal": "9", "vergelijk": "x"},
                  {"jaar": "99999999999999999999"}):
        assert client.get(f"{base}/", query_string=query).status_code == 200, query
        assert client.get(f"{base}/export.csv", query_string=query).status_code == 200
    assert client.get(f"{base}/export.doc").status_code == 404


def test_a_quarter_or_a_year_reads_its_months_in_the_same_statement(world, session, client,
                                                                    count_queries):
    """One statement per template and period, its months included (migration 9c4e1a7b2d05):
    a year costs the statements of a month (it used to read each month apart, 13 per year)."""
    # shared since 2024: the comparisons (February 2026, Q4 2025, 2025) are read too
    share(session, world.a, world.admin_a, "uren", date(2024, 1, 1))
    share(session, world.b, world.admin_b, "uitstroom", date(2024, 1, 1))
    login(client, world.officer1)
    counts = {}
    for kind, extra in (("maand", {"maand": "3"}), ("kwartaal", {"kwartaal": "1"}),
                        ("jaar", {})):
        query = {"periode": kind, "jaar": "2026", **extra}
        client.get(f"/gemeente/{world.m1.cbs_code}/", query_string=query)
        with count_queries() as n:
            response = client.get(f"/gemeente/{world.m1.cbs_code}/", query_string=query)
        assert response.status_code == 200
        counts[kind] = n()
    # the login's session and municipality, the grants, the cooperatives' names, per template
    # two reads (period and comparison) and the audit record (PostgreSQL: plus the settings)
    assert counts["kwartaal"] == counts["jaar"] == counts["maand"] <= 13, counts
