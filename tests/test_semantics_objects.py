"""Differential cases for objects: attribute reads and writes on instances of plain
classes, dataclasses and `__slots__` classes passed as arguments (held for the call or
read and set on the object), aliasing (the same object twice), attributes whose types
change between calls, a property and a missing attribute (Python's AttributeError)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, cast

import pytest
import hypothesis
from hypothesis import strategies as st
from semantics import case, cases_from, check_native_matches_python, floats, ints, lists_of, small_ints

import calls_helpers

import rustify


class Accumulator:
    def __init__(self, total, count):
        self.total = total
        self.count = count


class Particle:
    def __init__(self, m, vx, vy, alive=True):
        self.m = m
        self.vx = vx
        self.vy = vy
        self.alive = alive


@dataclass
class Account:
    balance: float
    moves: int = 0


class Vec2:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


class Circle:
    def __init__(self, r):
        self.r = r

    @property
    def area(self):
        return math.pi * self.r * self.r


def accumulators():
    """Mostly float totals and int counts; sometimes an int total, a float count or no
    count at all (the class changes shape between calls)."""
    def make(total, count, drop):
        a = Accumulator(total, count)
        if drop:
            del a.count
        return a
    return st.builds(make, st.one_of(floats(), floats(), small_ints()), st.one_of(ints(), ints(), floats()),
                     st.sampled_from([False] * 9 + [True]))


def particles():
    return st.builds(Particle, floats(), floats(), floats(), st.booleans())


# ---- attributes of an argument, held for the call


@case(accumulators(), lists_of(floats()))
def add_all(acc, xs):
    for x in xs:
        acc.total += x
        acc.count += 1
    return acc.total / acc.count


@case(particles(), floats())
def kinetic_scaled(p, k):
    e = 0.5 * p.m * (p.vx * p.vx + p.vy * p.vy)
    if p.alive:
        p.vx = p.vx * k
        p.vy *= k
    else:
        p.alive = e > 1.0
    return e


@case(st.builds(Account, floats(), small_ints()), lists_of(floats()))
def dataclass_deposits(account, amounts):
    for a in amounts:
        if a < 0.0 and account.balance + a < 0.0:
            raise ValueError("overdrawn")
        account.balance += a
        account.moves += 1
    return account.moves


@case(st.builds(Vec2, floats(), floats()), floats())
def slots_shift(v, d):
    v.x += d
    v.y = v.y - d
    return v.x * v.y


# ---- attributes read and set on the objects themselves


def _two_accounts():
    one = st.builds(Account, floats(), small_ints())
    same = one.map(lambda a: (a, a))  # the same object twice: the writes alias as in Python
    return st.one_of(st.tuples(one, one), same).flatmap(
        lambda ab: st.tuples(st.just(ab[0]), st.just(ab[1]), floats()))


@case(args=_two_accounts())
def transfer(a, b, amount):
    a.balance -= amount
    b.balance += amount
    return a.balance - b.balance


@case(st.builds(Circle, floats()))
def property_read(c):
    return c.area * 2.0


# ---- properties: the getter translated and called like a method; `is None` of attributes


class Lazy:
    """qrcode's `QRCode.version`: a property whose getter computes the value when unset."""

    _n: Optional[int] = None

    def __init__(self, n, scale):
        if n is not None:
            self._n = n
        self.scale = scale
        self.note = None if scale > 0 else "negative"

    def compute(self):
        self._n = int(str(len(repr(self))))  # not translated: only ever runs in Python
        return self._n

    @property
    def n(self) -> int:
        if self._n is None:
            self.compute()
        return cast(int, self._n)

    @property
    def doubled(self):
        return self.n * 2 + self.scale


def lazies():
    return st.builds(Lazy, st.one_of(st.none(), ints(-1000, 1000), ints(-1000, 1000)), small_ints())


@case(lazies(), small_ints())
def property_with_a_lazy_getter(obj, k):
    total = obj.doubled
    if obj.note is not None:
        total += len(obj.note)
    if obj.note is None and k > 0:
        total -= k
    return total + obj.n


@case(lists_of(lazies(), 0, 4))
def none_tests_of_attributes_of_items(objs):
    count = 0
    for o in objs:
        if o.note is None:  # an object of a list: the attribute itself compared with None
            count += 1
        if o._n is not None:
            count += 10
    return count


@case(st.one_of(st.builds(Circle, floats()), st.builds(calls_helpers.Shape, small_ints()),
                st.builds(calls_helpers.Square, small_ints())))
def isinstance_of_a_class_of_another_module(x):
    if isinstance(x, calls_helpers.Square):
        return 2
    if isinstance(x, (Circle, calls_helpers.Shape)):
        return 1
    return 0


@case(st.builds(calls_helpers.Square, ints()))
def property_of_a_class_of_an_imported_module(s):
    return s.area - s.size  # the getter's int product overflows past 64 bits: re-runs in Python


@case(lists_of(floats()), ints(-3, 3))
def typing_cast_is_its_argument(xs, i):
    ys = cast(list[float], xs)
    if -len(ys) <= i < len(ys):
        return cast("float", ys[i]) + cast(Optional[float], 1.0)
    return 0.0


# ---- methods: `p.m(...)` runs `type(p).m(p, ...)`, translated with its caller


class Body:
    def __init__(self, m, vx, vy):
        self.m = m
        self.vx = vx
        self.vy = vy

    def speed2(self):
        return self.vx * self.vx + self.vy * self.vy

    def kinetic(self):
        return 0.5 * self.m * self.speed2()

    @staticmethod
    def half(x):
        return 0.5 * x

    @classmethod
    def doubled(cls, x):
        return x * 2.0

    def push(self, dv):
        self.vx += dv


def bodies():
    return st.builds(Body, floats(), floats(), floats())


@case(bodies(), floats())
def method_calls(b, k):
    return b.kinetic() * k + b.half(k) - b.doubled(k)


@case(bodies(), floats())
def method_that_writes(b, dv):
    b.push(dv)
    return b.vx


# ---- module data: a module-level list, dict or set, read live at every call

TABLE = [3, 1, 4, 1, 5]
NAMES = {"a": 1.0}


MIX = bytearray(b"\x01\x03\x07\x0f\x1f\x3f\x7f\xff")


@case(st.binary(max_size=24))
def table_checksum(data):
    crc = 0
    for b in data:
        crc = (crc * 31 + MIX[(crc ^ b) & 7]) % 1000003
    return crc


@case(ints())
def live_table_size(n):
    if NAMES:
        return n * len(TABLE) + len(NAMES)
    return -1


class Samples:
    def __init__(self, values):
        self.values = values


def _samples_and_their_list():
    """(an object, a list): often the object's own `values` list (`f(s, s.values)`), else a copy."""
    def pick(t):
        obj = Samples(t[0])
        return obj, (obj.values if t[1] else list(obj.values)), t[2]
    return st.tuples(lists_of(floats(), 0, 5), st.booleans(), floats()).map(pick)


@case(args=_samples_and_their_list())
def a_list_attribute_passed_beside_its_object(s, xs, v):
    s.values.append(v)  # seen through `xs` when it is that list
    xs.append(v * 2.0)  # and the other way round
    return len(xs), len(s.values), s.values[-1]


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


# ---- specific behaviour


def test_method_calls_run_native_and_say_why_not():
    f = rustify.accelerate(method_calls, eager=True)
    assert f(Body(2.0, 1.0, 1.0), 1.0) == 2.0 + 0.5 - 2.0 and f.rustify.last_call == "native"
    g = rustify.accelerate(method_that_writes, eager=True)
    b = Body(1.0, 1.0, 0.0)
    assert g(b, 2.0) == 3.0 and b.vx == 3.0 and g.rustify.last_call == "native"


class Wrapped:
    def __init__(self, x):
        self.x = x

    def sq(self):
        return self.x * self.x

    def twice(self):
        return self.sq() + self.sq()


def test_a_method_wrapped_by_rustify_is_translated_with_its_caller():
    original = Wrapped.__dict__["sq"]
    Wrapped.sq = rustify.accelerate(original)  # as auto mode leaves it in the class
    try:
        f = rustify.accelerate(Wrapped.twice, eager=True)
        assert f(Wrapped(3.0)) == 18.0 and f.rustify.last_call == "native"
        assert Wrapped(2.0).sq() == 4.0  # the wrapper binds self as the function did
    finally:
        Wrapped.sq = original


def test_module_data_is_read_live_never_frozen():
    f = rustify.accelerate(live_table_size, eager=True)
    saved = TABLE[:]
    try:
        assert f(2) == 2 * len(TABLE) + 1 and f.rustify.last_call == "native"
        TABLE.append(9)
        NAMES["b"] = 2.0
        assert f(2) == 2 * len(TABLE) + 2 and f.rustify.last_call == "native"
        NAMES.clear()
        assert f(2) == -1
        g = rustify.accelerate(table_checksum, eager=True)
        before = g(b"abc")
        saved_mix = bytes(MIX)
        MIX[:] = bytes(b ^ 0x55 for b in saved_mix)  # the module's own bytearray, written between calls
        try:
            assert g(b"abc") == table_checksum(b"abc") != before and g.rustify.last_call == "native"
        finally:
            MIX[:] = saved_mix
        TABLE.append("not an int")  # another kind: the native entry declines, Python answers
        assert f(3) == -1
    finally:
        TABLE[:] = saved
        NAMES.clear()
        NAMES["a"] = 1.0


def test_held_attributes_are_written_back_and_run_native():
    f = rustify.accelerate(add_all, eager=True)
    acc = Accumulator(0.5, 0)
    assert f(acc, [1.0, 2.0]) == 3.5 / 2
    assert f.rustify.last_call == "native"
    assert (acc.total, acc.count) == (3.5, 2) and type(acc.count) is int


def test_int_overflow_in_a_held_attribute_re_runs_without_repeating_writes():
    f = rustify.accelerate(add_all, eager=True)
    acc = Accumulator(0.0, 2**63 - 2)
    assert f(acc, [1.0, 2.0, 3.0]) == 6.0 / (2**63 + 1)
    assert (acc.total, acc.count) == (6.0, 2**63 + 1)  # once, not twice


def test_an_exception_after_held_writes_leaves_them_as_python_does():
    f = rustify.accelerate(dataclass_deposits, eager=True)
    acc = Account(1.0)
    with pytest.raises(ValueError):
        f(acc, [2.0, 0.5, -10.0, 1.0])
    assert acc == Account(3.5, 2)
    f(Account(1.0), [1.0])
    assert f.rustify.last_call == "native"


def test_aliased_objects_see_each_others_writes():
    f = rustify.accelerate(transfer, eager=True)
    a = Account(10.0)
    assert f(a, a, 3.0) == 0.0 and a.balance == 10.0
    assert f.rustify.last_call == "native"
    b = Account(0.0)
    assert f(a, b, 4.0) == 2.0 and (a.balance, b.balance) == (6.0, 4.0)


def test_a_property_getter_runs_native_and_a_getattr_class_says_why():
    f = rustify.accelerate(property_read, eager=True)
    assert f(Circle(1.0)) == math.pi * 2.0 and f.rustify.last_call == "native"
    h = rustify.accelerate(property_with_a_lazy_getter, eager=True)
    assert h(Lazy(5, 2), 1) == 5 * 2 + 2 - 1 + 5 and h.rustify.last_call == "native"
    lazy = Lazy(None, 2)  # its getter computes `_n` (Python code): the object's kind says so
    assert h(lazy, 1) == property_with_a_lazy_getter(Lazy(None, 2), 1) and lazy._n is not None
    assert h.rustify.last_call != "native"
    g = rustify.accelerate(read_r, eager=True)
    assert g(Dynamic()) == 1.0 and g.rustify.last_call != "native"
    assert g(Circle(3.0)) == 3.0 and g.rustify.last_call == "native"


class Dynamic:
    def __init__(self):
        self.r = 1.0

    def __getattr__(self, name):
        return 2.0


def read_r(c):
    return c.r


def test_a_subclass_is_its_own_kind():
    class Heavy(Particle):
        pass

    f = rustify.accelerate(kinetic_scaled, eager=True)
    p, q = Particle(2.0, 1.0, 0.0), Heavy(2.0, 1.0, 0.0)
    assert f(p, 2.0) == 1.0 and f.rustify.last_call == "native"
    assert f(q, 2.0) == 1.0 and q.vx == 2.0


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


def weighted_xy(points):
    s = 0.0
    for p in points:
        s += p.x * 2.0 + p.y
    return s


def _point(x, y, shape):
    if shape == "reversed":  # its attributes set in the other order
        p = Point.__new__(Point)
        p.y = y
        p.x = x
    else:
        p = Point(x, y)
    if shape == "dict":
        vars(p)["extra"] = 1  # its attributes now live in a __dict__
    elif shape == "deleted":
        del p.y  # AttributeError, as in Python
    elif shape == "int":
        p.y = 3  # another type: the call re-runs in Python
    elif shape == "extra":
        p.z = 0.5  # one more attribute in the class's shared keys
    return p


@hypothesis.given(st.lists(st.tuples(floats(), floats(), st.sampled_from(
    ["plain", "plain", "reversed", "dict", "deleted", "int", "extra"])), max_size=8))
@hypothesis.settings(max_examples=40, deadline=None)
def test_attribute_reads_of_objects_of_every_shape_give_python_s_result(items):
    """Each attribute read site remembers where an attribute of its class lives: objects
    whose attributes were set in another order, moved to a `__dict__`, deleted or given
    another type read as Python reads them, in any order in one list."""
    f = rustify.accelerate(weighted_xy, eager=True)
    f([Point(1.0, 2.0)])
    for _ in range(2):  # the second time with the sites filled by the first
        points = [_point(x, y, shape) for x, y, shape in items]
        try:
            expected = _text(weighted_xy(points))
        except AttributeError:
            with pytest.raises(AttributeError):
                f(points)
        else:
            assert _text(f(points)) == expected


def test_a_class_attribute_added_after_the_compile_is_read_as_python_reads_it():
    f = rustify.accelerate(weighted_xy, eager=True)
    points = [Point(1.0, 2.0), Point(3.0, 4.0)]
    assert f(points) == 14.0 and f.rustify.last_call == "native"
    Point.y = property(lambda self: 5.0)  # a data descriptor wins over the objects' own y
    try:
        assert f(points) == weighted_xy(points) == 18.0
    finally:
        del Point.y
    assert f(points) == 14.0


# ---- method lookups that change after the compile


class Spring:
    def __init__(self, k):
        self.k = k

    def force(self):
        return self.k * 2.0


def total_force(springs):
    s = 0.0
    for p in springs:
        s += p.force()
    return s


def test_rebinding_a_method_after_the_compile_drops_the_native_code():
    f = rustify.accelerate(total_force, eager=True)
    springs = [Spring(1.0), Spring(2.5)]
    assert f(springs) == 7.0 and f.rustify.last_call == "native"
    original = Spring.__dict__["force"]
    Spring.force = lambda self: self.k * 100.0
    try:
        assert f(springs) == total_force(springs) == 350.0
    finally:
        Spring.force = original
    assert f(springs) == 7.0


@hypothesis.given(st.lists(st.tuples(floats(), st.booleans()), max_size=6))
@hypothesis.settings(max_examples=30, deadline=None)
def test_an_object_whose_own_attribute_hides_the_method_runs_python(items):
    f = rustify.accelerate(total_force, eager=True)
    springs = []
    for k, hide in items:
        s = Spring(k)
        if hide:
            s.force = lambda: -1.5  # Python calls the object's own attribute, not the method
        springs.append(s)
    before = sum(f.rustify.native_calls.values())
    assert _text(f(springs)) == _text(total_force(springs))
    if springs and not any(h for _, h in items):
        assert sum(f.rustify.native_calls.values()) == before + 1


class StiffSpring(Spring):
    def force(self):
        return self.k * 3.0


@hypothesis.given(st.lists(st.tuples(floats(), st.sampled_from(["plain", "dict", "sub", "own"])), max_size=6))
@hypothesis.settings(max_examples=30, deadline=None)
def test_method_receivers_of_every_shape_give_python_s_result(items):
    """Receivers whose `__dict__` was built (`vars(s)`), instances of a subclass overriding
    the method, and ones whose own attribute hides it: the method Python would call runs."""
    f = rustify.accelerate(total_force, eager=True)
    springs = []
    for k, shape in items:
        s = StiffSpring(k) if shape == "sub" else Spring(k)
        if shape == "dict":
            vars(s)["extra"] = 1
        elif shape == "own":
            vars(s)["force"] = lambda: 0.25
        springs.append(s)
    before = sum(f.rustify.native_calls.values())
    assert _text(f(springs)) == _text(total_force(springs))
    if springs and all(shape in ("plain", "dict") for _, shape in items):
        assert sum(f.rustify.native_calls.values()) == before + 1


def _text(x):
    return "nan" if x != x else repr(x)


def test_an_own_attribute_that_is_the_method_itself_runs_native():
    """`s.force = s.force` hides the method with the very method the class gives: Python
    calls the same function on the same object, so the native call stands; a method bound
    to another object is Python's to call."""
    f = rustify.accelerate(total_force, eager=True)
    springs = [Spring(1.0), Spring(2.5)]
    springs[1].force = springs[1].force
    assert f(springs) == total_force(springs) == 7.0
    assert f.rustify.last_call == "native"
    springs[1].force = Spring(4.0).force  # Python calls it on that other object
    assert f(springs) == total_force(springs) == 10.0
    assert f.rustify.last_call == "python"


def half_and_doubled(bodies):
    s = 0.0
    for b in bodies:
        s += b.half(b.vx) - b.doubled(b.vy)
    return s


def test_static_and_class_methods_called_on_items_of_a_list_stay_python():
    """An item's own attribute may hide the staticmethod (it has no `self` to check it on):
    such a call stays Python, so the item's own `half` is the one called."""
    f = rustify.accelerate(half_and_doubled, eager=True)
    bodies = [Body(1.0, 2.0, 3.0), Body(1.5, -1.0, 0.25)]
    assert f(bodies) == half_and_doubled(bodies)
    bodies[1].half = lambda x: 100.0
    assert f(bodies) == half_and_doubled(bodies) == 94.5
    assert f.rustify.last_call == "python"


def test_rebinding_a_property_a_tested_attribute_or_an_isinstance_class_drops_the_native_code():
    f = rustify.accelerate(property_read, eager=True)
    c = Circle(1.0)
    assert f(c) == math.pi * 2.0 and f.rustify.last_call == "native"
    saved = Circle.area
    Circle.area = property(lambda self: 1.0)
    try:
        assert f(c) == 2.0
    finally:
        Circle.area = saved
    assert f(c) == math.pi * 2.0
    g = rustify.accelerate(property_with_a_lazy_getter, eager=True)
    obj = Lazy(3, 2)
    assert g(obj, 1) == property_with_a_lazy_getter(obj, 1) and g.rustify.last_call == "native"
    Lazy.note = property(lambda self: "abc")  # now wins over the object's own None
    try:
        assert g(obj, 1) == property_with_a_lazy_getter(obj, 1) == 3 * 2 + 2 + 3 + 3
    finally:
        del Lazy.note
    h = rustify.accelerate(isinstance_of_a_class_of_another_module, eager=True)
    square = calls_helpers.Square(1)
    assert h(square) == 2 and h.rustify.last_call == "native"
    saved = calls_helpers.Square
    calls_helpers.Square = Circle
    try:
        assert h(square) == isinstance_of_a_class_of_another_module(square) == 1
    finally:
        calls_helpers.Square = saved
    assert h(square) == 2
