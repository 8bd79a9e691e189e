"""Differential cases for values mixing int and float: `and`/`or` of operands of different
types where only their truth is seen, and int/float conditionals converted to float at once
(docs/semantics.md, "Mixed int and float"); and reads of a local that a path reaches
unassigned."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from semantics import case, cases_from, check_native_matches_python, floats, ints

import rustify


@case(st.booleans(), ints(-8, 8), ints(-8, 8))
def or_of_bool_and_int_as_test(flag, caps, mask):
    if not (flag or caps & mask):
        return 1
    return 2


@case(floats(), ints(-3, 3), st.booleans())
def and_or_mixed_in_while_and_ifexp(x, n, b):
    count = 0
    while (n and x) or (b and count < 2):
        count += 1
        n = n - 1 if n > 0 else n + 1 if n < 0 else 0
        b = False
    return count if x > 0 or n else -count


@case(ints(-3, 3), floats(), floats())
def float_of_int_or_float_branch(n, a, b):
    y = float(0 if n < 0 else a)
    return y + float(n if n > 0 else b)


@case(floats(), floats(), ints(-5, 5))
def conditional_beside_a_float_operand(t, r, k):
    u = t + (r / t if t != 0 else 0)
    v = (k if k > 0 else r) * t
    w = t - (1 if k else t)
    z = (2 if k < 0 else r) / t if t else 0.0
    return u, v, w, z


@case(ints(-5, 5), floats(), native=False)  # y may hold the int 0: stays Python
def seeded_operand_keeps_the_conditional_python(n, x):
    y = 0
    if n > 0:
        y = x
    return y + (1 if n > 2 else 2.5)


# ---- a local some path reaches unassigned: the read checks a flag (UnboundLocalError in Python)

@case(ints(0, 3), floats())
def read_of_a_local_assigned_under_another_test(mask, x):
    if mask & 1:
        a = x * 2.0
    total = 0.0
    if mask & 1:
        total = a + 1.0
    if mask == 2:
        total += a
    if mask == 3:
        a *= 0.5
        total = total - a
    return total


# ---- lists holding ints and floats (list[number]): each item keeps its type

def _fill_series(eps, c):
    d = eps
    for l in range(1, len(c)):
        c[l] = d * (l + 0.5)
        d *= eps


@case(floats(), st.lists(ints(-9, 9), max_size=6))
def float_stores_into_an_int_list_argument(eps, c):
    _fill_series(eps, c)


def _series(sinp, x, c):
    k = len(c)
    n = k - sinp
    y1 = 0
    if n & 1:
        k -= 1
        y0 = c[k]
    else:
        y0 = 0
    n = n // 2
    while n:
        n -= 1
        k -= 1
        y1 = x * y0 - y1 + c[k]
        k -= 1
        y0 = x * y1 - y0 + c[k]
    return 2.0 * x * y0 if sinp else x * (y0 - y1)


@case(floats(), st.integers(3, 7), st.booleans())
def callee_fills_a_new_int_list(eps, n, sinp):
    c = list(range(n))
    _fill_series(eps, c)
    return _series(sinp, 0.25, c)


@case(floats(), st.integers(0, 7))
def new_int_list_filled_by_a_callee_is_returned(eps, n):
    c = list(range(n))
    _fill_series(eps, c)
    return c


@case(floats(), ints(-2**62, 2**62))
def mixed_list_literal_and_float_reads(x, big):
    ys = [1, 2.5, -3, big]
    total = 0.0
    for v in ys:
        total = total + v * x
    for i in range(len(ys) - 1):
        ys[i] = float(ys[i]) + total
    ys.append(total / ys[3] if big else total)
    return ys


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


def test_mixed_conditional_outside_a_float_context_stays_python():
    def f(n, x):
        y = 0 if n < 0 else x
        return y

    fast = rustify.accelerate(f, eager=True)
    assert fast(-1, 2.5) == 0 and type(fast(-1, 2.5)) is int
    assert "branches of different types" in fast.rustify.explain()


def test_and_or_value_of_mixed_types_stays_python():
    def f(flag, n):
        return flag or n

    fast = rustify.accelerate(f, eager=True)
    assert fast(False, 3) == 3
    assert "operands of different types" in fast.rustify.explain()


def test_number_item_where_its_type_shows_stays_python():
    def f(c):
        c[0] = 0.5
        return c[1] * 2

    fast = rustify.accelerate(f, eager=True)
    assert fast([1, 3]) == 6 and type(fast([1, 3])) is int
    assert "list holding ints and floats" in fast.rustify.explain()
