"""The seed demo: a slow pure-Python distance function made fast by rustify.

Run it with `make demo` (or `python examples/euclidean.py` inside the venv).
"""

import random
import timeit

from seed_kernels import euclidean  # a plain loop: total += diff * diff; return total ** 0.5

import rustify


def best_of(func, *args, repeat=7):
    """Best per-call time in seconds (timeit, best of `repeat` runs)."""
    timer = timeit.Timer(lambda: func(*args))
    number, _ = timer.autorange()
    return min(timer.repeat(repeat, number)) / number


def main():
    rng = random.Random(0)
    p1 = [rng.uniform(-1, 1) for _ in range(1000)]
    p2 = [rng.uniform(-1, 1) for _ in range(1000)]

    python_time = best_of(euclidean, p1, p2)
    fast = rustify.accelerate(euclidean, eager=True)

    started = timeit.default_timer()
    result = fast(p1, p2)  # first call: translate, build (or load from cache), run native
    first_call = timeit.default_timer() - started
    assert result == euclidean(p1, p2), "native result differs from Python"
    native_time = best_of(fast, p1, p2)

    print(fast.rustify.explain())
    print(f"result            {result!r} (same as Python)")
    print(f"first call        {first_call:.2f} s (compile, or cache hit)")
    print(f"python            {python_time * 1e6:8.1f} us per call")
    print(f"rustify           {native_time * 1e6:8.1f} us per call  (last call ran {fast.rustify.last_call})")
    print(f"speedup           {python_time / native_time:8.1f}x")


if __name__ == "__main__":
    main()
