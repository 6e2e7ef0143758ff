"""Warnings: week above the agreed hours, volunteer allowance caps (2025 and 2026 rules, monthly
and yearly, none for under-27s on bijstand), a date outside the trajectory; constant queries."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from blueprints.hours import checks
from blueprints.hours.models import EntryStatus, HourType
from blueprints.participants.models import Benefit
from blueprints.trajectories.models import TrajectoryKind
from tests.hours.builders import add_person, entry

VOL = HourType.VOLUNTEER


def warnings_of(world, e):
    return checks.entry_warnings(world.session, world.tenant, [e]).get(e.id, [])


def allowance_warnings_of(world, e):
    return [m.replace("\xa0", " ") for m in warnings_of(world, e) if "ergoeding" in m]


def test_more_hours_in_a_week_than_agreed(world):
    s, p, t = world.session, world.participant, world.trajectory  # 12 hours a week
    monday = date(2026, 11, 16)
    a = entry(s, p, t, monday, 8 * 60)
    assert warnings_of(world, a) == []
    b = entry(s, p, t, monday + timedelta(days=2), 5 * 60)
    expected = ("Week 2026-W47: 13 uur geschreven op dit traject, meer dan de afgesproken 12 uur "
                "per week.")
    assert warnings_of(world, a) == [expected] and warnings_of(world, b) == [expected]
    entry(s, p, t, monday + timedelta(days=3), 60, status=EntryStatus.RETURNED)  # counts nowhere
    assert "13 uur" in warnings_of(world, b)[0]
    entry(s, p, t, monday + timedelta(days=7), 60)  # next week
    assert "13 uur" in warnings_of(world, b)[0]


def test_the_agreed_hours_follow_the_build_up(world):
    s, actor = world.session, world.coach_actor
    person, t = add_person(s, actor, "Kees", "de Graaf", hours="8",
                           build_up=[(date(2026, 3, 4), "16")])
    before = entry(s, person, t, date(2026, 2, 23), 10 * 60)
    assert "meer dan de afgesproken 8 uur" in warnings_of(world, before)[0]
    # the step starts on the Wednesday of that week: the week is held to the new figure
    during = entry(s, person, t, date(2026, 3, 2), 10 * 60)
    assert warnings_of(world, during) == []


def test_a_date_outside_the_trajectory(world):
    s, actor = world.session, world.coach_actor
    person, first = add_person(s, actor, "Kees", "de Graaf", starts_on=date(2026, 1, 5),
                               planned_end_on=date(2026, 3, 31))
    person_id = person.id
    _p, second = add_person(s, actor, "x", "y", starts_on=date(2026, 6, 1))
    second.participant_id = person_id  # a later second trajectory of the same person
    s.flush()
    after = entry(s, person, first, date(2026, 4, 2), 60)
    assert warnings_of(world, after) == [
        "02-04-2026 valt buiten de looptijd van het traject (05-01-2026 – 31-03-2026)."]
    early = entry(s, person, second, date(2026, 5, 4), 60)
    assert "valt buiten de looptijd" in warnings_of(world, early)[0]


@pytest.fixture
def volunteer(world):
    """A volunteer of 45 on bijstand since January 2025; the tenant pays € 5 an hour."""
    world.tenant.volunteer_allowance_cents_per_hour = 500
    person, t = add_person(world.session, world.coach_actor, "Els", "Bakker",
                           kind=TrajectoryKind.VOLUNTEER, starts_on=date(2025, 1, 6),
                           date_of_birth=date(1981, 5, 1))
    return person, t


@pytest.mark.parametrize("year,ok_hours,cap", [(2025, 42, "€ 210,00"), (2026, 44, "€ 220,00")])
def test_monthly_cap_of_the_rule_valid_on_the_date(world, volunteer, year, ok_hours, cap):
    s = world.session
    person, t = volunteer
    e = entry(s, person, t, date(year, 3, 2), ok_hours * 60, hour_type=VOL)
    assert allowance_warnings_of(world, e) == []  # exactly at the cap is allowed
    entry(s, person, t, date(year, 3, 20), 60, hour_type=VOL)
    messages = allowance_warnings_of(world, e)
    assert len(messages) == 1 and f"meer dan de grens van {cap} per maand" in messages[0]
    assert f"maart {year}" in messages[0] and "hele vergoeding belast" in messages[0]


@pytest.mark.parametrize("year,hours_over_year,warned,cap", [
    (2025, 440, True, "€ 2.100,00"),   # € 2.200 > € 2.100 (2025)
    (2026, 440, False, None),           # € 2.200 = € 2.200 (2026)
    (2026, 441, True, "€ 2.200,00"),
])
def test_yearly_cap_of_the_rule_valid_on_the_date(world, volunteer, year, hours_over_year, warned,
                                                  cap):
    s = world.session
    person, t = volunteer
    entries = [entry(s, person, t, date(year, month, 3), 40 * 60, hour_type=VOL)
               for month in range(1, 12)]  # 40 hours a month: € 200, under each monthly cap
    if hours_over_year > 440:
        entry(s, person, t, date(year, 12, 1), (hours_over_year - 440) * 60, hour_type=VOL)
    messages = allowance_warnings_of(world, entries[0])
    if warned:
        assert messages == [
            f"Vrijwilligersvergoeding in {year}: € {hours_over_year * 5:,.2f}".replace(",", "#")
            .replace(".", ",").replace("#", ".")
            + f", meer dan de grens van {cap} per jaar. Boven een grens is de hele vergoeding "
            "belast."]
    else:
        assert messages == []


def test_other_hour_types_and_other_people_do_not_count_for_the_allowance(world, volunteer):
    s = world.session
    person, t = volunteer
    e = entry(s, person, t, date(2026, 3, 2), 40 * 60, hour_type=VOL)
    entry(s, person, t, date(2026, 3, 3), 10 * 60, hour_type=HourType.TRAINING)
    entry(s, world.participant, world.trajectory, date(2026, 3, 3), 10 * 60, hour_type=VOL)
    entry(s, person, t, date(2026, 3, 4), 10 * 60, hour_type=VOL, status=EntryStatus.RETURNED)
    assert allowance_warnings_of(world, e) == []


def test_no_allowance_for_under_27s_on_bijstand(world):
    world.tenant.volunteer_allowance_cents_per_hour = 500
    s, actor = world.session, world.coach_actor
    young, t = add_person(s, actor, "Mo", "Amrani", kind=TrajectoryKind.VOLUNTEER,
                          date_of_birth=date(2001, 2, 1), benefit=Benefit.BIJSTAND)
    e = entry(s, young, t, date(2026, 3, 2), 50 * 60, hour_type=VOL)  # above the cap
    assert allowance_warnings_of(world, e) == [
        "Geen vrijwilligersvergoeding: Mo Amrani is jonger dan 27 en heeft bijstand; dan is een "
        "vergoeding niet vrijgelaten (Pw art. 31 lid 5)."]
    # on WW the caps apply whatever the age
    ww, t2 = add_person(s, actor, "Noor", "Visser", kind=TrajectoryKind.VOLUNTEER,
                        date_of_birth=date(2001, 2, 1), benefit=Benefit.WW)
    e2 = entry(s, ww, t2, date(2026, 3, 2), 50 * 60, hour_type=VOL)
    assert "per maand" in allowance_warnings_of(world, e2)[0]
    # on the 27th birthday the caps apply (the 2026 rule is the latest valid then)
    older = entry(s, young, t, date(2028, 2, 1), 50 * 60, hour_type=VOL)
    assert "meer dan de grens van € 220,00 per maand" in allowance_warnings_of(world, older)[0]


def test_no_allowance_warnings_when_the_tenant_pays_none(world, volunteer):
    world.tenant.volunteer_allowance_cents_per_hour = None
    person, t = volunteer
    e = entry(world.session, person, t, date(2026, 3, 2), 60 * 60, hour_type=VOL)
    assert allowance_warnings_of(world, e) == []


def test_warnings_take_the_same_number_of_queries_for_1_or_40_entries(world, volunteer,
                                                                     count_queries):
    s = world.session
    person, t = volunteer
    one = [entry(s, person, t, date(2026, 3, 2), 60, hour_type=VOL)]
    many = list(one)
    for i in range(13):  # 13 people, 3 entries each, over several weeks and months
        other, other_t = add_person(s, world.coach_actor, f"P{i}", "Test",
                                    kind=TrajectoryKind.VOLUNTEER, starts_on=date(2025, 1, 6))
        many += [entry(s, other, other_t, date(2026, 1 + i % 11, 2) + timedelta(days=d), 90,
                       hour_type=VOL) for d in (0, 8, 16)]
    s.flush()
    with count_queries() as n:
        checks.entry_warnings(s, world.tenant, one)
    small = n()
    with count_queries() as n:
        checks.entry_warnings(s, world.tenant, many)
    assert n() == small


def test_known_people_and_trajectories_give_the_same_warnings_without_reading_them(
        world, count_queries):
    """A participant's hours page passes the person and their trajectories it loaded already:
    the same warnings (week total, allowance, dates), two queries fewer; one not passed is
    still read."""
    s, actor = world.session, world.coach_actor
    world.tenant.volunteer_allowance_cents_per_hour = 500
    person, t = add_person(s, actor, "Els", "Bakker", kind=TrajectoryKind.VOLUNTEER,
                           starts_on=date(2026, 1, 5), planned_end_on=date(2026, 3, 31),
                           date_of_birth=date(1981, 5, 1))
    entries = [entry(s, person, t, date(2026, 3, 2), 50 * 60, hour_type=VOL),
               entry(s, person, t, date(2026, 4, 2), 60, hour_type=VOL)]
    s.flush()
    with count_queries() as n:
        plain = checks.entry_warnings(s, world.tenant, entries)
    read = n()
    assert len(plain[entries[0].id]) >= 2 and "valt buiten de looptijd" in plain[entries[1].id][0]
    with count_queries() as n:
        assert checks.entry_warnings(s, world.tenant, entries, known=[person, t]) == plain
    assert n() == read - 2
    with count_queries() as n:
        assert checks.entry_warnings(s, world.tenant, entries, known=[person]) == plain
    assert n() == read - 1
