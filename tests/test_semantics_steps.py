"""Differential cases for int sums that cannot leave i64 (lower/steps.py): a counter, and
coordinates stepped by -1, 0 or 1 from lengths and range() values, kept in a stack of
tuples, beside writes to the caller's nested lists (a row may appear twice). Such a
function never asks to re-run in Python, so it runs natively although it writes what the
caller sees; a step that is not one keeps it in Python, with the reason."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from semantics import case, cases_from, check_native_matches_python

from rustify.analysis import verdict


def cell_grids():
    """Rectangular grids of 0/1 cells, sometimes one row object appearing twice."""
    def build(t):
        h, w, cells, share = t
        rows = [[cells[(y * w + x) % len(cells)] for x in range(w)] for y in range(h)]
        if share and h > 1:
            rows[-1] = rows[0]
        return rows
    return st.tuples(st.integers(1, 5), st.integers(1, 5), st.lists(st.integers(0, 1), min_size=1, max_size=25),
                     st.booleans()).map(build)


@case(cell_grids())
def flood_fill_islands(grid):
    h, w = len(grid), len(grid[0])
    count = 0
    for sy in range(h):
        for sx in range(w):
            if grid[sy][sx] != 1:
                continue
            count += 1
            stack = [(sy, sx)]
            grid[sy][sx] = 2  # the caller's rows, changed in place
            while stack:
                y, x = stack.pop()
                for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                    ny, nx = y + dy, x + dx
                    if 0 <= ny < h and 0 <= nx < w and grid[ny][nx] == 1:
                        grid[ny][nx] = 2
                        stack.append((ny, nx))
    return count, grid


@case(cell_grids())
def walk_rows_with_a_counter(grid):
    marked = 0
    for row in grid:
        i = len(row) - 1
        while i >= 0:
            if row[i] == 1:
                row[i] = 3
                marked += 1
            i -= 1
    return marked, grid


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


def _steps_by_two(grid):
    n = 0
    for row in grid:
        row[0] = 0
        n += 2  # the rule counts steps of one only: this sum may ask to re-run
    return n


def test_a_step_that_is_not_one_may_still_re_run():
    # the rule counts steps of one only: `n += 2` may overflow and ask to re-run, so the
    # caller's rows are written under the undo log (which takes them back first)
    from rustify.analysis import analyse

    assert verdict(_steps_by_two, ("list[list[int]]",)) == []
    assert analyse(_steps_by_two, ("list[list[int]]",)).may_deopt
