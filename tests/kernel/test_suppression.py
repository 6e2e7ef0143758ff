"""Suppression (tenants/suppression.py): hand-made tables where a small cell, a small cell
recoverable from a total and a small difference between periods must be hidden, and a
property test that no published table lets a count below the threshold be derived."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tenants.suppression import (
    PARTS,
    PERIOD,
    SECONDARY,
    SMALL,
    TOTAL,
    build,
    determined,
    period_forced,
    protect,
    rate,
    threshold_for,
)


def counts(grid: dict) -> dict:
    """{(row, col): n} as a table of counts of people (value = people)."""
    return {k: (n, n) for k, n in grid.items()}


def test_the_threshold_is_the_platforms_unless_a_municipality_raises_it_to_at_most_10():
    assert threshold_for(None) == 5
    assert threshold_for(3) == 5
    assert threshold_for(8) == 8
    assert threshold_for(50) == 10


def test_a_single_small_cell_is_hidden_and_cannot_be_worked_back():
    table = protect(build(["werk", "opleiding"], ["A", "B"],
                          counts({("werk", "A"): 2, ("werk", "B"): 8,
                                  ("opleiding", "A"): 6, ("opleiding", "B"): 7})), 5)
    assert table.cell("werk", "A").hidden == SMALL
    # the row total 10 and column total 8 would give the 2 back: a second cell in each goes
    assert table.cell("werk", "B").hidden == SECONDARY
    assert table.cell("opleiding", "A").hidden == SECONDARY
    assert table.cell("opleiding", "B").hidden == SECONDARY
    assert table.cell("werk", TOTAL).shown and table.cell(TOTAL, TOTAL).shown
    assert determined(table) == set()


def test_two_small_cells_together_are_not_left_as_a_small_sum():
    # 1 + 1 hidden, but the column total minus the shown cell would give the 2 people's hours
    table = protect(build(["traject", "vrijwillig", "scholing"], ["A"],
                          {("traject", "A"): (900, 7), ("vrijwillig", "A"): (300, 1),
                           ("scholing", "A"): (200, 1)}, rows_disjoint=False), 5)
    assert table.cell("vrijwillig", "A").hidden == SMALL
    assert table.cell("scholing", "A").hidden == SMALL
    assert table.cell("traject", "A").hidden == SECONDARY


def test_zero_is_shown_and_large_cells_stay():
    table = protect(build(["werk"], ["A", "B"], counts({("werk", "A"): 0,
                                                        ("werk", "B"): 12})), 5)
    assert all(c.shown for c in table.cells.values())


def test_a_small_cell_recoverable_from_the_total_across_cooperatives_is_hidden():
    # one cooperative only: its cell equals the total across cooperatives
    table = protect(build(["werk", "opleiding"], ["A"],
                          counts({("werk", "A"): 3, ("opleiding", "A"): 9})), 5)
    assert table.cell("werk", "A").hidden == SMALL
    assert table.cell("werk", TOTAL).hidden  # the total across cooperatives is the same 3
    assert determined(table) == set()
    assert table.cell(TOTAL, TOTAL).value == 12


def test_a_small_total_of_small_cells_is_hidden_too():
    table = protect(build(["werk", "opleiding"], ["A", "B"],
                          counts({("werk", "A"): 1, ("werk", "B"): 2})), 5)
    assert table.cell("werk", TOTAL).hidden == SMALL
    assert determined(table) == set()


def test_a_small_difference_between_a_quarter_and_its_months_is_hidden():
    rows, cols = ["werk"], ["A", "B"]
    jan = protect(build(rows, cols, counts({("werk", "A"): 6, ("werk", "B"): 7})), 5)
    feb = protect(build(rows, cols, counts({("werk", "A"): 8, ("werk", "B"): 9})), 5)
    mar = protect(build(rows, cols, counts({("werk", "A"): 2, ("werk", "B"): 9})), 5)
    assert mar.cell("werk", "A").hidden == SMALL
    quarter = build(rows, cols, counts({("werk", "A"): 16, ("werk", "B"): 25}))
    protect(quarter, 5, forced=period_forced(quarter, [jan, feb, mar]))
    # Q1 − January − February would give March's 2: the quarter's cell is hidden too
    assert quarter.cell("werk", "A").hidden == PERIOD
    assert quarter.cell("werk", TOTAL).hidden
    # B's months are all shown, so B's quarter is their sum and shown... unless needed to
    # protect A in the row: then it is hidden as well; either way nothing is determined
    assert determined(quarter) == set()
    for cell_key, cell in quarter.cells.items():
        if cell.shown:
            months = [jan, feb, mar]
            parts = cols if cell_key[1] == TOTAL else [cell_key[1]]
            assert all(m.cells[(cell_key[0], p)].shown for m in months for p in parts)


def test_percentages_of_a_hidden_count_are_hidden():
    table = protect(build(["werk", "opleiding"], ["A"],
                          counts({("werk", "A"): 3, ("opleiding", "A"): 9})), 5)
    assert rate(table.cell("werk", "A"), table.cell(TOTAL, "A")) is None
    big = protect(build(["werk", "opleiding"], ["A"],
                        counts({("werk", "A"): 6, ("opleiding", "A"): 9})), 5)
    assert rate(big.cell("werk", "A"), big.cell(TOTAL, "A")) == Decimal("40.0")


def test_hours_of_fewer_than_the_threshold_people_are_hidden():
    # 900 minutes, but by 2 people: hidden
    table = protect(build(["traject"], ["A", "B"], {("traject", "A"): (900, 2),
                                                    ("traject", "B"): (3000, 9)}), 5)
    assert table.cell("traject", "A").hidden == SMALL


# --- the property: nothing below the threshold can be derived ---------------------------------

def derivable(table) -> set:
    """Independent check: the hidden cells whose value is fixed by the published cells and the
    sums, by solving for each hidden cell whether the null space leaves it free."""
    unknown = {k for k, c in table.cells.items() if c.hidden}
    return solved(line_equations(table, unknown, lambda k: k))


def line_equations(table, unknown: set, name) -> list[dict]:
    """The table's sums restricted to the unknown cells, as {variable: coefficient}."""
    equations = []
    for line in table.lines():
        total = line[-1]
        row = {name(k): (Fraction(-1) if k == total else Fraction(1))
               for k in line if k in unknown}
        if row:
            equations.append(row)
    return equations


def solved(equations: list[dict]) -> set:
    """The variables whose value the equations fix (Gaussian elimination on dict rows)."""
    pivots: dict = {}
    for eq in equations:
        eq = dict(eq)
        for var, prow in pivots.items():
            if eq.get(var):
                factor = eq[var]
                for k, v in prow.items():
                    eq[k] = eq.get(k, Fraction(0)) - factor * v
        eq = {k: v for k, v in eq.items() if v}
        if not eq:
            continue
        var = sorted(eq, key=str)[0]
        lead = eq[var]
        eq = {k: v / lead for k, v in eq.items()}
        for other, prow in list(pivots.items()):
            if prow.get(var):
                factor = prow[var]
                pivots[other] = {k: prow.get(k, Fraction(0)) - factor * eq.get(k, Fraction(0))
                                 for k in set(prow) | set(eq)}
                pivots[other] = {k: v for k, v in pivots[other].items() if v}
        pivots[var] = eq
    return {var for var, prow in pivots.items() if set(prow) == {var}}


grids = st.integers(1, 4).flatmap(lambda nrows: st.integers(1, 4).flatmap(
    lambda ncols: st.lists(st.integers(0, 14), min_size=nrows * ncols,
                           max_size=nrows * ncols).map(
        lambda values: (nrows, ncols, values))))


@settings(max_examples=150, deadline=None)
@given(grids, st.sampled_from([5, 10]))
def test_no_published_table_lets_a_small_count_be_derived(grid, threshold):
    nrows, ncols, values = grid
    rows = [f"r{i}" for i in range(nrows)]
    cols = [f"c{j}" for j in range(ncols)]
    data = {(r, c): values[i * ncols + j] for i, r in enumerate(rows)
            for j, c in enumerate(cols)}
    table = protect(build(rows, cols, counts(data)), threshold)
    # every cell below the threshold (but above 0) is hidden
    for key, cell in table.cells.items():
        if 0 < cell.people < threshold:
            assert cell.hidden, key
    # and none of the hidden cells follows from the published ones by adding and subtracting
    small = {k for k, c in table.cells.items() if c.hidden and 0 < c.people < threshold}
    assert derivable(table) & small == set()
    assert determined(table) == set()
    # nor the sum of a line's hidden cells (its shown total minus its shown cells)
    for line in table.lines():
        if table.cells[line[-1]].shown:
            together = sum(table.cells[k].people for k in line[:-1] if table.cells[k].hidden)
            assert not 0 < together < threshold, line


def test_the_independent_checker_finds_a_cell_that_hiding_alone_leaves_open():
    table = build(["werk", "opleiding"], ["A", "B"],
                  counts({("werk", "A"): 2, ("werk", "B"): 8, ("opleiding", "A"): 6,
                          ("opleiding", "B"): 7}))
    table.cell("werk", "A").hidden = SMALL  # primary only, no secondary
    assert derivable(table) == {("werk", "A")}
    assert determined(table) == {("werk", "A")}


months3 = st.lists(st.lists(st.integers(0, 9), min_size=4, max_size=4), min_size=3, max_size=3)


@settings(max_examples=100, deadline=None)
@given(months3)
def test_no_month_cell_below_the_threshold_follows_from_a_quarter_and_its_months(months):
    """Three protected month tables (2 rows × 2 cooperatives) and their quarter, published
    together: solving all their sums and the quarter = month + month + month links at once
    fixes no small hidden month cell."""
    rows, cols = ["r0", "r1"], ["A", "B"]
    tables = []
    for values in months:
        data = {(r, c): values[2 * i + j] for i, r in enumerate(rows) for j, c in enumerate(cols)}
        tables.append(protect(build(rows, cols, counts(data)), 5))
    sums = {(r, c): sum(t.cell(r, c).value for t in tables) for r in rows for c in cols}
    quarter = build(rows, cols, counts(sums))
    protect(quarter, 5, forced=period_forced(quarter, tables))
    equations = []
    for m, t in enumerate(tables):
        equations += line_equations(t, set(t.hidden()), lambda k, m=m: (m, k))
    equations += line_equations(quarter, set(quarter.hidden()), lambda k: ("q", k))
    for key in quarter.cells:  # the quarter's cell is the sum of the month cells
        link = {(m, key): Fraction(1) for m, t in enumerate(tables) if t.cells[key].hidden}
        if quarter.cells[key].hidden:
            link[("q", key)] = Fraction(-1)
        if link:
            equations.append(link)
    fixed = solved(equations)
    small = {(m, k) for m, t in enumerate(tables) for k, c in t.cells.items()
             if c.hidden and 0 < c.people < 5}
    assert fixed & small == set()


def test_the_help_pages_example_over_time_hides_the_totals_that_hold_a_hidden_cell():
    """The example on /gemeente/<cbs>/privacy, as the portal protects it (apart=True)."""
    table = protect(build(["werk", "opleiding"], ["A", "B"],
                          counts({("werk", "A"): 2, ("werk", "B"): 8,
                                  ("opleiding", "A"): 6, ("opleiding", "B"): 7})), 5,
                    apart=True)
    shown = {k: (c.value if c.shown else c.hidden) for k, c in table.cells.items()}
    assert shown == {
        ("werk", "A"): SMALL, ("werk", "B"): 8, ("werk", TOTAL): PARTS,
        ("opleiding", "A"): 6, ("opleiding", "B"): 7, ("opleiding", TOTAL): 13,
        (TOTAL, "A"): SECONDARY, (TOTAL, "B"): 15, (TOTAL, TOTAL): PARTS}
    assert determined(table) == set()
