"""N-D and narrow-dtype numpy kernels, timed three ways: CPython, rustify, Numba.

One pytest-benchmark group per kernel and size (`<kernel> [small]` / `[large]`): the
small inputs take microseconds (the call overhead shows), the large ones well over a
millisecond in native code (the loop shows). Kinds covered: 2-D and 3-D float64,
float32, int32, uint8, bool masks and a strided (non-contiguous) view.

rustify is compiled (eager) and warmed up before timing, and must report a native call
before and after timing; every implementation's result must equal CPython's (same dtype,
same values). Nothing asserts on time: conftest.py prints the ratios after the tables.

    .venv/bin/python -m pytest benchmarks/test_numpy_kernels.py --benchmark-only \\
        --benchmark-group-by=group --benchmark-columns=min,median,rounds
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import rustify

try:
    import numba
except ImportError:  # pragma: no cover - numba is an optional extra
    numba = None


# ------------------------------------------------------------------ kernels


def laplace_2d(img):
    """5-point Laplacian of a float64 image (2-D reads and stores)."""
    h, w = img.shape
    out = np.zeros((h, w))
    for i in range(1, h - 1):
        for j in range(1, w - 1):
            out[i, j] = img[i - 1, j] + img[i + 1, j] + img[i, j - 1] + img[i, j + 1] - 4.0 * img[i, j]
    return out


def depth_mean_3d(vol):
    """Mean over the first axis of a 3-D float64 volume."""
    d, h, w = vol.shape
    out = np.zeros((h, w))
    for k in range(d):
        for i in range(h):
            for j in range(w):
                out[i, j] += vol[k, i, j]
    for i in range(h):
        for j in range(w):
            out[i, j] = out[i, j] / d
    return out


def saxpy_f32(a, x, y):
    """y = a * x + y in float32, in place."""
    for i in range(len(x)):
        y[i] = a * x[i] + y[i]


def histogram_i32(values, nbins):
    """Counts of int32 values modulo nbins."""
    counts = np.zeros(nbins, dtype=np.int64)
    for i in range(len(values)):
        counts[values[i] % nbins] += 1
    return counts


def threshold_u8(img, t):
    """A uint8 image to a uint8 mask image (255 where above t) and its inverse sum."""
    h, w = img.shape
    out = np.empty_like(img)
    for i in range(h):
        for j in range(w):
            if img[i, j] > t:
                out[i, j] = 255
            else:
                out[i, j] = 255 - img[i, j]
    return out


def masked_mean(x, mask):
    """Mean of the float64 values where a bool mask is set."""
    s = 0.0
    n = 0
    for i in range(len(x)):
        if mask[i]:
            s += x[i]
            n += 1
    return s / max(n, 1)


def strided_dot(x, y):
    """Dot product of two strided views (`x[::2]`): not contiguous."""
    s = 0.0
    for i in range(len(x)):
        s += x[i] * y[i]
    return s


def _args(kernel: str, size: str, rng: np.random.Generator) -> tuple:
    big = size == "large"
    if kernel == "laplace_2d":
        return (rng.random((1000, 1000) if big else (30, 30)),)
    if kernel == "depth_mean_3d":
        return (rng.random((50, 100, 200) if big else (4, 8, 8)),)
    n = 2_000_000 if big else 1000
    if kernel == "saxpy_f32":
        return (np.float32(0.5), rng.random(n, dtype=np.float32), rng.random(n, dtype=np.float32))
    if kernel == "histogram_i32":
        return (rng.integers(0, 10**6, n).astype(np.int32), 64)
    if kernel == "threshold_u8":
        return ((rng.random((1000, 2000) if big else (30, 30)) * 255).astype(np.uint8), 128)
    if kernel == "masked_mean":
        return (rng.random(n), rng.random(n) > 0.5)
    if kernel == "strided_dot":
        return (rng.random(2 * n)[::2], rng.random(2 * n)[::2])
    raise KeyError(kernel)


KERNELS = {f.__name__: f for f in (laplace_2d, depth_mean_3d, saxpy_f32, histogram_i32, threshold_u8,
                                   masked_mean, strided_dot)}
SIZES = ("small", "large")
IMPLS = ("cpython", "rustify", "numba")
SLOW_CALL, SLOW_ROUNDS = 0.05, 3

_cache: dict = {}


def fresh_args(kernel: str, size: str) -> tuple:
    """The same inputs for every implementation (in-place kernels get fresh copies)."""
    key = ("args", kernel, size)
    if key not in _cache:
        _cache[key] = _args(kernel, size, np.random.default_rng(0))
    return tuple(a.copy() if isinstance(a, np.ndarray) and a.base is None else a for a in _cache[key])


def implementation(kernel: str, impl: str):
    key = (impl, kernel)
    if key not in _cache:
        func = KERNELS[kernel]
        _cache[key] = {"cpython": func, "rustify": lambda: rustify.accelerate(func, eager=True),
                       "numba": lambda: numba.njit(func)}[impl]
        if impl != "cpython":
            _cache[key] = _cache[key]()
    return _cache[key]


def result_of(fn, args):
    out = fn(*args)
    return out if out is not None else args[-1]  # in-place kernels: the array they wrote


def check_same(kernel: str, size: str, got, who: str) -> None:
    key = ("expected", kernel, size)
    if key not in _cache:
        _cache[key] = result_of(KERNELS[kernel], fresh_args(kernel, size))
    want = _cache[key]
    if who != "numba":  # numba returns Python floats where CPython gives np.float64
        assert type(got) is type(want) and getattr(got, "dtype", None) == getattr(want, "dtype", None), (who, got, want)
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64),
                               rtol=1e-12, err_msg=who)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kernel", list(KERNELS))
def test_numpy_kernel(benchmark, kernel: str, size: str, impl: str) -> None:
    if impl == "numba" and numba is None:
        pytest.skip("numba is not installed")
    benchmark.group = f"{kernel} [{size}]"
    benchmark.extra_info.update(kernel=kernel, case=size, impl=impl)
    fn = implementation(kernel, impl)
    args = fresh_args(kernel, size)
    check_same(kernel, size, result_of(fn, fresh_args(kernel, size)), impl)  # compiles, checks
    if impl == "rustify":
        info = fn.rustify
        assert info.last_call == "native", f"{kernel} [{size}] did not run natively:\n{info.explain()}"
    t0 = time.perf_counter()
    fn(*args)
    if time.perf_counter() - t0 > SLOW_CALL:
        benchmark.pedantic(fn, args=args, rounds=SLOW_ROUNDS, iterations=1, warmup_rounds=0)
    else:
        benchmark(fn, *args)
    if impl == "rustify":
        assert info.last_call == "native", f"{kernel} [{size}] fell back to Python while timed: {info.last_reason}"
