"""Kernels that work on Python objects from Rust: a dict of lists, sets of str, str methods,
slicing and join, lists of lists and lists of big ints. CPython beside rustify, one
pytest-benchmark group per kernel (rustify must stay native; nothing asserts on time: read
the ratios off the table).

    .venv/bin/python -m pytest benchmarks/test_container_kernels.py --benchmark-only \\
        --benchmark-group-by=group --benchmark-columns=min,median,rounds
"""

from __future__ import annotations

import random

import pytest

import rustify


def token_lines(lines):
    """dict[str, list[int]]: the line numbers each token is on (a native map of lists)."""
    where = {}
    for n, line in enumerate(lines):
        for tok in line.split():
            if tok not in where:
                where[tok] = []
            where[tok].append(n)
    return where


def overlap(xs, ys):
    """Two sets of str, measured."""
    a, b = set(xs), set(ys)
    return len(a & b), len(a | b), len(a - b)


def mirror_tokens(text):
    """split on a separator, a reversed slice of each piece, join."""
    return "-".join(t[::-1] for t in text.split("-"))


def clean_tokens(text):
    """strip / lower / endswith / += on each word."""
    out = []
    for t in text.split():
        t = t.strip(";:").lower()
        if t.endswith("s"):
            t += "*"
        out.append(t)
    return out


def columns(m):
    """A list of lists read item by item into new lists."""
    return [[row[j] for row in m] for j in range(len(m[0]))]


def binomials(n):
    """Lists of ints that outgrow 64 bits (the wide specialisation)."""
    out = [[1]]
    for k in range(1, n):
        last = out[k - 1]
        cur = [1] * (k + 1)
        for j in range(1, k):
            cur[j] = last[j] + last[j - 1]
        out.append(cur)
    return out


_rng = random.Random(11)
_VOCAB = ["red", "green", "blue;", "Cyan", "magenta:", "yellows", "black", "white", "greys", "Pink"]


def _words(n):
    return [_rng.choice(_VOCAB) for _ in range(n)]


_LINES = [" ".join(_words(10)) for _ in range(30_000)]
_A, _B = _words(300_000), _words(300_000) + ["orange"]
_TEXT = " ".join(_words(200_000))
_DASHED = "-".join(_words(200_000))
_GRID = [[_rng.random() for _ in range(400)] for _ in range(400)]
KERNELS = {
    "token_lines[30k lines]": (token_lines, (_LINES,)),
    "overlap[2x300k str]": (overlap, (_A, _B)),
    "mirror_tokens[200k]": (mirror_tokens, (_DASHED,)),
    "clean_tokens[200k]": (clean_tokens, (_TEXT,)),
    "columns[400x400]": (columns, (_GRID,)),
    "binomials[600]": (binomials, (600,)),
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
def test_container_kernel(benchmark, name, impl):
    func, args = KERNELS[name]
    benchmark.group = name
    run = func if impl == "cpython" else _native(name)
    result = benchmark.pedantic(run, args=args, rounds=5, iterations=1)
    assert result == func(*args)
    if impl == "rustify":
        assert run.rustify.last_call == "native"
