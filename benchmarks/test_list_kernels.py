"""Lists read in place and lists of lists: CPython beside rustify, one pytest-benchmark
group per kernel, on 10 million floats (a flat list that is only read is not copied: its
items are read where they are, in `for`, `enumerate` and `zip` loops), on a 300x300 list
of lists, and a merge sort of 200,000 ints (lists the kernel builds keep their native
copies through `extend`, `insert`, `pop`, ...).

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


def argmax(xs):
    best_i, best = 0, xs[0]
    for i, x in enumerate(xs):
        if x > best:
            best_i, best = i, x
    return best_i, best


def dot_zip(xs, ys):
    s = 0.0
    for x, y in zip(xs, ys):
        s += x * y
    return s


def merge_sort(xs):
    if len(xs) <= 1:
        return xs[:]
    mid = len(xs) // 2
    left = merge_sort(xs[:mid])
    right = merge_sort(xs[mid:])
    out = []
    i = j = 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            out.append(left[i])
            i += 1
        else:
            out.append(right[j])
            j += 1
    out.extend(left[i:])
    out.extend(right[j:])
    return out


_rng = random.Random(7)
_FLAT = [_rng.random() for _ in range(10_000_000)]
_GRID = [[_rng.random() for _ in range(300)] for _ in range(300)]
_INTS = [_rng.randrange(-10**9, 10**9) for _ in range(200_000)]
KERNELS = {
    "loop_sum[10M]": (loop_sum, (_FLAT,)),
    "builtin_sum[10M]": (builtin_sum, (_FLAT,)),
    "sum_of_squares_gen[10M]": (sum_of_squares_gen, (_FLAT,)),
    "row_norms[300x300]": (row_norms, (_GRID,)),
    "transpose[300x300]": (transpose, (_GRID,)),
    "argmax_enumerate[10M]": (argmax, (_FLAT,)),
    "dot_zip[10M]": (dot_zip, (_FLAT, _FLAT)),
    "merge_sort[200k ints]": (merge_sort, (_INTS,)),
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
