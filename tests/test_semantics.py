"""Differential cases for the scalar, list and 1-D array constructs (the harness is
tests/semantics.py; other families have their own tests/test_semantics_<family>.py),
and the rule that every construct in the translator's registry has a case."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import strategies as st
from semantics import (  # noqa: F401 - strategies used by the cases below
    I64_MAX, I64_MIN, Case, accelerated, big_ints, case, cases_from, check_native_matches_python, f64_arrays,
    floats, i64_arrays, index_for, ints, lists_of, op, small_ints, used_in_cases,
)



# ---- arithmetic


@case(big_ints(), big_ints(), op(8))
def int_arith(a, b, k):
    if k == 0:
        return a + b
    elif k == 1:
        return a - b
    elif k == 2:
        return a * b
    elif k == 3:
        return a // b
    elif k == 4:
        return a % b
    elif k == 5:
        return a ** 2
    elif k == 6:
        return a ** 3
    return a ** 0


@case(lists_of(floats()), floats())
def annotated_locals_and_pass(xs, t):
    count: int = 0
    total: float = 0.0
    for x in xs:
        if x > t:
            pass
        else:
            count += 1
            total += x
    return total / count if count else t


@case(big_ints(), big_ints(), op(4))
def int_truediv_and_negative_pow(a, b, k):
    if k == 0:
        return a / b
    elif k == 1:
        return a ** -1
    elif k == 2:
        return b ** -2
    return a ** -3


@case(floats(), floats(), op(7))
def float_arith(x, y, k):
    if k == 0:
        return x + y
    elif k == 1:
        return x - y
    elif k == 2:
        return x * y
    elif k == 3:
        return x / y
    elif k == 4:
        return x // y
    elif k == 5:
        return x % y
    return x ** y


@case(big_ints(), floats(), op(14))
def mixed_arith(a, x, k):
    if k == 0:
        return a + x
    elif k == 1:
        return a - x
    elif k == 2:
        return a * x
    elif k == 3:
        return a / x
    elif k == 4:
        return a // x
    elif k == 5:
        return a % x
    elif k == 6:
        return a ** x
    elif k == 7:
        return x + a
    elif k == 8:
        return x - a
    elif k == 9:
        return x * a
    elif k == 10:
        return x / a
    elif k == 11:
        return x // a
    elif k == 12:
        return x % a
    return x ** a


@case(big_ints(), big_ints(), op(5))
def int_augmented(a, b, k):
    r = a
    if k == 0:
        r += b
    elif k == 1:
        r -= b
    elif k == 2:
        r *= b
    elif k == 3:
        r //= b
    else:
        r %= b
    return r


# ---- unary, truth


@case(big_ints(), op(3))
def int_unary(a, k):
    if k == 0:
        return -a
    elif k == 1:
        return +a
    return ~a


@case(floats(), op(2))
def float_unary(x, k):
    if k == 0:
        return -x
    return +x


@case(big_ints(), floats(), op(4))
def not_and_bool(a, x, k):
    if k == 0:
        return not a
    elif k == 1:
        return not x
    elif k == 2:
        return bool(a)
    return bool(x)


@case(st.booleans(), st.booleans(), op(4))
def bool_args(p, q, k):
    if k == 0:
        return p + q
    elif k == 1:
        return p - q * 3
    elif k == 2:
        return -p
    return ~q


# ---- comparisons, and/or, conditional expression, if/elif/else


@case(big_ints(), floats(), big_ints(), floats(), op(9))
def comparisons(a, x, b, y, k):
    if k == 0:
        return a < x
    elif k == 1:
        return a == x
    elif k == 2:
        return x >= a
    elif k == 3:
        return a != x
    elif k == 4:
        return a <= x < b
    elif k == 5:
        return x < y <= a
    elif k == 6:
        return a < b == a
    elif k == 7:
        return x == y != x
    return a > x > b > y


@case(args=st.tuples(st.sampled_from([2**53 + 1, 2**53, 2**53 - 1, -(2**53) - 1, I64_MAX, I64_MIN, 2**62 + 1]),
                     st.sampled_from([float(2**53), -float(2**53), float(2**63), -float(2**63), 2.0**62,
                                      math.nan, math.inf, -math.inf]),
                     op(6)))
def int_float_exact_compare(a, x, k):
    if k == 0:
        return a == x
    elif k == 1:
        return a < x
    elif k == 2:
        return a > x
    elif k == 3:
        return x <= a
    elif k == 4:
        return x != a
    return x >= a


@case(big_ints(), big_ints(), big_ints(), op(4))
def and_or_int(a, b, c, k):
    if k == 0:
        return a and b
    elif k == 1:
        return a or b
    elif k == 2:
        return a and b or c
    return a or b and c


@case(floats(), floats(), op(3))
def and_or_float(x, y, k):
    if k == 0:
        return x and y
    elif k == 1:
        return x or y
    return (x or y) and x


@case(floats(), big_ints())
def if_elif_else_and_ifexp(x, a):
    if x > 0:
        r = 1
    elif x < 0:
        r = -1
    elif x == 0:
        r = 0
    else:
        r = 2
    return r + (a if a > 0 else -a)


# ---- chained assignment


@case(floats(), big_ints())
def chained_assignment(x, n):
    a = b = x  # one value, bound left to right
    i = j = k = n
    a += 1.0
    total = t2 = 0.0
    for m in range(3):
        total += a * m
        t2 = total = total + b
    return a, b, i, j, k, total, t2


# ---- loops


@case(ints(-30, 30), ints(-30, 30), st.one_of(ints(-7, 7), st.sampled_from([I64_MAX, I64_MIN])), op(3))
def for_range(a, b, s, k):
    t = 0
    if k == 0:
        for i in range(a):
            t += i * i
    elif k == 1:
        for i in range(a, b):
            t = t * 3 + i
    else:
        for i in range(a, b, s):
            t = t * 3 + i
    return t


@case(st.sampled_from([I64_MAX - 3, I64_MIN, I64_MIN + 2, 2**62, -(2**62)]), st.integers(-4, 4),
      st.sampled_from([1, -1, 2, -2, 0, I64_MAX, I64_MIN]))
def for_range_near_i64_limits(start, n, s):
    c = 0
    last = 0
    for i in range(start, start + n if n >= 0 or start > I64_MIN + 4 else start, s):
        c += 1
        last = i
    return last - c


@case(lists_of(floats()))
def for_over_float_list(xs):
    s = 0
    for v in xs:
        s += v
    return s


@case(lists_of(big_ints(), min_size=1))
def for_over_int_list(xs):
    s = 0
    for v in xs:
        s = s * 2 + v
    return s


@case(ints(-5, 60), ints(-3, 6))
def while_break_continue(n, k):
    i = 0
    s = 0
    while True:
        i += 1
        if i > n:
            break
        if i % k == 0:
            continue
        s += i
    return s


@case(lists_of(small_ints(), min_size=1), small_ints())
def early_return(xs, t):
    for i in range(len(xs)):
        if xs[i] == t:
            return i
        if xs[i] > 15:
            return -i
    return -1


@case(ints(-3, 120))
def tuple_swap_fib(n):
    x, y = 0, 1
    for _ in range(n):
        x, y = y, x + y
    return x


@case(floats(), floats())
def tuple_swap_args(x, y):
    x, y = y, x
    return x - y * 2.0


@case(ints(0, 30))
def factorial(n):
    r = 1
    for i in range(2, n + 1):
        r *= i
    return r


@case(floats(), ints(0, 40))
def while_condition(x, n):
    i = 0
    while i < n and x < 1e300:
        x = x * 2.0 + 1.0
        i += 1
    return x


# ---- lists


@case(lists_of(big_ints(), min_size=1), index_for())
def list_index(xs, i):
    return xs[i]


@case(lists_of(floats()), index_for())
def float_list_index(xs, i):
    return xs[i] + xs[-1]


@case(lists_of(floats()), index_for(), floats())
def list_store(xs, i, v):
    if len(xs) > 1:
        xs[0] = v * 2.0
    xs[i] = v
    xs[i] += 1.0


@case(lists_of(small_ints(), min_size=1), ints(-3, 6), big_ints())
def list_append(xs, n, v):
    for i in range(n):
        xs.append(v + i)
    return len(xs)


@case(floats(), st.one_of(ints(-5, 12), st.sampled_from([I64_MIN, -1, 0])))
def list_repeat(x, n):
    ys = [x] * n
    if n > 2:
        ys[1] = x + 1.0
    return ys


@case(args=st.one_of(
    lists_of(floats(), max_size=4).map(lambda v: (v, v)),  # the same list twice
    st.tuples(lists_of(floats(), max_size=4), lists_of(floats(), max_size=4))))
def aliasing(xs, ys):
    for i in range(len(xs)):
        if len(ys) > 0:
            xs[i] = ys[0] + 1.0
    return len(ys)


@case(lists_of(floats(), max_size=6))
def local_list_build(xs):
    out = []
    for v in xs:
        if v == v:
            out.append(v * 0.5)
    return out


# ---- builtins


@case(big_ints(), big_ints(), big_ints(), op(5))
def int_builtins(a, b, c, k):
    if k == 0:
        return abs(a)
    elif k == 1:
        return min(a, b)
    elif k == 2:
        return max(a, b, c)
    elif k == 3:
        return min(a, b, c)
    return int(a) + 0


@case(floats(), floats(), floats(), op(5))
def float_builtins(x, y, z, k):
    if k == 0:
        return abs(x)
    elif k == 1:
        return min(x, y)
    elif k == 2:
        return max(x, y, z)
    elif k == 3:
        return min(x, y, z)
    return max(x, y)


@case(floats(), op(4))
def float_to_int(x, k):
    if k == 0:
        return int(x)
    elif k == 1:
        return round(x)
    elif k == 2:
        return math.floor(x)
    return math.ceil(x)


@case(big_ints(), st.booleans(), op(3))
def to_float(a, p, k):
    if k == 0:
        return float(a)
    elif k == 1:
        return float(p)
    return float(a) + 0.5


# ---- math


@case(floats(), op(14), rel=1e-15)
def math_one_arg(x, k):
    if k == 0:
        return math.sqrt(x)
    elif k == 1:
        return math.exp(x)
    elif k == 2:
        return math.log(x)
    elif k == 3:
        return math.log10(x)
    elif k == 4:
        return math.sin(x)
    elif k == 5:
        return math.cos(x)
    elif k == 6:
        return math.tan(x)
    elif k == 7:
        return math.fabs(x)
    elif k == 8:
        return math.erf(x)
    elif k == 9:
        return x * math.pi
    elif k == 10:
        return x + math.e
    elif k == 11:
        return x - math.inf
    elif k == 12:
        return math.nan + x
    return math.sqrt(x) + math.log(x)


@case(floats(), floats(), op(4), rel=1e-15)
def math_two_args(x, y, k):
    if k == 0:
        return math.atan2(x, y)
    elif k == 1:
        return math.hypot(x, y)
    elif k == 2:
        return math.pow(x, y)
    return math.log(x, y)


@case(big_ints(), op(4), rel=1e-15)
def math_of_int(a, k):
    if k == 0:
        return math.sqrt(a)
    elif k == 1:
        return math.log(a)
    elif k == 2:
        return math.fabs(a)
    return math.exp(a)


@case(floats(), big_ints(), op(4))
def math_tests(x, a, k):
    if k == 0:
        return math.isnan(x)
    elif k == 1:
        return math.isinf(x)
    elif k == 2:
        return math.isinf(a)
    return math.isnan(x * 0.0)


# ---- numpy


@case(st.one_of(ints(-3, 12), st.sampled_from([I64_MIN, -1])))
def np_zeros_filled(n):
    a = np.zeros(n)
    for i in range(n):
        a[i] = i * 0.5
    return a


@case(f64_arrays())
def np_empty_like_array(a):
    b = np.empty_like(a)
    for i in range(len(a)):
        b[i] = a[i] * 2.0
    return b


@case(lists_of(floats()))
def np_empty_like_list(xs):
    b = np.empty_like(xs)
    for i in range(len(xs)):
        b[i] = xs[i] - 1.0
    return b


def mostly_plain_floats():
    """numpy's edge cases (nan, inf, zero divisors) re-run in Python by design; keep them a minority
    so the signature is not given up on."""
    plain = st.floats(-1e6, 1e6).filter(lambda v: v != 0.0)
    return st.one_of(plain, plain, plain, floats())


@case(lists_of(mostly_plain_floats(), 1).map(lambda v: np.array(v, dtype=np.float64)), st.integers(-3, 3),
      mostly_plain_floats(), op(8))
def np_float64_elements(a, i, y, k):
    v = a[i]
    if k == 0:
        return v / y
    elif k == 1:
        return v // y
    elif k == 2:
        return v % y
    elif k == 3:
        return v ** y
    elif k == 4:
        return v + y
    elif k == 5:
        return v * 2
    elif k == 6:
        return -v
    return abs(v)


@case(i64_arrays(min_size=1), index_for(), big_ints(), op(6))
def np_int64_elements(a, i, b, k):
    v = a[i]
    if k == 0:
        return v // b
    elif k == 1:
        return v % b
    elif k == 2:
        return v + b
    elif k == 3:
        return v * b
    elif k == 4:
        return -v
    return v - 1


@case(st.one_of(ints(-3, 12), st.sampled_from([-1])), op(3))
def np_new_int64(n, k):
    if k == 0:
        a = np.zeros(n, dtype=np.int64)
    elif k == 1:
        a = np.empty(n, dtype=int)
    else:
        a = np.zeros(n, dtype=np.int64)
    for i in range(n):
        a[i] = i * i - 3
    return a


@case(i64_arrays(), index_for(), big_ints())
def np_int64_store_and_zeros_like(a, i, v):
    b = np.zeros_like(a)
    for j in range(len(a)):
        b[j] = a[j] // 2
    a[i] = v
    return b


@case(lists_of(big_ints(), min_size=1), index_for(), big_ints())
def int_list_store(xs, i, v):
    xs[i] = v
    xs[-1] += 1
    return xs[0]


@case(f64_arrays(), index_for(), floats())
def np_array_store(a, i, v):
    for j in range(len(a)):
        a[j] *= 2.0
    a[i] = v


@case(f64_arrays(), floats(), op(3))
def np_float64_compare(a, y, k):
    c = 0
    for v in a:
        if k == 0 and v < y:
            c += 1
        elif k == 1 and v == y:
            c += 1
        elif k == 2 and v != y:
            c += 1
    return c


# ------------------------------------------------------------------ the test

CASES = cases_from(__name__)
ACCELERATED = {c.name: accelerated(c) for c in CASES}


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_native_matches_python(c: Case):
    check_native_matches_python(c)


def test_factorial_25_is_exact():
    fast = ACCELERATED["factorial"]
    assert fast(25) == 15511210043330985984000000
    assert type(fast(25)) is int
    assert fast(20) == math.factorial(20) and fast.rustify.last_call == "native"


def test_same_list_twice_aliases():
    fast = ACCELERATED["aliasing"]
    xs = [1.0, 5.0, 7.0]
    fast(xs, xs)
    assert xs == [2.0, 3.0, 3.0]


def test_mutation_visible_to_caller():
    fast = ACCELERATED["list_store"]
    xs = [1.0, 2.0, 3.0]
    fast(xs, -1, 4.0)
    assert xs == [8.0, 2.0, 5.0] and fast.rustify.last_call == "native"
    a = np.array([1.0, 2.0])
    ACCELERATED["np_array_store"](a, 0, 9.0)
    assert a.tolist() == [9.0, 4.0] and ACCELERATED["np_array_store"].rustify.last_call == "native"


# ------------------------------------------------------ coverage of the registry


def test_every_registered_construct_has_a_differential_case():
    """A construct or intrinsic added to the translator's registry fails this until a Case uses it."""
    from rustify.analysis.constructs import EXPRESSIONS, STATEMENTS
    from rustify.analysis.intrinsics import registry

    kinds, calls = used_in_cases()
    missing = [k for k in (*STATEMENTS, *EXPRESSIONS) if k not in kinds]
    called = {name.replace("numpy.", "np.") for name in calls}
    missing += [i.python_name for i in registry() if i.python_name.replace("numpy.", "np.") not in called]
    assert not missing, f"constructs without a differential case in tests/test_semantics*.py: {missing}"
