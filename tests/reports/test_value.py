"""The value estimate against a worked example computed by hand, the follow-ups of an outflow to
work, the tenant's assumptions within bounds (audited), and the pages."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from blueprints.hours.models import HourType
from blueprints.participants.models import HouseholdType
from blueprints.reports import followups, value
from blueprints.reports.periods import Period
from blueprints.trajectories.models import Outcome
from tenants.errors import DomainError
from tenants.models import AuditEvent, Role
from tests.helpers import csrf_token
from tests.hours.builders import add_person
from tests.reports.builders import end, log
from tests.reports.test_report import login

def _post(client, path, prefix, data, **kw):
    """POST one of the page's prefixed forms with its CSRF token."""
    data = {f"{prefix}-{k}": v for k, v in data.items()}
    data[f"{prefix}-csrf_token"] = csrf_token(client, "/account")
    return client.post(path, data=data, **kw)


YEAR_2025 = Period("jaar", date(2025, 1, 1), date(2025, 12, 31))


def _outflow(coop, first, household, started, ended, outcome):
    person, trajectory = add_person(coop.session, coop.actor, first=first, last="Waarde",
                                    starts_on=started)
    person.household_type = household
    coop.people.append((person, trajectory))
    end(coop, len(coop.people) - 1, outcome, ended)
    return trajectory


@pytest.fixture
def worked(coop):
    """A: single, paid work from 20-05-2025, still out at +6 (checked 20-11-2025, contract).
    B: couple, own business from 10-08-2025, no follow-up yet.
    C: single, paid work from 15-01-2024, back on benefit at +6 (checked 20-07-2024)."""
    s = coop.session
    a = _outflow(coop, "Anna", HouseholdType.SINGLE, date(2024, 9, 2), date(2025, 5, 20),
                 Outcome.PAID_WORK)
    b = _outflow(coop, "Bram", HouseholdType.COUPLE, date(2024, 9, 2), date(2025, 8, 10),
                 Outcome.SELF_EMPLOYED)
    c = _outflow(coop, "Cor", HouseholdType.SINGLE_PARENT, date(2023, 6, 1), date(2024, 1, 15),
                 Outcome.PAID_WORK)
    followups.record_followup(s, coop.actor, a.id, 6, date(2025, 11, 20), True, "contract")
    followups.record_followup(s, coop.actor, c.id, 6, date(2024, 7, 20), False, "gemeente")
    s.commit()
    return a, b, c


def test_worked_example_two_household_types_and_a_norm_change(coop, worked):
    est = value.estimate(coop.session, YEAR_2025)
    # A (alleenstaand, 70% of the couple norm): off benefit from 1 June; June at the norm of
    # 1-1-2025 (€ 1.345,45), July to December at the norm of 1-7-2025 (€ 1.369,06).
    # Confirmed up to the +6 follow-up of 20-11-2025: June–November = 134545 + 5 × 136906
    # = 819075; December unconfirmed: 136906.
    # B (samenwonend): September–December, unconfirmed, 4 × 195580 = 782320.
    # C: back on benefit since 20-07-2024: no month in 2025.
    assert est.gross_confirmed_cents == 819075
    assert est.gross_unconfirmed_cents == 136906 + 782320
    # durability from the cooperative's own follow-ups at 6/12 months: A yes, C no = 1/2
    assert (est.durability_followed, est.durability_still_off) == (2, 1)
    # gross = 819075 + ½ × 919226 = 1278688
    assert est.gross_cents == 1278688
    # central: deadweight 50% (platform default), no administration cost: 639344
    assert est.central_cents == 639344
    # low: deadweight 70%, no administration cost: 0.3 × 1278688 = 383606.4 -> 383606
    assert est.low_cents == 383606
    # administration: 6 confirmed + ½ × 5 unconfirmed = 8.5 months × 288300 / 12 = 204212.5
    assert est.admin_cents == 204213
    # high: deadweight 30%, with administration: 0.7 × 1482900.5 = 1038030.35 -> 1038030
    assert est.high_cents == 1038030
    # broad benefits beside it: 8.5 months × 50% / 12 × 500000 = 177083.3 -> 177083
    assert est.broad_cents == 177083
    assert est.by_outcome == {Outcome.PAID_WORK: 1, Outcome.SELF_EMPLOYED: 1}
    assert sorted((n.category, n.valid_from) for n in est.norms) == [
        ("alleenstaand", date(2025, 1, 1)), ("alleenstaand", date(2025, 7, 1)),
        ("gehuwden", date(2025, 7, 1))]


def test_without_follow_ups_the_cbs_figure_is_the_durability(coop):
    _outflow(coop, "Dirk", HouseholdType.LODGER, date(2025, 1, 6), date(2025, 10, 31),
             Outcome.PAID_WORK)
    coop.session.commit()
    est = value.estimate(coop.session, YEAR_2025)
    # kostendeler (50% of € 1.955,80 = € 977,90): November and December, unconfirmed, × 91%
    assert est.gross_unconfirmed_cents == 2 * 97790
    assert est.durability_followed == 0
    assert est.gross_cents == 177978  # 195580 × 0.91 = 177977.8
    assert est.central_cents == 88989  # × 0.5


def test_a_tenant_sets_an_assumption_within_bounds_and_it_is_audited(coop, worked):
    s = coop.session
    with pytest.raises(DomainError):
        value.set_assumption(s, coop.actor, "dode_last", 95, "te hoog")
    with pytest.raises(DomainError):
        value.set_assumption(s, coop.actor, "dode_last", 40, "  ")
    with pytest.raises(DomainError):
        value.parse_value("dode_last", "veertig")
    with pytest.raises(DomainError):
        value.parse_value("uitvoeringskosten_meetellen", "misschien")
    assert value.parse_value("uitvoeringskosten_meetellen", "Ja") == 1
    assert value.parse_value("uitvoeringskosten", "2.500,00") == 250000
    value.set_assumption(s, coop.actor, "dode_last", value.parse_value("dode_last", "40%"),
                         "Onderzoek van de gemeente 2024")
    s.commit()
    est = value.estimate(s, YEAR_2025)
    assert est.used["dode_last"].value == 40 and est.used["dode_last"].own is not None
    assert est.central_cents == 767213  # 1278688 × 0.6 = 767212.8
    assert (est.deadweight_low, est.deadweight_high) == (60, 20)
    events = s.scalars(select(AuditEvent).where(
        AuditEvent.tenant_id == coop.tenant.id,
        AuditEvent.action == "report.assumption_changed")).all()
    assert [(e.details["old"], e.details["new"]) for e in events] == [(None, 40)]
    value.set_assumption(s, coop.actor, "dode_last", None, None)
    s.commit()
    assert value.estimate(s, YEAR_2025).used["dode_last"].value == 50


def test_follow_up_rules(coop, worked):
    a, _b, _c = worked
    s = coop.session
    for months, when, answer, source in [
            (3, date(2025, 8, 20), True, "contract"),      # not a checkpoint
            (1, None, True, "contract"),                   # no date
            (1, date(2025, 5, 1), True, "contract"),       # before the outflow
            (1, date(2099, 1, 1), True, "contract"),       # in the future
            (1, date(2025, 6, 20), None, "contract"),      # no answer
            (1, date(2025, 6, 20), True, "buurman")]:      # unknown source
        with pytest.raises(DomainError):
            followups.record_followup(s, coop.actor, a.id, months, when, answer, source)
    # a trajectory that is not an outflow to work has no follow-ups
    _person, running = coop.people[0]
    with pytest.raises(DomainError):
        followups.record_followup(s, coop.actor, running.id, 1, date(2025, 6, 20), True,
                                  "contract")


def test_due_follow_ups(coop, worked):
    a, b, c = worked
    due = followups.due_followups(coop.session, date(2026, 2, 1))
    # A: +1 (20-06-2025) not recorded, +6 recorded, +12 (20-05-2026) not yet due;
    # B: +1 (10-09-2025) and +6 (10-02-2026, within two weeks); C: back on benefit, none
    assert [(d.outflow.trajectory.id, d.months) for d in due] == [
        (a.id, 1), (b.id, 1), (b.id, 6)]


def test_the_report_shows_durability_and_self_employment_apart(coop, worked, client):
    login(client, coop.admin)
    page = client.get(f"/{coop.tenant.slug}/rapportage?periode=jaar&jaar=2025").get_data(
        as_text=True)
    assert "Eigen bedrijf (zelfstandig ondernemer)" in page and "Betaald werk" in page
    assert "Nog uit de uitkering na 6 maanden" in page
    # A (2025 cohort) was followed up at 6 months and still out: 100%
    assert 'id="cijfer-durable_6"' in page
    row = page.split('id="cijfer-durable_6"')[1].split("</tr>")[0]
    assert "100,0%" in row


def test_the_value_page_shows_its_working(coop, worked, client):
    login(client, coop.admin)
    url = f"/{coop.tenant.slug}/rapportage/waarde?periode=jaar&jaar=2025"
    page = client.get(url).get_data(as_text=True).replace("\xa0", " ")
    for text in ("€ 6.393,44", "€ 3.836,06", "€ 10.380,30", "€ 1.345,45", "€ 1.369,06",
                 "€ 1.955,80", "Rijksoverheid", "70% van de gehuwdennorm", "Berenschot",
                 "CPB/SCP", "50%", "nooit erbij opgeteld", "Gemeente", "Rijk en samenleving"):
        assert text in page, text
    assert "Anna" not in page  # the estimate names nobody


def test_changing_an_assumption_through_the_page(coop, worked, client):
    login(client, coop.admin)
    base = f"/{coop.tenant.slug}/rapportage/waarde"
    answer = _post(client, f"{base}/aanname/dode_last?periode=jaar&jaar=2025", "dode_last",
                   {"value": "95", "source": "x"}, follow_redirects=True)
    assert "tussen 0% en 90%" in answer.get_data(as_text=True)
    answer = _post(client, f"{base}/aanname/dode_last?periode=jaar&jaar=2025", "dode_last",
                   {"value": "40", "source": "Eigen onderzoek"}, follow_redirects=True)
    page = answer.get_data(as_text=True).replace("\xa0", " ")
    assert "De aanname is opgeslagen." in page and "€ 7.672,13" in page
    assert "Eigen onderzoek" in page
    assert _post(client, f"{base}/aanname/bestaat_niet", "x", {}).status_code == 404


def test_recording_a_follow_up_through_the_page(coop, worked, client):
    _a, b, _c = worked
    login(client, coop.admin)
    base = f"/{coop.tenant.slug}/rapportage/nazorg"
    page = client.get(base).get_data(as_text=True)
    assert "Bram Waarde" in page and "na 1 maanden" in page
    prefix = f"n{b.id}-1"
    answer = _post(client, f"{base}/{b.id}/1", prefix, {
        "checked_on": "2025-09-12", "answer": "ja", "source": "gemeente"},
        follow_redirects=True)
    assert "De nazorg is vastgelegd." in answer.get_data(as_text=True)
    answer = _post(client, f"{base}/{b.id}/1", prefix, {
        "checked_on": "2025-09-12", "answer": "", "source": "gemeente"},
        follow_redirects=True)
    assert "Kies of de deelnemer nog uit de uitkering is." in answer.get_data(as_text=True)
    assert _post(client, f"{base}/{b.id}/3", f"n{b.id}-3", {}).status_code == 404
    assert _post(client, f"{base}/999999999/1", "n999999999-1", {
        "checked_on": "2025-09-12", "answer": "ja", "source": "gemeente"}).status_code == 404


def test_volunteer_hours_have_a_replacement_value(coop, client):
    log(coop, 3, date(2026, 3, 2), "3", HourType.VOLUNTEER)
    log(coop, 3, date(2026, 3, 3), "2", HourType.TRAJECTORY)  # not volunteer work
    coop.session.commit()
    est = value.estimate(coop.session, Period("maand", date(2026, 3, 1), date(2026, 3, 31)))
    assert est.volunteer_minutes == 180
    assert est.volunteer_cents == 3 * 1324


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.PARTICIPANT])
def test_only_admins_see_the_value_and_follow_ups(coop, client, make, role):
    login(client, make.member(coop.tenant, role))
    for path in ("rapportage/waarde", "rapportage/nazorg"):
        assert client.get(f"/{coop.tenant.slug}/{path}").status_code == 403


def test_another_tenants_outflow_is_not_found(coop, worked, client, make, session):
    a, _b, _c = worked
    other = make.tenant(name="Andere coöperatie")
    admin = make.member(other, Role.ADMIN)
    login(client, admin)
    prefix = f"n{a.id}-12"
    assert _post(client, f"/{other.slug}/rapportage/nazorg/{a.id}/12", prefix, {
        "checked_on": "2025-11-20", "answer": "ja", "source": "gemeente"}).status_code == 404


def test_statements_of_the_value_and_follow_up_pages_do_not_grow(coop, worked, client,
                                                                count_queries):
    login(client, coop.admin)
    slug = coop.tenant.slug
    urls = (f"/{slug}/rapportage/waarde?periode=jaar&jaar=2025", f"/{slug}/rapportage/nazorg")
    for url in urls:
        client.get(url)
    before = []
    for url in urls:
        with count_queries() as n:
            assert client.get(url).status_code == 200
        before.append(n())
    for i in range(4):
        _outflow(coop, f"Extra{i}", HouseholdType.COUPLE, date(2024, 9, 2),
                 date(2025, 3 + i, 10), Outcome.PAID_WORK)
    coop.session.commit()
    after = []
    for url in urls:
        with count_queries() as n:
            assert client.get(url).status_code == 200
        after.append(n())
    assert after == before


def test_the_deadweight_default_carries_its_source_on_the_page(coop, worked, client):
    login(client, coop.admin)
    url = f"/{coop.tenant.slug}/rapportage/waarde?periode=jaar&jaar=2025"
    page = client.get(url).get_data(as_text=True)
    assert "Standaard van het platform (50 procent" in page
    assert "Beleidsdoorlichting re-integratie (2008)" in page
    value.set_assumption(coop.session, coop.actor, "dode_last", 60, "Onderzoek gemeente 2025")
    coop.session.commit()
    page = client.get(url).get_data(as_text=True)
    # the own value with its source, and beside it the platform's default with its source
    assert "Eigen waarde van de coöperatie, met als bron: Onderzoek gemeente 2025" in page
    assert "Standaard van het platform: 50%." in page
    assert "Beleidsdoorlichting re-integratie (2008)" in page
    logged = coop.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "report.assumption_changed")).all()
    assert [e.details.get("new") for e in logged][-1] == 60
