"""Differential cases for calls between Python functions: helpers of this and another
module, defaults, keyword and keyword-only arguments, staticmethods and classmethods,
rustify-wrapped callees, lists lent to a callee (read and written), exceptions and
re-runs in Python raised inside a callee, direct and mutual recursion (deep ones too),
and the cache key and guards that cover every callee."""

from __future__ import annotations

import functools
import importlib
import sys
import textwrap

import calls_helpers
import numpy as np
import pytest
from calls_helpers import first_over, scaled, weighted
from hypothesis import given, settings
from hypothesis import strategies as st
from semantics import (
    accelerated, case, cases_from, check_native_matches_python, f64_arrays, floats, ints, lists_of, small_ints,
)

import rustify
from rustify.analysis import analyse, verdict

# ---- helpers of this module


def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def _clamp(x, lo=0.0, hi=1.0):
    return lo if x < lo else hi if x > hi else x


def _mean_of(xs):
    total = 0.0
    for x in xs:
        total += x
    return total / len(xs)


def _search(xs, x):
    lo, hi = 0, len(xs)
    while lo < hi:
        mid = (lo + hi) // 2
        if xs[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _swap(xs, i, j):
    xs[i], xs[j] = xs[j], xs[i]


def _fill(xs, value):
    for i in range(len(xs)):
        xs[i] = value
    xs.append(value)


def _square_then_overflow(xs, k):
    xs[0] = xs[0] * 2
    return k * k * k


def _inverse(x):
    return 1.0 / x


def _checked(n):
    if n < 0:
        raise ValueError("negative")
    return n * 2


def _spread(lo, hi, /, steps):
    return (hi - lo) / steps


def _bounds(x, y):
    return (x, y) if x <= y else (y, x)


def _ramp(n):
    out = []
    for i in range(n):
        out.append(i * 0.5)
    return out


class Geometry:
    @staticmethod
    def norm2(x, y):
        return x * x + y * y

    @classmethod
    def scaled_norm(cls, x, y, k=2.0):
        return cls.norm2(x, y) * k


_wrapped_gcd = rustify.accelerate(_gcd)


# ---- calls


@case(ints(1, 2000))
def lcm_total(n):
    total = 0
    for i in range(1, n):
        total += i * (i + 7) // _gcd(i, i + 7)
    return total


@case(ints(), ints())
def gcd_of_any(a, b):
    return _gcd(a, b)


@case(lists_of(floats()), floats())
def clamp_defaults_and_keywords(xs, scale):
    s = 0.0
    for x in xs:
        s += _clamp(x * scale) + _clamp(x, hi=2.0) + _clamp(hi=3.0, x=x, lo=-1.0)
    return s


@case(floats(), floats(), small_ints())
def positional_only_and_keyword_only(a, b, n):
    return _spread(a, b, steps=n) + weighted(a, bias=b) + weighted(b)


@case(floats(), floats())
def static_and_class_methods(x, y):
    return Geometry.norm2(x, y) + Geometry.scaled_norm(x, y) + Geometry.scaled_norm(y, x, k=0.5)


@case(ints(), ints(-(2**40), 2**40))
def helper_of_another_module(n, m):
    return scaled(n) + calls_helpers.scaled(m)


@case(ints(1, 500), ints(1, 500))
def wrapped_helper(a, b):
    return _wrapped_gcd(a, b) + _wrapped_gcd(b, a + b)


@case(lists_of(ints(-50, 50)).map(sorted), lists_of(ints(-60, 60)))
def list_lent_to_a_callee(sorted_xs, queries):
    found = 0
    for q in queries:
        i = _search(sorted_xs, q)
        if i < len(sorted_xs) and sorted_xs[i] == q:
            found += 1
    return found


@case(lists_of(floats(), min_size=1), floats())
def list_lent_across_modules(xs, limit):
    return first_over(xs, limit) + _mean_of(xs)


@case(lists_of(ints(), min_size=1), small_ints(), small_ints())
def callee_writes_a_list(xs, i, j):
    _swap(xs, i, j)
    if j > 5:
        _fill(xs, i)
    return xs[0]


@case(lists_of(floats(), max_size=4), floats())
def callee_appends_to_a_local(xs, v):
    ys = [0.0] * len(xs)
    _fill(ys, v)
    return len(ys) + ys[-1]


@case(f64_arrays(min_size=1), small_ints(), small_ints())
def callee_writes_an_array(a, i, j):
    _swap(a, i, j)
    return a[-1] * 2.0


@case(lists_of(ints(-(2**30), 2**30), min_size=1), ints(-(2**22), 2**22))
def deopt_in_a_callee_after_its_write(xs, k):
    return _square_then_overflow(xs, k) + xs[0]


@case(floats())
def exception_in_a_callee(x):
    return _inverse(x) + 1.0


@case(small_ints())
def exception_in_a_callee_caught(n):
    try:
        return _checked(n)
    except ValueError:
        return -1


@case(floats(), floats(), small_ints())
def tuples_through_a_callee(x, y, n):
    lo, hi = _bounds(x, y)
    return _bounds(hi, lo), len(_ramp(n))


@case(ints(0, 40))
def new_list_from_a_callee(n):
    ys = _ramp(n)
    total = 0.0
    for y in ys:
        total += y
    return total


# ---- recursion


def _tribonacci(n):
    if n < 3:
        return 1
    return _tribonacci(n - 1) + _tribonacci(n - 2) + _tribonacci(n - 3)


@case(ints(-3, 18))
def direct_recursion(n):
    return _tribonacci(n)


def tribonacci_itself(n):
    if n < 3:
        return 1
    return tribonacci_itself(n - 1) + tribonacci_itself(n - 2) + tribonacci_itself(n - 3)


case(ints(-3, 18))(tribonacci_itself)


def _is_even(n):
    if n == 0:
        return True
    return _is_odd(n - 1)


def _is_odd(n):
    if n == 0:
        return False
    return _is_even(n - 1)


@case(ints(0, 400))
def mutual_recursion(n):
    return _is_even(n)


def depth(n):
    if n <= 0:
        return 0.0
    return depth(n - 1) + 0.5


case(st.one_of(ints(-2, 60), ints(0, 3000), st.sampled_from([900, 990, 1000, 1010, 5000, 100000])))(depth)


def _fib_pair(n):
    if n == 0:
        return (0, 1)
    a, b = _fib_pair(n // 2)
    c = a * (2 * b - a)
    d = a * a + b * b
    return (d, c + d) if n % 2 else (c, d)


@case(ints(0, 200))
def recursion_returning_a_tuple(n):
    return _fib_pair(n)[0]


def _partition(xs, lo, hi):
    pivot = xs[hi]
    i = lo
    for j in range(lo, hi):
        if xs[j] < pivot:
            xs[i], xs[j] = xs[j], xs[i]
            i += 1
    xs[i], xs[hi] = xs[hi], xs[i]
    return i


def _quicksort(xs, lo, hi):
    if lo < hi:
        p = _partition(xs, lo, hi)
        _quicksort(xs, lo, p - 1)
        _quicksort(xs, p + 1, hi)


@case(lists_of(ints(-100, 100), max_size=40))
def recursion_writing_a_list(xs):
    _quicksort(xs, 0, len(xs) - 1)
    return len(xs)


def _scale_then_overflow(a, k):
    for i in range(len(a)):
        a[i] = a[i] * 2.0
    return k * k * k


@case(f64_arrays(min_size=1), ints(-(2**22), 2**22))
def deopt_in_a_callee_after_an_array_write(a, k):
    return _scale_then_overflow(a, k) + a[0]


def _row_total(grid, i):
    s = 0.0
    for j in range(grid.shape[1]):
        s += grid[i, j]
    return s


def _bump(grid, i, j):
    grid[i, j] += 1.0


@case(st.integers(1, 4), st.integers(1, 4), small_ints())
def two_dimensional_arrays_lent(h, w, k):
    grid = np.zeros((h, w))
    _bump(grid, k % h, k % w)
    _bump(grid, 0, 0)
    return _row_total(grid, 0) + _row_total(grid, h - 1)


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


# ---- what the user sees


def test_calls_run_native_and_give_python_values():
    f = accelerated(next(c for c in cases_from(__name__) if c.name == "clamp_defaults_and_keywords"))
    assert f([0.5, 3.0, -2.0], 0.3) == clamp_defaults_and_keywords([0.5, 3.0, -2.0], 0.3)
    assert f.rustify.last_call == "native"
    fn = analyse(clamp_defaults_and_keywords, ("list[float]", "float"))
    assert [c.name for c in fn.callees] == ["_clamp"]  # one specialisation for all three calls


def test_exception_messages_from_callees_are_pythons():
    f = accelerated(next(c for c in cases_from(__name__) if c.name == "exception_in_a_callee"))
    with pytest.raises(ZeroDivisionError, match="^float division by zero$"):
        f(0.0)
    g = rustify.accelerate(exception_in_a_callee_raises, eager=True)
    with pytest.raises(ValueError) as e:
        g(-3)
    assert e.value.args == ("negative",)
    assert g(4) == 8 and g.rustify.last_call == "native"


def exception_in_a_callee_raises(n):
    return _checked(n)


def test_a_list_written_by_a_callee_is_written_for_the_caller():
    f = rustify.accelerate(callee_writes_a_list, eager=True)
    xs = [1, 2, 3]
    assert f(xs, 0, 2) == 3 and xs == [3, 2, 1] and f.rustify.last_call == "native"


def test_recursion_past_pythons_limit_raises_recursion_error():
    f = rustify.accelerate(depth, eager=True)
    assert f(50) == 25.0 and f.rustify.last_call == "native"
    with pytest.raises(RecursionError):
        f(sys.getrecursionlimit() + 10)
    assert f(200) == 100.0


@settings(max_examples=30, deadline=None)
@given(limit=st.integers(400, 3000), n=st.integers(0, 3000))
def test_native_depth_follows_the_recursion_limit(limit, n):
    f = rustify.accelerate(depth, eager=True)
    old = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(limit)
        try:
            expected = ("ok", depth(n))
        except RecursionError:
            expected = ("raise", RecursionError)
        try:
            got = ("ok", f(n))
        except RecursionError:
            got = ("raise", RecursionError)
    finally:
        sys.setrecursionlimit(old)
    if expected[0] == "raise":
        assert got == expected  # native never answers where Python runs out of frames
    elif got[0] == "ok":
        assert got == expected
    # (a native call nearer the limit may re-run in Python and meet its RecursionError,
    # as the wrapper's own frames count there: never a different value)


def test_deep_recursion_with_a_raised_limit_never_overflows_the_stack():
    f = rustify.accelerate(depth, eager=True)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(200_000)
    try:
        assert f(1_000) == 500.0 and f.rustify.last_call == "native"
        f(60_000)  # past the native stack budget: re-runs in Python (no crash)
    finally:
        sys.setrecursionlimit(old)


# ---- reasons


def _prints(x):
    print(x)
    return x


def calls_an_untranslatable_helper(x):
    return _prints(x) + 1.0


def calls_with_too_many_arguments(x):
    return _gcd(x, x, x)


def calls_with_an_unknown_keyword(x):
    return _clamp(x, high=2.0)


def test_an_untranslatable_callee_is_named_with_its_own_reason():
    (reason,) = verdict(calls_an_untranslatable_helper, ("float",))
    assert reason.why.startswith("calls `_prints`, which stays Python for these arguments (float): line ")
    assert "`print` is not a supported function" in reason.why
    assert reason.line == calls_an_untranslatable_helper.__code__.co_firstlineno + 1


def test_a_call_python_would_refuse_stays_python_and_raises_pythons_type_error():
    (reason,) = verdict(calls_with_too_many_arguments, ("int",))
    assert "takes 2 positional argument(s) but 3 were given" in reason.why
    (reason,) = verdict(calls_with_an_unknown_keyword, ("float",))
    assert "keyword argument `high`" in reason.why
    f = rustify.accelerate(calls_with_too_many_arguments, eager=True)
    with pytest.raises(TypeError, match="takes 2 positional arguments but 3 were given"):
        f(3)


def _logged(func):
    @functools.wraps(func)
    def wrapper(*args):
        return func(*args) + 1
    return wrapper


_logged_gcd = _logged(_gcd)
_cached_gcd = functools.lru_cache(_gcd)


def calls_a_logged_helper(a):
    return _logged_gcd(a, 4)


def calls_a_cached_helper(a):
    return _cached_gcd(a, 4)


def test_other_decorators_are_not_looked_through():
    (reason,) = verdict(calls_a_logged_helper, ("int",))  # the wrapper itself is what runs
    assert "`_logged_gcd` takes *args or **kwargs" in reason.why
    (reason,) = verdict(calls_a_cached_helper, ("int",))
    assert "`_cached_gcd` is wrapped by a decorator (_lru_cache_wrapper)" in reason.why


# ---- the cache key and guards cover every callee


_MODULE = '''
LIMIT = {limit}


def helper(x):
    return x * {factor} + LIMIT


def caller(n):
    total = 0
    for i in range(n):
        total += helper(i)
    return total
'''


def _load(tmp_path, name, factor, limit=0):
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(_MODULE.format(factor=factor, limit=limit)))
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.invalidate_caches()
        if name in sys.modules:
            import linecache

            linecache.checkcache(str(path))
            return importlib.reload(sys.modules[name])
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


def test_editing_a_helper_rebuilds_its_caller(tmp_path):
    from rustify.analysis.source import load_source
    from rustify.pipeline import build_key

    mod = _load(tmp_path, "calls_edit_helper", factor=2)
    f = rustify.accelerate(mod.caller, eager=True)
    assert f(10) == 90 and f.rustify.last_call == "native"
    key = build_key(mod.caller, ("int",), load_source(mod.caller))
    mod = _load(tmp_path, "calls_edit_helper", factor=5)
    assert build_key(mod.caller, ("int",), load_source(mod.caller)) != key
    g = rustify.accelerate(mod.caller, eager=True)
    assert g(10) == 225 and g.rustify.last_call == "native"


def test_rebinding_a_callees_global_drops_the_native(tmp_path):
    mod = _load(tmp_path, "calls_helper_global", factor=1, limit=1)
    f = rustify.accelerate(mod.caller, eager=True)
    assert f(4) == 10 and f.rustify.last_call == "native"
    mod.LIMIT = 100
    assert f(4) == mod.caller(4) == 406
    calls_helpers.SCALE = 3
    g = rustify.accelerate(helper_of_another_module, eager=True)
    assert g(1, 1) == 6 and g.rustify.last_call == "native"
    try:
        calls_helpers.SCALE = 4
        assert g(1, 1) == 8
    finally:
        calls_helpers.SCALE = 3


def uses_np_ones(n):
    a = np.ones(n)
    return a[0] + _gcd(n, 6)


def test_numpy_functions_written_in_python_stay_intrinsics():
    from rustify.analysis.source import load_source

    assert verdict(uses_np_ones, ("int",)) == []
    assert [f.__name__ for f in load_source(uses_np_ones).callees] == ["_gcd"]  # numpy's source is not read


def test_rebinding_a_callee_reached_through_a_module_or_a_class_drops_the_native():
    f = rustify.accelerate(helper_of_another_module, eager=True)
    assert f(2, 3) == 15 and f.rustify.last_call == "native"
    original = calls_helpers.scaled
    try:
        calls_helpers.scaled = lambda x: -x
        assert f(2, 3) == helper_of_another_module(2, 3) == 3
    finally:
        calls_helpers.scaled = original
    g = rustify.accelerate(static_and_class_methods, eager=True)
    assert g(1.0, 2.0) == static_and_class_methods(1.0, 2.0) and g.rustify.last_call == "native"
    norm2 = vars(Geometry)["norm2"]
    try:
        Geometry.norm2 = staticmethod(lambda x, y: 0.0)
        assert g(1.0, 2.0) == static_and_class_methods(1.0, 2.0) == 0.0
    finally:
        Geometry.norm2 = norm2
    h = rustify.accelerate(through_cls_only, eager=True)
    assert h(1.0, 2.0) == 10.0 and h.rustify.last_call == "native"
    try:
        Geometry.norm2 = staticmethod(lambda x, y: 1.0)  # read only as `cls.norm2` in scaled_norm
        assert h(1.0, 2.0) == through_cls_only(1.0, 2.0) == 2.0
    finally:
        Geometry.norm2 = norm2


def through_cls_only(x, y):
    return Geometry.scaled_norm(x, y)


_twice = lambda x: x * 2  # noqa: E731


def calls_a_lambda(x):
    return _twice(x) + 1


def test_a_lambda_callee_keeps_its_caller_in_python_with_a_reason():
    (reason,) = verdict(calls_a_lambda, ("int",))
    assert "the source of `_twice` is not available" in reason.why
    assert verdict(_twice, ("int",))  # and a lambda itself still gets its reason, not an error


def _merge_sorted(xs):
    if len(xs) <= 1:
        return [x for x in xs]
    mid = len(xs) // 2
    left = _merge_sorted(xs[:mid])
    right = _merge_sorted(xs[mid:])
    out = []
    i = j = 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            out.append(left[i])
            i += 1
        else:
            out.append(right[j])
            j += 1
    while i < len(left):
        out.append(left[i])
        i += 1
    while j < len(right):
        out.append(right[j])
        j += 1
    return out


@case(lists_of(ints(-1000, 1000), max_size=30))
def new_lists_lent_to_a_recursive_callee(xs):
    ys = _merge_sorted(xs)
    _fill(xs[:2], 7)  # a slice lent and written: the caller's list is untouched
    return ys


def _nests(t, n):
    if n == 0:
        return 0
    return _nests((t, t), n - 1)


def calls_with_growing_types(n):
    return _nests(1, n)


def test_a_recursion_whose_argument_types_grow_stays_python_with_a_reason():
    (reason,) = verdict(calls_with_growing_types, ("int",))
    assert reason.why.startswith("calls `_nests`, which stays Python for these arguments (int, int): line ")
    assert len(reason.why) < 1000


def _logged_index(log, k):
    log.append(k)
    return k % 3


def bump_through_a_logged_index(xs, log, n):
    for i in range(n):
        xs[_logged_index(log, i)] += 1
    return len(log)


def bump_array_through_a_logged_index(a, log, n):
    for i in range(n):
        a[_logged_index(log, i)] += 1.0
    return len(log)


@pytest.mark.parametrize("func, make", [(bump_through_a_logged_index, lambda: [0, 0, 0]),
                                        (bump_array_through_a_logged_index, lambda: np.zeros(3))])
def test_an_index_that_calls_a_function_is_evaluated_once_in_an_augmented_assignment(func, make):
    """`xs[f(i)] += 1` reads and stores one item: Python calls `f` once per statement."""
    expected_xs, expected_log = make(), [-1]
    expected = func(expected_xs, expected_log, 5)
    sig = ("list[int]" if isinstance(expected_xs, list) else "ndarray[float64, 1, C]", "list[int]", "int")
    assert any("augmented assignment to an item" in r.why for r in verdict(func, sig))
    f = rustify.accelerate(func, eager=True)
    xs, log = make(), [-1]
    with pytest.warns(rustify.RustifyWarning):
        assert f(xs, log, 5) == expected
    assert log == expected_log and list(xs) == list(expected_xs)
