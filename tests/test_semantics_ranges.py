"""Differential cases for range() objects bound to a local (lower/ranges.py): `r = range(n)`
with every loop over `r` (nested loops over the same range, a range with start and step,
an empty one), their iterators (`it = iter(r)`, `for i in it`, `next(it, d)` skipping items
inside and outside the loop), and the uses that keep the function in Python, with their
reasons."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from semantics import case, cases_from, check_native_matches_python

import rustify
from rustify.analysis import verdict


def bool_grids():
    """Square grids of bools with their size, as qrcode's mask scoring takes them."""
    return st.integers(0, 9).flatmap(
        lambda n: st.tuples(st.lists(st.lists(st.booleans(), min_size=n, max_size=n), min_size=n, max_size=n),
                            st.just(n)))


@case(args=bool_grids())
def runs_of_five(modules, count):
    points = 0
    cells = range(count)
    for row in cells:
        this_row = modules[row]
        previous = this_row[0] if count else False
        length = 0
        for col in cells:
            if this_row[col] == previous:
                length += 1
            else:
                if length >= 5:
                    points += length - 2
                length = 1
                previous = this_row[col]
        if length >= 5:
            points += length - 2
    return points


@case(st.integers(-20, 20), st.integers(-20, 20))
def stepped_range_twice(n, m):
    evens = range(-3, n + m, 2)
    down = range(m, -n, -3)
    total = 0
    for i in evens:
        for j in down:
            total += i * j - j
    for i in evens:
        total -= i
    return total


@case(args=bool_grids())
def skip_pairs_with_next(modules, count):
    points = 0
    cells = range(count - 1)
    for row in cells:
        this_row = modules[row]
        next_row = modules[row + 1]
        cols = iter(cells)
        for col in cols:
            top_right = this_row[col + 1]
            if top_right != next_row[col + 1]:
                next(cols, None)
            elif top_right != this_row[col]:
                continue
            elif top_right != next_row[col]:
                continue
            else:
                points += 3
    return points


@case(st.integers(-30, 30), st.booleans(), st.integers(0, 4), st.integers(-3, 3))
def iterator_taken_from_everywhere(n, down, skip, d):
    up = range(-n, n + 1, 3)
    r = range(n, -n, -2)
    it = iter(r)
    if not down:
        it = iter(up)
    total = 0
    for _ in range(skip):
        total += next(it, d) * 3
    col = -100
    for col in it:
        total += col
        if col % 3 == 0:
            total += next(it, d) * 7
            next(it, None)
        if total > 50:
            break
    total += col + next(it, d) + next(it, 0)
    it = iter(r)
    for col in it:
        total -= col
    return total, next(it, -1)


# ---- len(range(...))

RANGE_EDGES = st.one_of(st.integers(-12, 12), st.sampled_from([0, 1, -1, 2**62, -(2**62), 2**63 - 1, -(2**63)]))


@case(RANGE_EDGES, RANGE_EDGES, RANGE_EDGES)
def len_of_range_in_every_form(a, b, c):
    # a zero step raises ValueError, a length past sys.maxsize OverflowError, as Python's
    return len(range(a)), len(range(a, b)), len(range(b, a, -1)), len(range(a, b, c)), len(range(True, 5))


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


def test_a_range_local_loop_runs_native():
    f = rustify.accelerate(stepped_range_twice, eager=True)
    assert f(7, 4) == stepped_range_twice(7, 4) and f.rustify.last_call == "native"
    g = rustify.accelerate(iterator_taken_from_everywhere, eager=True)
    assert g(20, True, 2, 5) == iterator_taken_from_everywhere(20, True, 2, 5) and g.rustify.last_call == "native"


def _range_of_a_rebound_name(n):
    r = range(n)
    n = n + 5  # the range keeps the old n
    t = 0
    for i in r:
        t += i
    return t


def _range_used_as_a_value(n):
    r = range(n)
    return len(r)


def _iterator_rebound_inside_its_loop(n):
    r = range(n)
    it = iter(r)
    t = 0
    for i in it:
        t += i
        it = iter(r)  # Python's loop goes on with the first iterator
        if t > 20:
            break
    return t


def _iterator_with_a_bool_default(n):
    r = range(n)
    it = iter(r)
    return next(it, True)  # an int, or True when r is empty


def _iterator_without_default(n):
    r = range(n)
    it = iter(r)
    return next(it)


def _zero_step(n):
    r = range(0, n, 0)  # ValueError when assigned
    t = 0
    for i in r:
        t += i
    return t


@pytest.mark.parametrize("func, why", [
    (_range_of_a_rebound_name, "a range() object is translated as the iterable of a `for` loop"),
    (_range_used_as_a_value, "a range() object is translated as the iterable of a `for` loop"),
    (_zero_step, "a step that is not a nonzero constant"),
    (_iterator_rebound_inside_its_loop, "`iter` is not a supported function"),
    (_iterator_without_default, "next() of a range iterator without a default"),
    (_iterator_with_a_bool_default, "with a bool default used as a value"),
])
def test_range_locals_that_are_not_loop_bounds_stay_python(func, why):
    reasons = verdict(func, ("int",))
    assert any(why in r.why for r in reasons), reasons
    f = rustify.accelerate(func, eager=True)
    with pytest.warns(rustify.RustifyWarning):
        try:
            got = f(4)
        except ValueError as e:
            got = ("ValueError", str(e))
    try:
        expected = func(4)
    except ValueError as e:
        expected = ("ValueError", str(e))
    assert got == expected
