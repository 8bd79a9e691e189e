"""What a `with rustify.profile():` block costs the code inside it.

    .venv/bin/python benchmarks/profile_overhead.py [--reps 7] [--interval 0.001] [--json out.json]

Two workloads, each run plain and inside the block, alternating (plain, block,
plain, block, ...) so drift on a shared machine hits both alike:

- loop-heavy: `dot_product` and `running_mean` from the seed kernels on long
  lists (few calls, long loops of bytecode);
- call-heavy: a tiny function called a million times, and a recursive `fib`
  (many short Python calls: what hurts tracing profilers most).

For reference the same workloads also run under `cProfile` (a deterministic
profiler). Printed per workload and variant: the median and best CPU time
(`time.process_time`, which includes the sampler's signal handler) and wall
time over the repetitions, and the ratio to the plain run (median/median,
best/best). Nothing is asserted; `--json` writes every timing.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

from seed_kernels import dot_product, running_mean  # noqa: E402

import rustify  # noqa: E402

_xs = [random.Random(0).uniform(-1.0, 1.0) for _ in range(400_000)]


def loop_heavy():
    total = 0.0
    for _ in range(12):
        total += dot_product(_xs, _xs)
    return total + sum(running_mean(_xs[:200_000], 16))


def add(a, b):
    return a + b


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def call_heavy():
    total = 0
    for i in range(3_000_000):
        total = add(total, i)
    return total + fib(25)


WORKLOADS = {"loop-heavy": loop_heavy, "call-heavy": call_heavy}


def run_plain(work):
    work()
    return None


def run_profiled(work, interval):
    with rustify.profile(interval) as prof:
        work()
    return prof.recording.samples


def run_cprofile(work):
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        work()
    finally:
        profiler.disable()
    return None


def measure(reps: int, interval: float) -> dict:
    variants = {
        "plain": run_plain,
        "rustify.profile": lambda work: run_profiled(work, interval),
        "cProfile": run_cprofile,
    }
    results: dict = {}
    for name, work in WORKLOADS.items():
        work()  # warm up (specialization, caches)
        timings = {v: {"cpu": [], "wall": [], "samples": []} for v in variants}
        for _ in range(reps):
            for variant, run in variants.items():
                wall, cpu = time.perf_counter(), time.process_time()
                samples = run(work)
                timings[variant]["cpu"].append(time.process_time() - cpu)
                timings[variant]["wall"].append(time.perf_counter() - wall)
                if samples is not None:
                    timings[variant]["samples"].append(samples)
        results[name] = timings
    return results


def report(results: dict, interval: float) -> str:
    lines = [f"rustify.profile() overhead (interval {interval * 1000:g} ms; ratio = variant / plain)", "",
             "| workload | variant | CPU median s | CPU best s | ratio (median) | ratio (best) "
             "| wall ratio (median) | samples/run |",
             "|---|---|---|---|---|---|---|---|"]
    for name, timings in results.items():
        base_cpu = timings["plain"]["cpu"]
        base_wall = timings["plain"]["wall"]
        for variant, t in timings.items():
            cpu = t["cpu"]
            samples = f"{statistics.median(t['samples']):.0f}" if t["samples"] else "-"
            lines.append(
                f"| {name} | {variant} | {statistics.median(cpu):.3f} | {min(cpu):.3f} "
                f"| {statistics.median(cpu) / statistics.median(base_cpu):.3f} | {min(cpu) / min(base_cpu):.3f} "
                f"| {statistics.median(t['wall']) / statistics.median(base_wall):.3f} | {samples} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7, help="repetitions of each variant (default 7)")
    parser.add_argument("--interval", type=float, default=0.001, help="sampling interval in seconds")
    parser.add_argument("--json", type=Path, help="write every timing to this file")
    args = parser.parse_args(argv)
    results = measure(args.reps, args.interval)
    print(report(results, args.interval))
    print(f"\nPython {sys.version.split()[0]}, {args.reps} repetitions, alternating variants.")
    if args.json:
        args.json.write_text(json.dumps({"interval": args.interval, "reps": args.reps, "results": results}, indent=1))


if __name__ == "__main__":
    main()
