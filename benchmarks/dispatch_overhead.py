"""Per-call cost of the `@rustify.accelerate` wrapper, in ns, against bare calls.

    .venv/bin/python benchmarks/dispatch_overhead.py

- profiling: the wrapper while it counts calls and samples their time (the
  function still runs Python), against calling the Python function directly;
- after the swap: the wrapper dispatching to native code, against calling the
  native entry point directly (what the wrapper adds) and against bare Python.

Each figure is the best of several timeit repeats (this machine is shared).
"""

from __future__ import annotations

import timeit

import rustify


def add(a, b):
    return a * 0.5 + b


def dot(a, b):
    s = 0.0
    for i in range(len(a)):
        s += a[i] * b[i]
    return s


def per_call_ns(call, number=200_000, repeat=7) -> float:
    return min(timeit.repeat(call, number=number, repeat=repeat)) / number * 1e9


def main() -> None:
    profiling = rustify.accelerate(add, mode="profile", threshold_ms=1e12)  # never hot
    native = rustify.accelerate(add, eager=True)
    native(1.0, 2.0)
    assert native.rustify.last_call == "native"
    entry = native._native[("float", "float")]

    rows = [
        ("bare Python call add(1.0, 2.0)", per_call_ns(lambda: add(1.0, 2.0))),
        ("wrapper while profiling (runs Python)", per_call_ns(lambda: profiling(1.0, 2.0))),
        ("native entry called directly", per_call_ns(lambda: entry(1.0, 2.0))),
        ("wrapper after the swap (runs native)", per_call_ns(lambda: native(1.0, 2.0))),
    ]
    base = rows[0][1]
    print(f"{'call':42} {'ns/call':>9} {'vs bare Python':>15}")
    for name, ns in rows:
        print(f"{name:42} {ns:9.0f} {ns - base:+14.0f}")
    print(f"\nprofiling wrapper adds {rows[1][1] - rows[0][1]:.0f} ns per call; "
          f"after the swap the wrapper adds {rows[3][1] - rows[2][1]:.0f} ns over the native entry")

    xs = [float(i) for i in range(1000)]
    fast_dot = rustify.accelerate(dot, eager=True)
    fast_dot(xs, xs)
    py = per_call_ns(lambda: dot(xs, xs), number=2000)
    nat = per_call_ns(lambda: fast_dot(xs, xs), number=2000)
    print(f"\ndot over two 1000-float lists: Python {py:.0f} ns, rustify {nat:.0f} ns, {py / nat:.1f}x")


if __name__ == "__main__":
    main()
