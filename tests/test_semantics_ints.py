"""Differential cases for integers in full and the rest of `math` (family `ints`): bit
operators on ints and bools, shifts by any count, pow with a modulus, bit_length/bit_count,
round with ndigits, and the integer and float functions of `math`. The harness is
tests/semantics.py; native and CPython must agree on value, type and exception type."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import strategies as st
from semantics import (  # noqa: F401 - strategies used by the cases below
    I64_MAX, I64_MIN, FLOAT_EDGES, accelerated, big_ints, case, cases_from, check_native_matches_python, floats,
    i64_arrays, ints, lists_of, op, small_ints,
)

import rustify


def shift_counts():
    """Shift counts: 0..70 around the word size, negatives (ValueError) and extremes."""
    return st.one_of(st.integers(0, 70), st.integers(-3, -1), st.sampled_from([63, 64, 65, I64_MAX, I64_MIN, 2**62]))


def moduli():
    return st.one_of(st.integers(-12, 12), st.sampled_from([I64_MAX, I64_MIN, 2**32 + 15, -(2**31) - 1, 1000000007]),
                     ints())


def ndigits():
    return st.one_of(st.integers(-20, 20), st.integers(-330, 330),
                     st.sampled_from([-309, -308, -307, 322, 323, 324, I64_MAX, I64_MIN]))


def shift_operands():
    return st.one_of(big_ints(), st.sampled_from([1, -1, 3, -3, 2**62, -(2**62), 0x7FFF_FFFF, I64_MAX, I64_MIN]))


# ---- bit operators


@case(big_ints(), big_ints(), op(4))
def int_bit_ops(a, b, k):
    if k == 0:
        return a & b
    elif k == 1:
        return a | b
    elif k == 2:
        return a ^ b
    return ~a


@case(st.booleans(), st.booleans(), op(3))
def bool_bit_ops(p, q, k):
    """bool with bool stays bool for & | ^."""
    if k == 0:
        return p & q
    elif k == 1:
        return p | q
    return p ^ q


@case(st.booleans(), st.booleans(), big_ints(), op(4))
def bool_int_bit_ops(p, q, a, k):
    """bool with an int (and ~, shifts of a bool) gives an int."""
    if k == 0:
        return p & a
    elif k == 1:
        return a ^ q
    elif k == 2:
        return p << 3
    return ~p


@case(shift_operands(), shift_counts(), op(4))
def int_shifts(a, s, k):
    if k == 0:
        return a << s
    elif k == 1:
        return a >> s
    elif k == 2:
        return (a & 0xFFFF) << s
    return True >> s


@case(lists_of(ints(0, 255), max_size=12), shift_counts())
def augmented_bit_ops(data, s):
    """CRC-style loop: `^=`, `&=`, `|=`, `>>=`, `<<=`."""
    crc = 0xFFFFFFFF
    mix = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            if crc & 1:
                crc = (crc >> 1) ^ 0xEDB88320
            else:
                crc >>= 1
        mix |= b
        mix &= 0x7FFF
    top = 1
    top <<= s % 64
    return (crc ^ 0xFFFFFFFF) + mix + top


@case(i64_arrays(min_size=1), ints(-70, 70), op(5))
def numpy_int64_bit_ops(xs, s, k):
    v = xs[0]
    if k == 0:
        return v & s
    elif k == 1:
        return v | 3
    elif k == 2:
        return v ^ s
    elif k == 3:
        return v << s
    return v >> s


# ---- pow, bit_length, round


@case(big_ints(), st.one_of(big_ints(), st.integers(-5, 70)), moduli())
def pow_with_modulus(a, b, m):
    return pow(a, b, m)


@case(big_ints(), op(2))
def pow_two_int_arguments(a, k):
    if k == 0:
        return pow(a, 2)
    return pow(a, 0) + pow(True, 3)


@case(big_ints(), floats(), floats(), op(2))
def pow_two_float_arguments(a, x, y, k):
    if k == 0:
        return pow(x, y)
    return pow(a, -1)


@case(big_ints(), op(4))
def bit_length_and_count(n, k):
    if k == 0:
        return n.bit_length()
    elif k == 1:
        return int.bit_length(n)
    elif k == 2:
        return n.bit_count()
    return int.bit_count(n) + (n ^ 5).bit_length()


@case(floats(), ndigits())
def round_float_ndigits(x, n):
    return round(x, n)


@case(st.one_of(st.sampled_from([0.5, 1.5, 2.5, 0.125, 0.375, 2.675, 1.005, 1499.5, 2500.0, 15.0, 25.0, -25.0,
                                 1e22, 1.7976931348623157e308, 5e-324, 0.1, -0.05, 123456.789]),
                st.floats(-1e6, 1e6)),
       st.integers(-6, 4))
def round_float_ties(x, n):
    return round(x, n)


@case(big_ints(), st.one_of(st.integers(-25, 5), st.sampled_from([-40, I64_MAX])))
def round_int_ndigits(a, n):
    return round(a, n)


# ---- math on ints


@case(big_ints(), big_ints(), big_ints(), op(4))
def math_gcd(a, b, c, k):
    if k == 0:
        return math.gcd()
    elif k == 1:
        return math.gcd(a)
    elif k == 2:
        return math.gcd(a, b)
    return math.gcd(a, b, c)


@case(st.one_of(st.integers(-5, 25), st.sampled_from([I64_MIN, -(2**40), 1000, 1001])),
      st.one_of(st.integers(-3, 70), big_ints()),
      st.integers(-3, 70), op(4))
def math_factorial_comb_perm(n, m, k, which):
    if which == 0:
        return math.factorial(n)
    elif which == 1:
        return math.comb(m, k)
    elif which == 2:
        return math.perm(m, k)
    return math.comb(n, 2)


@case(st.one_of(big_ints(), st.sampled_from([(1 << 62) - 1, 1 << 62, 3037000499**2, 3037000499**2 - 1,
                                               4503599761588224, 4503599761588223])))
def math_isqrt(n):
    return math.isqrt(n)


@case(floats(), big_ints(), op(2))
def math_trunc(x, a, k):
    if k == 0:
        return math.trunc(x)
    return math.trunc(a)


@case(floats(), big_ints(), op(2))
def math_isfinite(x, a, k):
    if k == 0:
        return math.isfinite(x)
    return math.isfinite(a)


@case(floats(), st.one_of(st.integers(-1100, 1100), big_ints(), st.sampled_from([2**31, -(2**31) - 1])))
def math_ldexp(x, e):
    return math.ldexp(x, e)


# ---- math on floats (the C library's functions: bit-identical, same errors)


@case(st.one_of(floats(), st.floats(-1.5, 1.5), st.sampled_from([-1.0, 1.0, 710.5, -710.5, 1e-17, -1e-17, -1.0 + 1e-16])),
      op(11))
def math_float_functions(x, k):
    if k == 0:
        return math.acos(x)
    elif k == 1:
        return math.asin(x)
    elif k == 2:
        return math.atan(x)
    elif k == 3:
        return math.sinh(x)
    elif k == 4:
        return math.cosh(x)
    elif k == 5:
        return math.tanh(x)
    elif k == 6:
        return math.log2(x)
    elif k == 7:
        return math.log1p(x)
    elif k == 8:
        return math.expm1(x)
    elif k == 9:
        return math.radians(x)
    return math.degrees(x)


@case(big_ints(), op(2))
def math_log2_of_int(a, k):
    if k == 0:
        return math.log2(a)
    return math.log1p(a)


@case(floats(), floats(), op(2))
def math_copysign_fmod(x, y, k):
    if k == 0:
        return math.copysign(x, y)
    return math.fmod(x, y)



# ---- divmod, math.frexp, math.modf (tuple results)


def divisors():
    """Divisors: 0 (ZeroDivisionError), -1 (divmod(-2**63, -1) runs Python), signs and extremes."""
    return st.one_of(st.sampled_from([0, 1, -1, 2, -2, 3, -7, I64_MAX, I64_MIN, I64_MIN + 1, 2**62]), ints())


def float_divisors():
    return st.one_of(st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1e-300, 5e-324, 1e308, math.inf, -math.inf,
                                      math.nan]), floats())


@case(st.one_of(floats(), st.sampled_from([0.5, 1.5, 2.5, -2.5, 3.0, 5.0, 7.5, -7.5, 1e308])), float_divisors())
def math_remainder(x, y):
    return math.remainder(x, y)  # ties to even; y == 0 or an infinite x: ValueError


@case(big_ints(), divisors())
def int_divmod(a, b):
    return divmod(a, b)


@case(ints(), divisors(), op(2))
def int_divmod_unpacked(a, b, k):
    q, r = divmod(a, b)
    if k == 0:
        return q, divmod(b, 7), divmod(r, -3)
    return r - q, divmod(True, b), divmod(a, True)


@case(floats(), float_divisors())
def float_divmod(x, y):
    return divmod(x, y)


@case(ints(), floats(), st.booleans(), op(4))
def mixed_divmod(n, x, flag, k):
    """An int (or a bool) with a float: float_divmod of both as floats."""
    if k == 0:
        return divmod(n, x)
    if k == 1:
        return divmod(x, n)
    if k == 2:
        return divmod(flag, x)
    fl, m = divmod(x, flag)
    return m, fl


@case(st.one_of(floats(), st.sampled_from([2.0**-1074, 2.0**-1022, -(2.0**-1030), 2.0**1023, 1.0 - 2.0**-53])))
def math_frexp_modf(x):
    return math.frexp(x), math.modf(x)


@case(big_ints())
def math_frexp_modf_of_int(n):
    m, e = math.frexp(n)
    return e, m, math.modf(n)


# ---- for over reversed(range(...))


def short_ranges():
    """(start, stop) at most 24 apart, near 0 and near both ends of i64."""
    anchors = st.sampled_from([0, 0, 0, I64_MIN, I64_MAX, -(2**62), 2**62])
    offsets = st.integers(-12, 12)
    return anchors.flatmap(lambda a: st.tuples(offsets, offsets).map(
        lambda d: tuple(max(I64_MIN, min(I64_MAX, a + x)) for x in d)))


def range_args():
    """(start, stop, step) of short ranges anywhere in i64, steps of either sign and any size
    (0 raises ValueError), and ranges across all of i64 with steps large enough to be short."""
    steps = st.one_of(st.integers(-4, 4), st.sampled_from([I64_MIN, I64_MAX, 2**62, -(2**62), 2**61 + 3]))
    ends = st.sampled_from([I64_MIN, I64_MIN + 1, -1, 0, I64_MAX - 1, I64_MAX])
    wide = st.tuples(ends, ends, st.sampled_from([I64_MIN, I64_MAX, 2**62, -(2**62), -(2**62) - 1, 3 * 2**61,
                                                  -(3 * 2**61)]))
    return st.one_of(st.tuples(short_ranges(), steps).map(lambda t: (*t[0], t[1])), wide)


@case(args=range_args())
def reversed_range_loop(start, stop, step):
    out = []
    for i in reversed(range(start, stop, step)):
        out.append(i)
    return out


@case(args=st.tuples(short_ranges(), st.integers(-5, 30)).map(lambda t: (*t[0], t[1])))
def reversed_range_one_and_two_arguments(start, stop, n):
    out = []
    for i in reversed(range(start, stop)):
        out.append(i)
    for i in reversed(range(n)):
        out.append(i)
    return out


@case(small_ints(), small_ints(), st.integers(-3, 3))
def reversed_range_break_and_last(n, m, step):
    """The loop variable after the loop (the last item seen), `break` and `continue`."""
    last = 100
    total = 0
    for j in reversed(range(n, m, step)):
        last = j
        if j == 3:
            continue
        if j < -5:
            break
        total += j
    return last, total


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


# ---- what stays Python, and exception types from native code


def _float_and(x, y):
    return x & y


def _float_modpow(x, m):
    return pow(x, 3, m)


def _float_factorial(x):
    return math.factorial(x)


def _float_ndigits(x, n):
    return round(x, n)


@pytest.mark.parametrize("func,args,why", [
    (_float_and, (1.5, 2), "TypeError"),
    (_float_modpow, (2.0, 5), "ints only"),
    (_float_factorial, (5.0,), "ints only"),
    (_float_ndigits, (1.5, 1.0), "ints only"),
])
def test_float_operands_of_int_only_operations_stay_python(func, args, why):
    import warnings

    fast = rustify.accelerate(func, eager=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rustify.RustifyWarning)
        try:
            fast(*args)
        except TypeError:
            pass
    assert fast.rustify.last_call == "python"
    assert why in fast.rustify.explain()


def _shift(a, s):
    return a << s


def _modpow(a, b, m):
    return pow(a, b, m)


def _divmod(a, b):
    return divmod(a, b)


def _reversed_range(a, b, s):
    out = []
    for i in reversed(range(a, b, s)):
        out.append(i)
    return out


@pytest.mark.parametrize("func,args,exc,message", [
    (_divmod, (7, 0), ZeroDivisionError, "integer division or modulo by zero"),
    (_divmod, (7.0, 0.0), ZeroDivisionError, "float divmod()"),
    (_divmod, (7, -0.0), ZeroDivisionError, "float divmod()"),
    (_reversed_range, (0, 5, 0), ValueError, "range() arg 3 must not be zero"),
    (_shift, (1, -1), ValueError, "negative shift count"),
    (_modpow, (3, 2, 0), ValueError, "pow() 3rd argument cannot be 0"),
    (_modpow, (4, -1, 8), ValueError, "base is not invertible for the given modulus"),
])
def test_native_raises_pythons_exception(func, args, exc, message):
    fast = rustify.accelerate(func, eager=True)
    kinds = tuple(type(a).__name__ for a in args)
    assert fast.compile(kinds) is not None  # the native version raises it
    with pytest.raises(exc) as raised:
        fast(*args)
    assert str(raised.value) == message


def test_divmod_with_a_bigint_quotient_reruns_in_python():
    fast = rustify.accelerate(_divmod, eager=True)
    assert fast.compile(("int", "int")) is not None
    assert fast(-(2**63), -1) == (2**63, 0)
    assert fast(-(2**63), 1) == (-(2**63), 0)
    assert fast.rustify.last_call == "native"


def test_wide_results_rerun_in_python_exactly():
    fast = rustify.accelerate(_shift, eager=True)
    assert fast.compile(("int", "int")) is not None
    assert fast(3, 70) == 3 << 70
    assert fast(-(2**62), 1) == -(2**63)
    assert fast.rustify.last_call == "native"
