"""Differential cases for range() objects bound to a local (lower/ranges.py): `r = range(n)`
with every loop over `r` (nested loops over the same range, a range with start and step,
an empty one), and the uses that keep the function in Python, with their reasons."""

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


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


def test_a_range_local_loop_runs_native():
    f = rustify.accelerate(stepped_range_twice, eager=True)
    assert f(7, 4) == stepped_range_twice(7, 4) and f.rustify.last_call == "native"


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
