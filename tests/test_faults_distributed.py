"""Faults of the "distributed" area: many processes, a cluster, workers without Rust.

Every test runs a real driver process that starts real workers (a spawn
`ProcessPoolExecutor`, a `dask.distributed.LocalCluster` of processes) and
reads what happened in each worker: the result, `f.rustify` state, how many
builds ran (the build stage's own "building <crate>" log records, appended
to a file by every worker) and the time from the worker's start to its
first native call.
"""

from __future__ import annotations

import json
import uuid

import pytest

from faultlib import fault, run_snippet, write_module

pytest.importorskip("distributed")

# Worker-side helpers: importable by every worker (spawn and dask pickle by reference).
FLEET = '''
    import logging, os, shutil, time

    import psutil

    _first_native = {}


    class _BuildCounter(logging.Handler):
        """Appends one line per real build (the builder logs "building <crate>") to a shared file."""

        def __init__(self, path):
            super().__init__(logging.INFO)
            self.path = path

        def emit(self, record):
            if record.getMessage().startswith("building "):
                with open(self.path, "a") as fh:
                    fh.write(f"{os.getpid()} {record.getMessage()}\\n")


    def count_builds(path, barrier=None):
        logger = logging.getLogger("rustify.build")
        logger.setLevel(logging.INFO)
        logger.addHandler(_BuildCounter(path))
        global _barrier
        _barrier = barrier


    def call(func, *args):
        """func(*args), and which way it ran; the first native call's time since this process started.

        A call whose compile waited too long for another process's build runs Python and the
        compile goes on in the background: wait for it, then call again.
        """
        first = func(*args)
        func.wait(300)
        result = func(*args)
        assert result == first, (first, result)
        ran = func.rustify.last_call
        if ran == "native":
            _first_native.setdefault(func.__qualname__, time.time() - psutil.Process().create_time())
        return result, ran


    def call_many(calls):
        """[call(func, *args) for each (func, args)]."""
        return [call(func, *args) for func, args in calls]


    def together(task, *args):
        """Wait for every pool worker (the barrier), then run task: concurrent first calls."""
        _barrier.wait(timeout=120)
        return task(*args)


    def worker_state(*functions):
        """What this worker did: pid, native signatures, reasons, toolchain, cache contents, timings."""
        from rustify.build.toolchain import toolchain_fingerprint
        from rustify.config import cache_dir

        root = cache_dir()
        return {
            "pid": os.getpid(),
            "native": {f.__qualname__: [list(s) for s in f.rustify.native_signatures] for f in functions},
            "reasons": {f.__qualname__: list(f.rustify.reasons.values()) for f in functions},
            "cargo": shutil.which("cargo"), "rustc": shutil.which("rustc"),
            "rust_env": [v for v in ("RUSTC", "CARGO") if v in os.environ],
            "toolchain": toolchain_fingerprint(),
            "cache": str(root),
            "crates": sorted(os.listdir(root / "crates")) if (root / "crates").is_dir() else [],
            "lib": sorted(os.listdir(root / "lib")) if (root / "lib").is_dir() else [],
            "first_native_s": dict(_first_native),
        }
'''

# Three front doors; the nonce makes each run's crates new, so the builds really happen.
KERNELS = '''
    import rustify


    @rustify.accelerate  # bare: RUSTIFY_MODE=eager in the environment
    def sum_squares(xs):
        """{nonce}"""
        total = 0.0
        for x in xs:
            total += x * x
        return total


    @rustify.accelerate(eager=True, validate=1)
    def dot(xs, ys):
        """{nonce}"""
        total = 0.0
        for i in range(len(xs)):
            total += xs[i] * ys[i]
        return total
'''

AUTO = '''
    def count_below(xs, limit):
        """{nonce}"""
        n = 0
        for x in xs:
            if x < limit:
                n += 1
        return n
'''


def _write_kernels(tmp_path):
    nonce = uuid.uuid4().hex
    kernels, auto = f"kernels_{nonce[:8]}", f"auto_{nonce[:8]}"
    write_module(tmp_path, "fleet", FLEET)
    write_module(tmp_path, kernels, KERNELS.replace("{nonce}", nonce))
    write_module(tmp_path, auto, AUTO.replace("{nonce}", nonce))
    return kernels, auto


def _result(proc) -> dict:
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _builds(path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


@fault("distributed", injects="a spawn ProcessPoolExecutor of 2 workers, each calling 3 new functions "
       "(bare decorator, decorator with arguments, import hook) at the same moment",
       observes="one build per function for the whole pool (builder log records), every worker native, "
                "results equal Python's, wrappers pickle by reference")
def test_spawn_pool_builds_each_function_once(tmp_path):
    kernels, auto = _write_kernels(tmp_path)
    builds = tmp_path / "builds.txt"
    code = f"""
        import json, multiprocessing, pickle, cloudpickle
        from concurrent.futures import ProcessPoolExecutor
        import fleet, {kernels} as k, {auto} as a

        functions = (k.sum_squares, k.dot, a.count_below)
        for f in functions:  # by reference: a short name, the same object back, no code
            assert type(f).__name__ == "Accelerated", f
            for dumps, loads in ((pickle.dumps, pickle.loads), (cloudpickle.dumps, cloudpickle.loads)):
                blob = dumps(f)
                assert len(blob) < 200 and loads(blob) is f, (f, blob)

        xs, ys = [0.5 * i for i in range(50)], [1.0 - i for i in range(50)]

        def calls(n):
            return [(k.sum_squares, (xs[:n],)), (k.dot, (xs[:n], ys[:n])), (a.count_below, (xs[:n], 7.0))]

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(2, mp_context=ctx, initializer=fleet.count_builds,
                                 initargs=({str(builds)!r}, ctx.Barrier(2))) as pool:
            first = [pool.submit(fleet.together, fleet.worker_state) for _ in range(2)]
            pids = {{f.result()["pid"] for f in first}}
            runs = [pool.submit(fleet.together, fleet.call_many, calls(n)) for n in (50, 50)]  # concurrent first calls
            runs += [pool.submit(fleet.call_many, calls(n)) for n in (0, 1, 17, 40)]
            results = [r.result() for r in runs]
            states = [pool.submit(fleet.together, fleet.worker_state, *functions) for _ in range(2)]
            states = [s.result() for s in states]
        python = [[k.sum_squares.__wrapped__(xs[:n]), k.dot.__wrapped__(xs[:n], ys[:n]),
                   a.count_below.__wrapped__(xs[:n], 7.0)] for n in (50, 50, 0, 1, 17, 40)]
        print(json.dumps({{"results": results, "python": python, "states": states, "pids": sorted(pids)}}))
    """
    out = _result(run_snippet(code, cwd=tmp_path, env={"RUSTIFY_MODE": "eager", "RUSTIFY_AUTO": auto}))
    assert [[value for value, _ in row] for row in out["results"]] == out["python"]
    assert all(ran == "native" for row in out["results"] for _, ran in row), out["results"]
    states = out["states"]
    assert len({s["pid"] for s in states}) == 2
    for state in states:  # both workers run all three natively
        assert all(sigs for sigs in state["native"].values()), state
    built = _builds(builds)
    assert len(built) == 3, built  # one build per function, for the whole pool
    assert len({line.split()[-1] for line in built}) == 3, built
    seconds = [s for state in states for s in state["first_native_s"].values()]
    print(f"spawn pool: builds={len(built)}; worker start to first native call {min(seconds):.2f}-"
          f"{max(seconds):.2f} s (includes the pool's one build of each function)")


@fault("distributed", injects="a dask LocalCluster of 2 worker processes calling a new function at the same "
       "moment (pinned one task per worker)",
       observes="one build for the cluster (builder log records from every worker), both workers native, "
                "results equal Python's")
def test_dask_cluster_builds_once(tmp_path):
    kernels, _ = _write_kernels(tmp_path)
    builds = tmp_path / "builds.txt"
    code = f"""
        import json
        from distributed import Client, LocalCluster
        import fleet, {kernels} as k

        xs, ys = [0.25 * i for i in range(64)], [2.0 - i for i in range(64)]
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \\
                Client(cluster) as client:
            client.run(fleet.count_builds, {str(builds)!r})
            workers = sorted(client.scheduler_info()["workers"])
            futures = [client.submit(fleet.call, k.dot, xs, ys, workers=[w], allow_other_workers=False, pure=False)
                       for w in workers]
            results = client.gather(futures)
            states = list(client.run(fleet.worker_state, k.dot).values())
        print(json.dumps({{"results": results, "python": k.dot.__wrapped__(xs, ys), "states": states}}))
    """
    out = _result(run_snippet(code, cwd=tmp_path, env={"RUSTIFY_MODE": "eager"}))
    assert [value for value, _ in out["results"]] == [out["python"]] * 2
    assert [ran for _, ran in out["results"]] == ["native", "native"]
    assert all(state["native"]["dot"] for state in out["states"])
    built = _builds(builds)
    assert len(built) == 1, built


@fault("distributed", injects="dask workers without a Rust toolchain (no cargo/rustc on PATH, RUSTC/CARGO unset, "
       "an empty cache dir of their own), one of them joining after the plugin; a module global that differs "
       "on the workers",
       observes="ShipArtifacts hands every worker the client's native (last call native, no build, no crate "
                "dir, the verified .so and its digest installed); the function whose global differs is refused "
                "and gives the workers' Python answer, never the client's frozen constant")
def test_dask_workers_without_rust_get_shipped_natives(tmp_path):
    write_module(tmp_path, "fleet", FLEET)
    nonce = uuid.uuid4().hex
    write_module(tmp_path, f"shipped_{nonce[:8]}", f'''
        import os
        import rustify

        SCALE = float(os.environ.get("SCALE", "2.0"))


        @rustify.accelerate(eager=True)
        def norm1(xs):
            """{nonce}"""
            total = 0.0
            for x in xs:
                total += abs(x)
            return total


        @rustify.accelerate(eager=True)
        def scaled_sum(xs):
            """{nonce}"""
            total = 0.0
            for x in xs:
                total += SCALE * x
            return total
    ''')
    worker_cache = tmp_path / "worker-cache"
    builds = tmp_path / "builds.txt"
    code = f"""
        import json, os, shutil
        from distributed import Client, LocalCluster
        from rustify.distributed import ShipArtifacts
        import fleet, shipped_{nonce[:8]} as m

        xs = [0.5 * i - 3.0 for i in range(40)]
        m.norm1(xs), m.scaled_sum(xs)  # built here (a build lock held elsewhere: in the background)
        m.norm1.wait(300), m.scaled_sum.wait(300)
        plugin = ShipArtifacts([m.norm1, m.scaled_sum])
        no_rust = os.pathsep.join(d for d in os.environ["PATH"].split(os.pathsep)
                                  if not (shutil.which("cargo", path=d) or shutil.which("rustc", path=d)))
        env = {{"PATH": no_rust, "RUSTIFY_CACHE_DIR": {str(worker_cache)!r}, "SCALE": "3.0"}}
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          env=env) as cluster, Client(cluster) as client:
            client.run(fleet.count_builds, {str(builds)!r})
            client.register_plugin(plugin)
            cluster.scale(3)  # a worker that joins after the plugin was registered
            client.wait_for_workers(3)
            client.run(fleet.count_builds, {str(builds)!r})
            results = {{}}
            for w in sorted(client.scheduler_info()["workers"]):
                pin = dict(workers=[w], allow_other_workers=False, pure=False)
                results[w] = client.gather([client.submit(fleet.call, m.norm1, xs, **pin),
                                            client.submit(fleet.call, m.scaled_sum, xs, **pin)])
            states = client.run(fleet.worker_state, m.norm1, m.scaled_sum)
            adoptions = client.run(lambda dask_worker: [(a.function, a.adopted, a.reason)
                                                        for a in dask_worker.plugins[plugin.name].adoptions])
        python = [m.norm1.__wrapped__(xs), 3.0 * sum(xs)]
        print(json.dumps({{"results": results, "states": states, "adoptions": adoptions, "python": python,
                          "shipped": [a.module_name for a in plugin.artifacts]}}))
    """
    out = _result(run_snippet(code, cwd=tmp_path, timeout=240))
    assert len(out["states"]) == 3
    norm1_crate = out["shipped"][0]
    for worker, state in out["states"].items():
        assert state["cargo"] is None and state["rustc"] is None and state["rust_env"] == [], state
        assert state["toolchain"] == "no-rustc" and state["cache"] == str(worker_cache)
        assert state["crates"] == [], state  # never wrote a crate: never tried to build
        assert state["native"]["norm1"] == [["list[float]"]] and state["reasons"]["norm1"] == []
        assert state["native"]["scaled_sum"] == []  # refused: SCALE is 3.0 here, the native froze 2.0
        (norm1, ran1), (scaled, ran2) = out["results"][worker]
        assert (norm1, ran1) == (out["python"][0], "native")
        assert (scaled, ran2) == (out["python"][1], "python")
        adopted = dict((name.rsplit(".", 1)[1], (ok, why)) for name, ok, why in out["adoptions"][worker])
        assert adopted["norm1"] == (True, None)
        assert adopted["scaled_sum"][0] is False and "globals" in adopted["scaled_sum"][1]
    assert f"{norm1_crate}.cpython" in " ".join(state["lib"])
    assert sorted(n for n in state["lib"] if n.endswith(".sha256"))  # installed with its digest
    assert _builds(builds) == []
    seconds = sorted(s["first_native_s"]["norm1"] for s in out["states"].values())
    print(f"dask workers without Rust: worker start to first native call {seconds[0]:.2f}-{seconds[-1]:.2f} s")


@fault("distributed", injects="spawn pool workers without a Rust toolchain and with an empty cache dir, started "
       "with ship.receive as initializer; one shipped artifact has a flipped byte",
       observes="the intact artifact is adopted (native, equal to Python); the damaged one is refused by its "
                "digest, never written to the worker's cache or loaded, and that function runs Python")
def test_spawn_workers_without_rust_refuse_damaged_artifact(tmp_path):
    kernels, _ = _write_kernels(tmp_path)
    worker_cache = tmp_path / "worker-cache"
    code = f"""
        import dataclasses, json, multiprocessing, os, shutil
        from concurrent.futures import ProcessPoolExecutor
        from rustify.runtime.ship import pack, receive
        import fleet, {kernels} as k

        xs, ys = [1.5 * i for i in range(30)], [0.5 - i for i in range(30)]
        k.sum_squares(xs), k.dot(xs, ys)  # built here (a build lock held elsewhere: in the background)
        k.sum_squares.wait(300), k.dot.wait(300)
        good, damaged = pack([k.sum_squares, k.dot])
        flipped = bytearray(damaged.data)
        flipped[len(flipped) // 2] ^= 0xFF
        artifacts = [good, dataclasses.replace(damaged, data=bytes(flipped))]
        os.environ["PATH"] = os.pathsep.join(d for d in os.environ["PATH"].split(os.pathsep)
                                             if not (shutil.which("cargo", path=d) or shutil.which("rustc", path=d)))
        os.environ["RUSTIFY_CACHE_DIR"] = {str(worker_cache)!r}
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"), initializer=receive,
                                 initargs=(artifacts,)) as pool:
            results = [pool.submit(fleet.call, k.sum_squares, xs).result(),
                       pool.submit(fleet.call, k.dot, xs, ys).result()]
            state = pool.submit(fleet.worker_state, k.sum_squares, k.dot).result()
        print(json.dumps({{"results": results, "state": state, "python": [k.sum_squares.__wrapped__(xs),
                          k.dot.__wrapped__(xs, ys)], "damaged": damaged.module_name}}))
    """
    out = _result(run_snippet(code, cwd=tmp_path, env={"RUSTIFY_MODE": "eager"}))
    (squares, ran1), (dot, ran2) = out["results"]
    assert (squares, ran1) == (out["python"][0], "native")
    assert (dot, ran2) == (out["python"][1], "python")
    state = out["state"]
    assert state["cargo"] is None and state["toolchain"] == "no-rustc"
    assert state["native"] == {"sum_squares": [["list[float]"]], "dot": []}
    assert not any(out["damaged"] in name for name in state["lib"]), state["lib"]
    assert "Rust is not installed" in " ".join(state["reasons"]["dot"])  # it fell back to building, and said why
    assert state["crates"] == []
