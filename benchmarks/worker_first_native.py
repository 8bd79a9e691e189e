"""Seconds from a worker process's start to its first native call.

    .venv/bin/python benchmarks/worker_first_native.py [--runs 3]

The kernel is built once in this process (or found in the cache), then:

- spawn pool: a `ProcessPoolExecutor` (spawn) of 2 workers sharing this cache
  (warm: the artifact is there), each calling the kernel once;
- dask + ShipArtifacts: a `LocalCluster` of 2 worker processes with no
  cargo/rustc on PATH and an empty cache dir of their own, receiving the
  artifact through `rustify.distributed.ShipArtifacts`.

Per worker, from the process's creation time (psutil) to: the first Python
call of a plain function (the interpreter and imports: the floor), the
native version being ready, and the first native call returning.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

KERNEL = '''
import rustify


@rustify.accelerate(eager=True)
def kernel_first_native(xs):
    total = 0.0
    for x in xs:
        total += x * x
    return total


def plain(xs):
    return sum(xs)
'''


def _since_start(wall: float) -> float:
    import psutil

    return wall - psutil.Process().create_time()


def probe(xs) -> dict:
    """In a worker: seconds since this process started, at each step of its first calls."""
    python_at = time.time()
    import kernel_first_native_mod as k

    k.plain(xs)
    python_s = _since_start(python_at)
    k.kernel_first_native(xs)
    first_native_s = _since_start(time.time())
    assert k.kernel_first_native.rustify.last_call == "native", k.kernel_first_native.rustify.explain()
    st = k.kernel_first_native.rustify.stats[("list[float]",)]
    ready_s = _since_start(time.time() - (time.perf_counter() - st.native_at))
    return {"pid": os.getpid(), "python": python_s, "ready": ready_s, "first_native": first_native_s}


def spawn_pool(xs) -> list[dict]:
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=ctx) as pool:
        return [f.result() for f in [pool.submit(probe, xs) for _ in range(2)]]


def dask_shipped(xs, kernel) -> list[dict]:
    from distributed import Client, LocalCluster

    from rustify.distributed import ShipArtifacts

    no_rust = os.pathsep.join(d for d in os.environ["PATH"].split(os.pathsep)
                              if not (shutil.which("cargo", path=d) or shutil.which("rustc", path=d)))
    with tempfile.TemporaryDirectory(prefix="rustify-worker-cache-") as worker_cache:
        env = {"PATH": no_rust, "RUSTIFY_CACHE_DIR": worker_cache}
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          env=env) as cluster, Client(cluster) as client:
            client.register_plugin(ShipArtifacts([kernel]))
            workers = sorted(client.scheduler_info()["workers"])
            return client.gather([client.submit(probe, xs, workers=[w], allow_other_workers=False, pure=False)
                                  for w in workers])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="rustify-first-native-"))
    (folder / "kernel_first_native_mod.py").write_text(KERNEL)
    sys.path.insert(0, str(folder))
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH")) if p)
    import kernel_first_native_mod as k

    xs = [0.5 * i for i in range(1000)]
    k.kernel_first_native(xs)  # built here, or found in the cache: the cache is warm from now on
    assert k.kernel_first_native.rustify.last_call == "native"
    rows = {"spawn pool, warm shared cache": [], "dask worker, ShipArtifacts, no Rust": []}
    for _ in range(args.runs):
        rows["spawn pool, warm shared cache"] += spawn_pool(xs)
        rows["dask worker, ShipArtifacts, no Rust"] += dask_shipped(xs, k.kernel_first_native)
    print("| worker | task start (plain call) | native ready | first native call | workers |")
    print("|---|---|---|---|---|")
    for name, samples in rows.items():
        cells = [f"{statistics.median(s[key] for s in samples):.2f} s" for key in ("python", "ready", "first_native")]
        print(f"| {name} | {' | '.join(cells)} | {len(samples)} |")
    print("\nmedians from the worker process's creation; 'native ready' for the dask worker is the plugin's "
          "adoption at worker start, for the pool worker the cache hit at its first call")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
