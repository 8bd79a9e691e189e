"""Auto mode never keeps a native specialisation that is slower than the Python function
(dispatch.TRIAL_AFTER: the speed trial), and the native dispatcher checks an instance argument
on its class, version tag and attribute types (an `InstanceCheck`), never matching a call
whose kind differs. Real builds throughout."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import rustify
from rustify.runtime import native_dispatch
from rustify.runtime.dispatch import TRIAL_AFTER, TRIAL_SAMPLES
from rustify.runtime.signature import kind_of


@pytest.fixture(scope="module", autouse=True)
def _dispatcher():
    assert native_dispatch.load(build=True) is not None  # the native dispatcher, built once per cache dir


def first(xs):
    xs[0] = xs[0] * 1.0  # a written list: copied in and out at the boundary, O(n) against Python's O(1)
    return xs[0]


def scale(x, k):
    return x * k + 1.0


def test_measured_slower_native_runs_python_and_says_so():
    fast = rustify.accelerate(first, eager=True, front_door="auto")
    xs = [1.5, 2.0]
    assert fast(xs) == 1.5 and fast.rustify.last_call == "native"
    sig = ("list[float]",)
    for _ in range(TRIAL_SAMPLES):  # the policy's real entry point, fed measured figures
        fast._speed_sample(sig, True, 100)
        fast._speed_sample(sig, False, 5000)
    assert sig in fast.rustify.reasons and sig not in fast._native
    text = fast.rustify.explain()
    assert "measured slower native than in Python: 5000 ns" in text and "against 100 ns" in text
    ys = [2.5]
    assert fast(ys) == first([2.5]) and ys == [2.5] and fast.rustify.last_call == "python"
    from rustify.runtime.record import function_record

    record = function_record(fast)
    assert any("measured slower" in (s["reason"] or "") for s in record["signatures"])


def test_measured_faster_native_stays_native_with_its_figures():
    fast = rustify.accelerate(scale, eager=True, front_door="auto")
    assert fast(2.0, 3.0) == 7.0 and fast.rustify.last_call == "native"
    sig = ("float", "float")
    for _ in range(TRIAL_SAMPLES):
        fast._speed_sample(sig, True, 4000)
        fast._speed_sample(sig, False, 1000)
    assert sig not in fast.rustify.reasons and sig in fast._native
    assert "measured 4.0x faster than Python (1000 ns against 4000 ns per call" in fast.rustify.explain()
    assert fast(1.0, 2.0) == 3.0 and fast.rustify.last_call == "native"


def test_the_decorator_keeps_its_native_code_without_a_trial():
    fast = rustify.accelerate(first, eager=True)
    xs = [float(i) for i in range(20000)]
    for _ in range(TRIAL_AFTER + 4 * TRIAL_SAMPLES + 8):
        assert fast(xs) == 0.0
    assert fast.rustify.last_call == "native" and fast.rustify.stats[("list[float]",)].trial_medians is None


_END_TO_END = """
    import rustify, sys
    from rustify.runtime import native_dispatch
    def first(xs):
        xs[0] = xs[0] * 1.0
        return xs[0]
    if native_dispatch.enabled():
        native_dispatch.load(build=True)
    fast = rustify.accelerate(first, eager=True, front_door="auto")
    xs = [float(i) for i in range(1, 50001)]
    for _ in range(400):
        assert fast(xs) == 1.0 and xs[0] == 1.0 and len(xs) == 50000
    sig = ("list[float]",)
    st = fast.rustify._stats[sig]
    print("dispatcher", type(fast).__mro__[1].__name__)
    print("medians", st.trial_medians)
    print("python", sig in fast.rustify.reasons, fast.rustify.last_call)
    print(fast.rustify.explain())
"""


@pytest.mark.parametrize("native_dispatch_on", ["1", "0"])
def test_a_function_cheap_in_python_and_costly_at_the_boundary_ends_up_running_python(tmp_path, cache_dir,
                                                                                       native_dispatch_on):
    # about 3000x slower native (a 50,000-float copy in and out against one item): the medians
    # of 8 samples each decide, so a few samples preempted on a loaded machine do not
    (tmp_path / "main.py").write_text(textwrap.dedent(_END_TO_END))
    env = {**os.environ, "RUSTIFY_CACHE_DIR": str(cache_dir), "RUSTIFY_RECORD": "0",
           "RUSTIFY_NATIVE_DISPATCH": native_dispatch_on}
    proc = subprocess.run([sys.executable, str(tmp_path / "main.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert ("dispatcher Dispatcher" in out) == (native_dispatch_on == "1"), out
    assert "python True python" in out, out
    assert "measured slower native than in Python" in out, out


class Slots:
    __slots__ = ("w", "h", "label")

    def __init__(self, w, h, label="x"):
        self.w, self.h, self.label = w, h, label


class Plain:
    def __init__(self, w, h):
        self.w, self.h = w, h


def area(p):
    return p.w * p.h


@pytest.mark.parametrize("cls", [Slots, Plain])
def test_an_instance_argument_is_checked_on_its_shape_and_attribute_types(cls):
    fast = rustify.accelerate(area, eager=True)
    p = cls(2.0, 3.0)
    assert fast(p) == 6.0 and fast.rustify.last_call == "native"
    sig = (kind_of(p),)
    checks = fast._nd and __import__("rustify.runtime.dispatch", fromlist=["x"])._argument_checks(sig)
    assert checks[0][0] == "instance"  # the native dispatcher's own check, no kind_of per call
    for _ in range(10):
        assert fast(p) == 6.0
    assert fast.rustify.native_calls[sig] == 11
    # another attribute type, another shape: never the first signature's code
    p.w = 2
    assert fast(p) == area(p) and kind_of(p) != sig[0]
    assert fast.rustify.native_calls[sig] == 11
    if cls is Slots:
        del p.label  # an unset slot
    else:
        p.extra = 1.0  # one more attribute
    got = kind_of(p)
    assert got != sig[0]
    assert fast(p) == area(p) and fast.rustify.native_calls[sig] == 11
    # a class attribute set since (its version tag changes): kind_of decides, still native
    q = cls(1.5, 2.0)
    cls.note = "changed"
    try:
        assert fast(q) == 3.0 and fast.rustify.last_call == "native"
        assert fast.rustify.native_calls[sig] == 12
    finally:
        del cls.note
    assert fast(cls(4.0, 0.5)) == 2.0 and fast.rustify.native_calls[sig] == 13


def test_a_left_out_default_is_bound_by_the_native_dispatcher():
    def blend(a, b, w=0.5):
        return a * w + b * (1.0 - w)

    fast = rustify.accelerate(blend, eager=True)
    assert fast(1.0, 3.0) == blend(1.0, 3.0) and fast.rustify.last_call == "native"
    for _ in range(40):
        assert fast(1.0, 3.0) == 2.0
    assert fast.rustify.native_calls[("float", "float", "float")] == 41
    blend.__defaults__ = (1,)  # the very default at the call: another signature
    assert fast(1.0, 3.0) == 1.0 and fast.rustify.native_calls[("float", "float", "float")] == 41
