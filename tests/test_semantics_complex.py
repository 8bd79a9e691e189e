"""Differential cases for complex numbers: Python's complex (CPython 3.11's arithmetic, `abs`,
`**` with its integer fast path, the cmath functions and their special values, bit for bit),
numpy's complex128/complex64 scalars and arrays (numpy's `+ - *`, `abs`, parts, stores), and
the constructs that stay Python (ordering, `//`, numpy's complex `/` and `**`). The harness is
tests/semantics.py; same_value compares both parts bit for bit (NaN, -0.0) and the type."""

from __future__ import annotations

import cmath
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from semantics import accelerated, case, cases_from, check_native_matches_python, floats, ints, op

import rustify

PARTS = st.one_of(floats(), st.floats(-4, 4), st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, 1e-320, 1e300, -1e300]))


def complexes():
    """Complex numbers whose parts are edge floats (NaN, inf, -0.0, huge, subnormal) or small."""
    return st.builds(complex, PARTS, PARTS)


def small_complexes():
    return st.builds(complex, st.floats(-3, 3), st.floats(-3, 3))


# ---- Python complex arithmetic (CPython 3.11: an int or float operand is x + 0j first)


@case(complexes(), complexes(), op(8))
def complex_arith(a, b, k):
    if k == 0:
        return a + b
    elif k == 1:
        return a - b
    elif k == 2:
        return a * b
    elif k == 3:
        return a / b
    elif k == 4:
        return a ** b
    elif k == 5:
        return -a
    elif k == 6:
        return +a - 1j
    return a * a + b


@case(complexes(), floats(), ints(-40, 40), op(9))
def complex_mixed_with_real(z, x, n, k):
    if k == 0:
        return z + x
    elif k == 1:
        return x - z
    elif k == 2:
        return z * n
    elif k == 3:
        return n / z
    elif k == 4:
        return z / x
    elif k == 5:
        return x ** z
    elif k == 6:
        return z ** x
    elif k == 7:
        return True + z
    return 2 * z - 0.5


@case(st.one_of(complexes(), small_complexes()), st.one_of(ints(-130, 130), st.sampled_from([0, 1, 2, -1, 100, 101, -100, -101])))
def complex_int_power(z, n):
    """|n| <= 100 is CPython's repeated-multiplication fast path, larger the polar formula."""
    return z ** n


@case(complexes(), op(6))
def complex_constant_powers(z, k):
    if k == 0:
        return z ** 2
    elif k == 1:
        return z ** 3
    elif k == 2:
        return z ** -1
    elif k == 3:
        return z ** 0
    elif k == 4:
        return z ** 0.5
    return z ** 2.5j


# ---- abs, parts, conjugate, truth, equality, construction


@case(complexes(), op(6))
def complex_abs_parts(z, k):
    if k == 0:
        return abs(z)
    elif k == 1:
        return z.real
    elif k == 2:
        return z.imag
    elif k == 3:
        return (z * 2).real + (z - 1).imag
    elif k == 4:
        return 1.0 if z else 0.0
    return abs(z * z)


@case(complexes())
def complex_conjugate_and_truth(z):
    if z:
        return z.conjugate()
    return -z


@case(complexes(), complexes(), st.one_of(ints(), st.integers(-3, 3)), floats(), op(7))
def complex_equality(a, b, n, x, k):
    if k == 0:
        return a == b
    elif k == 1:
        return a != b
    elif k == 2:
        return a == n
    elif k == 3:
        return n != a
    elif k == 4:
        return a == x
    elif k == 5:
        return complex(n, 0) == n  # exact: 2**53 + 1 is not complex(2**53 + 1)
    return x == b and a == a


@case(floats(), floats(), ints(), op(6))
def complex_construction(x, y, n, k):
    if k == 0:
        return complex(x, y)
    elif k == 1:
        return complex(x)
    elif k == 2:
        return complex(n, x)
    elif k == 3:
        return complex()
    elif k == 4:
        return complex(True, n)
    return complex(complex(x, y))


def near_circle():
    """Complex numbers on, just inside and just outside the circles |z| = 2 and |z| = 0.5."""
    def around(pair):
        r, t, ulps = pair
        z = cmath.rect(r, t)
        re = z.real
        for _ in range(abs(ulps)):
            re = math.nextafter(re, math.inf if ulps > 0 else -math.inf)
        return complex(re, z.imag)
    return st.tuples(st.sampled_from([2.0, 0.5, 2.0 * 1.004987562112089, 2.0 * 0.99498743710662]),
                     st.floats(-4, 4), st.integers(-3, 3)).map(around)


@case(st.one_of(complexes(), near_circle(), st.sampled_from([2 + 0j, 1.2 + 1.6j, -1.2 - 1.6j, 0.3 + 0.4j, 2j])), op(6))
def complex_abs_against_constants(z, k):
    """`abs(z) <= 2.0` is decided without hypot away from the circle, by hypot near it."""
    if k == 0:
        return abs(z) <= 2.0
    elif k == 1:
        return abs(z) < 2.0
    elif k == 2:
        return 0.5 >= abs(z)
    elif k == 3:
        return 0.5 < abs(z * 1.0) <= 2.0
    elif k == 4:
        return abs(z) > 1e300
    return abs(z) >= 1e-300


@case(complexes(), complexes(), floats())
def complex_conditional_expression(z, w, x):
    return z if x > 0 else (w.conjugate() if z else -w)


@case(st.tuples(complexes(), st.integers(-3, 3)), st.sampled_from([0, 1, -1, 2]))
def complex_tuples(t, i):
    """Tuples holding complex numbers: arguments, items, a run-time index, unpacking, results."""
    z, n = t
    pair = (z * n, z.conjugate())
    return pair[i % 2] + pair[0], (pair[1], n), ROOTS[i]


ROOTS = (1 + 0j, -0.5 + 0.8660254037844386j, -0.5 - 0.8660254037844386j, 2j)
Z0 = 0.5 - 0.25j


@case(complexes())
def complex_global_constant(z):
    return z * Z0 + 1j


# ---- cmath: CPython's algorithms and special-value tables, bit for bit


@case(complexes(), op(3))
def cmath_functions(z, k):
    if k == 0:
        return cmath.sqrt(z)
    elif k == 1:
        return cmath.exp(z)
    return cmath.sqrt(z.real) + cmath.exp(z.imag)


@case(st.one_of(complexes(), small_complexes(), st.builds(complex, st.floats(-800, 800), st.floats(-3, 3))), op(6))
def cmath_trig(z, k):
    """cos, sin, tan via cosh, sinh, tanh of i*z, their tables and the rescaling of a large real part."""
    if k == 0:
        return cmath.cos(z)
    elif k == 1:
        return cmath.sin(z)
    elif k == 2:
        return cmath.tan(z)
    elif k == 3:
        return cmath.cosh(z)
    elif k == 4:
        return cmath.sinh(z)
    return cmath.tanh(z)


@case(st.one_of(complexes(), st.builds(complex, st.floats(0.5, 1.8), st.floats(-1, 1))), op(3))
def cmath_logs(z, k):
    """log near the unit circle goes through log1p, of huge or subnormal parts rescaled."""
    if k == 0:
        return cmath.log(z)
    elif k == 1:
        return cmath.log10(z)
    return cmath.log(z.real + 0j) - cmath.log10(-z)


@case(complexes(), op(5))
def cmath_phase_polar_tests(z, k):
    if k == 0:
        return cmath.phase(z), 0.0
    elif k == 1:
        return cmath.polar(z)
    elif k == 2:
        return float(cmath.isnan(z)), 1.0
    elif k == 3:
        return float(cmath.isinf(z)), 2.0
    return float(cmath.isfinite(z)), 3.0


@case(PARTS, PARTS)
def cmath_rect(r, phi):
    return cmath.rect(r, phi)


@case(st.integers(1, 12), st.integers(1, 10), st.floats(-1, 1), st.floats(-1, 1), st.integers(0, 60))
def julia_escape(w, h, c_re, c_im, max_iter):
    c = complex(c_re, c_im)
    total = 0
    for y in range(h):
        for x in range(w):
            z = complex(-1.5 + 3.0 * x / w, -1.0 + 2.0 * y / h)
            k = 0
            while k < max_iter and abs(z) <= 2.0:
                z = z * z + c
                k += 1
            total += k
    return total


@case(small_complexes(), st.integers(0, 30))
def mandelbrot_polar(c, n):
    z = 0j
    for _ in range(n):
        z = z ** 2 + c
        if cmath.isinf(z) or abs(z) > 1e100:
            break
    r, phi = cmath.polar(z)
    return r, phi, z.real, z.imag


# ---- numpy complex128 / complex64: numpy's scalar arithmetic, arrays of any layout


def c128_arrays(min_size=0, max_size=6):
    return st.lists(complexes(), min_size=min_size, max_size=max_size).map(lambda v: np.array(v, dtype=np.complex128))


def c64_arrays(min_size=0, max_size=6):
    parts = st.floats(-1e6, 1e6, width=32)
    return st.lists(st.builds(complex, parts, parts), min_size=min_size, max_size=max_size).map(
        lambda v: np.array(v, dtype=np.complex64))


@case(c128_arrays(min_size=1), complexes(), floats(), op(6))
def np_complex128_elements(a, z, x, k):
    v = a[0]
    w = a[-1]
    if k == 0:
        return v + w
    elif k == 1:
        return v * w - z
    elif k == 2:
        return v * x
    elif k == 3:
        return v.conjugate()
    elif k == 4:
        return -v
    return w * 2 + 1j


@case(c128_arrays(min_size=1), op(4))
def np_complex128_parts(a, k):
    v = a[0]
    if k == 0:
        return abs(v)
    elif k == 1:
        return v.real + a[-1].imag
    elif k == 2:
        return v.imag * 2.0
    if v == a[-1]:
        return v.real
    return v.imag


@case(c128_arrays(min_size=1), st.one_of(complexes(), small_complexes()), floats(), op(5))
def np_complex_division(a, z, x, k):
    """numpy's complex division (not CPython's); where numpy warns, the call re-runs in Python."""
    v = a[0]
    if k == 0:
        return v / a[-1]
    elif k == 1:
        return v / z
    elif k == 2:
        return z / v
    elif k == 3:
        return v / x
    return 1 / v


@case(c64_arrays(min_size=1), st.builds(complex, st.floats(-100, 100), st.floats(-100, 100)), op(3))
def np_complex64_division(a, z, k):
    v = a[0]
    if k == 0:
        return v / a[-1]
    elif k == 1:
        return v / z
    return v / 3.0


@case(c128_arrays(), complexes())
def np_complex128_store_and_sum(a, z):
    total = 0j
    for i in range(len(a)):
        a[i] = a[i] * z + 1.0
        total += a[i]
    return total


@case(c128_arrays(max_size=4), floats())
def np_complex128_seeded_products(a, x):
    """`total = 0j` is a seed of a complex128 variable: where it still holds the Python 0j and its
    type would show (`total * s` of an empty array), the call re-runs in Python; `total * v` does
    not show it (numpy's complex128 either way)."""
    total = 0j
    for v in a:
        total = total * v + v
    s = 0
    s += x
    return total * s


@case(c128_arrays(max_size=4), native=False)  # total * total reads the seed: re-runs in Python
def np_complex128_seed_squared(a):
    total = 0j
    for v in a:
        total = total * total + v
    return total


@case(st.lists(st.tuples(st.floats(-10, 10), st.floats(-10, 10)), max_size=5).map(
    lambda v: np.array([complex(*p) for p in v], dtype=np.complex128).reshape(-1, 1) if v else
    np.zeros((0, 2), dtype=np.complex128)))
def np_complex128_2d(m):
    s = 0j
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            s = s + m[i, j] * (i + 1)
            m[i, j] = m[i, j].conjugate()
    return s


@case(st.integers(-2, 6), complexes())
def np_new_complex128(n, z):
    out = np.zeros(n, dtype=np.complex128)
    for i in range(n):
        out[i] = z * i
    return out


@case(st.integers(0, 5), complexes(), op(2))
def np_new_complex_2d(n, z, k):
    if k == 0:
        a = np.zeros((n, 2), dtype=complex)
        for i in range(n):
            a[i, 1] = z.conjugate() + i
        return a.shape[0]
    b = np.zeros_like(np.zeros((n, 3), dtype=np.complex64))
    for i in range(n):
        b[i, 0] = z
    return b.size


@case(st.integers(0, 5), complexes())
def np_new_complex64_returned(n, z):
    out = np.zeros((n, 2), dtype=np.complex64)
    for i in range(n):
        out[i, 1] = z
    return out


@case(c64_arrays(min_size=1), st.floats(-100, 100), op(5))
def np_complex64_elements(a, x, k):
    v = a[0]
    if k == 0:
        return v * a[-1] + x
    elif k == 1:
        return v * 2 - 1j
    elif k == 2:
        a[0] = v * (1 + 1j)
        return a[0]
    elif k == 3:
        return v.conjugate()
    return v - a[-1]


@case(c64_arrays(min_size=1), op(2))
def np_complex64_parts(a, k):
    if k == 0:
        return abs(a[0])
    return a[0].imag - a[-1].real


@case(complexes(), st.builds(np.float64, floats()), op(5))
def complex_then_np_float64(z, x, k):
    """complex's own method runs first on a float subclass: `z * x` is a Python complex."""
    if k == 0:
        return z * x
    elif k == 1:
        return z + x
    elif k == 2:
        return z / x
    elif k == 3:
        return z - x
    return z ** x


@case(complexes(), st.builds(np.float64, floats()), st.builds(np.complex128, complexes()), op(4))
def np_float64_then_complex(z, x, w, k):
    """... and `x - z` is numpy's complex128 (`x * z` is numpy's array loop, which stays Python)."""
    if k == 0:
        return x - z
    elif k == 1:
        return x * w
    elif k == 2:
        return z * w
    return w * z + x / z


def _np_real_times_python_complex(x, z):
    return x[0] * z


@case(complexes(), st.builds(np.float64, floats()))
def complex_eq_np_float64(z, x):
    return z == x or z != x + 1.0  # Python bools


@case(complexes(), st.builds(np.float64, floats()), st.builds(np.complex128, complexes()), op(3))
def numpy_complex_equality(z, x, w, k):
    if k == 0:
        return x != z  # numpy's bool
    elif k == 1:
        return z == w  # np.complex128 is a complex subclass: its method runs first
    return w != w


@case(complexes(), st.builds(np.float32, st.floats(-3, 3, width=32)), st.builds(np.complex64, small_complexes()),
      st.floats(-3, 3), st.builds(np.complex128, small_complexes()), op(4))
def numpy_complex64_equality(z, f, w, x, c, k):
    """NEP 50: a Python complex or float meets float32/complex64 in single precision."""
    if k == 0:
        return z == f
    elif k == 1:
        return w == x
    elif k == 2:
        return w != z
    return c == f or c == w


@case(st.builds(np.complex128, complexes()), st.builds(np.complex64, small_complexes()), op(3))
def np_complex_scalar_arguments(z, w, k):
    if k == 0:
        return z * z + 1
    elif k == 1:
        return z + w
    return z * w.conjugate()


@case(st.builds(np.complex64, small_complexes()), op(2))
def np_complex64_scalar_argument(w, k):
    if k == 0:
        return w + w * 0.5
    return w * (2 + 1j)


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


# ---- exact values, messages and native runs


def _raises(func, *args):
    try:
        func(*args)
    except Exception as e:  # noqa: BLE001 - the exception is the observable
        return type(e), str(e)
    return None


@pytest.mark.parametrize("args", [(1 + 1j, 0j, 3), (0j, 1j, 4), (0j, -1 + 0j, 4), (1e200 + 1e200j, 1, 4),
                                  (-1 + 1j, 1e308 + 0j, 4), (1e200 + 1e200j, 1e10 + 0j, 2)])
def test_errors_have_pythons_type_and_message(args):
    fast = accelerated(next(c for c in cases_from(__name__) if c.name == "complex_arith"))
    assert _raises(fast, *args) == _raises(complex_arith, *args), args
    fast_abs = accelerated(next(c for c in cases_from(__name__) if c.name == "complex_abs_parts"))
    huge = complex(1.7e308, 1.7e308)
    assert _raises(fast_abs, huge, 0) == _raises(complex_abs_parts, huge, 0) == (OverflowError, "absolute value too large")


def test_cmath_errors_and_messages():
    fast = accelerated(next(c for c in cases_from(__name__) if c.name == "cmath_functions"))
    polar = accelerated(next(c for c in cases_from(__name__) if c.name == "cmath_phase_polar_tests"))
    for z, k in ((complex(1000, 1), 1), (complex(1, math.inf), 1), (complex(-math.inf, math.nan), 0)):
        assert _raises(fast, z, k) == _raises(cmath_functions, z, k), (z, k)
    for z, k in ((complex(1e10, 1e-320), 0), (complex(1.7e308, 1.7e308), 1), (complex(1e300, -1e-300), 0)):
        assert _raises(polar, z, k) == _raises(cmath_phase_polar_tests, z, k) == (OverflowError, "math range error")
    assert _raises(fast, complex(1000, 1), 1) == (OverflowError, "math range error")
    assert str(fast(complex(-4, -0.0), 0)) == str(cmath.sqrt(complex(-4, -0.0))) == "-2j"
    assert fast.rustify.last_call == "native"


def test_square_and_abs_bit_identical_and_native():
    fast_pow = accelerated(next(c for c in cases_from(__name__) if c.name == "complex_constant_powers"))
    fast_abs = accelerated(next(c for c in cases_from(__name__) if c.name == "complex_abs_parts"))
    for z in (0.1 + 0.7j, complex(3e-160, 1e154), complex(-0.0, 2.5), complex(1e-310, -7.0)):
        got, want = fast_pow(z, 0), z ** 2
        assert (got.real.hex(), got.imag.hex()) == (want.real.hex(), want.imag.hex())
        assert fast_pow.rustify.last_call == "native"
        assert fast_abs(z, 0).hex() == abs(z).hex() and fast_abs.rustify.last_call == "native"


def test_numpy_complex_results_keep_their_type():
    fast = accelerated(next(c for c in cases_from(__name__) if c.name == "np_complex_scalar_arguments"))
    fast64 = accelerated(next(c for c in cases_from(__name__) if c.name == "np_complex64_scalar_argument"))
    z, w = np.complex128(1 + 2j), np.complex64(0.5 - 1j)
    for k in range(3):
        assert type(fast(z, w, k)) is np.complex128 and fast.rustify.last_call == "native"
    assert type(fast64(w, 0)) is np.complex64 and fast64.rustify.last_call == "native"
    assert fast64(w, 1) == w * (2 + 1j)


# ---- what stays Python, and why


def _order(a, b):
    return a < b


def _floor(a, b):
    return a // b


def _np_power(x):
    return x[0] ** 2


def _store_into_real_array(x, z):
    x[0] = z


def _append_complex(z):
    out = []
    out.append(z)
    return len(out)


@pytest.mark.parametrize("func, args, why", [
    (_order, (1j, 2j), "complex numbers are not ordered"),
    (_floor, (1j, 2), "no floor division"),
    (_np_power, (np.array([1j, 2j]),), "numpy's complex power differs"),
    (_store_into_real_array, (np.zeros(2), 1j), "discards the imaginary part"),
    (_np_real_times_python_complex, (np.array([1e-300]), complex(-5e-324, -0.0)), "fused multiply-add"),
    (_np_real_times_python_complex, (np.array([1.5], dtype=np.float32), 2j), "fused multiply-add"),
    (_append_complex, (1j,), "lists hold numbers of one real type"),
])
def test_stays_python_with_reason(func, args, why):
    fast = rustify.accelerate(func, eager=True)
    with pytest.warns(rustify.RustifyWarning):
        expected = _raises(func, *args) or func(*args)
        got = _raises(fast, *args) or fast(*args)
    assert type(got) is type(expected)
    assert any(why in r for r in fast.rustify.reasons.values()), fast.rustify.explain()


@settings(max_examples=20, deadline=None)
@given(st.lists(complexes(), min_size=1, max_size=5))
def test_complex_array_kinds(values):
    from rustify.runtime.signature import kind_of

    a = np.array(values, dtype=np.complex128)
    assert kind_of(a) == "ndarray[complex128, 1, C]"
    assert kind_of(a.astype(np.complex64)[::2]) in ("ndarray[complex64, 1, C]", "ndarray[complex64, 1, A]")
    assert kind_of(values[0]) == "complex" and kind_of(np.complex64(1)) == "numpy.complex64"


SPECIAL_PARTS = [-math.inf, -2.5, -1.0, -0.0, 0.0, 0.5, 1.0, 3.0, math.inf, math.nan, 5e-324, 1e-310, 1e308, -1e308]


def _outcome(func, *args):
    try:
        return ("ok", func(*args))
    except Exception as e:  # noqa: BLE001 - the exception and its message are the observable
        return ("raise", type(e), str(e))


def _same(expected, got) -> bool:
    from rustify.runtime.validate import same_value

    if expected[0] != got[0]:
        return False
    return expected == got if expected[0] == "raise" else same_value(expected[1], got[1])


def test_every_special_value_pair_matches_cpython():
    """Every pair of special parts (the 7x7 classes of cmathmodule.c's tables, subnormals and huge
    values): cmath, abs, phase, polar, rect, and + - * / ** of every two such complex numbers,
    bit for bit, with the exception type and message."""
    named = {c.name: c for c in cases_from(__name__)}
    one = [(named["cmath_functions"], (0, 1, 2)), (named["cmath_phase_polar_tests"], (0, 1, 2, 3, 4)),
           (named["cmath_logs"], (0, 1, 2)), (named["cmath_trig"], tuple(range(6))), (named["complex_abs_against_constants"], tuple(range(6))),
           (named["complex_abs_parts"], (0, 5)), (named["complex_constant_powers"], tuple(range(6)))]
    values = [complex(re, im) for re in SPECIAL_PARTS for im in SPECIAL_PARTS]
    bad = []
    for c, ks in one:
        fast = accelerated(c)
        for z in values:
            for k in ks:
                if not _same(_outcome(c.func, z, k), _outcome(fast, z, k)):
                    bad.append((c.name, z, k, _outcome(c.func, z, k), _outcome(fast, z, k)))
        assert fast.rustify.last_call == "native", fast.rustify.explain()
    rect = accelerated(named["cmath_rect"])
    for r in SPECIAL_PARTS:
        for phi in SPECIAL_PARTS:
            if not _same(_outcome(cmath_rect, r, phi), _outcome(rect, r, phi)):
                bad.append(("rect", r, phi))
    arith = accelerated(named["complex_arith"])
    for a in values[::3]:
        for b in values:
            for k in range(5):
                if not _same(_outcome(complex_arith, a, b, k), _outcome(arith, a, b, k)):
                    bad.append(("arith", a, b, k, _outcome(complex_arith, a, b, k), _outcome(arith, a, b, k)))
    assert arith.rustify.last_call == "native"
    assert not bad, bad[:10]
