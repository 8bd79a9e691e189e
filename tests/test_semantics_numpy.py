"""Differential cases for numpy arrays in 1 to 4 dimensions, every layout (C, Fortran,
transposed, strided views) and the narrow dtypes (float32, int32, uint8, bool, ...):
shape, ndim, size, len, element reads and stores, iteration, new N-D arrays and numpy's
scalar arithmetic on the element types (the harness is tests/semantics.py)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from semantics import accelerated, case, cases_from, check_native_matches_python, floats, index_for, ints, op

import rustify
from rustify import ir
from rustify.analysis.intrinsics_numpy import numpy_uses_own_float64_math
from rustify.runtime.validate import same_value

OWN_FLOAT64_MATH = numpy_uses_own_float64_math()  # numpy's own AVX-512 exp/log/sin/cos here

# `n, m = a.shape` unpacks a tuple: native once the IR has tuples
UNPACKS_TUPLES = hasattr(ir, "NewTuple")

FLOAT_VALUES = st.one_of(st.sampled_from([0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 1e308, 5e-324]),
                         st.floats(-1e6, 1e6))


def elements(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return FLOAT_VALUES.map(lambda v: float(np.asarray(v).astype(dtype))) if dtype.itemsize < 8 else FLOAT_VALUES
    return hnp.from_dtype(dtype)


def arrays(dtype, ndim, min_side=0, max_side=4, layouts=("C", "F", "T")):
    """Arrays of `dtype` and `ndim` in C order, Fortran order or transposed (a view with
    reversed strides); the harness's deep copy keeps non-C layouts non-C."""
    shape = hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=min_side, max_side=max_side)
    base = hnp.arrays(dtype, shape, elements=elements(dtype))

    def lay(pair):
        a, layout = pair
        if layout == "F":
            return np.asfortranarray(a)
        if layout == "T":
            return a.T
        return a
    return st.tuples(base, st.sampled_from(layouts)).map(lay)


def small_index():
    return st.integers(-5, 5)


# ---- shape, ndim, size, len


@case(arrays(np.float64, 2), op(6))
def shape_ndim_size_len_2d(a, k):
    if k == 0:
        return a.shape[0]
    elif k == 1:
        return a.shape[1]
    elif k == 2:
        return a.shape[-1] * 100 + a.shape[-2]
    elif k == 3:
        return a.ndim
    elif k == 4:
        return a.size
    return len(a)


@case(arrays(np.int64, 3), native=UNPACKS_TUPLES)
def shape_unpack_3d(a):
    d0, d1, d2 = a.shape
    return d0 * 10000 + d1 * 100 + d2 + a.size


# ---- element reads (IndexError as numpy words it), every layout


@case(arrays(np.float64, 2), small_index(), small_index())
def read_2d(a, i, j):
    return a[i, j]


@case(arrays(np.int64, 2), small_index(), small_index())
def read_2d_chained(a, i, j):
    return a[i][j]


@case(arrays(np.float64, 3), small_index(), small_index(), small_index())
def read_3d_mixed(a, i, j, k):
    return a[i, j][k]


@case(arrays(np.float64, 4, max_side=3), small_index(), small_index())
def read_4d(a, i, j):
    return a[i, j, -1, 0]


@case(arrays(np.float64, 2, min_side=1), native=UNPACKS_TUPLES)
def row_sums_2d(a):
    n, m = a.shape
    total = 0.0
    for i in range(n):
        s = 0.0
        for j in range(m):
            s += a[i, j]
        total += s * (i + 1)
    return total


# ---- element stores, in place, every layout


@case(arrays(np.float64, 2), small_index(), small_index(), floats())
def store_2d(a, i, j, v):
    a[i, j] = v
    a[-1, -1] += 1.0


@case(arrays(np.int64, 3), small_index(), small_index(), index_for())
def store_3d_int(a, i, j, v):
    a[i][j][0] = v
    return a.size


@case(arrays(np.float64, 2, min_side=1))
def scale_rows_in_place(a):
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            a[i, j] = a[i, j] * 2.0 + i


# ---- new N-D arrays


@case(st.integers(-2, 5), st.integers(-2, 5))
def new_2d_zeros(h, w):
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            out[i, j] = i * 10 + j
    return out


@case(arrays(np.uint8, 2))
def empty_like_2d_uint8(img):
    out = np.empty_like(img)
    for i in range(img.shape[0]):
        for j in range(img.shape[1]):
            out[i, j] = 255 - img[i, j]
    return out


@case(st.integers(0, 4))
def new_3d_int(n):
    out = np.zeros((n, 2, 3), dtype=np.int32)
    for i in range(n):
        out[i, 1, 2] = i - 2
    return out


# ---- iteration over 1-D arrays of any layout


@case(arrays(np.float64, 1, max_side=8))
def iterate_1d(x):
    s = 0.0
    for v in x:
        s += v * 0.5
    return s


# ---- narrow dtypes: reads give numpy scalars, arithmetic follows numpy (NEP 50)


@case(arrays(np.float32, 1, min_side=1), op(4))
def float32_arith(x, k):
    a = x[0]
    b = x[-1]
    if k == 0:
        return a * 2.0 + b
    elif k == 1:
        return a - b
    elif k == 2:
        return a / b
    return a * 3


@case(arrays(np.float32, 1, min_side=1), arrays(np.float64, 1, min_side=1), floats())
def float32_compare_and_mix(x, y, t):
    if x[0] > t and x[-1] != 0.1:
        return x[0] * y[0]
    return x[-1] + y[-1]


@case(st.floats(width=32, allow_nan=True).map(np.float32), arrays(np.float32, 1), arrays(np.float32, 1))
def axpy_float32(a, x, y):
    for i in range(min(len(x), len(y))):
        y[i] = a * x[i] + y[i]


@case(arrays(np.int32, 1, min_side=1), st.integers(-(2**40), 2**40), op(5))
def int32_arith(x, n, k):
    a = x[0]
    if k == 0:
        return a + n
    elif k == 1:
        return a * x[-1]
    elif k == 2:
        return a % 7
    elif k == 3:
        return a // x[-1]
    return -a


@case(arrays(np.int32, 1, min_side=1), arrays(np.uint8, 1, min_side=1))
def int32_truediv_gives_float64(x, y):
    return x[0] / 2 + y[0] / y[-1]


@case(arrays(np.int32, 1), st.integers(-3, 70))
def bincount_int32(values, nbins):
    counts = np.zeros(nbins, dtype=np.int64)
    for i in range(values.size):
        counts[values[i] % nbins] += 1
    return counts


@case(arrays(np.uint8, 1, min_side=1), st.integers(-300, 300), op(4))
def uint8_arith_and_store(x, v, k):
    if k == 0:
        x[0] = v
    elif k == 1:
        x[-1] = x[0] + x[-1]
    elif k == 2:
        x[0] = ~x[0]
    return x[0] * 1


@case(arrays(np.int16, 2), arrays(np.int8, 1, min_side=1))
def int16_plus_int8(a, b):
    out = np.zeros(a.shape[0], dtype=np.int64)
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i] += a[i, j] + b[0]
    return out


def bool_arrays(ndim, min_side=0, max_side=4):
    """Bool arrays of every layout, some holding bytes other than 0 and 1 (`a.view(bool)`:
    numpy counts any nonzero byte as True)."""
    raw = arrays(np.uint8, ndim, min_side, max_side).map(lambda a: a.view(np.bool_))
    return st.one_of(arrays(np.bool_, ndim, min_side, max_side), raw)


@case(arrays(np.float64, 1), bool_arrays(1))
def bool_mask_sum(x, mask):
    s = 0.0
    for i in range(min(len(x), len(mask))):
        if mask[i]:
            s += x[i]
        mask[i] = not mask[i]
    return s


@case(bool_arrays(2), small_index(), small_index())
def bool_2d_read_and_flip(m, i, j):
    v = m[i, j]
    m[i][j] = not v
    return v


@case(bool_arrays(1), floats())
def bool_new_and_iterate(mask, t):
    out = np.zeros(len(mask), dtype=bool)
    flipped = np.empty_like(mask)
    k = 0
    n = 0
    for v in mask:
        out[k] = bool(v) and t > 0.0
        flipped[k] = not v
        if v:
            n += 1
        k += 1
    for i, (a, b) in enumerate(zip(mask, out)):
        if a:
            if not b:
                n += 100
        if flipped[i]:
            out[i] = not b
    return out


@case(bool_arrays(2))
def bool_new_2d(m):
    out = np.zeros((m.shape[0], m.shape[1]), dtype=np.bool_)
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            out[i, j] = m[i, j]
    return out


@case(arrays(np.uint16, 1, min_side=1), arrays(np.uint32, 1, min_side=1), arrays(np.int64, 1, min_side=1))
def mixed_unsigned(a, b, c):
    c[0] = a[0]
    return a[0] * b[0] + c[-1]


# ---- numpy scalar arguments of every type (exactly that numpy type)


@case(floats().map(np.float64), st.integers(-(2**63), 2**63 - 1).map(np.int64), floats(), op(4))
def numpy64_scalar_args(a, n, t, k):
    if k == 0:
        return a * t + n
    elif k == 1:
        return a - n * 2
    elif k == 2:
        return a / 3
    return n + a


@case(st.integers(-128, 127).map(np.int8), st.integers(0, 2**32 - 1).map(np.uint32), st.integers(-300, 300))
def narrow_scalar_args(a, b, v):
    return a * 1 + b - v


# ---- numpy's element-wise functions on scalars (bit for bit: same_value compares exactly)


@case(floats(), op(4))
def np_float_functions(x, k):
    if k == 0:
        return np.sqrt(x)
    elif k == 1:
        return np.abs(x)
    elif k == 2:
        return np.floor(x) + np.ceil(-x)
    return np.sqrt(2) * np.pi + np.e - np.inf * 0.0 + np.nan * x


# exp/log/sin/cos translate only where numpy uses the C library's (not its own AVX-512 code);
# elsewhere they stay Python (test_numpy_own_float64_math_keeps_exp_in_python checks why)
@case(floats(), op(4), native=not OWN_FLOAT64_MATH)
def np_transcendental_functions(x, k):
    if k == 0:
        return np.exp(x)
    elif k == 1:
        return np.log(x)
    elif k == 2:
        return np.sin(x)
    return np.cos(x)


@case(arrays(np.float64, 1))
def np_functions_in_a_loop(x):
    out = np.zeros(len(x))
    for i in range(len(x)):
        out[i] = np.sqrt(np.abs(x[i])) + np.floor(x[i] * 0.5)
    return out


@case(arrays(np.float64, 1), op(2), native=not OWN_FLOAT64_MATH)
def np_transcendentals_in_a_loop(x, k):
    out = np.zeros(len(x))
    for i in range(len(x)):
        if k == 0:
            out[i] = np.exp(np.minimum(x[i], 700.0)) - np.log(np.maximum(np.abs(x[i]), 1e-300))
        else:
            out[i] = np.sin(np.clip(x[i], -1e6, 1e6)) * np.cos(x[i] if np.isfinite(x[i]) else x[i] * 0.0)
    return out


@case(floats(), st.one_of(floats(), st.integers(-(2**53), 2**53).map(float)), op(4))
def np_min_max_clip_float(a, b, k):
    if k == 0:
        return np.maximum(a, b)
    elif k == 1:
        return np.minimum(a, b)
    elif k == 2:
        return np.clip(a, b, 1)
    return np.clip(a, -1.0, b)


@case(st.integers(-(2**63), 2**63 - 1), st.integers(-(2**63), 2**63 - 1), floats(), op(6))
def np_min_max_int_and_mixed(a, b, f, k):
    if k == 0:
        return np.maximum(a, b)
    elif k == 1:
        return np.minimum(a, b) * 1
    elif k == 2:
        return np.clip(a, b, 100)
    elif k == 3:
        return np.maximum(a, b) - np.minimum(b, 3)
    elif k == 4:
        return np.abs(a)
    return np.floor(a) + np.ceil(b)


@case(arrays(np.float32, 1, min_side=1), floats(), op(6))
def np_functions_float32(x, t, k):
    v = x[0]
    if k == 0:
        return np.sqrt(v)
    elif k == 1:
        return np.abs(v) + np.floor(v) - np.ceil(v)
    elif k == 2:
        return np.maximum(v, t)
    elif k == 3:
        return np.minimum(v, x[-1])
    elif k == 4:
        return np.clip(v, -1.5, t)
    return np.maximum(v, 2)


@case(arrays(np.int8, 1, min_side=1), arrays(np.int32, 1, min_side=1), st.integers(-(2**40), 2**40), op(5))
def np_functions_narrow_ints(a, b, n, k):
    if k == 0:
        return np.abs(a[0]) + b[0] * 0
    elif k == 1:
        return np.minimum(b[0], n)
    elif k == 2:
        return np.clip(b[0], -5, 5)
    elif k == 3:
        return np.floor(b[-1]) + np.abs(b[0])
    return np.maximum(a[0], b[0])


@case(arrays(np.int8, 1, min_side=1), arrays(np.uint64, 1, min_side=1), op(3))
def np_sqrt_of_ints(a, u, k):
    if k == 0:
        return np.sqrt(u[0])
    elif k == 1:
        return np.sqrt(u[-1] % 7) + np.sqrt(a[0] * 0 + 4.0)
    return np.abs(u[0]) * 1.0


# ---- uint64: numpy's rules (uint64 with int64 gives float64; NEP 50 with Python ints)


@case(arrays(np.uint64, 1, min_side=1), st.integers(-5, 2**62), op(6))
def uint64_arith(u, n, k):
    a = u[0]
    if k == 0:
        return a + u[-1]
    elif k == 1:
        return a - u[-1]
    elif k == 2:
        return a * 3 + n
    elif k == 3:
        return a // u[-1] + a % u[-1]
    elif k == 4:
        return ~a
    return a - n


@case(arrays(np.uint64, 1, min_side=1), arrays(np.int64, 1, min_side=1), arrays(np.uint8, 1, min_side=1), op(3))
def uint64_mixed_gives_float64(u, s, b, k):
    if k == 0:
        return u[0] + s[0]
    elif k == 1:
        return u[0] / u[-1]
    return (u[0] + b[0]) * 0.5


@case(arrays(np.uint64, 1, min_side=1), arrays(np.int64, 1, min_side=1), st.integers(-3, 3), op(4))
def uint64_compare_index_store(u, s, n, k):
    if k == 0:
        return u[0] > s[0]
    elif k == 1:
        return u[0] == s[-1] or u[-1] < n
    elif k == 2:
        u[0] = n
        return u[-1] >= u[0]
    return s[u[-1] % len(s)] > 0


@case(st.integers(0, 2**64 - 1).map(np.uint64), st.integers(0, 5))
def uint64_scalar_new_array(v, n):
    out = np.zeros(n, dtype=np.uint64)
    for i in range(n):
        out[i] = v // (i + 1)
    return out


@case(floats(), st.integers(-5, 5), arrays(np.float32, 1, min_side=1), op(4))
def np_tests(x, n, f, k):
    if k == 0:
        return np.isnan(x)
    elif k == 1:
        return np.isinf(x)
    elif k == 2:
        return np.isfinite(n)
    return np.isnan(f[0]) or np.isinf(f[-1])


# ---- new arrays: ones, full, *_like, arange (every dtype; numpy's errors)


@case(st.integers(-2, 5), st.integers(-300, 300), op(2))
def new_ones_and_full_uint8(n, v, k):
    if k == 0:
        return np.ones(n, dtype=np.uint8)
    return np.full(n, v, dtype=np.uint8)


@case(st.integers(-2, 5), st.integers(-(2**17), 2**17))
def new_full_int16_2d(n, v):
    return np.full((n, 2), v, dtype=np.int16)


@case(st.integers(-2, 5))
def new_ones_uint64_3d(n):
    return np.ones((2, n, 1), dtype=np.uint64)


@case(st.integers(-2, 5), floats(), op(2))
def new_ones_and_full_float(n, v, k):
    if k == 0:
        return np.ones(n)
    return np.full(n, v)


@case(st.integers(-2, 5), floats())
def new_full_float32_2d(n, v):
    return np.full((2, n), v, dtype=np.float32)


@case(st.integers(-2, 5), ints())
def new_full_int_value(n, v):
    return np.full(n, v)


@case(st.integers(-2, 5), st.booleans())
def new_full_bool(n, b):
    out = np.full((n, 2), b)
    ones = np.ones(n, dtype=bool)
    for i in range(n):
        out[i, 0] = bool(ones[i]) and not b
    return out


@case(arrays(np.float32, 2), floats(), op(2))
def new_like_float32(a, v, k):
    if k == 0:
        return np.ones_like(a)
    return np.full_like(a, v)


@case(arrays(np.int32, 1), st.integers(-(2**40), 2**40))
def new_full_like_int32(b, n):
    return np.full_like(b, n)


@case(st.integers(-5, 20), st.integers(-5, 20), st.one_of(st.integers(-4, 4), st.sampled_from([0, 2**62])), op(4))
def new_arange(a, b, step, k):
    if k == 0:
        return np.arange(a)
    elif k == 1:
        return np.arange(a, b)
    elif k == 2:
        return np.arange(a, b, step)
    out = np.arange(-(2**62), 2**62, 2**61)
    for i in range(len(out)):
        out[i] = out[i] // 2**40 + a
    return out


# ---- a conditional giving a numpy scalar or a Python one (by the branch taken)


@case(arrays(np.float64, 1), bool_arrays(1), op(3))
def masked_mean_or_nan(x, mask, k):
    s = 0.0
    n = 0
    for i in range(min(len(x), len(mask))):
        if mask[i]:
            s += x[i]
            n += 1
    if k == 0:
        return s / n if n else math.nan
    elif k == 1:
        return math.inf if n == 0 else s / n
    return s / n if n > 1 else -0.0


@case(arrays(np.int64, 1, min_side=1), st.integers(-3, 3))
def numpy_or_python_int(a, t):
    return a[0] * 2 if a[-1] > t else t


# ---- loops whose index checks are hoisted before the loop (analysis/bounds.py): an index
# out of range mid-loop raises at the same iteration, after the same stores; negative
# indices wrap; a loop that reassigns its variable keeps every check


@case(arrays(np.float64, 1, max_side=8), arrays(np.float64, 1, max_side=8), st.integers(-10, 10),
      st.integers(-10, 12), st.integers(-3, 3))
def hoisted_shifted_copy_into(a, b, lo, hi, c):
    for i in range(lo, hi):
        b[i] = a[i + c] * 2.0 + b[i - 1]
    return b[0] if len(b) else 0.0


@case(arrays(np.float64, 1, max_side=6), arrays(np.int64, 1, max_side=8, layouts=("C",)), st.integers(-3, 3))
def scatter_add_data_index(counts, idx, c):
    # `a[x] op= v` with x read from data: evaluated and checked once; negative x wraps,
    # an out-of-range x raises IndexError at its iteration, after the earlier stores
    for i in range(len(idx)):
        counts[idx[i] % 9 - c] += 1.5
    return counts[0] if len(counts) else 0.0


@case(arrays(np.int8, 1, min_side=1), arrays(np.int16, 1, min_side=1), arrays(np.uint8, 1, min_side=1),
      st.integers(-130, 130))
def narrow_int_mod(a, b, u, n):
    # `%` of numpy ints of 8 to 32 bits (computed in 32 bits): Python's sign rule, MIN % -1,
    # a zero divisor as numpy (a warning, 0)
    out = np.zeros(len(a) + 1, dtype=np.int64)
    for i in range(len(a)):
        out[i] = a[i] % a[0] + b[i % len(b)] % b[-1] + u[i % len(u)] % u[0]
    if -128 <= n <= 127:
        out[len(a)] = a[0] % n
    return out


@case(arrays(np.float64, 2, max_side=5), st.integers(-3, 3), st.integers(-2, 2), native=UNPACKS_TUPLES)
def hoisted_stencil_2d(a, r, c):
    h, w = a.shape
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(1, w + c):
            out[i, j - 1] = a[i, j] + a[r, j - 1] - a[i - r, 0] + out[i, j - 1]
    return out


@case(arrays(np.uint8, 2, max_side=5), st.integers(-1, 256), native=UNPACKS_TUPLES)
def hoisted_threshold_uint8(img, t):
    h, w = img.shape
    out = np.empty_like(img)
    for i in range(h):
        for j in range(w):
            if img[i, j] > t:
                out[i, j] = 255
            else:
                out[i, j] = 255 - img[i, j]
    return out


@case(arrays(np.float64, 3, max_side=4), st.integers(-4, 4), native=UNPACKS_TUPLES)
def hoisted_depth_sum_3d(vol, k):
    d, h, w = vol.shape
    out = np.zeros((h, w + 1))
    for i in range(h):
        for j in range(w):
            out[i, j] += vol[k, i, j] + vol[-1, i, j]
    return out


@case(arrays(np.float64, 1, max_side=6), st.integers(-3, 3))
def hoisted_loop_variable_rebound(a, k):
    s = 0.0
    for i in range(len(a)):
        i = i + k
        s += a[i]
    return s


@case(arrays(np.float64, 1, max_side=8), arrays(np.float64, 1, max_side=4), st.integers(-3, 3))
def hoisted_convolve_window(x, w, c):
    n = len(x)
    k = len(w)
    s = 0.0
    for i in range(n - k + 1 + c):
        for j in range(k):
            s += x[i + j] * w[k - 1 - j + c] - x[c + i - j]
    return s


@case(arrays(np.int32, 1, max_side=8), st.integers(-3, 9))
def hoisted_histogram_int32(values, nbins):
    counts = np.zeros(max(nbins, 0), dtype=np.int64)
    for i in range(len(values)):
        counts[values[i] % nbins] += 1
    return counts


# a counter the loop adds a constant to at most once per iteration is checked once, before
# the loop, to stay in i64; started near either limit, the check fails and the loop runs with
# every check: the int past 64 bits, the store that cannot take it, as Python has them
NEAR_INT64_LIMITS = st.one_of(st.integers(2**63 - 8, 2**63 - 1), st.integers(-2**63, -2**63 + 8),
                              st.integers(-5, 5))


@case(arrays(np.float64, 1, max_side=12, layouts=("C",)), bool_arrays(1, max_side=12), NEAR_INT64_LIMITS,
      native=UNPACKS_TUPLES)
def counter_near_int64_limit(x, mask, n):
    s = 0.0
    for i in range(min(len(x), len(mask))):
        if mask[i]:
            s += x[i]
            n += 1
    return s, n


@case(arrays(np.int64, 1, max_side=12, layouts=("C",)), NEAR_INT64_LIMITS)
def counter_down_near_int64_limit_stored(out, n):
    # n - 3 past -2**63 mid-loop: the store of it into int64 raises OverflowError after
    # the earlier stores (the harness compares `out` too)
    for i in range(len(out)):
        if out[i] % 2 == 0:
            n -= 3
        out[i] = n
    return n


# a conversion of a loop-invariant Python int to int32 is made once before the loop; one that
# fails (past int32) raises OverflowError at the first element, as numpy does
@case(arrays(np.int32, 1, max_side=8), st.sampled_from([2**31, -2**31 - 1, 2**40, 2**31 - 1, -2**31, 7, -3]))
def hoisted_int32_conversion_fails(values, nbins):
    counts = np.zeros(8, dtype=np.int64)
    for i in range(len(values)):
        counts[values[i] % nbins % 8] += 1
    return counts


def _count_compared(x, t, k):
    n = 0
    for i in range(len(x)):
        if k == 0:
            hit = x[i] < t
        elif k == 1:
            hit = t <= x[i]
        elif k == 2:
            hit = x[i] > t
        elif k == 3:
            hit = t >= x[i]
        elif k == 4:
            hit = x[i] == t
        else:
            hit = t != x[i]
        if hit:
            n += 1
    return n


# a narrow integer element against a Python int: compared in the narrow type when the int
# fits it, decided by the int's sign when it does not
@case(arrays(np.uint8, 1, max_side=6), st.integers(-300, 300), op(6))
def narrow_uint8_compared_with_int(x, t, k):
    return _count_compared(x, t, k)


@case(arrays(np.int8, 1, max_side=6), st.integers(-300, 300), op(6))
def narrow_int8_compared_with_int(x, t, k):
    return _count_compared(x, t, k)


@case(arrays(np.int32, 1, max_side=6), st.one_of(st.integers(-(2**33), 2**33), st.integers(-3, 3)), op(6))
def narrow_int32_compared_with_int(x, t, k):
    return _count_compared(x, t, k)


# ---- numpy's scalar types called as functions: `np.float32(0)`, `np.int8(k)`, ...


@case(arrays(np.float32, 1))
def float32_accumulator_from_constructor(x):
    t = np.float32(0)
    for i in range(x.size):
        t += x[i]
    return t


@case(floats(), st.integers(-(2**53), 2**53))
def numpy_float_constructors(x, k):
    # float32 rounds to nearest (beyond its range: inf and a RuntimeWarning); a Python int
    # into float64 rounds as CPython's int -> float; float32 -> float64 is exact
    return np.float32(x), np.float64(k) + np.float64(x), np.float64(np.float32(x)), np.float32()


@case(st.integers(-70000, 70000))
def numpy_int_constructors(k):
    # an int out of the type's range raises numpy 2's OverflowError
    return np.int8(k), np.uint16(k) + np.int32(k), np.int64()


@case(st.integers(-70000, 2**64), st.booleans())
def numpy_other_int_constructors(k, b):
    # out of the type's range: numpy 2's OverflowError
    return np.int16(k), np.uint8(k), np.uint32(k), np.uint64(k), np.bool(b)


@case(floats(), st.integers(-(2**40), 2**40))
def numpy_complex_constructors(x, k):
    return np.complex64(x) + np.complex128(k)


# ---- `a.dtype` tests: the dtype is part of the signature, so the test is decided when compiling


@case(st.one_of(*(arrays(t, 1, max_side=3) for t in (np.float64, np.float32, np.int32, np.uint8, np.bool_))))
def dtype_comparisons(a):
    if a.dtype == np.float32 or a.dtype == "float64":
        return a.dtype.itemsize * 10
    elif a.dtype.kind == "u":
        return -1
    elif a.dtype != np.int32:
        return -2
    return len(a)


# ---- numpy's float errors: `+ - *` of float64/float32/complex scalars that overflow or give an
# invalid value warn (the harness compares the RuntimeWarnings of both runs)

HUGE = st.one_of(st.sampled_from([1e308, -1e308, 1e200, 3e38, -3e38, np.inf, -np.inf, np.nan, 0.0, -0.0]),
                 st.floats(-1e6, 1e6))


@case(hnp.arrays(np.float64, st.integers(0, 5), elements=HUGE), hnp.arrays(np.float64, 5, elements=HUGE))
def float64_products_and_sums_warn(a, b):
    s = 0.0
    d = 0.0
    for i in range(len(a)):
        s += a[i] * b[i]
        d = d - (a[i] + b[i])
    return s, d, sum(a[i] * 2.0 for i in range(len(a)))


def _as_float32(v: float) -> float:
    with np.errstate(over="ignore"):
        return float(np.float32(v))


@case(hnp.arrays(np.float32, st.integers(0, 5), elements=HUGE.map(_as_float32)), floats())
def float32_scaled_sum_warns(a, x):
    s = np.float32(0.0)
    for i in range(len(a)):
        s = s + a[i] * np.float32(2.0) - a[i]
    return s


@case(hnp.arrays(np.complex128, st.integers(0, 4), elements=st.builds(complex, HUGE, HUGE)))
def complex128_products_warn(z):
    p = np.complex128(1.0)
    t = np.complex128(0.0)
    for i in range(len(z)):
        p = p * z[i]
        t = t + z[i] - p
    return p, t


@case(hnp.arrays(np.float64, 4, elements=HUGE), hnp.arrays(np.float64, 4, elements=HUGE))
def float64_in_place_products_warn(a, b):
    for i in range(4):
        a[i] = a[i] * b[i]
    return a[0]


@case(hnp.arrays(np.float64, 3, elements=HUGE), st.integers(0, 40))
def float64_while_growth_warns(a, n):
    x = a[0]
    k = 0
    while k < n:
        x = x * a[1] + a[2]
        k += 1
    return x


# ---- lists of numpy.float64 results: each item a numpy.float64 exactly as numpy makes one
# (boundary.rs.j2 `new_np_float64`): its type, value, sign of zero and NaN; beside Python floats,
# ints, None and lists in the same list


F64_ITEMS = hnp.arrays(np.float64, st.integers(0, 12), elements=FLOAT_VALUES)


@case(F64_ITEMS)
def np_float64_list_stores(x):
    out = [0.0] * len(x)
    for i in range(len(x)):
        out[i] = x[i] * 1.0
    return out


@case(F64_ITEMS)
def np_float64_list_appends(x):
    out = []
    for v in x:
        out.append(-v)
    return out


@case(F64_ITEMS, st.integers(0, 3))
def np_float64_list_among_floats(x, k):
    # the first items become numpy.float64, the rest stay the Python float 0.0; read back as
    # numpy.float64 where a store made one
    out = [0.0] * (len(x) + k)
    for i in range(len(x)):
        out[i] = x[i]
    if len(x) > 1:
        out[0] = out[1] + out[len(x) - 1]
    return out


@case(F64_ITEMS)
def np_float64_items_in_nested_lists(x):
    rows = []
    for i in range(len(x)):
        rows.append([x[i], x[i] / 2.0])
    return rows


@case(F64_ITEMS)
def np_float64_scalar_result(x):
    s = np.float64(0.0)
    for v in x:
        s = s * 0.5 + v
    return s


@pytest.mark.parametrize("c", cases_from(__name__), ids=lambda c: c.name)
def test_native_matches_python(c):
    check_native_matches_python(c)


# ---- strided views (`x[::k]`): the harness deep-copies its arguments (a contiguous copy),
# so these are compared here on the views themselves, writes included.


def _strided_sum_and_scale(x):
    s = 0.0
    for i in range(len(x)):
        s += x[i] * (i % 7)
        x[i] = x[i] * 0.5
    return s


def _strided_2d_colsum(a):
    out = np.zeros(a.shape[1])
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[j] += a[i, j]
    return out


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, st.integers(0, 30), elements=FLOAT_VALUES), st.sampled_from([2, 3, -1, -2]),
       hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.floats(-1e3, 1e3)),
       st.sampled_from([(slice(None, None, 2), slice(None)), (slice(None), slice(None, None, -1)),
                        (slice(1, None, 3), slice(None, None, 2))]))
def test_strided_views_match_python(base, step, grid, window):
    fast1 = accelerated_strided(_strided_sum_and_scale)
    fast2 = accelerated_strided(_strided_2d_colsum)
    for func, fast, make in ((_strided_sum_and_scale, fast1, lambda: base.copy()[::step]),
                             (_strided_2d_colsum, fast2, lambda: grid.copy()[window])):
        expected_arg, got_arg = make(), make()
        assert not got_arg.flags.c_contiguous or got_arg.size <= 1 or func is _strided_2d_colsum
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = func(expected_arg)
            got = fast(got_arg)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))
        assert type(got) is type(expected)
        np.testing.assert_array_equal(got_arg, expected_arg)


_STRIDED: dict = {}


def accelerated_strided(func):
    if func not in _STRIDED:
        _STRIDED[func] = rustify.accelerate(func, eager=True)
    return _STRIDED[func]


def test_strided_view_runs_native():
    fast = accelerated_strided(_strided_sum_and_scale)
    fast(np.arange(30.0)[::3])
    fast.wait()
    fast(np.arange(30.0)[::3])
    assert fast.rustify.last_call == "native", fast.rustify.explain()


def _shift_right(src, dst):
    for i in range(1, len(dst)):
        dst[i] = src[i - 1] + dst[i]


def _scaled_copy_sum(x, y):
    s = 0.0
    for i in range(len(x)):
        y[i] = x[i] * 2.0
        s += x[i]
    return s


def test_fast_loop_proves_counter_and_hoists_conversion():
    # the fast copy of the loop adds to the counter unchecked and converts nbins once;
    # the values are checked by the differential cases above
    x, mask = np.arange(6.0), np.arange(6) % 2 == 0
    f = rustify.accelerate(counter_near_int64_limit, eager=True)
    assert f(x, mask, 0) == counter_near_int64_limit(x, mask, 0)
    assert sum(f.rustify.native_calls.values()) >= 1
    assert ".wrapping_add(1i64)" in f.rustify.rust_source()
    values = np.arange(-5, 20, dtype=np.int32)
    g = rustify.accelerate(hoisted_int32_conversion_fails, eager=True)
    assert (g(values, 7) == hoisted_int32_conversion_fails(values, 7)).all()
    assert sum(g.rustify.native_calls.values()) >= 1
    assert "hoisted_0_ok" in g.rustify.rust_source()


def test_hoisted_loops_see_writes_through_an_aliased_argument():
    """Two arguments that are views of one buffer: a write through one is seen through the
    other (the call runs as Python does), whatever the loop's checks were hoisted to."""
    fast = accelerated_strided(_shift_right)
    for make in (lambda buf: (buf, buf), lambda buf: (buf[:-1], buf[1:]), lambda buf: (buf[1:], buf[:-1]),
                 lambda buf: (buf[::2], buf[::2]), lambda buf: (buf[1::2], buf[::2])):
        want, got = np.arange(9.0), np.arange(9.0)
        _shift_right(*make(want))
        fast(*make(got))
        np.testing.assert_array_equal(got, want)
    a, b = np.arange(5.0), np.zeros(5)
    fast(a, b)
    fast(a, b)
    assert fast.rustify.last_call == "native", fast.rustify.explain()
    np.testing.assert_array_equal(b, [0.0, 0.0, 2.0, 4.0, 6.0])  # two calls, each adding a shifted copy


@pytest.mark.parametrize("xstep, ystep, ylen", [(2, 3, None), (-1, 2, None), (3, -2, None), (2, 1, -2)])
def test_hoisted_loops_on_strided_views(xstep, ystep, ylen):
    """Strided views through a loop with hoisted checks: the same values, and a `y` too short
    raises IndexError after the same stores."""
    fast = accelerated_strided(_scaled_copy_sum)
    for n in (0, 1, 7, 40):
        results = []
        for func in (_scaled_copy_sum, fast):
            x = np.linspace(-3.0, 5.0, 3 * n + 3)[::xstep][:n]
            y = np.zeros(3 * (n + 3))[::ystep][:n if ylen is None else max(n + ylen, 0)]
            try:
                results.append(("ok", func(x, y), y.copy()))
            except IndexError:
                results.append(("IndexError", None, y.copy()))
        (k1, v1, y1), (k2, v2, y2) = results
        assert k1 == k2 and v1 == v2
        np.testing.assert_array_equal(y1, y2)
    assert fast.rustify.last_call == "native" or ylen is not None, fast.rustify.explain()


def test_np_float64_list_items_are_numpys_own_and_freed():
    """A list of numpy.float64 results: each item exactly a numpy.float64 with Python's bits
    (-0.0, NaN, infinities, a subnormal), held only by its list; the items a store replaced are
    released, and a call leaves nothing behind once its list is gone."""
    import gc
    import struct
    import sys
    import tracemalloc

    stores = accelerated(next(c for c in cases_from(__name__) if c.name == "np_float64_list_stores"))
    among = accelerated(next(c for c in cases_from(__name__) if c.name == "np_float64_list_among_floats"))
    x = np.array([-0.0, np.nan, np.inf, -np.inf, 5e-324, 1.5, -2.5e300] * 40)
    got = stores(x)
    assert stores.rustify.last_call == "native", stores.rustify.explain()
    want = np_float64_list_stores(x)
    assert same_value(want, got)
    assert all(type(v) is np.float64 for v in got)
    assert [struct.pack("<d", v) for v in got] == [struct.pack("<d", v) for v in want]
    assert [hash(v) for v in got if v == v] == [hash(v) for v in want if v == v]  # a NaN's hash is its id
    assert all(sys.getrefcount(got[i]) == 2 for i in range(len(got)))  # the list's and the argument's

    mixed = among(np.array([-0.0, 1.5, 5e-324]), 2)
    assert among.rustify.last_call == "native", among.rustify.explain()
    assert [type(v) for v in mixed] == [np.float64] * 3 + [float] * 2
    # the two 0.0 items left are one fresh float the list holds twice: the three replaced
    # references to it were given back
    held = sys.getrefcount(mixed[-1]) - 1  # (outside the assert: pytest's rewrite holds its operands)
    assert held == 2

    gc.collect()
    tracemalloc.start()
    try:
        stores(x)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(200):
            stores(x)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 20_000, f"{grown} bytes more after 200 calls of {len(x)} items"  # a leak: ~1.8 MB


def _sum_skip_and_find(x, t):
    total = 0.0
    for v in x:
        if v < -9.0:
            continue
        if v > t:
            return -total
        total += v * 0.5
    return total


@pytest.mark.parametrize("n", [0, 1, 16383, 16384, 16385, 40000])
def test_array_loop_in_chunks_matches_python(n):
    """`for v in arr` innermost runs in chunks of LOOP_CHUNK (16384) steps, one signal tick per
    chunk (expr.rs.j2): every length around a chunk's, with `continue` and an early `return`
    inside, gives Python's bits (the sum's order is Python's); the loop ticks per chunk."""
    from rustify.analysis import analyse
    from rustify.analysis.source import load_source
    from rustify.codegen.renderer import render_crate

    fast = rustify.accelerate(_sum_skip_and_find, eager=True)
    x = np.random.default_rng(n).uniform(-10.0, 10.0, n)
    ran = []
    for t in (11.0, 9.99, 0.0):
        want = _sum_skip_and_find(x, t)
        got = fast(x, t)
        ran.append(fast.rustify.last_call)
        assert same_value(want, got), (t, want, got)
    # (a sum still at its initial 0.0 when returned re-runs in Python: float or numpy.float64)
    assert n == 0 or ran[0] == "native", fast.rustify.explain()
    source = render_crate(analyse(_sum_skip_and_find, ("ndarray[float64, 1, C]", "float"),
                                  load_source(_sum_skip_and_find)), "rustify_chunk_check").files["src/lib.rs"]
    kernel = source[source.index("fn kernel"):]
    assert "signal_poll.tick_many(" in kernel and "signal_poll.tick()" not in kernel


def test_array_kinds_keep_apart():
    """Each layout, dtype and ndim is its own signature kind."""
    from rustify.runtime.signature import kind_of

    a = np.zeros((3, 4))
    kinds = {kind_of(a), kind_of(a.T), kind_of(a[:, ::2]), kind_of(a.astype(np.float32)),
             kind_of(a[0]), kind_of(a[:, 0]), kind_of(a.astype(np.uint8))}
    assert kinds == {"ndarray[float64, 2, C]", "ndarray[float64, 2, A]", "ndarray[float32, 2, C]",
                     "ndarray[float64, 1, C]", "ndarray[float64, 1, A]", "ndarray[uint8, 2, C]"}
    assert ir.parse_kind("ndarray[float16, 1, C]") is None
    assert ir.parse_kind("ndarray[float64, 5, C]") is None


# ---- read-only array arguments: a function that may write raises only if it does write


def _write_at(a, k):
    s = 0.0
    for i in range(len(a)):
        s += a[i]
        if i == k:
            a[i] = -1.0
    return s


@pytest.mark.parametrize("validate", [0, 3])
def test_read_only_array_raises_only_when_written(validate):
    fast = rustify.accelerate(_write_at, eager=True, validate=validate)
    for k in (-1, 2, -1, 7, 0, -1):
        expected, got = np.arange(6.0), np.arange(6.0)
        expected.flags.writeable = got.flags.writeable = False
        want = pytest.raises(ValueError) if 0 <= k < 6 else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rustify.RustifyWarning)
            if want is None:
                assert same_value(fast(got, k), _write_at(expected, k))
            else:
                with pytest.raises(ValueError):
                    _write_at(expected, k)
                with pytest.raises(ValueError, match="read-only"):
                    fast(got, k)
        np.testing.assert_array_equal(got, expected)
        assert not got.flags.writeable
    writable = np.arange(6.0)
    fast(writable, 1)
    fast(writable, 1)
    assert fast.rustify.last_call == "native", fast.rustify.explain()
    assert writable[1] == -1.0


# ---- exp/log/sin/cos only where numpy calls the C library (not its own AVX-512 code)


def _exp_of(x):
    return np.exp(x) + np.log(x)


def test_numpy_own_float64_math_keeps_exp_in_python(monkeypatch):
    from rustify.analysis import intrinsics_numpy, source

    src = source.load_source(_exp_of)
    monkeypatch.setattr(intrinsics_numpy, "numpy_uses_own_float64_math", lambda: False)
    key = source.source_fingerprint(_exp_of, src)
    monkeypatch.setattr(intrinsics_numpy, "numpy_uses_own_float64_math", lambda: True)
    assert source.source_fingerprint(_exp_of, src) != key  # the cache key records the machine's case
    fast = rustify.accelerate(_exp_of, eager=True)
    assert fast(2.0) == _exp_of(2.0)
    assert fast.rustify.last_call == "python"
    assert "AVX-512" in fast.rustify.explain()


# ---- float64 -> float32 where numpy warns ("overflow encountered in cast")


def _scale_into_float32(a, x):
    for i in range(a.shape[0]):
        a[i] = x * a[i]
    return np.float32(x)


@pytest.mark.parametrize("action", ["always", "error"])
def test_float32_cast_overflow_warns_as_numpy(action):
    """A finite float64 beyond float32's range warns at each conversion as numpy does, and
    a warnings filter of "error" stops the call at the same element."""
    fast = rustify.accelerate(_scale_into_float32, eager=True)
    for x in (2.0, 1e300, -1e300, np.inf):
        outcomes = []
        for f in (_scale_into_float32, fast):
            a = np.ones(4, np.float32)
            with warnings.catch_warnings(record=True) as seen:
                warnings.simplefilter("ignore", rustify.RustifyWarning)
                warnings.simplefilter(action, RuntimeWarning)
                try:
                    r = ("ok", f(a, x))
                except RuntimeWarning as e:
                    r = ("raised", str(e))
            outcomes.append((r, a.tolist(), [(w.category, str(w.message)) for w in seen
                                             if w.category is RuntimeWarning]))
            if f is fast:
                assert fast.rustify.last_call == "native", fast.rustify.explain()
        assert repr(outcomes[0]) == repr(outcomes[1])


# ---- numpy's float errors under np.errstate and warning filters: the call re-runs in Python,
# so numpy reports them, and a call numpy stops leaves the caller's arrays as Python does


def _scale_in_place(a, b):
    for i in range(a.shape[0]):
        a[i] = a[i] * b[i] + 1.0
    return a[0]


def _scaled_into_list(a, out):
    t = 0.0
    for i in range(a.shape[0]):
        t = t + a[i] * 1e300
        out[i] = 1.0
    return t


def _errors_outcome(f, args, errstate: str, action: str):
    with warnings.catch_warnings(record=True) as seen, np.errstate(over=errstate, invalid=errstate):
        warnings.simplefilter("ignore", rustify.RustifyWarning)
        warnings.simplefilter(action, RuntimeWarning)
        try:
            r = ("ok", f(*args))
        except (RuntimeWarning, FloatingPointError) as e:
            r = ("raised", type(e).__name__, str(e))
    return repr((r, [a.tolist() if isinstance(a, np.ndarray) else list(a) for a in args],
                 sorted({str(w.message) for w in seen if issubclass(w.category, RuntimeWarning)})))


@pytest.mark.parametrize("errstate, action", [("warn", "always"), ("warn", "error"), ("raise", "always"),
                                              ("ignore", "always")])
def test_float_errors_follow_numpy_error_state(errstate, action):
    """An overflow at the second element: warned, raised (FloatingPointError, or the warning
    as an error) before that element is stored, or ignored, as numpy does it in Python."""
    kernels = [(f, rustify.accelerate(f, eager=True)) for f in (_scale_in_place, _scaled_into_list)]
    for b1 in (2.0, 1e300, np.inf):
        for slow, fast in kernels:
            def args():
                second = [2.0, b1, 0.0] if slow is _scale_in_place else [1.0, 2.0, 3.0]
                return (np.array([1.0, 1e10 if slow is _scale_in_place else b1, np.inf]),
                        np.array(second) if slow is _scale_in_place else [0.0, 0.0, 0.0])
            expected = _errors_outcome(slow, args(), errstate, action)
            assert _errors_outcome(fast, args(), errstate, action) == expected, (slow.__name__, b1)
            assert fast.rustify.native_calls, fast.rustify.explain()


def test_float_error_reruns_in_python_and_warns_there():
    """An overflow in a native call: the call re-runs in Python, so numpy's own warning names
    the function's line; the next call without one runs native again."""
    fast = rustify.accelerate(_scale_in_place, eager=True)
    fast(np.ones(2), np.ones(2))
    assert fast.rustify.last_call == "native", fast.rustify.explain()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", RuntimeWarning)
        warnings.simplefilter("ignore", rustify.RustifyWarning)
        a = np.array([1e300, 2.0])
        fast(a, np.array([1e300, 3.0]))
    assert a.tolist() == [np.inf, 7.0]
    assert fast.rustify.last_call == "python"
    line = _scale_in_place.__code__.co_firstlineno + 2
    assert [(w.category, str(w.message), w.filename, w.lineno) for w in seen] == [
        (RuntimeWarning, "overflow encountered in scalar multiply", __file__, line)]
    fast(np.ones(2), np.ones(2))
    assert fast.rustify.last_call == "native", fast.rustify.explain()
