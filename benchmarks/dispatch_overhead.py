"""Per-call cost of rustify's dispatch, side by side with Numba's dispatcher, in one run.

    .venv/bin/python benchmarks/dispatch_overhead.py [--python-dispatch]

Rows (a trivial two-float function unless said otherwise; best of several timeit
repeats, because the machine is shared; the targets are ratios, so compare rows of
one run, never figures of different runs):

- bare: the plain Python function; numba: `numba.njit` of it (skipped without numba);
- native: `rustify.accelerate(eager=True)` after the swap, positionally and with keywords;
- profiling: profile mode, nothing native yet: every call counted, one in 16 timed;
- stays Python (held wrapper): a function that never translates, called through the
  wrapper a caller kept, in eager mode, after its verdict;
- stays Python (unwrapped): the same, called through its module, where the original is back;
- euclidean / dot_product at n=1000 on float64 arrays: rustify against Numba.

`--python-dispatch` measures the Python call path (`RUSTIFY_NATIVE_DISPATCH=0`) for comparison.
The native dispatcher is built first if the cache does not hold it yet.
"""

from __future__ import annotations

import os
import sys
import tempfile
import textwrap
import timeit
import warnings

if "--python-dispatch" in sys.argv:
    os.environ["RUSTIFY_NATIVE_DISPATCH"] = "0"

import rustify  # noqa: E402

warnings.simplefilter("ignore", rustify.RustifyWarning)

MODULE = '''
def add(a, b):
    return a * 0.5 + b


def keep(a, b):
    def half(v):  # a nested def: stays Python for every signature
        return v * 0.5
    return half(a) + b
'''


def per_call_ns(call, number=200_000, repeat=7) -> float:
    return min(timeit.repeat(call, number=number, repeat=repeat)) / number * 1e9


def interleaved_ns(calls: dict, number=100_000, rounds=15) -> dict:
    """ns per call of each callable: the best of `rounds` rounds, each round timing every
    callable once in turn, so a change in the machine's load hits all rows alike."""
    best = {name: float("inf") for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            best[name] = min(best[name], timeit.timeit(call, number=number) / number * 1e9)
    return best


def load_module():
    folder = tempfile.mkdtemp(prefix="rustify-bench-")
    with open(os.path.join(folder, "bench_funcs.py"), "w") as fh:
        fh.write(textwrap.dedent(MODULE))
    sys.path.insert(0, folder)
    import bench_funcs

    return bench_funcs


def main() -> None:
    from rustify.runtime import native_dispatch
    from rustify.runtime.dispatch import GIVE_UP_AFTER

    if os.environ.get("RUSTIFY_NATIVE_DISPATCH") != "0":
        native_dispatch.load(build=True)
    mod = load_module()
    add = mod.add
    try:
        import numba
    except ImportError:
        numba = None

    native = rustify.accelerate(add, eager=True)
    native(1.0, 2.0)
    native.wait()
    native(1.0, 2.0)
    assert native.rustify.last_call == "native"
    profiling = rustify.accelerate(add, mode="profile", threshold_ms=1e12)  # never hot
    mod.keep = held = rustify.accelerate(mod.keep, eager=True)
    for _ in range(GIVE_UP_AFTER * 40):  # the policy sees one Python call in 16 of a refused signature
        held(1.0, 2.0)
    assert mod.keep is not held and held.rustify.gave_up, "the function was not unwrapped"
    original, unwrapped = held.__wrapped__, mod.keep  # the function, and what its module binds now

    calls = {"bare Python call add(1.0, 2.0)": lambda: add(1.0, 2.0)}
    if numba is not None:
        jitted = numba.njit(add)
        jitted(1.0, 2.0)
        calls["numba.njit dispatcher"] = lambda: jitted(1.0, 2.0)
    calls.update({
        "rustify native (positional)": lambda: native(1.0, 2.0),
        "rustify native (keywords a=, b=)": lambda: native(a=1.0, b=2.0),
        "rustify profiling, runs Python": lambda: profiling(1.0, 2.0),
        "bare Python call keep(1.0, 2.0)": lambda: original(1.0, 2.0),
        "stays Python, held wrapper": lambda: held(1.0, 2.0),
        "stays Python, unwrapped (via module)": lambda: unwrapped(1.0, 2.0),
    })
    figures = interleaved_ns(calls)
    rows = list(figures.items())
    dispatch = "native" if type(native).__mro__[1].__name__ == "Dispatcher" else "Python"
    print(f"dispatch path: {dispatch}")
    print(f"{'call':40} {'ns/call':>9}")
    for name, ns in rows:
        print(f"{name:40} {ns:9.0f}")
    bare = figures["bare Python call add(1.0, 2.0)"]
    keep_bare = figures["bare Python call keep(1.0, 2.0)"]
    nb = figures.get("numba.njit dispatcher")
    print()
    if nb:
        print(f"native call / numba call:                     {figures['rustify native (positional)'] / nb:5.2f} "
              f"(target <= 1)")
        print(f"keyword native call / numba call:             {figures['rustify native (keywords a=, b=)'] / nb:5.2f}")
        print(f"profiling: (wrapper - bare) / numba call:     "
              f"{(figures['rustify profiling, runs Python'] - bare) / nb:5.2f} (target <= 1)")
    print(f"stays Python, unwrapped / bare:               {figures['stays Python, unwrapped (via module)'] / keep_bare:5.2f}"
          f" (target <= 1.05)")
    print(f"stays Python, held wrapper / bare:            {figures['stays Python, held wrapper'] / keep_bare:5.2f}")

    kernels(numba)


def kernels(numba) -> None:
    import numpy as np

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples"))
    import seed_kernels

    rng = np.random.default_rng(0)
    a, b = rng.random(1000), rng.random(1000)
    print(f"\n{'kernel, n=1000 float64 arrays':40} {'rustify ns':>11} {'numba ns':>9} {'ratio':>6}")
    for name in ("euclidean", "dot_product"):
        func = getattr(seed_kernels, name)
        fast = rustify.accelerate(func, eager=True)
        fast(a, b)
        fast.wait()  # another process may have held the build lock: the compile finished in the background
        fast(a, b)
        assert fast.rustify.last_call == "native", fast.rustify.last_reason
        if numba is None:
            print(f"{name:40} {per_call_ns(lambda: fast(a, b), number=20_000):11.0f}")
            continue
        jitted = numba.njit(func)
        jitted(a, b)
        both = interleaved_ns({"rustify": lambda: fast(a, b), "numba": lambda: jitted(a, b)}, number=5_000)
        ours, theirs = both["rustify"], both["numba"]
        print(f"{name:40} {ours:11.0f} {theirs:9.0f} {ours / theirs:6.2f} (target <= 1.2)")


if __name__ == "__main__":
    main()
