"""Faults at the native boundary and inside the kernel: arguments of a look-alike
type, and other threads writing an argument while native code runs.

Each look-alike argument comes AFTER the native specialisation of the plain type exists, so
the dispatcher's monomorphic fast path hands the argument straight to the native
entry: only the native side's own checks stand between it and a wrong answer.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from faultlib import fault

import rustify
from rustify.runtime.signature import signature_of


def total(xs):
    s = 0.0
    for i in range(len(xs)):
        s += xs[i]
    return s


def add(a, b):
    return a + b


class Doubled(np.ndarray):
    """A user ndarray subclass whose items read as twice the stored value."""

    def __getitem__(self, i):
        return 2 * np.ndarray.__getitem__(self, i)


class Tracked(list):
    """A list subclass whose items read as ten times the stored value."""

    def __getitem__(self, i):
        return 10 * list.__getitem__(self, i)


class Money(float):
    """A float subclass with its own addition."""

    def __add__(self, other):
        return Money(float(self) + float(other) + 0.01)


def _masked():
    return np.ma.masked_array([1.0, 2.0, 3.0], mask=[False, True, False])


def _doubled():
    return np.array([1.0, 2.0, 3.0]).view(Doubled)


def _byteswapped():
    return np.array([1.0, 2.0, 3.0], dtype=">f8")


LOOKALIKE_ARRAYS = {"masked-array": _masked, "np-matrix": lambda: np.matrix([[1.0, 2.0, 3.0]]),
                    "user-ndarray-subclass": _doubled, "byte-swapped-float64": _byteswapped}


def _native_float64_total():
    fast = rustify.accelerate(total, eager=True)
    assert fast(np.array([1.0, 2.0, 3.0])) == 6.0
    assert fast.rustify.last_call == "native"  # the fast path now points at the float64 entry
    return fast


def _same(expected, got) -> bool:
    return type(expected) is type(got) and repr(expected) == repr(got)


@fault("codegen", injects="a MaskedArray, np.matrix, a user ndarray subclass or a byte-swapped float64 "
       "array passed where a native float64 specialisation exists (fast path)",
       observes="Python's result and type (masked, a matrix, the subclass's items); last_call == 'python'")
@pytest.mark.parametrize("make", LOOKALIKE_ARRAYS.values(), ids=LOOKALIKE_ARRAYS.keys())
def test_lookalike_array_runs_python(make):
    fast = _native_float64_total()
    expected = total(make())
    got = fast(make())
    assert _same(expected, got), f"python {expected!r} vs rustify {got!r}"
    assert fast.rustify.last_call == "python"


@fault("codegen", injects="a big-endian float64 array after the native float64 specialisation exists",
       observes="its own signature kind (never the native float64 one), so it runs Python without a Deopt")
def test_byteswapped_array_has_its_own_signature():
    fast = _native_float64_total()
    native_sig = signature_of((np.array([1.0]),))
    swapped_sig = signature_of((_byteswapped(),))
    assert swapped_sig != native_sig
    assert fast(_byteswapped()) == 6.0 and fast.rustify.last_call == "python"
    assert fast.rustify.deopts.get(native_sig, 0) == 0


@fault("codegen", injects="a list subclass with its own __getitem__ after the native list[float] "
       "specialisation exists (fast path)", observes="Python's result (the subclass's items); last_call == 'python'")
def test_list_subclass_runs_python():
    fast = rustify.accelerate(total, eager=True)
    assert fast([1.0, 2.0]) == 3.0 and fast.rustify.last_call == "native"
    got = fast(Tracked([1.0, 2.0]))
    assert got == total(Tracked([1.0, 2.0])) == 30.0
    assert fast.rustify.last_call == "python"


@fault("codegen", injects="a float subclass with its own __add__ after the native (float, float) "
       "specialisation exists (fast path)", observes="Python's result and type (Money); last_call == 'python'")
def test_float_subclass_runs_python():
    fast = rustify.accelerate(add, eager=True)
    assert fast(1.0, 2.0) == 3.0 and fast.rustify.last_call == "native"
    expected = add(Money(1.0), 2.0)
    got = fast(Money(1.0), 2.0)
    assert _same(expected, got), f"python {expected!r} vs rustify {got!r}"
    assert fast.rustify.last_call == "python"


def churn_and_append(lst, n):
    acc = 0.0
    for i in range(n):
        acc += (i % 7) * 0.5
    lst.append(acc)


def churn_and_sum(lst, n):
    acc = 0.0
    for i in range(n):
        acc += lst[i % len(lst)]
    return acc


def _iterations_lasting(fast, args_for, seconds: float) -> int:
    """How many loop iterations make one native call of `fast` last about `seconds`."""
    n = 1_000_000
    while True:
        start = time.perf_counter()
        fast(*args_for(n))
        took = time.perf_counter() - start
        if took > 0.2:
            return int(n * seconds / took)
        n *= 4


@fault("codegen", injects="a second thread writes lst[0] = -1.0 150 ms into a 2 s native call that appends to lst",
       observes="the write survives (lst[0] == -1.0 afterwards, the append is there): the call held the GIL, "
                "so the writer ran after it, an interleaving Python can give")
def test_list_written_by_another_thread_during_an_in_place_call_keeps_the_write():
    fast = rustify.accelerate(churn_and_append, eager=True)
    fast([1.0], 10)
    assert fast.rustify.last_call == "native"
    n = _iterations_lasting(fast, lambda n: ([1.0], n), 2.0)
    lst = [1.0, 2.0, 3.0]
    writer_done = threading.Event()

    def writer():
        time.sleep(0.15)
        lst[0] = -1.0
        writer_done.set()

    thread = threading.Thread(target=writer)
    start = time.perf_counter()
    thread.start()
    fast(lst, n)
    took = time.perf_counter() - start
    thread.join(timeout=60)
    assert fast.rustify.last_call == "native"
    assert took > 0.5, f"the native call took only {took:.2f} s: the writer may not have overlapped it"
    assert writer_done.is_set()
    assert lst[0] == -1.0, f"the other thread's write was lost: {lst}"
    assert lst[1:3] == [2.0, 3.0] and len(lst) == 4
    assert lst[3] == pytest.approx(_expected_churn(n))


def _expected_churn(n: int) -> float:
    """churn_and_append's appended value, in closed form (the Python loop would take minutes)."""
    full, rest = divmod(n, 7)
    return full * 0.5 * sum(range(7)) + 0.5 * sum(range(rest))


@fault("codegen", injects="a second thread counts in a Python loop during a 1 s native call that only reads a list",
       observes="the counter advances during the call: a reading kernel on a short input keeps the GIL but "
                "hands it to other threads at its signal checks (a long input releases it)")
def test_reading_kernel_lets_other_threads_run():
    fast = rustify.accelerate(churn_and_sum, eager=True)
    assert fast([1.0, 2.0], 4) == 6.0 and fast.rustify.last_call == "native"
    n = _iterations_lasting(fast, lambda n: ([1.0, 2.0], n), 1.0)
    progress = [0]
    stop = threading.Event()

    def counter():
        while not stop.is_set():
            progress[0] += 1

    thread = threading.Thread(target=counter)
    thread.start()
    try:
        time.sleep(0.05)
        before = progress[0]
        fast([1.0, 2.0], n)
        during = progress[0] - before
    finally:
        stop.set()
        thread.join(timeout=60)
    assert fast.rustify.last_call == "native"
    assert during > 1000, f"the other thread made {during} steps during the native call"
