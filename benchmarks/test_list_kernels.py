"""Lists read in place and lists of lists: CPython beside rustify, one pytest-benchmark
group per kernel, on 10 million floats (a flat list that is only read is not copied: its
items are read where they are) and on a 300x300 list of lists.

rustify is compiled (eager) and warmed up first, and must report a native call before
and after timing. Nothing here asserts on time: read the ratios off the table.

    .venv/bin/python -m pytest benchmarks/test_list_kernels.py --benchmark-only \\
        --benchmark-group-by=group --benchmark-columns=min,median,rounds
"""

from __future__ import annotations

import math
import random

import pytest

import rustify


def loop_sum(xs):
    s = 0.0
    for x in xs:
        s += x
    return s


def builtin_sum(xs):
    return sum(xs)


def sum_of_squares_gen(xs):
    return sum(x * x for x in xs if x > 0.5)


def row_norms(vectors):
    return [math.sqrt(sum(x * x for x in v)) for v in vectors]


def transpose(m):
    rows, cols = len(m), len(m[0])
    return [[m[i][j] for i in range(rows)] for j in range(cols)]


_rng = random.Random(7)
_FLAT = [_rng.random() for _ in range(10_000_000)]
_GRID = [[_rng.random() for _ in range(300)] for _ in range(300)]
KERNELS = {
    "loop_sum[10M]": (loop_sum, (_FLAT,)),
    "builtin_sum[10M]": (builtin_sum, (_FLAT,)),
    "sum_of_squares_gen[10M]": (sum_of_squares_gen, (_FLAT,)),
    "row_norms[300x300]": (row_norms, (_GRID,)),
    "transpose[300x300]": (transpose, (_GRID,)),
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
def test_list_kernel(benchmark, name, impl):
    func, args = KERNELS[name]
    benchmark.group = name
    run = func if impl == "cpython" else _native(name)
    result = benchmark.pedantic(run, args=args, rounds=3, iterations=1)
    assert result == func(*args)
    if impl == "rustify":
        assert run.rustify.last_call == "native"
