"""Differential cases for how arguments reach native code: parameters left out at the
top-level call (the dispatcher binds their defaults, the objects Python binds), defaults
rebound after a native call, str, bytes, Python lists and dicts passed on to a callee that
reads them, and class-attribute constants (`Class.NAME`, frozen in and guarded like module
constants: rebinding one after the first native call is seen at once)."""

from __future__ import annotations

import math
import sys

import calls_helpers
import pytest
from hypothesis import strategies as st
from semantics import accelerated, case, cases_from, check_native_matches_python, floats, ints, small_ints

import rustify
from rustify.analysis import verdict

# ---- parameters left out at the top-level call


def _scaled_sum(x, n=3, scale=0.5, offsets=(1, 2.5)):
    return x * n / scale + offsets[0] - offsets[1]


@case(args=st.one_of(
    st.tuples(floats()),
    st.tuples(floats(), small_ints()),
    st.tuples(floats(), small_ints(), floats()),
    st.tuples(floats(), ints(-5, 5), floats(), st.tuples(ints(-9, 9), floats())),
))
def defaults_left_out_or_given(x, n=3, scale=0.5, offsets=(1, 2.5)):
    # scale == 0.0 given raises ZeroDivisionError; the defaults never do
    return _scaled_sum(x, n, scale, offsets) + n


@case(args=st.one_of(st.tuples(st.text(alphabet="ab-", max_size=6)),
                     st.tuples(st.text(alphabet="ab-", max_size=6), st.sampled_from(["-", "ab", ""]))))
def str_default(s, sep="-"):
    n = 0
    for c in s:
        if c == sep:
            n += 1
    return n * 10 + len(sep)


@case(args=st.one_of(st.tuples(ints(0, 6)),
                     st.tuples(ints(0, 6), st.dictionaries(ints(0, 6), ints(-9, 9), max_size=4))))
def dict_default_read_only(k, table={1: 10, 3: 30, 5: 50}):  # noqa: B006 - read, never written
    return table[k] * 2  # KeyError for a missing key, as Python's


# ---- objects passed on to callees


def _count(s, ch):
    n = 0
    for c in s:
        if c == ch:
            n += 1
    return n


def _byte_sum(b, i):
    return b[i] + len(b)  # IndexError past the end


def _row_true(grid, i):
    n = 0
    for v in grid[i]:  # IndexError for a missing row
        if v:
            n += 1
    return n


def _twice_at(d, k):
    return d[k] * 2  # KeyError for a missing key


@case(st.text(alphabet="abc", max_size=8), st.binary(max_size=6), small_ints())
def str_and_bytes_to_callees(s, b, i):
    return _count(s, "a") + _count(s, "c") * 100 + _byte_sum(b, i)


@case(st.lists(st.lists(st.booleans(), min_size=1, max_size=5), min_size=1, max_size=4), small_ints(),
      st.dictionaries(st.sampled_from("abcd"), ints(-(2**40), 2**40), min_size=1, max_size=4), st.sampled_from("abc"))
def list_and_dict_to_callees(grid, i, d, k):
    return _row_true(grid, i) + _twice_at(d, k)


# ---- class-attribute constants


class Consts:
    SCALE = 3
    OFFSET = 0.25
    PAIR = (2, 1.5)
    NAME = "abc"
    FLAG = True


class MoreConsts(Consts):
    OFFSET = 0.75


@case(floats(), ints(-(2**40), 2**40))
def class_constants(x, n):
    # int overflow past 64 bits re-runs in Python; a NaN/inf x flows through
    return x * Consts.SCALE + MoreConsts.OFFSET + MoreConsts.PAIR[1] + len(Consts.NAME) + (
        n * MoreConsts.SCALE if MoreConsts.FLAG else 0)


# ---- imports in the body of a function


@case(ints(-(2**40), 2**40), small_ints())
def imports_in_the_body(n, k):
    from calls_helpers import SCALE, scaled
    from test_semantics_arguments import Consts as C
    return scaled(n) + SCALE * k + C.SCALE // (k - 3)  # ZeroDivisionError for k == 3


# ---- comparisons of constants only, decided at compile time


@case(floats(), floats())
def version_dependent_norm(x, y):
    r = (math.sqrt(x * x + y * y) if (3, 8) <= sys.version_info < (3, 10) else math.hypot(x, y))
    return x / r + sys.float_info.epsilon * sys.version_info.major  # ZeroDivisionError for (0, 0)


@case(ints(-(2**40), 2**40))
def constant_comparisons(n):
    if calls_helpers.SCALE >= 3 and Consts.NAME != "x" and (1, "a") < (1, "b"):
        return n * calls_helpers.SCALE
    return -n


# ---- isinstance of a variable, decided from its exact type


@case(st.one_of(floats(), ints(), st.booleans(), st.text(max_size=3), st.binary(max_size=3),
                st.lists(floats(), max_size=2)), small_ints())
def isinstance_of_arguments(x, n):
    k = 0
    if isinstance(x, int):  # True for a bool too
        k += 1
    if isinstance(x, (float, (str, bytes))):
        k += 2
    if isinstance(x, bool):
        k += 4
    if isinstance(x, list):
        k += 8
    if isinstance(n, MoreConsts):
        k += 16
    return k * 100 // (n - 4)  # ZeroDivisionError for n == 4


@case(st.one_of(small_ints(), st.booleans(), floats(), st.text(max_size=2)))
def not_isinstance_guards_a_raise(m):
    if not isinstance(m, int):  # decided when compiling: the raise (and its `type(m)`) never runs for an int
        raise TypeError(f"Invalid mask pattern (was {type(m)}, expected int)")
    if m < 0 or m > 7:
        raise ValueError(f"Mask pattern should be in range(8) (got {m})")
    return m * 3


# ---- memoryview of bytes and bytearray, and branches decided when compiling


def _buffer(data):
    if isinstance(data, str):
        raise TypeError("Unicode-objects must be encoded before calculating a CRC")
    mv = memoryview(data)
    if mv.ndim > 1:
        raise BufferError("Buffer must be single dimension")  # never runs: not translated
    return mv


@case(st.one_of(st.binary(max_size=8), st.binary(max_size=8).map(bytearray), st.text(max_size=3)),
      ints(-(2**62), 2**62))
def crc_like(data, crc):
    mv = _buffer(data)
    for x in mv.tobytes():
        crc = ((crc << 1) ^ x) & 0xFFFF
    return crc * 100 + mv.itemsize * 10 + (1 if mv.readonly else 0)


# ---- self.NAME of a class constant in a method


class Scaler:
    FACTOR = 3
    BIAS = 0.5

    def __init__(self, weight, count):
        self.weight = weight
        self.count = count

    def scaled(self, x):
        return x * self.FACTOR * self.weight + self.BIAS * self.count // (self.count - 2)


class FastScaler(Scaler):
    FACTOR = 7


@case(st.builds(Scaler, floats(), ints(-(2**40), 2**40)), floats())
def self_constants(s, x):
    return s.scaled(x)  # ZeroDivisionError when count == 2


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


# ---- what the user sees


def _case(name):
    return accelerated(next(c for c in cases_from(__name__) if c.name == name))


def test_left_out_parameters_get_their_defaults_natively():
    f = _case("defaults_left_out_or_given")
    assert f(2.0) == defaults_left_out_or_given(2.0) and f.rustify.last_call == "native"
    assert f.rustify._last[0] == ("float", "int", "float", "tuple[int, float]")  # the key has what was filled
    assert f(2.0, scale=4.0) == defaults_left_out_or_given(2.0, scale=4.0) and f.rustify.last_call == "native"
    assert f(2.0, 2) == defaults_left_out_or_given(2.0, 2) and f.rustify.last_call == "native"
    # passing a default's value explicitly with another type is another signature
    assert f(2.0, 2.5) == defaults_left_out_or_given(2.0, 2.5) and f.rustify.last_call == "native"
    assert f.rustify._last[0] == ("float", "float", "float", "tuple[int, float]")
    with pytest.raises(ZeroDivisionError):
        f(1.0, 1, 0.0)
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        f()
    with pytest.raises(TypeError, match="takes from 1 to 4 positional arguments but 5 were given"):
        f(1.0, 2, 3.0, (1, 2.0), 5)


def rebound_defaults(x, k=2):
    return x * k


def test_rebinding_a_default_after_a_native_call_is_seen():
    f = rustify.accelerate(rebound_defaults, eager=True)
    for _ in range(3):  # the fast path (a full call) and the general path (a default left out) alternate
        assert f(3) == 6 and f.rustify.last_call == "native"
        assert f(3, 5) == 15 and f.rustify.last_call == "native"
    old = rebound_defaults.__defaults__
    try:
        rebound_defaults.__defaults__ = (7,)
        assert f(3) == 21 and f.rustify.last_call == "native"
        rebound_defaults.__defaults__ = (0.5,)
        assert f(3) == 1.5 and f.rustify.last_call == "native"
    finally:
        rebound_defaults.__defaults__ = old


def test_rebinding_a_class_constant_after_a_native_call_is_seen():
    f = _case("class_constants")
    assert f(1.0, 2) == class_constants(1.0, 2) and f.rustify.last_call == "native"
    try:
        Consts.SCALE = 5
        assert f(1.0, 2) == class_constants(1.0, 2) == 1.0 * 5 + 0.75 + 1.5 + 3 + 10
        MoreConsts.PAIR = (0, 9.0)  # shadows Consts.PAIR for MoreConsts
        assert f(1.0, 2) == class_constants(1.0, 2) and f.rustify.last_call == "native"
        Consts.SCALE = 2.5  # another type (the two branches of its `if` then differ: it stays Python)
        assert f(1.0, 2) == class_constants(1.0, 2)
    finally:
        Consts.SCALE = 3
        del MoreConsts.PAIR


def reads_a_module_attribute_constant(x):
    return x * calls_helpers.SCALE


def test_rebinding_a_module_attribute_constant_after_a_native_call_is_seen():
    f = rustify.accelerate(reads_a_module_attribute_constant, eager=True)
    old = calls_helpers.SCALE
    assert f(2) == 2 * old and f.rustify.last_call == "native"
    try:
        calls_helpers.SCALE = old + 4
        assert f(2) == 2 * (old + 4)
    finally:
        calls_helpers.SCALE = old


class Holder:
    TABLE = [1, 2]

    def method(self):
        return 1


def reads_a_class_list(i):
    return Holder.TABLE[i]


def test_class_attributes_that_are_not_constants_stay_python_with_a_reason():
    (reason,) = verdict(reads_a_class_list, ("int",))
    assert "`Holder.TABLE` is a list: class attributes are read as constants only" in reason.why


def imports_in_a_branch(n):
    if n > 0:
        from calls_helpers import SCALE
        return SCALE
    return 0


def imports_read_before(n):
    if n > 0:
        return SCALE  # noqa: F821 - UnboundLocalError in Python
    from calls_helpers import SCALE
    return SCALE


def test_imports_in_the_body_read_like_globals_and_are_guarded():
    f = _case("imports_in_the_body")
    assert f(2, 1) == imports_in_the_body(2, 1) and f.rustify.last_call == "native"
    old = calls_helpers.SCALE
    try:
        calls_helpers.SCALE = old + 1
        assert f(2, 1) == imports_in_the_body(2, 1) == 2 * (old + 1) + (old + 1) + Consts.SCALE // -2
    finally:
        calls_helpers.SCALE = old
    assert f(2, 1) == imports_in_the_body(2, 1) and f.rustify.last_call == "native"
    with pytest.raises(ZeroDivisionError):
        f(2, 3)


def test_imports_that_may_run_code_or_not_bind_stay_python():
    (reason,) = verdict(imports_in_a_branch, ("int",))
    assert "only at the top of its body" in reason.why
    reasons = verdict(imports_read_before, ("int",))
    assert any("only at the top of its body" in r.why for r in reasons)
    g = rustify.accelerate(imports_read_before, eager=True)
    with pytest.raises(UnboundLocalError):
        g(1)


def test_a_folded_comparison_is_guarded_like_its_constants():
    f = _case("constant_comparisons")
    assert f(5) == 5 * calls_helpers.SCALE and f.rustify.last_call == "native"
    old = calls_helpers.SCALE
    try:
        calls_helpers.SCALE = 2
        assert f(5) == constant_comparisons(5) == -5
    finally:
        calls_helpers.SCALE = old
    assert f(5) == constant_comparisons(5) and f.rustify.last_call == "native"


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a = 1


def initialises(obj, v):
    obj.b = v
    return obj.a


def test_a_store_that_adds_an_attribute_says_so():
    (reason,) = verdict(initialises, (f"obj[{__name__}:Slotted, a=int]", "float"))
    assert "adds the attribute `b` to the `Slotted` object (at the call it was an unset `__slots__` entry)" in reason.why
    f = rustify.accelerate(initialises, eager=True)
    o = Slotted()
    assert f(o, 2.5) == 1 and o.b == 2.5


def test_a_signature_recorded_without_the_defaults_is_judged_with_them():
    assert verdict(defaults_left_out_or_given, ("float",)) == []  # as a profile records `f(x)`
    (reason,) = verdict(defaults_left_out_or_given, ())
    assert reason.why == "called with 0 positional arguments; it takes 1 to 4 (Python raises TypeError)"


def isinstance_of_seeded(xs):
    total = 0
    for x in xs:
        if isinstance(total, float):
            return 1
        total += x
    return 0


def test_isinstance_of_a_variable_that_may_still_hold_its_seed_stays_python():
    reasons = verdict(isinstance_of_seeded, ("list[float]",))
    assert any("may still hold its first value" in r.why for r in reasons)
    f = rustify.accelerate(isinstance_of_seeded, eager=True)
    assert f([0.5, 1.0]) == isinstance_of_seeded([0.5, 1.0]) == 1


def resizes_under_a_view(ba):
    mv = memoryview(ba)
    ba.append(1)
    return len(mv.tobytes())


def dead_branch_binds(x):
    if isinstance(x, str):
        y = 1
    return y  # noqa: F821 - UnboundLocalError unless x is a str


def test_memoryview_and_branches_decided_when_compiling():
    f = _case("crc_like")
    assert f(b"ab", 3) == crc_like(b"ab", 3) and f.rustify.last_call == "native"
    assert f(bytearray(b"ab"), 3) == crc_like(bytearray(b"ab"), 3) and f.rustify.last_call == "native"
    with pytest.raises(TypeError, match="^Unicode-objects must be encoded before calculating a CRC$"):
        f("ab", 3)
    g = rustify.accelerate(resizes_under_a_view, eager=True)
    with pytest.raises(BufferError):  # a bytearray with a view cannot be resized, as in Python
        g(bytearray(b"xy"))
    assert verdict(resizes_under_a_view, ("bytearray",)) == []
    (reason,) = verdict(dead_branch_binds, ("int",))
    assert "may be used before it is assigned" in reason.why
    h = rustify.accelerate(dead_branch_binds, eager=True)
    assert h("s") == 1 and h.rustify.last_call == "native"
    with pytest.raises(UnboundLocalError):
        h(3)


def test_self_class_constants_are_guarded():
    f = rustify.accelerate(Scaler.scaled, eager=True)
    s = Scaler(2.0, 4)
    assert f(s, 1.5) == Scaler.scaled(s, 1.5) and f.rustify.last_call == "native"
    try:
        Scaler.FACTOR = 5
        assert f(s, 1.5) == Scaler.scaled(s, 1.5) == 1.5 * 5 * 2.0 + 0.5 * 4 // 2
        assert f.rustify.last_call == "native"
    finally:
        Scaler.FACTOR = 3
    fast = FastScaler(2.0, 4)  # its own class: self.FACTOR is FastScaler's (stays Python)
    assert f(fast, 1.5) == Scaler.scaled(fast, 1.5)
    s.FACTOR = 11  # the object's own FACTOR now hides the class's: another kind
    assert f(s, 1.5) == Scaler.scaled(s, 1.5) == 1.5 * 11 * 2.0 + 0.5 * 4 // 2
