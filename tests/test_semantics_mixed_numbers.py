"""Differential cases for values mixing int and float: `and`/`or` of operands of different
types where only their truth is seen, and int/float conditionals converted to float at once
(docs/semantics.md, "Mixed int and float")."""

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
