"""The seed kernels, timed three ways: CPython, rustify, Numba.

One pytest-benchmark group per kernel and input case, so the table puts the
three implementations of the same work side by side:

- ``list``: Python lists of floats at the seed size (n=1000; running_mean n=500)
- ``numpy-1k``: 1-D float64 arrays, n=1000
- ``numpy-1M``: 1-D float64 arrays, n=1_000_000

rustify is compiled (eager) and warmed up before timing, and must report a
native call before and after timing, so a silent fallback to Python cannot
pass as a fast rustify. Numba rows are skipped when numba is not installed,
and a case numba cannot compile is skipped with numba's reason. Nothing here
asserts on time: the ratios are read off the table (and the summary that
conftest.py prints after it).

    .venv/bin/python -m pytest benchmarks/ --benchmark-only \
        --benchmark-group-by=group --benchmark-columns=min,median,rounds
"""

from __future__ import annotations

import math
import time
import warnings

import pytest

import rustify
from seed_kernels import KERNELS

try:
    import numba
    from numba.core.errors import NumbaDeprecationWarning, NumbaPendingDeprecationWarning
except ImportError:  # pragma: no cover - numba is an optional extra
    numba = None
    NUMBA_WARNINGS: tuple = ()
else:
    NUMBA_WARNINGS = (NumbaDeprecationWarning, NumbaPendingDeprecationWarning)

# name -> (as_numpy, n or None for the kernel's seed size)
CASES = {
    "list": (False, None),
    "numpy-1k": (True, 1000),
    "numpy-1M": (True, 1_000_000),
}
IMPLS = ("cpython", "rustify", "numba")

# A call slower than this is timed with a fixed, small number of rounds
# (pedantic mode) instead of pytest-benchmark's calibrated loop: CPython on
# a million numpy elements takes 0.1-2 s a call.
SLOW_CALL = 0.05
SLOW_ROUNDS = 3

_args: dict[tuple[str, str], tuple] = {}
_rustified: dict[str, object] = {}
_jitted: dict[str, object] = {}
_expected: dict[tuple[str, str], object] = {}
_numba_failed: dict[tuple[str, bool], str] = {}


def case_args(kernel: str, case: str) -> tuple:
    key = (kernel, case)
    if key not in _args:
        as_numpy, n = CASES[case]
        k = KERNELS[kernel]
        _args[key] = k.make_args(n or k.size, as_numpy, seed=0)
    return _args[key]


def expected(kernel: str, case: str):
    key = (kernel, case)
    if key not in _expected:
        _expected[key] = KERNELS[kernel].func(*case_args(kernel, case))
    return _expected[key]


def rustified(kernel: str):
    if kernel not in _rustified:
        _rustified[kernel] = rustify.accelerate(KERNELS[kernel].func, eager=True)
    return _rustified[kernel]


def jitted(kernel: str):
    if kernel not in _jitted:
        _jitted[kernel] = numba.njit(KERNELS[kernel].func)
    return _jitted[kernel]


def _as_floats(value) -> list[float]:
    if isinstance(value, float) or not hasattr(value, "__len__"):
        return [float(value)]
    return [float(x) for x in value]


def check_same(kernel: str, case: str, got, who: str) -> None:
    """Correctness guard (not a timing assertion): same numbers as CPython."""
    want = _as_floats(expected(kernel, case))
    have = _as_floats(got)
    assert len(have) == len(want), f"{who}: {len(have)} results, CPython gave {len(want)}"
    for i, (a, b) in enumerate(zip(have, want)):
        if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            raise AssertionError(f"{who}: result[{i}] = {a!r}, CPython gave {b!r}")


def timed(benchmark, fn, args):
    """Time `fn(*args)`: calibrated rounds when it is fast, a few fixed rounds when slow."""
    t0 = time.perf_counter()
    result = fn(*args)
    once = time.perf_counter() - t0
    if once > SLOW_CALL:
        benchmark.pedantic(fn, args=args, rounds=SLOW_ROUNDS, iterations=1, warmup_rounds=0)
    else:
        benchmark(fn, *args)
    return result


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("kernel", list(KERNELS))
def test_kernel(benchmark, kernel: str, case: str, impl: str) -> None:
    as_numpy, _ = CASES[case]
    args = case_args(kernel, case)
    benchmark.group = f"{kernel} [{case}]"
    benchmark.extra_info.update(kernel=kernel, case=case, impl=impl, n=len(args[0]))

    if impl == "cpython":
        fn = KERNELS[kernel].func
    elif impl == "rustify":
        fn = rustified(kernel)
        first = fn(*args)  # compiles this signature (or loads it from the cache)
        info = fn.rustify
        assert info.last_call == "native", f"{kernel} [{case}] did not run natively:\n{info.explain()}"
        check_same(kernel, case, first, "rustify")
        sig = info.last_signature
        deopts_before = info.deopts.get(sig, 0)
        benchmark.extra_info.update(
            compile_seconds=round(info.compile_seconds.get(sig, float("nan")), 3),
            cache_hit=info.cache_hits.get(sig),
        )
    else:
        if numba is None:
            pytest.skip("numba is not installed")
        reason = _numba_failed.get((kernel, as_numpy))
        if reason:
            pytest.skip(reason)
        fn = jitted(kernel)
        try:
            with warnings.catch_warnings():
                for w in NUMBA_WARNINGS:
                    warnings.simplefilter("ignore", w)
                first = fn(*args)  # compiles for these argument types
        except (numba.core.errors.NumbaError, NotImplementedError) as exc:  # typing/lowering errors
            why = " / ".join([ln.strip() for ln in str(exc).splitlines() if ln.strip()][:2])
            reason = f"numba cannot compile {kernel} for {'numpy' if as_numpy else 'list'} input: " \
                     f"{type(exc).__name__}: {why}"[:300]
            _numba_failed[(kernel, as_numpy)] = reason
            pytest.skip(reason)
        check_same(kernel, case, first, "numba")

    result = timed(benchmark, fn, args)
    if impl == "cpython":
        _expected.setdefault((kernel, case), result)  # spares the other rows a slow CPython call

    if impl == "rustify":
        assert info.last_call == "native" and info.deopts.get(sig, 0) == deopts_before, (
            f"{kernel} [{case}] fell back to Python while being timed: {info.last_reason}\n{info.explain()}"
        )
