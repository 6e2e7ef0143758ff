"""Statistical disclosure control for the tables a municipality (later the network, the
operator) sees across tenants: no cell lets anyone single out a person.

A table has rows (e.g. hour types, outflow outcomes) and columns (cooperatives), a total per
row (across cooperatives), a total per column (across rows) and a grand total. Each cell knows
its value (minutes, trajectories) and the number of distinct people behind it.

The rules, applied in this order (`protect`):

1. **Primary**: a cell describing more than 0 and fewer than `threshold` people is hidden
   ("klein"). Its value (hours, euros) is hidden with it: a value from fewer than `threshold`
   people describes them.
2. **Periods**: a table of a quarter or a year also hides every cell for which one of the
   month cells it adds up is hidden in that month's table ("periode"). Then a published cell
   of a longer period is always a sum of published month cells, and the difference between a
   year and its months (or a quarter and two of its months) never reveals a hidden month.
3. **Secondary**: a hidden cell must not be computable from the published ones. Two ways:

   - `apart=True`, what the portal publishes (tenants/aggregates.py): **each cooperative's
     column is protected on its own**, and **a total across cooperatives is published only
     when every cooperative's cell in it is published** ("totaal"). In a cooperative's column,
     a hidden cell hides the column's total too ("aanvullend"; when only the total is hidden,
     the smallest published cell with people goes as well): then no hidden cell of the column
     follows from it, nor the sum of its hidden cells, and the totals per row across
     cooperatives (the portal's chart) are hidden only for the rows that hold a hidden cell.
     What is hidden in a cooperative's column then depends on that cooperative's own figures
     only — not on which other cooperatives share, nor on the period asked — so the tables
     stay consistent with each other over time: every published figure of every period and
     every set of sharing cooperatives is a sum of published cells of one cooperative's month
     columns, and those columns are protected each on its own. A cooperative that starts or
     stops sharing, a quarter next to its months, or two overlapping periods give nothing
     away by subtraction (tests/kernel/test_suppression_over_time.py checks this over all
     tables of a year, for two sets of cooperatives, by exact linear algebra over the
     underlying month figures). The cost: a total across cooperatives is hidden when one
     cooperative's cell in it is hidden, and a cooperative's total when one of its cells is.
   - `apart=False` (one table on its own, as published once): each row and column with
     exactly one hidden cell gets a second one (the smallest published cell with people, else
     the line's total); when a line's total is shown, the hidden cells of the line together
     must describe no fewer than `threshold` people; then an exact check over all sums (linear
     algebra with fractions) hides more until no hidden cell is determined by the published
     cells ("aanvullend"). Sound for one table, not across tables whose sets of cooperatives
     differ (the secondary cell picked in a row depends on the other columns).

Percentages from a hidden count are hidden too (`rate`).

Not covered: a month's figures that change after they were published (hours approved late, an
outflow recorded afterwards): the old and new table differ by the late records. The threshold
is the platform's (5) unless a municipality raised it, to at most 10 (`threshold_for`). The
help page `/gemeente/<cbs>/privacy` explains the same in plain Dutch.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Hashable, Iterable, Mapping

PLATFORM_THRESHOLD = 5
MAX_THRESHOLD = 10

#: the key of a total row or column
TOTAL = "__total__"

SMALL = "klein"          # fewer than the threshold of people
PERIOD = "periode"       # a month inside the period is hidden
SECONDARY = "aanvullend"  # hidden so that another hidden cell cannot be worked back
PARTS = "totaal"         # a total across cooperatives one of whose cells is hidden


def threshold_for(municipal: int | None, platform: int = PLATFORM_THRESHOLD) -> int:
    """The threshold that applies: the platform's, or a municipality's higher one (max 10)."""
    if municipal is None:
        return platform
    return max(platform, min(int(municipal), MAX_THRESHOLD))


@dataclass
class Cell:
    value: int = 0
    people: int = 0
    #: None when published; else SMALL, PERIOD or SECONDARY
    hidden: str | None = None

    @property
    def shown(self) -> bool:
        return self.hidden is None


@dataclass
class Table:
    """Cells keyed (row, column); rows and columns include TOTAL.

    `rows_disjoint`: whether a person counts in one row at most (outflow: one outcome per
    trajectory). When not (hours: a person can work two hour types), the people behind two
    cells of a column together are at least the larger of the two, not their sum."""
    rows: list[Hashable]
    columns: list[Hashable]
    cells: dict[tuple, Cell] = field(default_factory=dict)
    rows_disjoint: bool = True

    def cell(self, row, column) -> Cell:
        return self.cells[(row, column)]

    @property
    def all_rows(self) -> list:
        return [*self.rows, TOTAL]

    @property
    def all_columns(self) -> list:
        return [*self.columns, TOTAL]

    def lines(self) -> list[list[tuple]]:
        """Every sum in the table: each row (its cells and its total) and each column."""
        result = [[(r, c) for c in self.all_columns] for r in self.all_rows]
        result += [[(r, c) for r in self.all_rows] for c in self.all_columns]
        return result

    def hidden(self) -> dict[tuple, str]:
        return {k: c.hidden for k, c in self.cells.items() if c.hidden}


def build(rows: Iterable, columns: Iterable, values: Mapping[tuple, tuple[int, int]],
          people_totals: Mapping[tuple, int] | None = None, *, rows_disjoint: bool = True
          ) -> Table:
    """A table from {(row, column): (value, people)} for the inner cells; totals are summed.

    People add up across columns (a person belongs to one cooperative) but not always across
    rows (a person can work hours of two types): `people_totals` gives the people of
    (TOTAL, column) cells where they are known; their sum across columns is the grand total's.
    """
    table = Table(list(rows), list(columns), rows_disjoint=rows_disjoint)
    for r in table.rows:
        for c in table.columns:
            value, people = values.get((r, c), (0, 0))
            table.cells[(r, c)] = Cell(int(value), int(people))
    for r in table.rows:
        table.cells[(r, TOTAL)] = Cell(sum(table.cells[(r, c)].value for c in table.columns),
                                       sum(table.cells[(r, c)].people for c in table.columns))
    for c in table.all_columns:
        value = sum(table.cells[(r, c)].value for r in table.rows)
        if c != TOTAL and people_totals is not None and (TOTAL, c) in people_totals:
            people = people_totals[(TOTAL, c)]
        elif c == TOTAL and people_totals is not None:
            people = sum(table.cells[(TOTAL, k)].people for k in table.columns)
        else:
            people = sum(table.cells[(r, c)].people for r in table.rows)
        table.cells[(TOTAL, c)] = Cell(value, people)
    return table


def protect(table: Table, threshold: int, *, forced: Iterable[tuple] = (),
            apart: bool = False) -> Table:
    """Hide cells in place (primary, the `forced` period cells, secondary); returns the table.
    `apart`: protect each cooperative's column on its own and publish a total across
    cooperatives only as a sum of published cells (see the module's docstring)."""
    for cell in table.cells.values():
        cell.hidden = None
        if 0 < cell.people < threshold:
            cell.hidden = SMALL
    for key in forced:
        if key in table.cells and table.cells[key].hidden is None:
            table.cells[key].hidden = PERIOD
    if apart:
        _apart(table, threshold)
    else:
        _secondary(table, threshold)
    return table


def _protect_line(table: Table, line: list[tuple], threshold: int) -> None:
    """Hide more cells of one line (its cells, then its total) until no hidden cell of it
    follows from its published cells and no small group from its shown total."""
    while sum(1 for k in line if table.cells[k].hidden) == 1 \
            or _small_together(table, line, threshold):
        key = _pick(table, line)
        if key is None:  # pragma: no cover - a line with a hidden cell has a published one
            return
        table.cells[key].hidden = SECONDARY


def _apart(table: Table, threshold: int) -> None:
    """Each cooperative's column on its own; then the totals across cooperatives."""
    for column in table.columns:
        line = [(r, column) for r in table.all_rows]
        total = table.cells[(TOTAL, column)]
        if total.hidden is None and any(table.cells[k].hidden for k in line[:-1]):
            total.hidden = SECONDARY  # the column's total: the totals per row stay (the chart)
        _protect_line(table, line, threshold)
    for r in table.all_rows:
        total = table.cells[(r, TOTAL)]
        if total.hidden is None and any(table.cells[(r, c)].hidden for c in table.columns):
            total.hidden = PARTS
    # (the column of totals is then safe: a cooperative's hidden cells come at least two to a
    # column and describe at least `threshold` people together; checked here all the same)
    _protect_line(table, [(r, TOTAL) for r in table.all_rows], threshold)


def _pick(table: Table, line: list[tuple]) -> tuple | None:
    """The published cell of `line` that is cheapest to hide: an inner cell with the fewest
    people (but some), else any inner cell, else the total."""
    shown = [k for k in line if table.cells[k].hidden is None]
    inner = [k for k in shown if TOTAL not in k]
    with_people = [k for k in inner if table.cells[k].people > 0]
    for group in (with_people, inner, shown):
        if group:
            return min(group, key=lambda k: (table.cells[k].people, table.cells[k].value,
                                             str(k)))
    return None


def _small_together(table: Table, line: list[tuple], threshold: int) -> bool:
    """Whether the line's total is shown while its hidden cells together describe more than
    0 and fewer than `threshold` people (their sum would give a small group away)."""
    total, inner = line[-1], line[:-1]
    if table.cells[total].hidden:
        return False
    hidden = [table.cells[k].people for k in inner if table.cells[k].hidden]
    if not hidden:
        return False
    across_rows = inner[0][1] == inner[-1][1] if len(inner) > 1 else False
    together = max(hidden) if across_rows and not table.rows_disjoint else sum(hidden)
    return 0 < together < threshold


def _secondary(table: Table, threshold: int) -> None:
    while True:
        changed = False
        for line in table.lines():
            if sum(1 for k in line if table.cells[k].hidden) == 1 \
                    or _small_together(table, line, threshold):
                key = _pick(table, line)
                if key is not None:
                    table.cells[key].hidden = SECONDARY
                    changed = True
        if changed:
            continue
        exposed = determined(table)
        if not exposed:
            return
        # hide one more cell in a line of the first exposed cell and check again
        key = sorted(exposed, key=str)[0]
        for line in table.lines():
            if key in line:
                extra = _pick(table, line)
                if extra is not None:
                    table.cells[extra].hidden = SECONDARY
                    break
        else:  # pragma: no cover - every hidden cell lies on a line with a published cell
            return


def determined(table: Table) -> set[tuple]:
    """The hidden cells whose value follows from the published cells and the table's sums
    (exact Gaussian elimination over the fractions)."""
    unknown = sorted((k for k, c in table.cells.items() if c.hidden), key=str)
    if not unknown:
        return set()
    index = {k: i for i, k in enumerate(unknown)}
    rows: list[list[Fraction]] = []
    for line in table.lines():
        total_key = line[-1]
        coefficients = [Fraction(0)] * len(unknown)
        touched = False
        for k in line:
            sign = -1 if k == total_key else 1
            if k in index:
                coefficients[index[k]] += sign
                touched = True
        if touched:
            rows.append(coefficients)
    pivots = _rref(rows, len(unknown))
    found = set()
    for row_index, column in pivots:
        row = rows[row_index]
        if all(v == 0 for j, v in enumerate(row) if j != column):
            found.add(unknown[column])
    return found


def _rref(rows: list[list[Fraction]], width: int) -> list[tuple[int, int]]:
    """Reduce `rows` in place to reduced row echelon form; the (row, column) of each pivot."""
    pivots, r = [], 0
    for col in range(width):
        pivot = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][col]
        rows[r] = [v / lead for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col] != 0:
                factor = rows[i][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r])]
        pivots.append((r, col))
        r += 1
        if r == len(rows):
            break
    return pivots


def period_forced(coarse: Table, months: list[Table]) -> set[tuple]:
    """The cells of a quarter's or year's table to hide because a month cell they add up is
    hidden in that month's own (published) table. A cell (row, cooperative) adds up that
    cooperative's month cells; a cell in the total column adds up the month cells of every
    cooperative in the coarse table."""
    forced = set()
    for r in coarse.all_rows:
        for c in coarse.all_columns:
            parts = coarse.columns if c == TOTAL else [c]
            for month in months:
                if any((r, p) in month.cells and month.cells[(r, p)].hidden for p in parts):
                    forced.add((r, c))
                    break
    return forced


def protect_period(table: Table, threshold: int, months: list[Table] | None = None) -> Table:
    """How the portal protects the table of one period (tenants/aggregates.py): a month on its
    own, a longer period with the cells forced by its `months` (each protected by this same
    function); each cooperative's column apart."""
    forced = period_forced(table, months) if months else ()
    return protect(table, threshold, forced=forced, apart=True)


def rate(part: Cell, whole: Cell) -> Decimal | None:
    """`part` as a percentage of `whole` (one decimal), or None when either is hidden or the
    whole is zero: a percentage of a hidden count would give the count away."""
    if part.hidden or whole.hidden or not whole.value:
        return None
    return (Decimal(part.value) * 100 / whole.value).quantize(Decimal("0.1"), ROUND_HALF_UP)
