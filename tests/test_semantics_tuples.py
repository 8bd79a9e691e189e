"""Differential cases for tuples: literals, returns of mixed item types, tuple arguments,
indexing, `len`, comparison (NaN, int/float mixes, lengths, nesting), unpacking (nested,
into list elements), module tuple constants, and `for` over zip()/enumerate()."""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import strategies as st
from semantics import (
    accelerated, case, cases_from, check_native_matches_python, f64_arrays, floats, i64_arrays, ints,
    lists_of, op, small_ints,
)

import rustify

WEIGHTS = (0.5, 0.25, 0.125, 0.125)
ORIGIN = (0, (0.0, False))


def tuple_items():
    """An int, a float or a bool, edges included (what a tuple argument may hold)."""
    return st.one_of(ints(), floats(), st.booleans(), st.sampled_from([2**63, -(2**64)]))


# ---- literals and returns


_MODES = (1, 2, 4, True)


@case(st.integers(-3, 9), st.booleans())
def membership_in_int_tuples(m, flag):
    n = 0
    if m not in (1, 2, 4, 8):
        n += 1
    if m in _MODES:
        n += 10
    if flag in (m, 0):
        n += 100
    if m in ():
        n += 1000
    return n


@case(lists_of(floats(), min_size=0))
def bounds_and_mean(xs):
    lo, hi = xs[0], xs[0]
    total = 0.0
    for x in xs:
        if x < lo:
            lo = x
        elif x > hi:
            hi = x
        total += x
    return lo, hi, total / len(xs)


@case(ints(), floats(), st.booleans())
def mixed_tuple_return(n, x, flag):
    t = (n, x)
    nested = (t, flag, (x > n, n // 3))
    if flag:
        nested = ((n + 1, x * 2.0), not flag, (True, n % 7))
    return nested


@case(f64_arrays(min_size=1), i64_arrays(min_size=1))
def numpy_items_keep_their_type(a, b):
    return a[0], b[-1], (a[-1] * 2.0, b[0] + b[0]), len(a)


@case(floats(), floats())
def tuple_if_expression_and_truth(x, y):
    t = (x, y) if x < y else (y, x)
    empty = ()
    if t:
        if not empty:
            return t
    return (0.0, 0.0)


# ---- arguments, indexing, len


@case(st.tuples(tuple_items(), tuple_items(), tuple_items()))
def tuple_argument_items(t):
    return t[0], t[-1], t[1], len(t), t


@case(st.tuples(ints(), st.tuples(floats(), st.booleans())), small_ints())
def nested_tuple_argument(t, k):
    n, (x, flag) = t
    if flag:
        return n, t[1][0] + k
    return t[0] - k, x


@case(st.tuples(floats(), floats(), floats()), st.integers(-5, 5))
def run_time_index(t, i):
    return t[i] + t[-1]


@case(small_ints(), st.integers(0, 6))
def module_tuple_constant(k, n):
    s = 0.0
    for j in range(min(n, len(WEIGHTS))):
        s += WEIGHTS[j] * k
    return s, WEIGHTS[k % 4], ORIGIN, len(ORIGIN)


@case(lists_of(floats()), small_ints())
def tuple_values_in_loop_and_if_headers(xs, k):
    """len(t), t[i], truth and comparisons of tuples where Rust reads a block as a body."""
    s = 0.0
    t = (1.5, 2.5, -1.0)
    for j in range(len(WEIGHTS)):
        s += WEIGHTS[j]
    for i in range(len(xs) - len(WEIGHTS) + 1):
        s += xs[i]
    if t:
        s += 1.0
    if (k, 0.5) < (3, s):
        s += t[k % 3]
    n = 0
    while (n, 1) < (len(t), 0):
        n += 1
    for j in range(int(t[k % 3])):
        s -= 0.25
    return s, n


# ---- comparison


def cmp_items():
    return st.one_of(st.sampled_from([0, 1, -1, 2**53, 2**53 + 1, 0.0, -0.0, 1.0, math.nan, math.inf,
                                      float(2**53), True, False]), ints(-3, 3), floats())


@case(st.tuples(cmp_items(), cmp_items()), st.tuples(cmp_items(), cmp_items()), op(6))
def compare_pairs(a, b, k):
    if k == 0:
        return a < b
    elif k == 1:
        return a <= b
    elif k == 2:
        return a > b
    elif k == 3:
        return a >= b
    elif k == 4:
        return a == b
    return a != b


@case(floats(), ints(-2, 2), floats(), op(6))
def compare_literals_mixed_lengths(x, n, y, k):
    a = (x, n)
    b = (x, n, y)
    c = ((n, x), y)
    if k == 0:
        return a < b, b < a, a == b, a != b
    elif k == 1:
        return (n, y) <= (x,), (y,) >= (n, x), (n,) < (n, y), (y, n) > (y,)
    elif k == 2:
        return c < ((n, y), x), c == ((n, x), y), c >= ((n,), y), ((x, n), y) <= c
    elif k == 3:
        return (x,) == (x,), a == a, c != c, (y, n) != (y, n)
    elif k == 4:
        return (n, x) == (n, y), (1, 2.5) < (n, x), (True, x) == (1, x), (n, 0.5) > (n, 0)
    return () < (x,), () == (), (x, y) > (), () != (y,)


# ---- unpacking


@case(ints(), floats(), floats())
def nested_unpacking(n, x, y):
    a, (b, c) = n, (x, y)
    (p, q), r = (c, b), a
    b, c = c, b
    t = (p, (q, r))
    u, (v, w) = t
    v, v = u, p
    return a, b, c, p, q, r, u, v, w


@case(lists_of(floats(), min_size=0), st.integers(-4, 4), st.integers(-4, 4))
def unpack_into_list_elements(xs, i, j):
    xs[i], xs[j] = xs[j], xs[i]
    return xs[0]


@case(lists_of(ints(-5, 5), min_size=0), st.integers(-3, 3))
def unpack_into_element_then_fail(xs, i):
    xs[0], xs[i + 2] = 7, 8
    return len(xs)


# ---- for over zip() and enumerate()


@case(lists_of(floats(), min_size=1))
def argmax_enumerate(xs):
    best_i, best = 0, xs[0]
    for i, x in enumerate(xs):
        if x > best:
            best_i, best = i, x
    return best_i, best


@case(lists_of(floats()), lists_of(floats()), f64_arrays())
def three_way_zip(a, b, c):
    acc = 0.0
    for x, y, z in zip(a, b, c):
        acc += x * y - z
    return acc


@case(lists_of(ints(-100, 100)), i64_arrays(), st.one_of(ints(-5, 5), st.sampled_from([2**63 - 3])))
def enumerate_zip_with_start(a, b, start):
    total = 0
    last = 0
    for i, (x, y) in enumerate(zip(a, b), start):
        total += i * (x - y)
        last = i
        if x > 90:
            break
        if y < 0:
            continue
    return total, last


@case(lists_of(floats()), small_ints())
def enumerate_start_keyword_and_tuple_target(xs, start):
    out = []
    for pair in enumerate(xs, start=start):
        out.append(pair[1] * pair[0])
    for p in zip(xs):
        out.append(p[0])
    return out


@case(lists_of(ints(-9, 9), max_size=5), lists_of(ints(-9, 9), max_size=5))
def zip_while_appending(a, b):
    n = 0
    for x, y in zip(a, b):
        n += x * y
        if len(a) < 8:
            a.append(x + 1)
    return n, len(a)


@case(st.integers(-3, 12), st.lists(st.tuples(st.integers(-50, 50), st.integers(-50, 50)), max_size=6))
def a_list_of_tuples_built_by_append(n, pairs):
    out = []  # `[]` then appends of tuples: a Python list of tuples
    for i in range(n):
        out.append((i, i * i))
    swapped = []
    for a, b in pairs:
        swapped.append((b, a))
    swapped.sort()
    return out, swapped, (1, 1) in out


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


# ---- specific behaviour


def test_nan_items_compare_by_identity_as_python_does():
    """(x,) == (x,) is True for x = nan in Python (one object); the native call re-runs."""
    def same_nan(x):
        t = (x, 1)
        return t == t, (x,) == (x,), (x, 2) < (x, 3)

    f = rustify.accelerate(same_nan, eager=True)
    f.compile(("float",))
    assert f(math.nan) == same_nan(math.nan) == (True, True, True)
    assert f(1.5) == (True, True, True) and f.rustify.last_call == "native"


def test_tuple_subclass_and_namedtuple_stay_python():
    point = namedtuple("point", "x y")

    def first(t):
        return t[0] + t[1]

    f = rustify.accelerate(first, eager=True)
    assert f((1.0, 2.0)) == 3.0
    f.wait()
    assert f((1.0, 2.0)) == 3.0 and f.rustify.last_call == "native"
    assert f(point(1.0, 5.0)) == 6.0 and f.rustify.last_call != "native"


def test_returned_tuple_items_keep_numpy_types():
    f = accelerated(next(c for c in cases_from(__name__) if c.name == "numpy_items_keep_their_type"))
    a, b = np.array([1.5, 2.0]), np.array([3, 4], dtype=np.int64)
    f.compile(("ndarray[float64, 1, C]", "ndarray[int64, 1, C]"))
    got = f(a, b)
    assert f.rustify.last_call == "native"
    assert [type(v) for v in got] == [np.float64, np.int64, tuple, int]
    assert [type(v) for v in got[2]] == [np.float64, np.int64]


def _index_out_of_range(x):
    t = (x, x)
    return t[2]


def _unpack_length_mismatch(x):
    a, b = (x, x, x)
    return a


def _run_time_index_mixed(x, i):
    t = (x, i)
    return t[i]


def _starred(x):
    a, *b = (x, x)
    return a


def _chained(x):
    return (x, 1) < (x, 2) < (x, 3)


def _unpack_floats_in_for(xs):
    for a, b in xs:
        return a
    return 0.0


@pytest.mark.parametrize("func, sig, reason", [
    (_index_out_of_range, ("float",), "index 2 is out of range for a tuple of 2 items (Python raises IndexError)"),
    (_unpack_length_mismatch, ("float",), "unpacks 3 values into 2 targets (Python raises ValueError)"),
    (_run_time_index_mixed, ("float", "int"), "the item type would depend on the index"),
    (_starred, ("float",), "starred unpacking"),
    (_chained, ("float",), "chained comparisons of tuples"),
    (_unpack_floats_in_for, ("list[float]",), "unpacking a float is not translated"),
    (_index_out_of_range, ("tuple[...]",), "arguments of kind tuple[...] are not translated"),
], ids=lambda v: getattr(v, "__name__", None))
def test_untranslatable_tuple_code_says_why(func, sig, reason):
    from rustify.analysis import verdict

    reasons = verdict(func, sig)
    assert any(reason in r.why for r in reasons), reasons
