"""Time from "hot" to "native" in profile mode, with the compile in the background.

    .venv/bin/python benchmarks/hot_to_native.py [--runs 3]

A caller loops over a kernel wrapped with `@rustify.accelerate` (profile mode,
background compile). For each run the kernel's source gets a fresh constant, so
the first phase is a real (warm-toolchain) build; the same source is then
loaded again in a new wrapper, which is a cache hit. Reported per run: the
seconds from the policy choosing the signature to the native version being
swapped in, how many calls ran Python before the swap, and that no caller waited
(the slowest single call while the compile ran).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import rustify

KERNEL = '''
def kernel(xs):
    s = 0.0
    for x in xs:
        s += x * x * {k!r}
    return s
'''


def load_kernel(folder: Path, k: float):
    path = folder / f"kernel_{uuid.uuid4().hex}.py"
    path.write_text(KERNEL.format(k=k))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module.kernel


def one_phase(kernel, xs) -> tuple[float, int, float]:
    fast = rustify.accelerate(kernel, mode="profile", threshold_ms=5, background=True)
    sig = ("list[float]",)
    python_calls, slowest = 0, 0.0
    deadline = time.perf_counter() + 300
    while fast.rustify.status(sig) != "native" and time.perf_counter() < deadline:
        start = time.perf_counter()
        fast(xs)
        slowest = max(slowest, time.perf_counter() - start)
        if fast.rustify.last_call == "python":
            python_calls += 1
    stats = fast.rustify.stats[sig]
    return stats.hot_to_native_seconds, python_calls, slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    xs = [0.001 * i for i in range(2000)]
    built, hits = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            k = 1.0 + run / 1000 + time.time() % 1 / 1e6  # a new constant: a new crate
            seconds, calls, slowest = one_phase(load_kernel(Path(tmp), k), xs)
            built.append(seconds)
            print(f"run {run + 1}: build      hot->native {seconds:6.2f} s, {calls:5d} Python calls before the swap, "
                  f"slowest call {slowest * 1e3:.1f} ms")
            seconds, calls, slowest = one_phase(load_kernel(Path(tmp), k), xs)
            hits.append(seconds)
            print(f"run {run + 1}: cache hit  hot->native {seconds:6.3f} s, {calls:5d} Python calls before the swap, "
                  f"slowest call {slowest * 1e3:.1f} ms")
    print(f"\nmedian hot->native: build {statistics.median(built):.2f} s, cache hit {statistics.median(hits) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
