"""Differential cases for whole programs on objects: a function that sets attributes of an
instance argument, passes the object to callees that set more, may ask to re-run in Python
after the writes (they are undone first: `ir.AttrUndo`), gives an attribute no function
reads None or a message built by `str.format`; a `while` loop whose test holds on entry
assigns the names its body assigns; float division that raises as Python does; math.asinh,
acosh and atanh."""

from __future__ import annotations

import math

import pytest
from hypothesis import strategies as st
from semantics import case, cases_from, check_native_matches_python, floats, ints

import rustify
from rustify.analysis import verdict
from rustify.runtime import signature


class Orbit:
    __slots__ = ("t", "n", "a", "error", "error_message", "mode")

    def __init__(self, t, n, a, message, mode):
        self.t = t
        self.n = n
        self.a = a
        self.error = 0
        self.error_message = message
        self.mode = mode


class Probe:
    def __init__(self, t, count, note):
        self.t = t
        self.count = count
        self.note = note


def orbits():
    return st.builds(Orbit, floats(), ints(), floats(), st.sampled_from([None, None, "old"]),
                     st.sampled_from(["d", "n"]))


def probes():
    return st.builds(Probe, floats(), ints(), st.sampled_from([None, "x"]))


def _drift(orbit, dt):
    orbit.t = orbit.t + dt
    if orbit.mode == "d":
        orbit.a = orbit.a * 0.5


def _secular(n, t):
    return n * 2 + 1, t * 3.0


# ---- attributes set, callees that set more, a re-run after the writes


@case(orbits(), floats(), ints())
def propagate(orbit, dt, k):
    orbit.error = 0
    orbit.error_message = None
    _drift(orbit, dt)
    orbit.n = orbit.n + k  # past 64 bits: undone, re-run in Python
    if orbit.t < 0.0:
        orbit.error_message = "time {0:f} is negative".format(orbit.t)
        orbit.error = 2
        return -1.0
    return orbit.t / dt  # ZeroDivisionError after the writes, as in Python


@case(probes(), ints(), floats())
def count_then_note(p, k, x):
    p.count = p.count * k
    p.t = p.t + x
    if p.t > 1.0:
        p.note = "big {0:.3f} at {1}".format(p.t, p.count)
    else:
        p.note = None
    n, t = _secular(p.count, p.t)
    return n, t


# ---- a while loop that runs at least once


@case(floats(), floats())
def kepler(m, e):
    u = m % 6.283185307179586
    eo1 = u
    tem5 = 9999.9
    ktr = 1
    while abs(tem5) >= 1.0e-12 and ktr <= 10:
        sineo1 = eo1 * 0.5
        coseo1 = 1.0 - eo1 * eo1 * 0.25
        tem5 = 1.0 - coseo1 * e
        tem5 = (u - e * sineo1 - eo1) / tem5 if tem5 != 0.0 else 0.0
        eo1 = eo1 + tem5
        ktr = ktr + 1
    return sineo1, coseo1, eo1


@case(ints(), ints())
def loop_once_with_known_test(n, step):
    state = 381
    while state == 381:
        last = n
        if step > 0:
            state = 0
        n = n // 2 if n > 1 else 0
        if n == 0:
            state = 0
    return last


@case(st.one_of(floats(), st.floats(-1.5, 1.5), st.sampled_from([-1.0, 1.0, 0.5, 710.5, -710.5, 1e-17, 1e308])),
      st.integers(0, 2))
def inverse_hyperbolic(x, k):
    if k == 0:
        return math.asinh(x)
    if k == 1:
        return math.acosh(x)
    return math.atanh(x)


# ---- module data classified from every item (qrcode's PATTERN_POSITION_TABLE starts with [])

POSITIONS = [[], [6, 18], [6, 22, 38], [6, 26, 46, 66]]
MIXED = [0, 0.5, 2]


@case(st.integers(-5, 5))
def table_with_an_empty_first_row(v):
    row = POSITIONS[v]  # IndexError out of range, as in Python
    total = 0
    for x in row:
        total += x
    return total, len(row)


@case(st.integers(-4, 4), native=False)
def table_of_ints_and_floats(i):
    return MIXED[i]  # the int 0, the float 0.5: stays Python (the items are of several types)


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


# ---- specific behaviour


def test_writes_are_undone_before_a_re_run_in_python():
    f = rustify.accelerate(propagate, eager=True)
    o = Orbit(1.0, 5, 2.0, None, "d")
    assert f(o, 1.0, 2) == 2.0 and f.rustify.last_call == "native"
    assert (o.t, o.n, o.a, o.error, o.error_message) == (2.0, 7, 1.0, 0, None)
    o = Orbit(1.0, 2**63 - 1, 2.0, "old", "d")
    assert f(o, -3.0, 1) == -1.0  # n past 64 bits: the native writes are undone, Python runs once
    assert (o.t, o.n, o.a, o.error, o.error_message) == (-2.0, 2**63, 1.0, 2, "time -2.000000 is negative")


def test_a_float_division_by_zero_after_writes_raises_with_the_writes_done():
    f = rustify.accelerate(propagate, eager=True)
    o = Orbit(1.0, 5, 2.0, None, "n")
    with pytest.raises(ZeroDivisionError):
        f(o, 0.0, 1)
    assert (o.t, o.n, o.error_message) == (1.0, 6, None)
    f(Orbit(1.0, 5, 2.0, None, "n"), 1.0, 1)
    assert f.rustify.last_call == "native"


def read_message(o):
    o.error_message = None
    return o.error_message


def test_an_attribute_that_is_read_keeps_its_type():
    reasons = verdict(read_message, (signature.kind_of(Orbit(1.0, 1, 1.0, "old", "d")),))
    assert any("error_message" in r.why for r in reasons)


def _fill(d, k):
    d[k] = 1


def writes_a_dict_in_a_callee(d, k):
    _fill(d, k)
    return len(d)


def test_a_callee_that_writes_runs_native_when_nothing_can_re_run():
    f = rustify.accelerate(writes_a_dict_in_a_callee, eager=True)
    d = {"a": 2}
    assert f(d, "b") == 2 and d == {"a": 2, "b": 1} and f.rustify.last_call == "native"


@pytest.mark.parametrize("make", [
    lambda: Orbit(1.0, 2, 3.0, None, "d"),
    lambda: Probe(1.0, 2, "x"),
    lambda: Probe(1.0, [1], None),
])
def test_the_remembered_kind_of_an_instance_is_the_full_one(make):
    for drop in (None, "t", "error_message", "note"):
        o = make()
        if drop is not None and hasattr(o, drop):
            delattr(o, drop)
        slow = signature._instance_kind(o, type(o), 0)
        assert signature.kind_of(o) == slow and signature.kind_of(o) == slow  # computed, then remembered
        o.t = "now text"
        assert signature.kind_of(o) == signature._instance_kind(o, type(o), 0) != slow


def test_module_data_is_classified_from_every_item():
    f = rustify.accelerate(table_with_an_empty_first_row, eager=True)
    assert f(2) == (66, 3) and f.rustify.last_call == "native"
    assert f(0) == (0, 0) and f.rustify.last_call == "native"
    reasons = verdict(table_of_ints_and_floats, ("int",))
    assert reasons and "several types" in reasons[0].why
    assert type(table_of_ints_and_floats(0)) is int
