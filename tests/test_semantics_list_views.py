"""Differential cases for flat lists read in place (lower/list_views.py, `ir.ListView`): a
`list[float]` or `list[int]` argument that a kernel only reads once over (`for`, `sum`,
`xs[i]`, `len`) is read where its items are, not copied. Native against CPython on generated
lists (NaN, -0.0, infinities, ints at and past the i64 edges, so `sum` overflows and re-runs
in Python, out-of-range and negative indices, lists that mix floats and ints), and which
parameters become views."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from semantics import case, cases_from, check_native_matches_python, floats, index_for, ints, lists_of

import rustify
from rustify import ir


@case(lists_of(floats(), max_size=12))
def builtin_sum_of_floats(xs):
    return sum(xs)


@case(lists_of(ints(), max_size=12))
def builtin_sum_of_ints(xs):
    return sum(xs)  # past 64 bits: the call re-runs in Python and gives the exact int


@case(lists_of(ints(-10**6, 10**6), max_size=12), ints(-1000, 1000))
def sum_with_start_and_loop(xs, start):
    s = sum(xs, start)
    t = 0
    for x in xs:
        if x > 0:
            t += x
    return s * 3 + t + len(xs)


@case(lists_of(floats(), max_size=10), index_for())
def indexed_reads(xs, i):
    return xs[i] + xs[-1] + len(xs)  # IndexError as Python, negative indices


@case(lists_of(st.one_of(floats(), ints(-5, 5)), min_size=1, max_size=8))
def mixed_float_int_list(xs):
    total = 0.0
    for x in xs:
        total += x
    return total


@case(lists_of(floats(), max_size=10))
def generator_over_a_list(xs):
    return sum(x * x for x in xs if x > 0.5)


@case(lists_of(floats(), min_size=1, max_size=10))
def enumerate_over_a_list(xs):
    best_i, best = 0, xs[0]
    for i, x in enumerate(xs):
        if x > best:
            best_i, best = i, x
    return best_i, best


@case(lists_of(floats(), max_size=8), lists_of(st.one_of(floats(), ints(-3, 3)), max_size=8))
def zip_of_two_lists_with_a_handler(xs, ys):
    out = []
    for x, y in zip(xs, ys):  # stops at the shorter; an int in ys re-runs in Python
        try:
            out.append(x / y)
        except ZeroDivisionError:
            out.append(0.0)
    return out


@case(lists_of(ints(), max_size=8), lists_of(ints(-9, 9), max_size=8))
def zip_of_int_lists_from_one(xs, ys):
    t = 0
    for k, (x, y) in enumerate(zip(xs, ys), 1):
        t += k * x - y  # past 64 bits: re-runs in Python
    return t


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


def _params(func, signature):
    from rustify.analysis import analyse

    return {p.name: p.type for p in analyse(func, signature).params}


def test_lists_read_once_over_are_views_and_others_are_copies():
    assert isinstance(_params(builtin_sum_of_floats, ("list[float]",))["xs"], ir.ListView)
    assert isinstance(_params(indexed_reads, ("list[float]", "int"))["xs"], ir.ListView)
    assert isinstance(_params(enumerate_over_a_list, ("list[float]",))["xs"], ir.ListView)
    both = _params(zip_of_int_lists_from_one, ("list[int]", "list[int]"))
    assert isinstance(both["xs"], ir.ListView) and isinstance(both["ys"], ir.ListView)

    def pairs(xs):
        n = 0.0
        for x in xs:
            for y in xs:
                n += x * y  # quadratic: keeps its copy and runs without the GIL
        return n

    def written(xs):
        xs[0] = 1.0
        return sum(xs)

    def sliced(xs):
        return sum(xs[1:])

    def ranged(xs, n):
        acc = 0.0
        for i in range(n):
            acc += xs[i % len(xs)]  # work not bounded by the list: keeps its copy, releases the GIL
        return acc

    assert isinstance(_params(ranged, ("list[float]", "int"))["xs"], ir.ListOf)
    for f in (pairs, written, sliced):
        assert isinstance(_params(f, ("list[float]",))["xs"], ir.ListOf), f.__name__
    for f, xs in [(pairs, [1.0, 2.5]), (written, [3.0, 4.0]), (sliced, [1.0, 2.0, 3.0])]:
        g = rustify.accelerate(f, eager=True)
        a, b = list(xs), list(xs)
        assert g(a) == f(b) and a == b
        assert g.rustify.last_call == "native", g.rustify.explain()


def test_a_sum_past_64_bits_is_exact():
    g = rustify.accelerate(builtin_sum_of_ints, eager=True)
    xs = [2**62, 2**62, 2**62, -5]
    assert g(xs) == sum(xs) and type(g(xs)) is int
    assert g([1, 2, 3]) == 6 and g.rustify.last_call == "native"
