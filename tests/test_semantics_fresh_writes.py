"""Writes into lists the kernel built itself, in functions that may re-run in Python (an
int past 64 bits): the re-run discards those lists, so the writes are never repeated where
the caller sees them. A list linked to an argument (stored into one, or holding one) stays
visible (lower/__init__.py, `_visible_writes`): its writes go through the undo log, which a
re-run request replays backwards first (test_semantics_undo.py)."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from semantics import case, cases_from, check_native_matches_python, ints, lists_of

import rustify


@case(st.integers(0, 120))
def rows_of_sums(n):
    rows = [[1]]  # each row is written after it is built, then stored into `rows`
    for i in range(1, n):
        prev = rows[-1]
        row = [1] * (i + 1)
        for j in range(1, i):
            row[j] = prev[j - 1] + prev[j]  # past 64 bits for large n: re-runs in Python
        rows.append(row)
    return rows


@case(lists_of(ints(), max_size=6), st.integers(1, 4))
def row_written_after_it_is_stored(xs, k):
    out = [[0] * k]
    for x in xs:
        row = [0] * k
        out.append(row)  # stored first ...
        row[0] = x * 3  # ... written after: still only the kernel's own
    return out


@case(lists_of(ints(), max_size=6), st.integers(0, 3))
def new_objects_returned_in_a_tuple(xs, k):
    counts = {}
    seen = []
    for x in xs:
        counts[x % 5] = counts.get(x % 5, 0) + 1
        seen.append(x)
    row = [0] * k
    grid = [row, row]  # one object twice, both the kernel's own
    grid[0].append(len(xs))
    return counts, seen, grid, sum(xs) * 3  # the sum may pass 64 bits: a re-run builds its own objects


def _tuple_of_an_argument(grid, x):
    row = grid[0]
    row.append(1)  # the caller's list: visible at once
    return row, x * 3


def test_a_returned_tuple_of_an_argument_object_stays_visible():
    """A returned tuple hides only the kernel's own objects: the caller's list in it was written
    before the re-run in Python, which must not repeat the append (the undo log takes it back)."""
    fast = rustify.accelerate(_tuple_of_an_argument, eager=True)
    grid = [[1]]
    got = fast(grid, 2**62)
    want_grid = [[1]]
    assert got == _tuple_of_an_argument(want_grid, 2**62) and grid == want_grid  # one append
    assert fast.rustify.last_call == "python"


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


def _row_into_argument(grid, x):
    row = [0, 0]
    holder = [[0]]
    holder.append(row)
    alias = holder[-1]
    grid.append(alias)  # `alias`, and through `holder` also `row`, are now the caller's
    row[0] = x * 3  # may overflow: a re-run would append to `grid` twice
    return grid


def _argument_into_row(grid, x):
    rows = [[0]]
    first = grid[0]
    rows.append(first)  # `rows` now holds the caller's list ...
    last = rows[-1]
    last.append(x * 3)  # ... and this writes it
    return rows


def _undone_then_python(fast, func, make):
    """A call that overflows leaves the arguments as Python does (one write each, exact
    values: the kernel's writes were undone first); one that does not runs natively."""
    args, want = make(2**62), make(2**62)
    assert fast(*args) == func(*want) and args == want
    args, want = make(2), make(2)
    assert fast(*args) == func(*want) and args == want
    assert fast.rustify.last_call == "native", fast.rustify.explain()


@pytest.mark.parametrize("func", [_row_into_argument, _argument_into_row])
def test_a_list_linked_to_an_argument_stays_visible(func):
    _undone_then_python(rustify.accelerate(func, eager=True), func, lambda x: ([[1]], x))


def _write_dict_values(d, x):
    for v in d.values():
        v.append(1)  # `v` is the caller's list, not one the kernel built
    return x * 3  # may overflow: a re-run would append twice


def _write_dict_items(d, x):
    for k, v in d.items():
        v.append(k)
    return x * 3


@pytest.mark.parametrize("func", [_write_dict_values, _write_dict_items])
def test_a_loop_variable_over_an_argument_dict_stays_visible(func):
    _undone_then_python(rustify.accelerate(func, eager=True), func, lambda x: ({0: [1], 2: [3]}, x))
