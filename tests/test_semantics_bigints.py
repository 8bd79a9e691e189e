"""Differential cases for ints past 64 bits (family `bigints`, analysis/lower/bigints.py): after
a call's i64 code meets an int that outgrows 64 bits, the signature's wide specialisation
runs such calls natively with Python int objects. Native and CPython must agree on value,
type and exception type, and the overflowing calls must run natively."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from semantics import case, cases_from, check_native_matches_python

import rustify
from rustify.analysis import analyse
from rustify.errors import Untranslatable


def factorial(n):
    r = 1
    for i in range(2, n + 1):
        r *= i
    return r


def powers(base, n):
    p = 1
    out = []
    for _ in range(n):
        out.append(p)
        p = p * base
    return out


def pascal(n):
    rows = [[1]]
    for i in range(1, n):
        prev = rows[-1]
        row = [1] * (i + 1)
        for j in range(1, i):
            row[j] = prev[j - 1] + prev[j]
        rows.append(row)
    return rows


def mixed(a, b, n, k):
    """Sums crossing 2**63 either way, then //, %, **, <<, >>, &, |, ^, -, ~, abs and comparisons."""
    s = a
    for _ in range(n):
        s = s + b
    t = s * b
    if k == 0:
        t = t // (b - 7)
    elif k == 1:
        t = t % (a + 3)
    elif k == 2:
        t = -t ** 3
    elif k == 3:
        t = (t << 70) >> 3
    elif k == 4:
        t = (t & a) | (t ^ b)
    elif k == 5:
        t = ~abs(t)
    big = t > s or t == a or s <= b
    return t, big


def collatz_peak(start):
    """A value that may grow past 64 bits, while loop, % and // on it (a local: an argument
    rebound stays i64, so past 64 bits it re-runs in Python)."""
    x = start
    peak = x
    steps = 0
    while x > 1 and steps < 200:
        if x % 2 == 0:
            x = x // 2
        else:
            x = 3 * x + 1
        if x > peak:
            peak = x
        steps += 1
    return peak, steps


def powers_of_seven_summary(n):
    """A while loop, big constants (`10**30` folded), `%`, `//`, a comparison with a constant
    past 64 bits, and an int returned on one path and an int object on another."""
    if n < 0:
        return 0
    i = 0
    p = 1
    while i < n:
        p *= 7
        i += 1
    return p % 1000003 + p // 10**30 + (p > 2**64) - (1 << 70)


def sorted_alternating_powers(n):
    xs = [1]
    p = 1
    for _ in range(n):
        p = -p * 3
        xs.append(p)
    return sorted(xs)


def _wide(f, *warm):
    """The eager wrapper of `f`, after one call (`warm`) whose i64 code overflows (it builds the wide one)."""
    fast = rustify.accelerate(f, eager=True)
    fast(*warm)
    return fast


def _native_ran(fast, args, expected):
    assert fast(*args) == expected
    assert fast.rustify.last_call == "native", fast.rustify.explain()


@pytest.mark.parametrize("n", [0, 1, 20, 21, 100, 400, 500])
def test_factorial_runs_native_and_exact(n):
    fast = _wide(factorial, 30)
    _native_ran(fast, (n,), factorial(n))


def test_powers_of_three_run_native_past_3_to_the_40():
    fast = _wide(powers, 3, 50)
    for base, n in ((3, 45), (3, 300), (-3, 200), (2, 70), (3, 5)):
        _native_ran(fast, (base, n), powers(base, n))


def test_pascal_rows_of_big_ints_run_native():
    fast = _wide(pascal, 80)
    for n in (1, 2, 8, 70, 200):
        _native_ran(fast, (n,), pascal(n))


@pytest.mark.parametrize("n", [-1, 0, 3, 22, 23, 60, 300])
def test_while_loop_with_big_constants_runs_native(n):
    fast = _wide(powers_of_seven_summary, 40)
    _native_ran(fast, (n,), powers_of_seven_summary(n))


def test_sorted_list_of_big_ints_runs_native():
    fast = _wide(sorted_alternating_powers, 60)
    for n in (0, 5, 41, 90):
        _native_ran(fast, (n,), sorted_alternating_powers(n))


_MIXED = None


@settings(max_examples=150, deadline=None)
@given(a=st.integers(-(2**64), 2**64), b=st.one_of(st.integers(-(2**40), 2**40), st.integers(-(2**64), 2**64)),
       n=st.integers(0, 6), k=st.integers(0, 6))
def test_mixed_int_operators_match_python(a, b, n, k):
    global _MIXED
    if _MIXED is None:
        _MIXED = _wide(mixed, 2**62, 2**62, 2, 6)
    fast = _MIXED
    try:
        expected = mixed(a, b, n, k)
    except Exception as e:  # noqa: BLE001 - the native must raise the same type
        with pytest.raises(type(e)):
            fast(a, b, n, k)
        return
    assert fast(a, b, n, k) == expected
    if (-(2**63) <= a < 2**63 and -(2**63) <= b < 2**63):
        assert fast.rustify.last_call == "native", fast.rustify.explain()


@settings(max_examples=60, deadline=None)
@given(x=st.integers(1, 2**62))
def test_collatz_peaks_match_python(x):
    fast = _wide(collatz_peak, 2**62 - 1)
    assert fast(x) == collatz_peak(x)
    assert fast.rustify.last_call == "native"


def test_zero_division_and_negative_shift_raise_pythons_exception():
    fast = _wide(mixed, 2**62, 2**62, 2, 6)
    with pytest.raises(ZeroDivisionError):
        fast(2**62, 7, 3, 0)  # (b - 7) == 0 with s past 64 bits
    with pytest.raises(ZeroDivisionError):
        fast(-3, 2**62, 3, 1)  # a + 3 == 0


def untranslatable_wide(n):
    r = 1
    for i in range(1, n):
        r = r * i
    return r / 3  # true division of an int of any size: not translated


def test_a_function_that_cannot_go_wide_keeps_rerunning_in_python_with_a_reason():
    with pytest.raises(Untranslatable) as e:
        analyse(untranslatable_wide, ("int",), wide=True)
    assert "outgrow 64 bits" in str(e.value)
    fast = _wide(untranslatable_wide, 30)
    assert fast(40) == untranslatable_wide(40)
    assert fast.rustify.last_call != "native"
    st_ = fast.rustify._stats[("int",)]
    assert st_.wide.startswith("ints past 64 bits re-run in Python")
    assert fast(10) == untranslatable_wide(10) and fast.rustify.last_call == "native"


@case(st.integers(0, 120), name="bigint_factorial")
def _factorial_case(n):
    r = 1
    for i in range(2, n + 1):
        r *= i
    return r


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_case(c):
    check_native_matches_python(c)
