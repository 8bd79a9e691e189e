"""Objects, tuples and exceptions per item: CPython beside rustify, one pytest-benchmark
group per kernel. Method calls on the objects of a list (the receiver check of each call
reads the class's method without building a bound method), a list of (int, float) tuples
unpacked in the loop header (items borrowed, no new references), `try/except` around each
item's division (the try's closures return a small value, matched in place), and a list of
ints that outgrow 64 bits (the wide specialisation on Python ints).

rustify is compiled (eager) and warmed up first, and must report a native call before
and after timing. Nothing here asserts on time: read the ratios off the table.

    .venv/bin/python -m pytest benchmarks/test_object_kernels.py --benchmark-only \\
        --benchmark-group-by=group --benchmark-columns=min,median,rounds
"""

from __future__ import annotations

import random

import pytest

import rustify


class Body:
    def __init__(self, mass, x, y):
        self.mass = mass
        self.x = x
        self.y = y

    def moment(self):
        return self.mass * (self.x * self.x + self.y * self.y)


def total_moment(bodies):
    m = 0.0
    for b in bodies:
        m += b.moment()
    return m


def weighted_mean(rows):
    s = 0.0
    w = 0.0
    for weight, x in rows:
        s += weight * x
        w += weight
    return s / w if w else 0.0


def guarded_quotients(xs, ys):
    out = []
    for i in range(len(xs)):
        try:
            out.append(xs[i] / ys[i])
        except ZeroDivisionError:
            out.append(-1.0)
    return out


def doublings(n):
    v = 7
    out = []
    for _ in range(n):
        v *= 5
        out.append(v)
    return out


_rng = random.Random(11)
_BODIES = [Body(_rng.random(), _rng.random(), _rng.random()) for _ in range(300_000)]
_ROWS = [(_rng.randrange(10), _rng.random()) for _ in range(500_000)]
_XS = [_rng.random() for _ in range(500_000)]
_YS = [0.0 if i % 7 == 0 else _rng.random() for i in range(500_000)]
KERNELS = {
    "method_per_object[300k]": (total_moment, (_BODIES,)),
    "tuple_unpack[500k]": (weighted_mean, (_ROWS,)),
    "try_except_per_item[500k]": (guarded_quotients, (_XS, _YS)),
    "ints_past_64_bits[10k]": (doublings, (10_000,)),
}
_fast: dict[str, object] = {}


def _native(name):
    func, args = KERNELS[name]
    if name not in _fast:
        _fast[name] = rustify.accelerate(func, eager=True)
        _fast[name](*args)
    fast = _fast[name]
    assert fast.rustify.last_call == "native", fast.rustify.explain()
    return fast


@pytest.mark.parametrize("impl", ["cpython", "rustify"])
@pytest.mark.parametrize("name", list(KERNELS))
def test_object_kernel(benchmark, name, impl):
    func, args = KERNELS[name]
    benchmark.group = name
    run = func if impl == "cpython" else _native(name)
    result = benchmark.pedantic(run, args=args, rounds=5, iterations=1)
    assert result == func(*args)
    if impl == "rustify":
        assert run.rustify.last_call == "native"
