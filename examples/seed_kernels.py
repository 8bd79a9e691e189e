"""The seed kernels: the first yardstick rustify is held to.

Eleven numeric kernels written as plain Python loops, as a user would write
them; each works on lists and on 1-D numpy arrays alike. `KERNELS` maps a name
to the function and a maker of its arguments, used by the tests, the
benchmarks and the examples. (The two string kernels of the original table,
count_pairs and bpe_encode, need dicts and strings, which rustify does not
translate yet.)
"""

from __future__ import annotations

import math
import random
from typing import Callable, NamedTuple


def euclidean(p1, p2):
    total = 0.0
    for i in range(len(p1)):
        diff = p1[i] - p2[i]
        total += diff * diff
    return total ** 0.5


def dot_product(a, b):
    total = 0.0
    for i in range(len(a)):
        total += a[i] * b[i]
    return total


def normalize_pixels(pixels):
    out = [0.0] * len(pixels)
    for i in range(len(pixels)):
        out[i] = pixels[i] / 255.0
    return out


def running_mean(xs, window):
    out = []
    for i in range(len(xs) - window + 1):
        s = 0.0
        for j in range(i, i + window):
            s += xs[j]
        out.append(s / window)
    return out


def standard_scale(xs):
    n = len(xs)
    mean = 0.0
    for x in xs:
        mean += x
    mean /= n
    var = 0.0
    for x in xs:
        d = x - mean
        var += d * d
    std = math.sqrt(var / n)
    out = [0.0] * n
    for i in range(n):
        out[i] = (xs[i] - mean) / std
    return out


def min_max_scale(xs):
    lo = xs[0]
    hi = xs[0]
    for x in xs:
        if x < lo:
            lo = x
        if x > hi:
            hi = x
    span = hi - lo
    out = [0.0] * len(xs)
    for i in range(len(xs)):
        out[i] = (xs[i] - lo) / span
    return out


def l2_normalize(xs):
    total = 0.0
    for x in xs:
        total += x * x
    norm = math.sqrt(total)
    out = [0.0] * len(xs)
    for i in range(len(xs)):
        out[i] = xs[i] / norm
    return out


def convolve1d(signal, kernel):
    n = len(signal)
    k = len(kernel)
    out = [0.0] * (n - k + 1)
    for i in range(n - k + 1):
        acc = 0.0
        for j in range(k):
            acc += signal[i + j] * kernel[k - 1 - j]
        out[i] = acc
    return out


def moving_average(xs, window):
    out = [0.0] * (len(xs) - window + 1)
    for i in range(len(out)):
        s = 0.0
        for j in range(window):
            s += xs[i + j]
        out[i] = s / window
    return out


def diff(xs):
    out = [0.0] * (len(xs) - 1)
    for i in range(len(xs) - 1):
        out[i] = xs[i + 1] - xs[i]
    return out


def cumsum(xs):
    out = [0.0] * len(xs)
    acc = 0.0
    for i in range(len(xs)):
        acc += xs[i]
        out[i] = acc
    return out


class Kernel(NamedTuple):
    func: Callable
    make_args: Callable  # (n, as_numpy, seed) -> tuple of arguments
    size: int  # the seed table's size for this kernel


def _vec(n: int, as_numpy: bool, rng: random.Random, lo=-10.0, hi=10.0):
    values = [rng.uniform(lo, hi) for _ in range(n)]
    if as_numpy:
        import numpy as np

        return np.array(values, dtype=np.float64)
    return values


def _one(n, as_numpy, seed=0, lo=-10.0, hi=10.0):
    return (_vec(n, as_numpy, random.Random(seed), lo, hi),)


def _two(n, as_numpy, seed=0):
    rng = random.Random(seed)
    return (_vec(n, as_numpy, rng), _vec(n, as_numpy, rng))


def _windowed(window):
    return lambda n, as_numpy, seed=0: (_vec(n, as_numpy, random.Random(seed)), window)


def _conv(n, as_numpy, seed=0):
    rng = random.Random(seed)
    return (_vec(n, as_numpy, rng), _vec(5, as_numpy, rng))


KERNELS: dict[str, Kernel] = {
    "euclidean": Kernel(euclidean, _two, 1000),
    "dot_product": Kernel(dot_product, _two, 1000),
    "normalize_pixels": Kernel(normalize_pixels, lambda n, as_numpy, seed=0: _one(n, as_numpy, seed, 0.0, 255.0), 1000),
    "running_mean": Kernel(running_mean, _windowed(10), 500),
    "standard_scale": Kernel(standard_scale, _one, 1000),
    "min_max_scale": Kernel(min_max_scale, _one, 1000),
    "l2_normalize": Kernel(l2_normalize, _one, 1000),
    "convolve1d": Kernel(convolve1d, _conv, 1000),
    "moving_average": Kernel(moving_average, _windowed(10), 1000),
    "diff": Kernel(diff, _one, 1000),
    "cumsum": Kernel(cumsum, _one, 1000),
}
