"""Differential cases for None: None arguments and defaults, `is None` / `== None` tests,
the None constant (docs/semantics.md, "None")."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from semantics import case, cases_from, check_native_matches_python, floats, ints, lists_of

import rustify


def maybe(strategy):
    return st.one_of(st.none(), strategy)


@case(lists_of(floats()), maybe(floats()))
def scale_or_identity(xs, factor):
    total = 0.0
    for x in xs:
        if factor is None:
            total += x
        else:
            total += x * factor
    return total


@case(maybe(ints(-1000, 1000)), ints(-1000, 1000))
def default_when_none(limit, n):
    if limit is not None and n > limit:
        return limit
    if limit == None:
        return -n
    return n


@case(maybe(st.text(max_size=5)), maybe(ints(-5, 5)))
def none_tests_both_ways(s, k):
    a = s is None
    b = k is not None
    c = None != k
    return a, b, c


@case(ints(-100, 100))
def returns_none_constant(n):
    if n is None:
        return 1
    return None


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


def default_none(xs, key=None):
    best = 0.0
    for x in xs:
        if key is None:
            best += x
        else:
            best += x * key
    return best


def test_none_default_runs_native_and_specialises():
    f = rustify.accelerate(default_none, eager=True)
    f.compile(("list[float]", "None"))
    f.compile(("list[float]", "float"))
    assert f([1.0, 2.5]) == default_none([1.0, 2.5]) and f.rustify.last_call == "native"
    assert f([1.0, 2.5], None) == 3.5 and f.rustify.last_call == "native"
    assert f([1.0, 2.5], 2.0) == 7.0 and f.rustify.last_call == "native"


def test_none_local_then_value_stays_python_with_reason():
    def best_of(xs):
        best = None
        for x in xs:
            if best is None or x > best:
                best = x
        return best

    f = rustify.accelerate(best_of, eager=True)
    assert f([3.0, 1.0]) == 3.0
    f.wait()
    assert f([3.0, 1.0]) == 3.0 and f.rustify.last_call != "native"
    assert any("Optional (None-or-value) locals" in r for r in f.rustify.reasons.values())


def test_array_equals_none_is_elementwise_so_stays_python():
    import numpy as np

    def eq_none(a):
        return a == None  # noqa: E711

    f = rustify.accelerate(eq_none, eager=True)
    a = np.array([1.0, 2.0])
    assert list(f(a)) == [False, False]
    f.wait()
    assert list(f(a)) == [False, False] and f.rustify.last_call != "native"


def test_rebinding_a_none_argument_says_why():
    def with_default(xs, key=None):
        if key is None:
            key = 1.0
        return xs[0] * key

    f = rustify.accelerate(with_default, eager=True)
    assert f([2.0]) == 2.0
    f.wait()
    assert f([2.0]) == 2.0 and f.rustify.last_call != "native"
    assert any("rebinding it to a float" in r for r in f.rustify.reasons.values())
