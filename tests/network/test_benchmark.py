"""The benchmark: yearly figures of cooperatives that chose to share them, read only through
tenants/aggregates.py as the network's median and quartiles (never one cooperative's figure,
nothing from fewer than 5), with the own position of a cooperative that takes part."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from blueprints.network import benchmark as bench
from blueprints.network import services
from tenants.aggregates import Requester, benchmark, quartiles
from tenants.extensions import db
from tenants.models import AggregateRead, NetworkRole, Role, Tenant, TenantKind
from tenants.tenancy import tenant_context
from tests.helpers import login, post
from tests.network.benchmark_world import SIX, fill, isolate, six_cooperatives
from tests.network.builders import network_member

NETWORK = Requester("netwerk", None, None)
#: a page test's year must be one the page offers (this year and the two before)
PAGE_YEAR = date.today().year - 2


def _text(response) -> str:
    return response.get_data(as_text=True).replace("\xa0", " ")


@pytest.fixture
def alone(app):
    yield from isolate(app)


def _compute(app, tenants, year, own=None):
    with app.app_context():
        ids = [t.id for t in tenants]
        first, last = date(year, 1, 1), date(year, 12, 31)
        if own is None:
            result = benchmark(db.session, NETWORK, ids, first, last)
        else:
            with tenant_context(db.session, own.id):
                result = benchmark(db.session, NETWORK, ids, first, last)
        db.session.commit()
        return result


def test_quartiles_interpolate_between_ranks_like_percentile_cont():
    assert quartiles([3, 5, 8, 10, 12, 20]) == (5.75, 9, 11.5)
    assert quartiles([1, 2, 3, 4, 5]) == (2, 3, 4)


def test_the_statistics_of_six_cooperatives_are_the_hand_computed_ones(app, make):
    tenants = six_cooperatives(app, make, 2015)
    result = _compute(app, tenants, 2015)
    expected = {
        # participants 3, 5, 8, 10, 12, 20
        "deelnemers": (5.75, 9, 11.5),
        # 3,5 7 10,5 14 17,5 21 hours a week (a 365-day year is 365/7 weeks)
        "uren_per_week": (7.875, 12.25, 16.625),
        # € 10, 15, 20, 25, 30, 40 per approved hour, in cents
        "omzet_per_uur": (1625, 2250, 2875),
        # € 0, 50, 100, 120, 200, 300 training per participant, in cents
        "opleiding_per_deelnemer": (6250, 11000, 18000),
        # 0/3, 1/5, 2/8, 3/10, 3/12, 5/20 to paid work: 0, 20, 25, 30, 25, 25 percent
        "uitstroom_werk": (21.25, 25, 25),
        "uitstroom_overig": (0, 0, 0),
    }
    for figure, (q1, median, q3) in expected.items():
        d = result[figure]
        assert d.members == 6, figure
        assert (d.q1, d.median, d.q3) == (pytest.approx(q1), pytest.approx(median),
                                          pytest.approx(q3)), figure
        assert d.own is None, figure  # no tenant in the session: no own value


def test_the_own_value_is_only_the_sessions_tenants(app, make):
    tenants = six_cooperatives(app, make, 2016)
    result = _compute(app, tenants, 2016, own=tenants[2])
    assert result["deelnemers"].own == pytest.approx(8)
    assert result["omzet_per_uur"].own == pytest.approx(2000)
    assert result["uitstroom_werk"].own == pytest.approx(25)
    outsider = make.tenant()
    result = _compute(app, tenants, 2016, own=outsider)
    assert result["deelnemers"].own is None and result["deelnemers"].median == pytest.approx(9)


def test_fewer_than_five_gives_no_statistics_and_each_call_is_audited(app, make):
    tenants = six_cooperatives(app, make, 2017)
    result = _compute(app, tenants[:4], 2017, own=tenants[0])
    d = result["deelnemers"]
    assert d.members == 4 and not d.shown and (d.q1, d.median, d.q3, d.own) == (None,) * 4
    with app.app_context():
        reads = db.session.scalars(select(AggregateRead).where(
            AggregateRead.table_name == "benchmark",
            AggregateRead.first_day == date(2017, 1, 1))).all()
    assert len(reads) == 1 and reads[0].tenant_ids == sorted(t.id for t in tenants[:4])
    assert reads[0].requester_kind == "netwerk" and reads[0].threshold == 5


def test_a_cooperative_that_left_is_no_longer_counted(app, make, alone):
    tenants = six_cooperatives(app, make, 2018)
    with app.app_context():
        assert len(bench.compute(db.session, NETWORK, 2018).groups[0].figures) == 8
        assert bench.compute(db.session, NETWORK, 2018).groups[0].figures[
            "deelnemers"].members == 6
        services.leave_network(db.session, db.session.get(Tenant, tenants[5].id))
        services.leave_network(db.session, db.session.get(Tenant, tenants[4].id))
        db.session.commit()
        result = bench.compute(db.session, NETWORK, 2018)
        db.session.commit()
    d = result.groups[0].figures["deelnemers"]
    assert result.taking_part == 4 and d.members == 4 and not d.shown
    # rejoining the network does not share again by itself
    with app.app_context():
        services.join_network(db.session, db.session.get(Tenant, tenants[5].id))
        db.session.commit()
        assert not bench.takes_part(db.session, tenants[5].id)


def test_joining_alone_shares_nothing(app, make, alone):
    tenant = make.tenant()
    fill(app, tenant, 2019, SIX[0])
    with app.app_context():
        services.join_network(db.session, db.session.get(Tenant, tenant.id))
        db.session.commit()
        assert bench.taking_part(db.session) == []


def test_by_kind_only_with_five_of_a_kind(app, make, alone):
    kinds = [TenantKind.LEERWERKBEDRIJF] * 5 + [TenantKind.BEWONERSINITIATIEF]
    six_cooperatives(app, make, 2020, kinds=kinds)
    with app.app_context():
        result = bench.compute(db.session, NETWORK, 2020)
        db.session.commit()
    assert [g.kind for g in result.groups] == [None, "leerwerkbedrijf"]
    kind = result.groups[1].figures["deelnemers"]
    # participants of the five learning-work companies: 3, 5, 8, 10, 12
    assert (kind.q1, kind.median, kind.q3) == (5, 8, 10)


# --- pages -------------------------------------------------------------------------------------

def test_the_page_shows_the_distribution_and_no_cooperatives_figure_or_name(
        app, make, client, alone):
    tenants = six_cooperatives(app, make, PAGE_YEAR)
    member = network_member(app, make, name="Henk Postma", organisation=None)
    login(client, member)
    page = client.get(f"/netwerk/benchmark?jaar={PAGE_YEAR}")
    html = _text(page)
    assert page.status_code == 200
    assert "Mediaan" in html and "€ 22,50" in html and "€ 16,25" in html
    assert "geen eigen positie" in html and "Uw cijfer" not in html
    for t in tenants:
        assert t.name not in html and t.slug not in html
    # per-cooperative figures that are no quartile: € 10,00 and € 40,00 per hour, 20 people
    assert "€ 10,00" not in html and "€ 40,00" not in html and "€ 300,00" not in html
    assert 'href="/netwerk/benchmark"' in client.get("/netwerk/").get_data(as_text=True)
    export = client.get(f"/netwerk/benchmark.csv?jaar={PAGE_YEAR}")
    csv = export.get_data(as_text=True)
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert "Mediaan" in csv and "22,50" in csv and "Uw cijfer" not in csv
    cells = set(re.split(r"[;\r\n]", csv))
    assert "22,50" in cells and not {"10,00", "40,00", "300,00"} & cells
    for t in tenants:
        assert t.name not in csv
    assert client.get(f"/netwerk/benchmark.xlsx?jaar={PAGE_YEAR}").status_code == 200
    assert client.get("/netwerk/benchmark.pdf").status_code == 404
    for query in ("jaar=abc", "jaar=1900", "jaar=99999999999999999999", "cooperatie=x%00"):
        assert client.get(f"/netwerk/benchmark?{query}").status_code == 200, query


def test_fewer_than_five_on_the_page_says_too_few(app, make, client, alone):
    tenants = six_cooperatives(app, make, PAGE_YEAR)
    with app.app_context():
        for t in tenants[:2]:
            services.leave_network(db.session, db.session.get(Tenant, t.id))
        db.session.commit()
    login(client, network_member(app, make))
    html = _text(client.get(f"/netwerk/benchmark?jaar={PAGE_YEAR}"))
    assert "nog te weinig deelnemers" in html and "Mediaan" in html  # the header stays
    assert "€ 22,50" not in html and "<svg" not in html


def test_an_admin_of_a_cooperative_that_takes_part_sees_its_own_position(
        app, make, client, alone):
    tenants = six_cooperatives(app, make, PAGE_YEAR)
    admin = make.member(tenants[5], Role.ADMIN)
    with app.app_context():
        from tenants.models import NetworkMembership
        db.session.add(NetworkMembership(user_id=admin.id, role=NetworkRole.MEMBER))
        db.session.commit()
    login(client, admin)
    html = _text(client.get(f"/netwerk/benchmark?jaar={PAGE_YEAR}"))
    assert "Uw cijfer" in html and tenants[5].name in html
    assert "€ 40,00" in html and "in het hoogste kwart" in html  # its own
    own_csv = client.get(f"/netwerk/benchmark.csv?jaar={PAGE_YEAR}").get_data(as_text=True)
    cells = set(re.split(r"[;\r\n]", own_csv))
    assert f"Uw cijfer ({tenants[5].name})" in own_csv and "40,00" in cells
    assert "10,00" not in cells
    for t in tenants[:5]:
        assert t.name not in html
    # the cooperative's own page shows the same position
    own = client.get(f"/{tenants[5].slug}/netwerk-lidmaatschap/?jaar={PAGE_YEAR}")
    text = _text(own)
    assert own.status_code == 200 and "€ 40,00" in text and "Stoppen met delen" in text
    assert "€ 10,00" not in text and tenants[0].name not in text
    with app.app_context():
        kinds = db.session.scalars(select(AggregateRead.requester_kind).where(
            AggregateRead.user_id == admin.id)).all()
    assert sorted(set(kinds)) == ["cooperatie", "netwerk"]


def test_a_cooperative_admin_opts_in_and_out(app, make, client, alone):
    tenant = make.tenant()
    admin = make.member(tenant, Role.ADMIN)
    login(client, admin)
    path = f"/{tenant.slug}/netwerk-lidmaatschap/"
    refused = post(client, path, {"actie": "benchmark-delen"}, token_from=path,
                   follow_redirects=True).get_data(as_text=True)
    assert "Sluit u eerst aan bij het netwerk" in refused
    post(client, path, {"actie": "aansluiten"}, token_from=path)
    with app.app_context():
        assert not bench.takes_part(db.session, tenant.id)
    done = post(client, path, {"actie": "benchmark-delen"}, token_from=path,
                follow_redirects=True).get_data(as_text=True)
    assert "deelt nu jaarcijfers in de benchmark" in done and "Uw positie" in done
    with app.app_context():
        assert bench.takes_part(db.session, tenant.id)
    post(client, path, {"actie": "benchmark-stoppen"}, token_from=path)
    with app.app_context():
        assert not bench.takes_part(db.session, tenant.id)
    # without the CSRF token nothing changes
    assert client.post(path, data={"actie": "benchmark-delen"}).status_code in (302, 400)
    with app.app_context():
        assert not bench.takes_part(db.session, tenant.id)


def test_a_supervisor_cannot_change_sharing_and_outsiders_get_404(app, make, client):
    tenant = make.tenant()
    login(client, make.member(tenant, Role.SUPERVISOR))
    assert client.get(f"/{tenant.slug}/netwerk-lidmaatschap/").status_code in (403, 404)
    assert client.get("/netwerk/benchmark").status_code == 404
