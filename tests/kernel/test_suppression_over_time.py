"""Suppression across the tables a municipality can read over time (tenants/suppression.py,
`protect_period`, as tenants/aggregates.py publishes them): all months, quarters and the year,
per cooperative and in total, for two sets of sharing cooperatives (one stops sharing, or
joins from a later month). No count below the threshold may follow from adding and
subtracting published cells — across periods and across the two sets.

The check is exact linear algebra over the underlying figures: each published cell is the sum
of (month, row, cooperative) figures; a group is derivable when its sum lies in the span of the
published sums. Groups checked: every cell of every table, every single month figure, and the
hidden cells of each line together — each one whose people (distinct persons, computed from
the generated persons) number more than 0 and fewer than the threshold."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tenants.suppression import (
    PARTS,
    SECONDARY,
    SMALL,
    TOTAL,
    build,
    period_forced,
    protect,
    protect_period,
)

MONTHS = list(range(1, 13))
QUARTERS = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]
LATTICE = [[m] for m in MONTHS] + QUARTERS + [MONTHS]


@dataclass(frozen=True)
class Person:
    coop: str
    entries: tuple  # ((month, row, value), ...)


class World:
    """Persons with figures per (month, row) in a cooperative; the base figures and the people
    behind any set of them."""

    def __init__(self, persons, rows, hours):
        self.persons, self.rows, self.hours = persons, rows, hours
        self.base: dict[tuple, int] = {}
        for p in persons:
            for month, row, value in p.entries:
                key = (month, row, p.coop)
                self.base[key] = self.base.get(key, 0) + value

    def people(self, keys: frozenset) -> int:
        return sum(1 for p in self.persons
                   if any((m, r, p.coop) in keys and v > 0 for m, r, v in p.entries))

    def value(self, keys) -> int:
        return sum(self.base.get(k, 0) for k in keys)


def cell_keys(period, rows, columns, key) -> frozenset:
    r, c = key
    in_rows = rows if r == TOTAL else [r]
    in_columns = columns if c == TOTAL else [c]
    return frozenset((m, row, col) for m in period for row in in_rows for col in in_columns)


def table_of(world: World, period, columns, threshold, months=None, apart=True):
    """The table of one period as tenants/aggregates.py builds and protects it."""
    cells = {}
    for r in world.rows:
        for c in columns:
            keys = cell_keys(period, world.rows, columns, (r, c))
            cells[(r, c)] = (world.value(keys), world.people(keys))
    totals = {(TOTAL, c): world.people(cell_keys(period, world.rows, columns, (TOTAL, c)))
              for c in columns} if world.hours else None
    table = build(world.rows, columns, cells, totals, rows_disjoint=not world.hours)
    if apart:
        return protect_period(table, threshold, months)
    return protect(table, threshold, forced=period_forced(table, months) if months else ())


def publish(world: World, shares: dict, threshold: int, apart=True) -> list:
    """[(period, columns, table)] of the whole lattice of the year for one set of shares
    ({cooperative: first month})."""
    result, month_tables = [], {}
    for period in LATTICE:  # the months first: a longer period is forced from their tables
        columns = [c for c, since in sorted(shares.items()) if since <= period[0]]
        months = [month_tables[m] for m in period] if len(period) > 1 else None
        table = table_of(world, period, columns, threshold, months, apart)
        if len(period) == 1:
            month_tables[period[0]] = table
        result.append((period, columns, table))
    return result


class Span:
    """The span of published sums (sparse Gaussian elimination over the fractions)."""

    def __init__(self):
        self.pivots: dict = {}

    def _reduce(self, vector: dict) -> dict:
        vector = dict(vector)
        for var, row in self.pivots.items():
            factor = vector.get(var)
            if factor:
                for k, v in row.items():
                    vector[k] = vector.get(k, Fraction(0)) - factor * v
                vector = {k: v for k, v in vector.items() if v}
        return vector

    def add(self, keys: frozenset) -> None:
        vector = self._reduce({k: Fraction(1) for k in keys})
        if not vector:
            return
        var = min(vector, key=str)
        lead = vector[var]
        vector = {k: v / lead for k, v in vector.items()}
        for other, row in self.pivots.items():
            factor = row.get(var)
            if factor:
                merged = {k: row.get(k, Fraction(0)) - factor * vector.get(k, Fraction(0))
                          for k in set(row) | set(vector)}
                self.pivots[other] = {k: v for k, v in merged.items() if v}
        self.pivots[var] = vector

    def holds(self, keys: frozenset) -> bool:
        return not self._reduce({k: Fraction(1) for k in keys})


def leaks(world: World, snapshots: list[dict], threshold: int, apart=True) -> list:
    """The groups of fewer than `threshold` people whose figure follows from everything
    published for the snapshots' sets of cooperatives."""
    span, groups = Span(), set()
    for shares in snapshots:
        for period, columns, table in publish(world, shares, threshold, apart):
            for key, cell in table.cells.items():
                keys = cell_keys(period, world.rows, columns, key)
                if cell.shown:
                    span.add(keys)
                else:
                    groups.add(keys)
            for line in table.lines():
                if table.cells[line[-1]].shown:
                    hidden = frozenset().union(*(
                        cell_keys(period, world.rows, columns, k)
                        for k in line[:-1] if table.cells[k].hidden))
                    groups.add(hidden)
    groups |= {frozenset([k]) for k in world.base}
    return [sorted(g) for g in groups
            if 0 < world.people(g) < threshold and span.holds(g)]


def primary_holds(world, snapshots, threshold) -> bool:
    for shares in snapshots:
        for period, columns, table in publish(world, shares, threshold):
            for key, cell in table.cells.items():
                if 0 < cell.people < threshold and not cell.hidden:
                    return False
    return True


# --- the property ------------------------------------------------------------------------------

COOPS = ["A", "B", "C"]
#: months drawn unevenly so that some cells are large and others small
MONTH_DRAW = st.sampled_from([1, 1, 1, 2, 2, 3, 3, 3, 5, 8, 12])


@st.composite
def worlds(draw):
    hours = draw(st.booleans())
    rows = ["r0", "r1", "r2"][:draw(st.integers(2, 3))]
    coops = COOPS[:draw(st.integers(1, 3))]
    persons = []
    for _ in range(draw(st.integers(0, 45))):
        coop = draw(st.sampled_from(coops))
        if hours:  # hours: a person can work in several months and hour types
            entries = tuple(draw(st.lists(st.tuples(MONTH_DRAW, st.sampled_from(rows),
                                                    st.integers(30, 600)),
                                          min_size=1, max_size=3)))
        else:  # outflow: one ended trajectory, one outcome, one day
            entries = ((draw(MONTH_DRAW), draw(st.sampled_from(rows)), 1),)
        persons.append(Person(coop, entries))
    since = {c: draw(st.sampled_from([1, 1, 2, 4, 7])) for c in coops}
    # the second set: one cooperative stops sharing, or one starts from a later month
    later = dict(since)
    changed = draw(st.sampled_from(coops))
    if draw(st.booleans()) and len(coops) > 1:
        del later[changed]
    else:
        later[changed] = draw(st.sampled_from([2, 3, 4, 5, 10]))
    return World(persons, rows, hours), [since, later]


@settings(max_examples=60, deadline=None)
@given(worlds(), st.sampled_from([5, 10]))
def test_no_small_group_follows_from_all_tables_of_a_year_and_two_sets_of_cooperatives(
        case, threshold):
    world, snapshots = case
    assert primary_holds(world, snapshots, threshold)
    assert leaks(world, snapshots, threshold) == []


# --- hand-made: what the per-table rule leaked, and what the rule over time publishes -----------

def _outflow(grid: dict) -> World:
    """{(month, row, coop): n ended trajectories} as persons."""
    persons = [Person(c, ((m, r, 1),)) for (m, r, c), n in grid.items() for _ in range(n)]
    return World(persons, ["werk", "opleiding"], hours=False)


JOINS = _outflow({(1, "werk", "A"): 2, (1, "werk", "B"): 8, (1, "werk", "C"): 6,
                  (1, "opleiding", "A"): 6, (1, "opleiding", "B"): 7,
                  (1, "opleiding", "C"): 9})


def test_the_per_table_rule_leaks_when_a_cooperative_joins_and_the_checker_finds_it():
    """A and B share; later C joins. Protecting each table on its own picks B's cell to hide
    in the row "werk" the first time and C's the second: then A's 2 is the first total minus
    the second one's shown cells."""
    before, after = {"A": 1, "B": 1}, {"A": 1, "B": 1, "C": 1}
    assert leaks(JOINS, [before, after], 5, apart=False) != []
    assert leaks(JOINS, [before, after], 5) == []


def test_each_cooperatives_column_is_protected_on_its_own_and_totals_only_from_shown_cells():
    [(_p, _c, january)] = [t for t in publish(JOINS, {"A": 1, "B": 1, "C": 1}, 5)
                           if t[0] == [1]]
    assert january.cell("werk", "A").hidden == SMALL
    assert january.cell(TOTAL, "A").hidden == SECONDARY  # A's column: its total goes too
    assert january.cell("opleiding", "A").shown
    assert all(january.cell(r, c).shown for r in ("werk", "opleiding", TOTAL)
               for c in ("B", "C"))
    assert january.cell("werk", TOTAL).hidden == PARTS  # holds A's hidden cell
    assert january.cell("opleiding", TOTAL).value == 22  # the sum of shown cells
    assert january.cell(TOTAL, TOTAL).hidden == PARTS
    # the same cells of A are hidden whoever else shares
    [(_p, _c, alone)] = [t for t in publish(JOINS, {"A": 1}, 5) if t[0] == [1]]
    assert {k for k, c in alone.cells.items() if c.hidden and k[1] == "A"} \
        == {k for k, c in january.cells.items() if c.hidden and k[1] == "A"}


def test_a_quarter_and_its_months_give_no_small_month_away():
    world = _outflow({(1, "werk", "A"): 6, (2, "werk", "A"): 8, (3, "werk", "A"): 2,
                      (1, "opleiding", "A"): 9, (2, "opleiding", "A"): 9,
                      (3, "opleiding", "A"): 9, (1, "werk", "B"): 7, (2, "werk", "B"): 9,
                      (3, "werk", "B"): 9, (1, "opleiding", "B"): 5, (2, "opleiding", "B"): 6,
                      (3, "opleiding", "B"): 7})
    tables = {tuple(p): t for p, _c, t in publish(world, {"A": 1, "B": 1}, 5)}
    march, quarter = tables[(3,)], tables[(1, 2, 3)]
    assert march.cell("werk", "A").hidden == SMALL
    assert quarter.cell("werk", "A").hidden  # Q1 − January − February would give March's 2
    assert tables[tuple(MONTHS)].cell("werk", "A").hidden
    assert quarter.cell("werk", "B").shown and quarter.cell("werk", "B").value == 25
    assert leaks(world, [{"A": 1, "B": 1}], 5) == []
