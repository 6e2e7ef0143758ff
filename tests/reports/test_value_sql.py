"""The value estimate summed in SQL (issue #13, "Performance") equals, figure for figure and line
for line, the estimate as it was computed before by walking every outflow's months in Python
(tests/reports/value_reference.py) — over random outflows, household types, dates of birth
around 18 to 21, follow-ups, norm changes and periods; and the value page and its API do the
same work, in statements and rows read, for 3 outflows as for 120."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import event as orm_event

from blueprints.participants.models import HouseholdType
from blueprints.reports import value
from blueprints.reports.models import BenefitNorm, OutflowFollowUp
from blueprints.reports.periods import Period
from blueprints.trajectories.models import Outcome, Trajectory, TrajectoryStatus
from tests.api.conftest import bearer, issue  # noqa: F401  (the fixture)
from tests.helpers import login
from tests.hours.builders import add_person
from tests.reports import value_reference
from tests.reports.test_paging import ARGS, YEAR_2025, _outflows

CATEGORIES = (value.COUPLE, value.SINGLE, value.COST_SHARER, value.YOUNG)


def _edge(day: date, how: str) -> date:
    """The day itself, or the first, second or last day of its month (the edges of the rules
    here: a month counts from its first day; an age is counted on a month's first day)."""
    if how == "first":
        return day.replace(day=1)
    if how == "second":
        return day.replace(day=2)
    if how == "last":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return day


EDGE = st.sampled_from(["day", "first", "second", "last"])


def _near(draw, origin: date, low: int, high: int) -> date:
    """A day `low` to `high` days from origin, often on an edge of its month."""
    return _edge(origin + timedelta(days=draw(st.integers(low, high))), draw(EDGE))


@st.composite
def worlds(draw):
    """(period, norms {category: [(valid from, cents)]}, outflows): outflow dates, birthdays
    (18 and 21 years back), follow-ups and norm changes drawn around the period."""
    start = _edge(draw(st.dates(date(2023, 6, 1), date(2026, 6, 30))), draw(EDGE))
    length = draw(st.integers(0, 3 * 366) | st.integers(180, 3 * 366))
    period = Period("eigen", start, start + timedelta(days=length))
    norms = {c: sorted({_near(draw, start, -400, length + 60): draw(st.integers(1, 250_000))
                        for _ in range(draw(st.integers(0, 3)))}.items())
             for c in CATEGORIES}
    outflows = []
    for _ in range(draw(st.integers(1, 8))):
        on = _near(draw, start, -420, length + 30)
        years = draw(st.sampled_from([18, 21]))
        born = draw(st.sampled_from(["near", "near", "none", "other"]))
        if born == "near":  # turning 18 or 21 in the period
            born = _near(draw, start.replace(year=start.year - years, day=1), -40, length)
        else:
            born = None if born == "none" else draw(st.sampled_from(
                [date(2004, 2, 29), date(2005, 3, 1), date(2006, 7, 2), date(1980, 3, 1)]))
        followups = {}
        for months in draw(st.sets(st.sampled_from([1, 6, 12]))):
            checked = _near(draw, on, 0, 500)
            followups[months] = (checked, draw(st.integers(0, 2)) > 0)  # mostly still off
        outflows.append({
            "household": draw(st.sampled_from([*HouseholdType, None])), "born": born,
            "outcome": draw(st.sampled_from([Outcome.PAID_WORK] * 2 + [Outcome.SELF_EMPLOYED] * 2
                                            + [Outcome.EDUCATION])),
            "ended": draw(st.integers(0, 4)) > 0,  # mostly ended, now and then still running
            "on": on, "followups": followups})
    return period, norms, outflows


def _norms(spec: dict) -> value.Norms:
    ids = iter(range(1, 100))
    return value.Norms([BenefitNorm(id=next(ids), category=c, valid_from=d, monthly_cents=cents,
                                    source="test") for c, rows in spec.items()
                        for d, cents in rows])


def _add(coop, i: int, spec: dict) -> None:
    person, trajectory = add_person(coop.session, coop.actor, first=f"Som{i}", last="Waarde",
                                    starts_on=date(2022, 1, 3))
    person.household_type, person.date_of_birth = spec["household"], spec["born"]
    if spec["ended"]:
        trajectory.status, trajectory.outcome = TrajectoryStatus.ENDED, spec["outcome"]
        trajectory.outcome_on = spec["on"]
    for months, (checked_on, still_off) in spec["followups"].items():
        coop.session.add(OutflowFollowUp(
            trajectory_id=trajectory.id, months=months, still_off_benefit=still_off,
            checked_on=checked_on, source="gemeente"))
    coop.session.flush()


def _line(line) -> tuple:
    return (line.outflow.trajectory.id, line.outflow.trajectory.outcome_on,
            line.outflow.trajectory.outcome, line.confirmed_months, line.unconfirmed_months,
            line.confirmed_cents, line.unconfirmed_cents, line.stopped_on,
            line.missing_norm_months, frozenset(line.categories))


def _sql_line(line: value.PersonLine) -> tuple:
    return (line.trajectory_id, line.outcome_on, line.outcome, line.confirmed_months,
            line.unconfirmed_months, line.confirmed_cents, line.unconfirmed_cents,
            line.stopped_on, line.missing_norm_months, line.categories)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds(), platform_norms=st.integers(0, 4).map(lambda n: n == 0))
def test_the_sql_estimate_equals_the_month_by_month_walk(coop, world, platform_norms):
    s = coop.session
    period, norms, outflows = world
    try:
        for i, spec in enumerate(outflows):
            _add(coop, i, spec)
        table = value.Norms.load(s) if platform_norms else _norms(norms)
        est = value.estimate(s, period, norms=table)
        old = value_reference.estimate(s, period, table, est.used, est.volunteer_minutes)
        old_lines = [_line(ln) for ln in old.pop("lines")]
        for name, figure in old.items():
            assert getattr(est, name) == figure, name
        assert len(est.lines) == len(old_lines)
        assert [_sql_line(ln) for ln in est.lines] == old_lines
        assert [_sql_line(ln) for ln in est.lines[1:3]] == old_lines[1:3]  # a page of it
        if old_lines:
            assert _sql_line(est.lines[-1]) == old_lines[-1]
        for line in old_lines:
            event(f"{len(line[-1])} categories"), event(f"stopped: {line[7] is not None}")
            event(f"confirmed: {line[3] > 0}"), event(f"missing norm: {line[8] > 0}")
        event(f"lines: {min(len(old_lines), 3)}")
    finally:
        s.rollback()


def test_the_platform_norms_with_people_turning_18_and_21(coop):
    """The real norms (the migration's rows: a young norm only from 1-1-2026) over July 2025 to
    June 2026, with a person turning 18 before it and one turning 21 in it: the SQL sums and the
    walk agree; the young months use the young norm, or count as without a known norm."""
    s = coop.session
    period = Period("eigen", date(2025, 7, 1), date(2026, 6, 30))
    try:
        for i, (household, born) in enumerate([
                (HouseholdType.SINGLE, date(2007, 4, 1)),      # 18 on 1-4-2025
                (HouseholdType.COUPLE, date(2004, 9, 15)),     # 21 on 15-9-2025
                (None, None)]):
            _add(coop, i, {"household": household, "born": born, "outcome": Outcome.PAID_WORK,
                           "ended": True, "on": date(2024, 12, 10), "followups": {}})
        table = value.Norms.load(s)
        est = value.estimate(s, period)
        old = value_reference.estimate(s, period, table, est.used, est.volunteer_minutes)
        assert [_sql_line(ln) for ln in est.lines] == [_line(ln) for ln in old.pop("lines")]
        assert {name: getattr(est, name) for name in old} == old
        young, turning_21, unknown = est.lines
        assert young.categories == {value.YOUNG}
        # July-December 2025: no young norm yet; January-June 2026 at € 345,99
        assert (young.missing_norm_months, young.unconfirmed_months) == (6, 6)
        assert young.unconfirmed_cents == 6 * 34599
        assert turning_21.categories == {value.YOUNG, value.COUPLE}
        assert (turning_21.missing_norm_months, turning_21.unconfirmed_months) == (3, 9)
        assert unknown.categories == {value.COST_SHARER} and unknown.unconfirmed_months == 12
    finally:
        s.rollback()


def _loads(model):
    """A counter of the instances of `model` the ORM loads (`with` it; call for the count)."""
    class Counter:
        n = 0

        def __call__(self):
            return self.n

        def _on_load(self, target, context):
            self.n += 1

        def __enter__(self):
            orm_event.listen(model, "load", self._on_load)
            return self

        def __exit__(self, *exc):
            orm_event.remove(model, "load", self._on_load)

    return Counter()


def test_the_value_page_and_api_do_the_same_work_for_3_outflows_as_for_120(
        coop, client, count_queries, issue):  # noqa: F811
    token = issue(coop.admin, coop.tenant)
    from tenants.tenancy import tenant_context

    with tenant_context(coop.session, coop.tenant.id):
        _outflows(coop, 3)
    login(client, coop.admin)
    slug = coop.tenant.slug
    pages = (f"/{slug}/rapportage/waarde?{ARGS}", f"/{slug}/rapportage/waarde?{ARGS}&page=3")
    api = f"/api/v1/{slug}/reports/value?period=jaar&year=2025"

    def work():
        """Per request: (statements, trajectories and follow-ups loaded as objects)."""
        result = []
        for url, headers in [(u, {}) for u in pages] + [(api, bearer(token))]:
            client.get(url, headers=headers)
            with count_queries() as n, _loads(Trajectory) as t, _loads(OutflowFollowUp) as f:
                assert client.get(url, headers=headers).status_code == 200
            result.append((n(), t(), f()))
        return result

    few = work()
    with tenant_context(coop.session, coop.tenant.id):
        _outflows(coop, 117, first=3)
        assert len(value.estimate(coop.session, YEAR_2025).lines) == 120
    many = work()
    assert many == few
    # no outflow is read as an object: the page's 50 lines are rows of the grouped statement
    assert all(t == f == 0 for _n, t, f in many)
